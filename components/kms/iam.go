package kms

import (
	"slices"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope"
)

// useActions are the cryptographic operations of a key's users.
var useActions = iamdoc.Strings{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}

// adminActions manage a key without using it. They are listed one by one
// (no kms:Create* or kms:*), so that no administrator can encrypt, decrypt
// or create a grant for itself; an administrator can still rewrite the key
// policy, which is what administering means and what CloudTrail records.
var adminActions = iamdoc.Strings{
	"kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey",
	"kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
	"kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListGrants",
	"kms:ListKeyPolicies", "kms:ListKeyRotations", "kms:ListResourceTags", "kms:PutKeyPolicy",
	"kms:RetireGrant", "kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion",
	"kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
}

// UseServices are the AWS services through which the account's principals
// may use a purpose's key (kms:ViaService). A principal of the account that
// calls KMS directly, not through one of them, is refused by the key policy
// whatever its IAM policies say.
//
//   - data: S3 (SSE-KMS of the data and model buckets, EMRFS), SageMaker
//     (job volumes and outputs) and EC2 (EBS volumes of EMR nodes);
//   - logs: S3 (the application log bucket, EMR cluster logs); CloudWatch
//     Logs encrypts log groups as its own service principal;
//   - workspace: SageMaker, EFS (Studio home directories) and EC2 (app and
//     job volumes);
//   - pipeline: the services of the weekly workflow.
func UseServices(p Purpose) []string {
	switch p {
	case Data:
		return []string{"ec2", "s3", "sagemaker"}
	case Logs:
		return []string{"s3"}
	case Workspace:
		return []string{"ec2", "elasticfilesystem", "sagemaker"}
	case Pipeline:
		return []string{"ecr", "ecs", "events", "logs", "s3", "scheduler", "secretsmanager", "sns", "sqs", "states"}
	}
	return nil
}

// PolicySpec is who administers and who uses a key.
type PolicySpec struct {
	// Administrators are the IAM role ARNs that manage the key (the role
	// the platform deploys as). They cannot use it.
	Administrators []string
	// DirectUsers are role ARNs that call KMS themselves, not through an
	// AWS service, for a reason the purpose documents (EMR nodes encrypting
	// their local disks). Their IAM policies still have to allow it.
	DirectUsers []string
}

// KeyPolicy returns the key policy for a purpose. Administrators and users
// are separate principals: the administrators manage the key but cannot
// use it; the account's principals use it only through the purpose's
// services (kms:ViaService), and only where their IAM policies allow it;
// direct use is limited to the named direct users. Services that encrypt on
// their own behalf (CloudWatch Logs for the logs key; alarms and events
// publishing to encrypted topics for the pipeline key) are admitted for
// this account's resources only.
func KeyPolicy(p Purpose, s scope.Scope, spec PolicySpec) iamdoc.Document {
	var own []iamdoc.Statement
	switch p {
	case Logs:
		own = append(own, iamdoc.Statement{
			Sid:       "CloudWatchLogsEncryptsAccountLogGroups",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services(s.ServiceHost("logs")),
			Action:    useActions,
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{
				"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {s.LogGroupARN("*")}},
			},
		})
		own = append(own, auditStatements(s)...)
	case Pipeline:
		own = append(own, iamdoc.Statement{
			Sid:       "AlarmsAndEventsPublishToEncryptedTopics",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services("cloudwatch.amazonaws.com", "events.amazonaws.com"),
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{
				"StringEquals": {"aws:SourceAccount": {s.AccountID}},
			},
		})
		own = append(own, pipelineServiceStatements(s)...)
	}
	return Policy(s, spec, UseServices(p), own...)
}

