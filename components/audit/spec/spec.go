// Package spec holds what the audit component is built from, as data: the
// AWS Config managed rules that check the policy pack's catalogue on the
// running resources, the CloudTrail events auditors ask about (each a
// metric filter and an alarm), and the retention of the audit trail with
// its regulatory floor. It is a leaf: stack config enforces the retention
// with it before anything is registered, the audit component builds its
// rules and alarms from it, and the policy rules' tests check every mapped
// control against the catalogue, so the three never disagree.
package spec

import (
	"fmt"
	"slices"
)

// RegulatoryRetentionDays is the least number of days prod keeps the
// audit trail locked: seven years (2557 days). It is the longest of the
// record-keeping periods that bind the company: the Dutch fiscal retention
// obligation (seven years, Algemene wet inzake rijksbelastingen art. 52)
// for the records behind its prize and tax ledgers, against five years
// after the end of a business relationship for anti-money-laundering
// records (EU AML directive art. 40, as the Dutch Wwft, the UK Money
// Laundering Regulations and the Swedish AML act transpose it), which the
// gaming regulators of the countries the platform serves (Kansspelautoriteit,
// Gambling Commission, Spelinspektionen) require licensees to keep and
// produce. Seven years covers them all.
const RegulatoryRetentionDays = 2557

// Retention bounds of the audit trail's S3 Object Lock (compliance mode).
const (
	// MinRetentionDays is the least S3 Object Lock accepts.
	MinRetentionDays = 1
	// MaxRetentionDays keeps the trail at most ten years, the longest any
	// of the record-keeping obligations above asks for with margin; past
	// it, a mistyped value would lock logs (and their storage cost) for
	// decades, which compliance mode makes irreversible.
	MaxRetentionDays = 3653
)

// CheckRetention checks the audit trail's retention for an environment:
// 1-3653 days, and in prod at least RegulatoryRetentionDays. The error
// says what to set.
func CheckRetention(environment string, days int) error {
	switch {
	case days < MinRetentionDays || days > MaxRetentionDays:
		return fmt.Errorf("%d days is outside %d-%d; the trail's logs are locked (S3 Object Lock, compliance mode) for this many days",
			days, MinRetentionDays, MaxRetentionDays)
	case environment == "prod" && days < RegulatoryRetentionDays:
		return fmt.Errorf("%d days is below the regulatory period of %d days (seven years) that prod must keep its audit trail; set it to %d or more",
			days, RegulatoryRetentionDays, RegulatoryRetentionDays)
	}
	return nil
}

// Trigger is what makes AWS Config evaluate a rule.
type Trigger string

// Triggers.
const (
	// OnChange: a recorded configuration change of a resource in scope.
	OnChange Trigger = "change"
	// Periodic: every MaximumExecutionFrequency, for rules AWS evaluates
	// with API calls instead of recorded configuration items.
	Periodic Trigger = "periodic"
)

// ConfigRule is an AWS Config managed rule that checks, on the running
// resources, what a control of the policy pack's catalogue checks at
// preview.
type ConfigRule struct {
	// Control is the catalogue control's name (policy/rules), e.g. "s3-sse-kms".
	Control string
	// Identifier is the AWS managed rule's source identifier, e.g.
	// S3_BUCKET_SSL_REQUESTS_ONLY.
	Identifier string
	// FSBP are the control's AWS Security Hub FSBP ids that this rule
	// checks: a subset of the catalogue's ids for the control, empty when
	// none of them is this rule's.
	FSBP []string
	// Trigger says when AWS evaluates it; ResourceTypes are the AWS Config
	// types in scope (OnChange rules) or the types it reports on (Periodic).
	Trigger       Trigger
	ResourceTypes []string
	// Parameters are fixed input parameters of the rule.
	Parameters map[string]string
	// StackParameters name the input parameters the component fills from
	// the stack: see the Param* constants.
	StackParameters []string
	// Checks says what the rule checks, in a sentence.
	Checks string
}

