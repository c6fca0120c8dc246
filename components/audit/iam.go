package audit

import (
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope"
)

// Service principals of the audit component.
const (
	CloudTrailService = "cloudtrail.amazonaws.com"
	ConfigService     = "config.amazonaws.com"
	AlarmsService     = "cloudwatch.amazonaws.com"
	EventsService     = "events.amazonaws.com"
)

// bucketChangeActions change or remove the bucket's configuration:
// policy, Object Lock, lifecycle, versioning, encryption, logging, public
// access block, replication. Only the deployer may.
var bucketChangeActions = iamdoc.Strings{
	"s3:PutBucket*", "s3:DeleteBucket*", "s3:PutLifecycleConfiguration", "s3:PutEncryptionConfiguration",
	"s3:PutReplicationConfiguration", "s3:PutAccelerateConfiguration", "s3:PutInventoryConfiguration",
	"s3:PutAnalyticsConfiguration", "s3:PutMetricsConfiguration", "s3:PutIntelligentTieringConfiguration",
}

// BucketPolicy is the audit bucket's policy: TLS 1.2 or later only;
// CloudTrail writes this trail's files under TrailPrefix, and only for
// this trail; the Config recorder's role writes under ConfigPrefix; no
// person or role writes, overwrites or deletes an object (Object Lock
// stops deletion of locked versions whatever the policy says; the policy
// stops everyone adding forged files or delete markers too); no principal
// of another account reads anything; and only the deployer changes the
// bucket's configuration.
func BucketPolicy(s scope.Scope, deployerRoleArn string) iamdoc.Document {
	bucket := BucketARN(s)
	bucketAndObjects := iamdoc.Strings{bucket, bucket + "/*"}
	thisTrail := map[string]iamdoc.Strings{
		"aws:SourceArn":     {TrailARN(s)},
		"aws:SourceAccount": {s.AccountID},
	}
	return iamdoc.New(
		iamdoc.Statement{
			Sid:       "DenyInsecureTransport",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:*"},
			Resource:  bucketAndObjects,
			Condition: iamdoc.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
		},
		iamdoc.Statement{
			Sid:       "DenyOutdatedTLS",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:*"},
			Resource:  bucketAndObjects,
			Condition: iamdoc.Condition{"NumericLessThan": {"s3:TlsVersion": {"1.2"}}},
		},
		iamdoc.Statement{
			Sid:       "CloudTrailChecksTheBucket",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services(CloudTrailService),
			Action:    iamdoc.Strings{"s3:GetBucketAcl"},
			Resource:  iamdoc.Strings{bucket},
			Condition: iamdoc.Condition{"StringEquals": thisTrail},
		},
		iamdoc.Statement{
			Sid:       "CloudTrailWritesThisTrail",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services(CloudTrailService),
			Action:    iamdoc.Strings{"s3:PutObject"},
			Resource:  iamdoc.Strings{bucket + "/" + TrailPrefix + "/AWSLogs/" + s.AccountID + "/*"},
			Condition: iamdoc.Condition{"StringEquals": {
				"aws:SourceArn":     {TrailARN(s)},
				"aws:SourceAccount": {s.AccountID},
				"s3:x-amz-acl":      {"bucket-owner-full-control"},
			}},
		},
		iamdoc.Statement{
			// Both negated conditions must hold for the deny to apply: a
			// service principal (CloudTrail, held to its statement above) or
			// the recorder's role is exempt.
			Sid:       "DenyWritesExceptCloudTrailAndTheRecorder",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:PutObject*", "s3:RestoreObject", "s3:ReplicateObject"},
			Resource:  iamdoc.Strings{bucket + "/*"},
			Condition: iamdoc.Condition{
				"Bool":         {"aws:PrincipalIsAWSService": {"false"}},
				"ArnNotEquals": {"aws:PrincipalArn": {s.RoleARN(RecorderRoleName(s))}},
			},
		},
		iamdoc.Statement{
			// Lifecycle expiry is not a request and is not subject to the
			// policy: it removes files once their retention has passed.
			Sid:       "DenyEveryDelete",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"},
			Resource:  iamdoc.Strings{bucket + "/*"},
		},
		iamdoc.Statement{
			Sid:       "DenyOtherAccounts",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:*"},
			Resource:  bucketAndObjects,
			Condition: iamdoc.Condition{
				"StringNotEquals": {"aws:PrincipalAccount": {s.AccountID}},
				"Bool":            {"aws:PrincipalIsAWSService": {"false"}},
			},
		},
		iamdoc.Statement{
			Sid:       "DenyConfigurationChangesExceptByTheDeployer",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    bucketChangeActions,
			Resource:  iamdoc.Strings{bucket},
			Condition: iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": {deployerRoleArn}}},
		},
	)
}