// Policy is the key policy every platform key shares, for a key that is
// used through services (its AWS service names, such as "sns" or "s3"),
// followed by the statements of the services that encrypt with it on their
// own behalf. Components with a key of their own (the cost alerts key)
// build its policy here, so that no key of the platform separates
// administrators from users differently:
//
//   - the administrators manage the key without using it: no encrypt,
//     decrypt or grant for themselves, whatever their IAM policies say;
//   - the account's other principals use it only through the named
//     services (kms:ViaService, kms:CallerAccount), and only where their
//     own IAM policies allow it too;
//   - services create grants only for AWS resources;
//   - the direct users, if any, use it without a service.
func Policy(s scope.Scope, spec PolicySpec, services []string, serviceStatements ...iamdoc.Statement) iamdoc.Document {
	root := s.AccountRootARN()
	var via iamdoc.Strings
	for _, svc := range services {
		via = append(via, s.ServiceHost(svc))
	}
	statements := []iamdoc.Statement{
		{
			Sid:       "KeyAdministrators",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(sorted(spec.Administrators)...),
			Action:    adminActions,
			Resource:  iamdoc.Strings{"*"},
		},
		{
			// The account root delegates to IAM: a principal of the account
			// uses the key only if its own policies allow it too. The
			// administrators are not users, whatever their IAM policies say.
			Sid:       "AccountUsesKeyThroughServices",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(root),
			Action:    useActions,
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{
				"StringEquals": {"kms:CallerAccount": {s.AccountID}, "kms:ViaService": via},
				"ArnNotEquals": {"aws:PrincipalArn": sorted(spec.Administrators)},
			},
		},
		{
			// Services attach encrypted volumes and file systems with grants
			// they create for the caller; no one creates a grant for itself.
			Sid:       "GrantsForAWSResourcesThroughServices",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(root),
			Action:    iamdoc.Strings{"kms:CreateGrant"},
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{
				"StringEquals": {"kms:CallerAccount": {s.AccountID}, "kms:ViaService": via},
				"Bool":         {"kms:GrantIsForAWSResource": {"true"}},
			},
		},
		{
			Sid:       "AccountDescribesKey",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(root),
			Action:    iamdoc.Strings{"kms:DescribeKey"},
			Resource:  iamdoc.Strings{"*"},
		},
	}
	if len(spec.DirectUsers) > 0 {
		statements = append(statements, iamdoc.Statement{
			// Named by condition rather than as principals: KMS refuses a
			// key policy naming roles that do not exist yet, and these are
			// created after the keys.
			Sid:       "DirectUsers",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(root),
			Action:    iamdoc.Strings{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"},
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"ArnEquals": {"aws:PrincipalArn": sorted(spec.DirectUsers)}},
		})
	}
	statements = append(statements, serviceStatements...)
	return iamdoc.New(statements...)
}

func sorted(s []string) iamdoc.Strings {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
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

// auditStatements admit the services that encrypt the audit trail on their
// own (AWS CloudTrail user guide, "Configure AWS KMS key policies for
// CloudTrail"): CloudTrail, for the log and digest files of the platform's
// trails (named "<prefix>-..."), in this account only; and CloudWatch
// alarms and EventBridge, which publish to the audit topic the logs key
// encrypts. Reading the logs needs no statement here: people decrypt them
// through S3, as every other use of the key.
func auditStatements(s scope.Scope) []iamdoc.Statement {
	platformTrails := iamdoc.Condition{
		"StringEquals": {"aws:SourceAccount": {s.AccountID}},
		"ArnLike":      {"aws:SourceArn": {s.ARN("cloudtrail", "trail/"+s.Prefix+"-*")}},
	}
	encrypt := iamdoc.Condition{
		"StringEquals": platformTrails["StringEquals"],
		"ArnLike":      platformTrails["ArnLike"],
		"StringLike":   {"kms:EncryptionContext:aws:cloudtrail:arn": {s.AnyRegionARN("cloudtrail", "trail/*")}},
	}
	return []iamdoc.Statement{
		{
			Sid:       "CloudTrailEncryptsThePlatformTrail",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services("cloudtrail.amazonaws.com"),
			Action:    iamdoc.Strings{"kms:GenerateDataKey*"},
			Resource:  iamdoc.Strings{"*"},
			Condition: encrypt,
		},
		{
			Sid:       "CloudTrailDescribesTheKey",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services("cloudtrail.amazonaws.com"),
			Action:    iamdoc.Strings{"kms:DescribeKey"},
			Resource:  iamdoc.Strings{"*"},
			Condition: platformTrails,
		},
		{
			Sid:       "AlarmsAndEventsPublishToTheEncryptedAuditTopic",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services("cloudwatch.amazonaws.com", "events.amazonaws.com"),
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"StringEquals": {"aws:SourceAccount": {s.AccountID}}},
		},
	}
}