// Input parameters the audit component fills from the stack.
const (
	// ParamRequiredTags fills REQUIRED_TAGS' tag<N>Key (and the environment
	// tag's tag<N>Value) with the platform's required tags.
	ParamRequiredTags = "requiredTags"
	// ParamMinRetention fills CW_LOGGROUP_RETENTION_PERIOD_CHECK's
	// MinRetentionTime with the environment's log retention.
	ParamMinRetention = "MinRetentionTime"
	// ParamKMSKeys fills kmsKeyArns (S3) and kmsKeyIds (SNS) with the
	// platform's customer-managed keys.
	ParamKMSKeys = "kmsKeys"
)

// AWS Config resource types the rules look at.
const (
	typeS3Bucket       = "AWS::S3::Bucket"
	typeS3AccessPoint  = "AWS::S3::AccessPoint"
	typeKMSKey         = "AWS::KMS::Key"
	typeSNSTopic       = "AWS::SNS::Topic"
	typeECRRepository  = "AWS::ECR::Repository"
	typeStateMachine   = "AWS::StepFunctions::StateMachine"
	typeECSCluster     = "AWS::ECS::Cluster"
	typeTaskDefinition = "AWS::ECS::TaskDefinition"
	typeNotebook       = "AWS::SageMaker::NotebookInstance"
	typeModel          = "AWS::SageMaker::Model"
	typeEndpointConfig = "AWS::SageMaker::EndpointConfig"
	typeEMRCluster     = "AWS::EMR::Cluster"
	typeSecurityGroup  = "AWS::EC2::SecurityGroup"
	typeVPC            = "AWS::EC2::VPC"
	typeSubnet         = "AWS::EC2::Subnet"
	typeInstance       = "AWS::EC2::Instance"
	typeLaunchTemplate = "AWS::EC2::LaunchTemplate"
	typeVolume         = "AWS::EC2::Volume"
	typeIAMPolicy      = "AWS::IAM::Policy"
	typeTrail          = "AWS::CloudTrail::Trail"
	typeLogGroup       = "AWS::Logs::LogGroup"
	TypeRuleCompliance = "AWS::Config::ResourceCompliance"
)