// TrailLogsTrustPolicy lets only CloudTrail, delivering this trail of this
// account, assume the role that writes to the log group.
func TrailLogsTrustPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Sid:       "CloudTrailForThisTrail",
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services(CloudTrailService),
		Action:    iamdoc.Strings{"sts:AssumeRole"},
		Condition: iamdoc.Condition{
			"StringEquals": {"aws:SourceAccount": {s.AccountID}},
			"ArnLike":      {"aws:SourceArn": {TrailARN(s)}},
		},
	})
}

// TrailLogsPolicy lets CloudTrail write the trail's log streams
// ("<account>_CloudTrail_<region>") in its log group, and nothing else.
func TrailLogsPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Sid:      "WriteTheTrailsStreams",
		Effect:   iamdoc.Allow,
		Action:   iamdoc.Strings{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: iamdoc.Strings{s.LogStreamARN(LogGroupName(s), s.AccountID+"_CloudTrail_*")},
	})
}

// RecorderTrustPolicy lets only AWS Config, for this account, assume the
// recorder's role.
func RecorderTrustPolicy(s scope.Scope) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Sid:       "ConfigForThisAccount",
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services(ConfigService),
		Action:    iamdoc.Strings{"sts:AssumeRole"},
		Condition: iamdoc.Condition{"StringEquals": {"aws:SourceAccount": {s.AccountID}}},
	})
}

// RecorderPolicy lets the recorder's role deliver configuration snapshots
// and history to ConfigPrefix of the audit bucket, encrypted with the logs
// key through S3 (AWS Config developer guide, "Permissions for the Amazon
// S3 bucket" and "Permissions for the KMS key"). Reading the resources'
// configuration comes from the AWS managed policy AWS_ConfigRole.
func RecorderPolicy(s scope.Scope, logsKeyArn string) iamdoc.Document {
	bucket := BucketARN(s)
	return iamdoc.New(
		iamdoc.Statement{
			Sid:       "DeliverToTheAuditBucket",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"s3:PutObject"},
			Resource:  iamdoc.Strings{bucket + "/" + ConfigPrefix + "/AWSLogs/" + s.AccountID + "/*"},
			Condition: iamdoc.Condition{"StringEquals": {"s3:x-amz-acl": {"bucket-owner-full-control"}}},
		},
		iamdoc.Statement{
			Sid:      "CheckTheAuditBucket",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:GetBucketAcl"},
			Resource: iamdoc.Strings{bucket},
		},
		iamdoc.Statement{
			Sid:       "EncryptWithTheLogsKeyThroughS3",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:GenerateDataKey", "kms:Decrypt"},
			Resource:  iamdoc.Strings{logsKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": {s.ServiceHost("s3")}}},
		},
	)
}

// TopicPolicy lets the account subscribe to the audit topic, and lets only
// the component's alarms and its EventBridge rules publish to it.
func TopicPolicy(s scope.Scope) iamdoc.Document {
	topic := TopicARN(s)
	return iamdoc.New(
		iamdoc.Statement{
			Sid:       "AccountSubscribesAndReads",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(s.AccountRootARN()),
			Action:    iamdoc.Strings{"sns:Subscribe", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"},
			Resource:  iamdoc.Strings{topic},
		},
		iamdoc.Statement{
			Sid:       "AuditAlarmsPublish",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services(AlarmsService),
			Action:    iamdoc.Strings{"sns:Publish"},
			Resource:  iamdoc.Strings{topic},
			Condition: iamdoc.Condition{
				"ArnLike":      {"aws:SourceArn": {AlarmsARN(s)}},
				"StringEquals": {"aws:SourceAccount": {s.AccountID}},
			},
		},
		iamdoc.Statement{
			Sid:       "NonComplianceNoticesPublish",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services(EventsService),
			Action:    iamdoc.Strings{"sns:Publish"},
			Resource:  iamdoc.Strings{topic},
			Condition: iamdoc.Condition{
				"ArnLike":      {"aws:SourceArn": {EventRulesARN(s)}},
				"StringEquals": {"aws:SourceAccount": {s.AccountID}},
			},
		},
		iamdoc.Statement{
			Sid:       "DenyInsecureTransport",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"sns:Publish", "sns:Subscribe"},
			Resource:  iamdoc.Strings{topic},
			Condition: iamdoc.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
		},
	)
}
