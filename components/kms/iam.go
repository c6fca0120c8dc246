package kms

import (
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope"
)

var useActions = iamdoc.Strings{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}

// KeyPolicy returns the key policy for a purpose. The account administers
// the key, so IAM policies decide who may use it and the key can never
// become unmanageable; the platform's roles scope their grants with
// kms:ViaService. Services that encrypt on their own behalf (CloudWatch
// Logs for the logs key; alarms and events publishing to encrypted topics
// for the pipeline key) are admitted for this account's resources only.
func KeyPolicy(p Purpose, s scope.Scope) iamdoc.Document {
	root := s.AccountRootARN()
	statements := []iamdoc.Statement{{
		Sid:       "AccountAdministersKey",
		Effect:    iamdoc.Allow,
		Principal: iamdoc.AWSPrincipals(root),
		Action:    iamdoc.Strings{"kms:*"},
		Resource:  iamdoc.Strings{"*"},
	}}
	switch p {
	case Logs:
		statements = append(statements, iamdoc.Statement{
			Sid:       "CloudWatchLogsEncryptsAccountLogGroups",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services(s.ServiceHost("logs")),
			Action:    useActions,
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{
				"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {s.LogGroupARN("*")}},
			},
		})
	case Pipeline:
		statements = append(statements, iamdoc.Statement{
			Sid:       "AlarmsAndEventsPublishToEncryptedTopics",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services("cloudwatch.amazonaws.com", "events.amazonaws.com"),
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{
				"StringEquals": {"aws:SourceAccount": {s.AccountID}},
			},
		})
		statements = append(statements, pipelineServiceStatements(s)...)
	}
	return iamdoc.New(statements...)
}

// pipelineServiceStatements admit the services that encrypt the weekly
// pipeline's data on their own: Fargate, for the ephemeral storage of the
// platform's ECS clusters (Amazon ECS developer guide, "Create an
// encryption key for Fargate ephemeral storage"), and CloudWatch Logs
// vended-log delivery, which decrypts a state machine's execution data on
// its way into the execution log group (Step Functions developer guide,
// "Data at rest encryption": the key policy for CloudWatch Logs
// integration; the state machine's role generates those data keys under the
// same encryption context).
func pipelineServiceStatements(s scope.Scope) []iamdoc.Statement {
	clusters := iamdoc.Condition{
		"StringEquals": {"kms:EncryptionContext:aws:ecs:clusterAccount": {s.AccountID}},
		"StringLike":   {"kms:EncryptionContext:aws:ecs:clusterName": {s.Prefix + "-*"}},
	}
	grant := iamdoc.Condition{
		"StringEquals":              clusters["StringEquals"],
		"StringLike":                clusters["StringLike"],
		"ForAllValues:StringEquals": {"kms:GrantOperations": {"Decrypt"}},
	}
	return []iamdoc.Statement{
		{
			Sid:       "FargateEncryptsTaskStorageOfPlatformClusters",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services("fargate.amazonaws.com"),
			Action:    iamdoc.Strings{"kms:GenerateDataKeyWithoutPlaintext"},
			Resource:  iamdoc.Strings{"*"},
			Condition: clusters,
		},
		{
			Sid:       "FargateDecryptsTaskStorageThroughGrants",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services("fargate.amazonaws.com"),
			Action:    iamdoc.Strings{"kms:CreateGrant"},
			Resource:  iamdoc.Strings{"*"},
			Condition: grant,
		},
		{
			Sid:       "LogDeliveryDecryptsExecutionData",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services("delivery.logs.amazonaws.com"),
			Action:    iamdoc.Strings{"kms:Decrypt"},
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"StringEquals": {"kms:EncryptionContext:SourceArn": {LogDeliveryContext(s)}}},
		},
	}
}

// LogDeliveryContext is the encryption context value ("SourceArn") under
// which Step Functions encrypts execution data for CloudWatch Logs
// delivery: every log group of the account and region.
func LogDeliveryContext(s scope.Scope) string { return s.ARN("logs", "*") }