// ConfigRules is the control → AWS Config rule table: every catalogue
// control that AWS checks with a managed rule of the same meaning, with
// that rule. Controls with no such rule (the platform's own ones, such as
// iam-session-limits or emr-auto-termination, and stack-wide ones such as
// team-budget) are checked on the running resources by `aifactory drift`
// and the evidence bundle instead.
var ConfigRules = []ConfigRule{
	{
		Control: "required-tags", Identifier: "REQUIRED_TAGS", Trigger: OnChange,
		ResourceTypes:   []string{typeS3Bucket, typeSecurityGroup, typeSubnet, typeVPC, typeVolume, typeInstance},
		StackParameters: []string{ParamRequiredTags},
		Checks:          "resources carry the required tag keys, and the environment tag names the stack's environment",
	},
	{
		Control: "s3-sse-kms", Identifier: "S3_DEFAULT_ENCRYPTION_KMS", FSBP: []string{"S3.17"}, Trigger: OnChange,
		ResourceTypes: []string{typeS3Bucket}, StackParameters: []string{ParamKMSKeys},
		Checks: "buckets encrypt by default with one of the platform's KMS keys",
	},
	{
		Control: "s3-public-access-block", Identifier: "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", FSBP: []string{"S3.8"}, Trigger: OnChange,
		ResourceTypes: []string{typeS3Bucket},
		Checks:        "buckets block public access at the bucket level",
	},
	{
		Control: "s3-tls-only", Identifier: "S3_BUCKET_SSL_REQUESTS_ONLY", FSBP: []string{"S3.5"}, Trigger: OnChange,
		ResourceTypes: []string{typeS3Bucket},
		Checks:        "bucket policies deny requests without TLS",
	},
	{
		Control: "s3-versioning-lifecycle", Identifier: "S3_BUCKET_VERSIONING_ENABLED", FSBP: []string{"S3.14"}, Trigger: OnChange,
		ResourceTypes: []string{typeS3Bucket},
		Checks:        "buckets have versioning enabled",
	},
	{
		Control: "s3-versioning-lifecycle", Identifier: "S3_LIFECYCLE_POLICY_CHECK", FSBP: []string{"S3.13"}, Trigger: OnChange,
		ResourceTypes: []string{typeS3Bucket},
		Checks:        "buckets have an active lifecycle configuration",
	},
	{
		Control: "s3-access-point-vpc", Identifier: "S3_ACCESS_POINT_IN_VPC_ONLY", Trigger: OnChange,
		ResourceTypes: []string{typeS3AccessPoint},
		Checks:        "access points have a VPC network origin",
	},
	{
		Control: "s3-access-point-vpc", Identifier: "S3_ACCESS_POINT_PUBLIC_ACCESS_BLOCKS", FSBP: []string{"S3.19"}, Trigger: OnChange,
		ResourceTypes: []string{typeS3AccessPoint},
		Checks:        "access points block public access",
	},
	{
		Control: "resource-policy-no-public", Identifier: "S3_BUCKET_PUBLIC_READ_PROHIBITED", FSBP: []string{"S3.2"}, Trigger: OnChange,
		ResourceTypes: []string{typeS3Bucket},
		Checks:        "bucket policies and ACLs allow no public reads",
	},
	{
		Control: "resource-policy-no-public", Identifier: "S3_BUCKET_PUBLIC_WRITE_PROHIBITED", FSBP: []string{"S3.3"}, Trigger: OnChange,
		ResourceTypes: []string{typeS3Bucket},
		Checks:        "bucket policies and ACLs allow no public writes",
	},
	{
		Control: "s3-acl-no-public", Identifier: "S3_BUCKET_ACL_PROHIBITED", Trigger: OnChange,
		ResourceTypes: []string{typeS3Bucket},
		Checks:        "buckets grant nothing through ACLs",
	},
	{
		Control: "sns-kms", Identifier: "SNS_ENCRYPTED_KMS", FSBP: []string{"SNS.1"}, Trigger: OnChange,
		ResourceTypes: []string{typeSNSTopic}, StackParameters: []string{ParamKMSKeys},
		Checks: "topics encrypt with one of the platform's KMS keys",
	},
	{
		Control: "logs-kms-retention", Identifier: "CLOUDWATCH_LOG_GROUP_ENCRYPTED", Trigger: Periodic,
		ResourceTypes: []string{typeLogGroup},
		Checks:        "log groups encrypt with a KMS key",
	},
	{
		Control: "logs-kms-retention", Identifier: "CW_LOGGROUP_RETENTION_PERIOD_CHECK", Trigger: Periodic,
		ResourceTypes: []string{typeLogGroup}, StackParameters: []string{ParamMinRetention},
		Checks: "log groups keep events at least the environment's retention",
	},
	{
		Control: "ecr-hardened", Identifier: "ECR_PRIVATE_IMAGE_SCANNING_ENABLED", FSBP: []string{"ECR.1"}, Trigger: Periodic,
		ResourceTypes: []string{typeECRRepository},
		Checks:        "repositories scan images on push",
	},
	{
		Control: "ecr-hardened", Identifier: "ECR_PRIVATE_TAG_IMMUTABILITY_ENABLED", FSBP: []string{"ECR.2"}, Trigger: OnChange,
		ResourceTypes: []string{typeECRRepository},
		Checks:        "repositories keep tags immutable",
	},
	{
		Control: "sfn-encryption-logging", Identifier: "STEP_FUNCTIONS_STATE_MACHINE_LOGGING_ENABLED", FSBP: []string{"StepFunctions.1"}, Trigger: OnChange,
		ResourceTypes: []string{typeStateMachine}, Parameters: map[string]string{"logLevel": "ALL"},
		Checks: "state machines log ALL events",
	},
	{
		Control: "kms-rotation", Identifier: "CMK_BACKING_KEY_ROTATION_ENABLED", FSBP: []string{"KMS.4"}, Trigger: Periodic,
		ResourceTypes: []string{typeKMSKey},
		Checks:        "customer-managed keys rotate",
	},
	{
		Control: "kms-rotation", Identifier: "KMS_CMK_NOT_SCHEDULED_FOR_DELETION", Trigger: Periodic,
		ResourceTypes: []string{typeKMSKey},
		Checks:        "no customer-managed key is scheduled for deletion (the deletion window is the time to notice one that is)",
	},
	{
		Control: "ecs-storage-kms", Identifier: "ECS_CONTAINER_INSIGHTS_ENABLED", Trigger: OnChange,
		ResourceTypes: []string{typeECSCluster},
		Checks:        "ECS clusters turn Container Insights on",
	},
	{
		Control: "sagemaker-kms", Identifier: "SAGEMAKER_NOTEBOOK_INSTANCE_KMS_KEY_CONFIGURED", Trigger: Periodic,
		ResourceTypes: []string{typeNotebook},
		Checks:        "notebook instances encrypt with a KMS key",
	},
	{
		Control: "sagemaker-vpc-only", Identifier: "SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS", FSBP: []string{"SageMaker.1"}, Trigger: Periodic,
		ResourceTypes: []string{typeNotebook},
		Checks:        "notebook instances have no direct internet access",
	},
	{
		Control: "sagemaker-vpc-only", Identifier: "SAGEMAKER_NOTEBOOK_INSTANCE_INSIDE_VPC", FSBP: []string{"SageMaker.2"}, Trigger: OnChange,
		ResourceTypes: []string{typeNotebook},
		Checks:        "notebook instances run in a VPC",
	},
	{
		Control: "sagemaker-vpc-only", Identifier: "SAGEMAKER_NOTEBOOK_INSTANCE_ROOT_ACCESS_CHECK", FSBP: []string{"SageMaker.3"}, Trigger: OnChange,
		ResourceTypes: []string{typeNotebook},
		Checks:        "notebook instances give users no root access",
	},
	{
		Control: "sagemaker-endpoint-kms", Identifier: "SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED", Trigger: Periodic,
		ResourceTypes: []string{typeEndpointConfig},
		Checks:        "endpoint configurations encrypt their instances' volumes with a KMS key",
	},
	{
		Control: "sagemaker-model-isolated", Identifier: "SAGEMAKER_MODEL_ISOLATION_ENABLED", FSBP: []string{"SageMaker.5"}, Trigger: OnChange,
		ResourceTypes: []string{typeModel},
		Checks:        "models run with network isolation on",
	},
	{
		Control: "sagemaker-model-isolated", Identifier: "SAGEMAKER_MODEL_IN_VPC", Trigger: OnChange,
		ResourceTypes: []string{typeModel},
		Checks:        "models run in a VPC",
	},
	{
		Control: "emr-private", Identifier: "EMR_MASTER_NO_PUBLIC_IP", FSBP: []string{"EMR.1"}, Trigger: Periodic,
		ResourceTypes: []string{typeEMRCluster},
		Checks:        "EMR primary nodes have no public IP",
	},
	{
		Control: "sg-no-world-ingress", Identifier: "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS", FSBP: []string{"EC2.18"}, Trigger: OnChange,
		ResourceTypes: []string{typeSecurityGroup},
		Checks:        "security groups open no port to 0.0.0.0/0 (none is authorised)",
	},
	{
		Control: "sg-no-world-ingress", Identifier: "INCOMING_SSH_DISABLED", Trigger: OnChange,
		ResourceTypes: []string{typeSecurityGroup},
		Checks:        "security groups allow no SSH from 0.0.0.0/0",
	},
	{
		Control: "ecs-task-hardened", Identifier: "ECS_CONTAINERS_NONPRIVILEGED", FSBP: []string{"ECS.4"}, Trigger: OnChange,
		ResourceTypes: []string{typeTaskDefinition},
		Checks:        "containers are not privileged",
	},
	{
		Control: "ecs-task-hardened", Identifier: "ECS_CONTAINERS_READONLY_ACCESS", FSBP: []string{"ECS.5"}, Trigger: OnChange,
		ResourceTypes: []string{typeTaskDefinition},
		Checks:        "containers have a read-only root file system",
	},
	{
		Control: "ecs-task-hardened", Identifier: "ECS_NO_ENVIRONMENT_SECRETS", FSBP: []string{"ECS.8"}, Trigger: OnChange,
		ResourceTypes: []string{typeTaskDefinition},
		Checks:        "containers keep no credentials in plain environment variables",
	},
	{
		Control: "ecs-task-hardened", Identifier: "ECS_TASK_DEFINITION_PID_MODE_CHECK", FSBP: []string{"ECS.3"}, Trigger: OnChange,
		ResourceTypes: []string{typeTaskDefinition},
		Checks:        "tasks do not share the host's process namespace",
	},
	{
		Control: "ecs-task-hardened", Identifier: "ECS_TASK_DEFINITION_NONROOT_USER", Trigger: OnChange,
		ResourceTypes: []string{typeTaskDefinition},
		Checks:        "containers run as a non-root user",
	},
	{
		Control: "vpc-flow-logs", Identifier: "VPC_FLOW_LOGS_ENABLED", FSBP: []string{"EC2.6"}, Trigger: Periodic,
		ResourceTypes: []string{typeVPC}, Parameters: map[string]string{"trafficType": "ALL"},
		Checks: "VPCs have a flow log recording ALL traffic",
	},
	{
		Control: "subnet-no-public-ip", Identifier: "SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED", FSBP: []string{"EC2.15"}, Trigger: OnChange,
		ResourceTypes: []string{typeSubnet},
		Checks:        "subnets assign no public IP on launch",
	},
	{
		Control: "no-internet-path", Identifier: "EC2_INSTANCE_NO_PUBLIC_IP", FSBP: []string{"EC2.9"}, Trigger: OnChange,
		ResourceTypes: []string{typeInstance},
		Checks:        "instances have no public IPv4 address",
	},
	{
		Control: "no-internet-path", Identifier: "EC2_LAUNCH_TEMPLATE_PUBLIC_IP_DISABLED", FSBP: []string{"EC2.25"}, Trigger: OnChange,
		ResourceTypes: []string{typeLaunchTemplate},
		Checks:        "launch templates assign no public IP",
	},
	{
		Control: "ebs-encrypted", Identifier: "ENCRYPTED_VOLUMES", FSBP: []string{"EC2.3"}, Trigger: OnChange,
		ResourceTypes: []string{typeVolume},
		Checks:        "attached EBS volumes are encrypted",
	},
	{
		Control: "iam-no-admin", Identifier: "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", FSBP: []string{"IAM.1"}, Trigger: OnChange,
		ResourceTypes: []string{typeIAMPolicy},
		Checks:        "customer-managed policies allow no \"*\" on \"*\"",
	},
	{
		Control: "iam-no-service-wildcard", Identifier: "IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS", FSBP: []string{"IAM.21"}, Trigger: OnChange,
		ResourceTypes: []string{typeIAMPolicy},
		Checks:        "customer-managed policies allow no service:* action",
	},
	// The trail itself: the catalogue's audit-trail control.
	{
		Control: "audit-trail", Identifier: "MULTI_REGION_CLOUD_TRAIL_ENABLED", FSBP: []string{"CloudTrail.1"}, Trigger: Periodic,
		ResourceTypes: []string{typeTrail}, Parameters: map[string]string{"readWriteType": "ALL"},
		Checks: "a multi-region trail records read and write management events",
	},
	{
		Control: "audit-trail", Identifier: "CLOUD_TRAIL_ENCRYPTION_ENABLED", FSBP: []string{"CloudTrail.2"}, Trigger: Periodic,
		ResourceTypes: []string{typeTrail},
		Checks:        "trails encrypt their log files with a KMS key",
	},
	{
		Control: "audit-trail", Identifier: "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", FSBP: []string{"CloudTrail.4"}, Trigger: Periodic,
		ResourceTypes: []string{typeTrail},
		Checks:        "trails write signed digest files (log file validation)",
	},
	{
		Control: "audit-trail", Identifier: "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED", FSBP: []string{"CloudTrail.5"}, Trigger: Periodic,
		ResourceTypes: []string{typeTrail},
		Checks:        "trails deliver to CloudWatch Logs",
	},
}

