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
	}
	return iamdoc.New(statements...)
}