// RecordedTypes are the resource types the audit component's Config
// recorder records: every type a change-triggered rule is scoped to, the
// trail, and the rules' own compliance (so its history is evidence too).
func RecordedTypes() []string {
	set := map[string]bool{typeTrail: true, TypeRuleCompliance: true}
	for _, r := range ConfigRules {
		if r.Trigger == OnChange {
			for _, t := range r.ResourceTypes {
				set[t] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// RulesOf returns the Config rules of a control, in table order.
func RulesOf(control string) []ConfigRule {
	var out []ConfigRule
	for _, r := range ConfigRules {
		if r.Control == control {
			out = append(out, r)
		}
	}
	return out
}

// Event is a kind of CloudTrail event auditors ask about: the audit
// component turns each into a metric filter on the trail's log group and an
// alarm to the audit topic.
type Event struct {
	// Name names the metric and the alarm, e.g. "iam-policy-changes".
	Name string
	// Pattern is the CloudWatch Logs filter pattern over CloudTrail's JSON.
	Pattern string
	// CIS is the Security Hub control (CIS AWS Foundations) that asks for
	// this filter and alarm, e.g. "CloudWatch.4".
	CIS string
	// Description says what happened, for the alarm's description.
	Description string
}

// Events are the events the audit component alarms on: the filter
// patterns of the CIS AWS Foundations Benchmark as Security Hub documents
// them (CloudWatch.1-9), kept as the benchmark words them, and beside each
// the sensitive events of the same service the benchmark leaves out: key
// policy changes and grants; IAM trust policy, default policy version and
// permissions boundary changes; new roles, users, access keys, console
// passwords and group members; IAM user tag changes (a user's team tag
// admits it to the team's model endpoints); trail event selector changes;
// and a Config recorder deleted. Every pattern is evaluated against sample CloudTrail
// records in spec_test.go.
var Events = []Event{
	{
		Name:        "root-user-activity",
		CIS:         "CloudWatch.1",
		Pattern:     `{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}`,
		Description: "The account's root user made a request. Nobody should hold its credentials in day-to-day work; find who did, and why, in the trail.",
	},
	{
		Name:        "console-sign-in-without-mfa",
		CIS:         "CloudWatch.3",
		Pattern:     `{($.eventName="ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type="IAMUser") && ($.responseElements.ConsoleLogin="Success")}`,
		Description: "An IAM user signed in to the console without MFA. The platform creates no IAM users: find the user and remove it or enforce MFA.",
	},
	{
		Name: "iam-policy-changes",
		CIS:  "CloudWatch.4",
		Pattern: `{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ` +
			`($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ` +
			`($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ` +
			`($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}`,
		Description: "An IAM policy was created, changed, attached or detached. Outside a platform deployment (the deployer role's sessions) this is a change the code does not know; run `aifactory drift`.",
	},
	{
		Name: "iam-trust-and-boundary-changes",
		Pattern: `{($.eventSource=iam.amazonaws.com) && (($.eventName=UpdateAssumeRolePolicy) || ($.eventName=SetDefaultPolicyVersion) || ` +
			`($.eventName=PutRolePermissionsBoundary) || ($.eventName=DeleteRolePermissionsBoundary))}`,
		Description: "A role's trust policy, a managed policy's default version or a role's permissions boundary changed: who may assume a role, " +
			"or what it may do, is no longer what the code says. Outside a platform deployment (the deployer role's sessions) run `aifactory drift`.",
	},
	{
		Name: "iam-identity-and-credential-creation",
		Pattern: `{($.eventSource=iam.amazonaws.com) && (($.eventName=CreateRole) || ($.eventName=CreateUser) || ($.eventName=CreateAccessKey) || ` +
			`($.eventName=CreateLoginProfile) || ($.eventName=AddUserToGroup))}`,
		Description: "A role, user, access key or console password was created, or a user added to a group. Platform deployments create roles " +
			"(the deployer role's sessions); the platform creates no users, keys or passwords: find who did, and remove what the code does not know.",
	},
	{
		Name:    "iam-user-tag-changes",
		Pattern: `{($.eventSource=iam.amazonaws.com) && (($.eventName=TagUser) || ($.eventName=UntagUser))}`,
		Description: "An IAM user's tags changed. A user's team tag decides whose model endpoints it may invoke through the VPC: " +
			"check that the user belongs to the team it is now tagged with, or to none it lost.",
	},
	{
		Name:        "cloudtrail-changes",
		CIS:         "CloudWatch.5",
		Pattern:     `{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}`,
		Description: "A trail was created, changed, deleted, started or stopped. If the platform's trail stopped, the audit record has a gap from now on: restore it with `aifactory up`.",
	},
	{
		Name:        "cloudtrail-event-selector-changes",
		Pattern:     `{($.eventSource=cloudtrail.amazonaws.com) && (($.eventName=PutEventSelectors) || ($.eventName=PutAdvancedEventSelectors))}`,
		Description: "A trail's event selectors changed: the trail may no longer record the data or management events it must. Restore the platform's trail with `aifactory up`.",
	},
	{
		Name:        "kms-key-disabled-or-scheduled-for-deletion",
		CIS:         "CloudWatch.7",
		Pattern:     `{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}`,
		Description: "A customer-managed KMS key was disabled or scheduled for deletion: whatever it encrypts becomes unreadable. Cancel the deletion (kms:CancelKeyDeletion) within the deletion window if it was not intended.",
	},
	{
		Name:        "kms-key-policy-changes",
		Pattern:     `{($.eventSource=kms.amazonaws.com) && (($.eventName=PutKeyPolicy) || ($.eventName=CreateGrant && $.userIdentity.invokedBy NOT EXISTS))}`,
		Description: "A KMS key policy was replaced, or someone created a grant on a key directly (not through an AWS service). Key policies are the platform's code; compare with `aifactory drift`.",
	},
	{
		Name: "bucket-policy-changes",
		CIS:  "CloudWatch.8",
		Pattern: `{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ` +
			`($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ` +
			`($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}`,
		Description: "A bucket's policy, ACL, CORS, lifecycle or replication changed. Only the deployer role may change the platform's buckets; run `aifactory drift`.",
	},
	{
		Name: "config-changes",
		CIS:  "CloudWatch.9",
		Pattern: `{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ` +
			`($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}`,
		Description: "AWS Config's recorder or delivery channel was stopped or changed: runtime compliance is not checked until it records again. Restore it with `aifactory up`.",
	},
	{
		Name:        "config-recorder-deleted",
		Pattern:     `{($.eventSource=config.amazonaws.com) && ($.eventName=DeleteConfigurationRecorder)}`,
		Description: "AWS Config's recorder was deleted: nothing is recorded or checked at runtime until it is created again. Restore it with `aifactory up`.",
	},
}
