package finops

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/internal/ecsjob"
	"github.com/aifactory/platform/components/kms"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/facts/tagkeys"
)

// alertServices publish budget alerts and anomaly reports to the topic.
var alertServices = []string{"budgets.amazonaws.com", "costalerts.amazonaws.com"}

func sourceAccount(s scope.Scope) iamdoc.Condition {
	return iamdoc.Condition{"StringEquals": {"aws:SourceAccount": {s.AccountID}}}
}

// KeyServices are the AWS services through which the account's principals
// use the alerts key (kms:ViaService): SNS, for whoever publishes to or
// reads the alerts topic (the cleanup job's summary), EventBridge
// Scheduler, which encrypts the cleanup schedule, and SQS, which encrypts
// the schedule's dead-letter queue.
func KeyServices() []string { return []string{"scheduler", "sns", "sqs"} }

// Publishers are this account's CloudWatch alarms and EventBridge rules
// that notify the platform topic besides the cost alerts: the audit
// component's alarms and its routing of NON_COMPLIANT evaluations. Each is
// an ARN or an ARN pattern ("*" in the resource name) of the stack's
// account and region.
type Publishers struct {
	// AlarmArns match the alarms, e.g.
	// arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-audit-*.
	AlarmArns []string
	// EventRuleArns match the rules, e.g.
	// arn:aws:events:eu-west-1:123456789012:rule/aifactory-dev-audit-noncompliant*.
	EventRuleArns []string
}

// Service principals that publish the Publishers' notices.
const (
	AlarmsService = "cloudwatch.amazonaws.com"
	EventsService = "events.amazonaws.com"
)

// validate checks that every publisher is a resource of this account and
// region, so that the policies admit no other account's alarms or rules.
func (p Publishers) validate(s scope.Scope) error {
	var errs []error
	for _, set := range []struct {
		field, kind, service, prefix string
		arns                         []string
	}{
		{"Publishers.AlarmArns", "an alarm", "cloudwatch", "alarm:", p.AlarmArns},
		{"Publishers.EventRuleArns", "an EventBridge rule", "events", "rule/", p.EventRuleArns},
	} {
		want := s.ARN(set.service, set.prefix)
		for i, arn := range set.arns {
			if !strings.HasPrefix(arn, want) || len(arn) == len(want) || strings.Count(arn, ":") != strings.Count(want, ":") {
				errs = append(errs, fmt.Errorf("%s[%d] %q: name %s of this account and region, %s<name or pattern>",
					set.field, i, arn, set.kind, want))
			}
		}
	}
	return errors.Join(errs...)
}

// KeyPolicy is the alerts key's policy, built like every other platform
// key's (kms.Policy): the administrators (the role the platform deploys
// as) manage it but cannot encrypt, decrypt or grant with it; the
// account's principals use it only through SNS, EventBridge Scheduler and
// SQS and only where their IAM policies allow it too; and the services that
// publish to the encrypted topic on their own may generate and decrypt its
// data keys for this account only: AWS Budgets and Cost Anomaly Detection
// for this account's budgets and anomaly subscriptions, CloudWatch for the
// cleanup job's alarm and the Publishers' alarms (aws:SourceAccount and
// aws:SourceArn, as the AWS Budgets and Cost Anomaly Detection user guides
// show for encrypted topics, and the SNS developer guide for AWS services
// publishing to one), and EventBridge on behalf of this account
// (aws:SourceAccount, as the platform's other keys admit it) and only for
// messages to this account's alerts topic: the encryption context SNS sets
// on every data key (kms:EncryptionContext:aws:sns:topicArn) names the
// topic, and the topic policy admits only the cleanup job's rule and the
// Publishers' rules.
func KeyPolicy(s scope.Scope, administrators []string, p Publishers) iamdoc.Document {
	publisher := func(sid, service string, sourceArns ...string) iamdoc.Statement {
		return iamdoc.Statement{
			Sid: sid, Effect: iamdoc.Allow, Principal: iamdoc.Services(service),
			Action: iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKey*"}, Resource: iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{
				"StringEquals": {"aws:SourceAccount": {s.AccountID}},
				"ArnLike":      {"aws:SourceArn": sortedStrings(sourceArns)},
			},
		}
	}
	return kms.Policy(s, kms.PolicySpec{Administrators: administrators}, KeyServices(),
		publisher("BudgetsEncryptToTheTopic", "budgets.amazonaws.com", s.GlobalARN("budgets", "*")),
		publisher("CostAnomalyDetectionEncryptsToTheTopic", "costalerts.amazonaws.com", s.GlobalARN("ce", "anomalysubscription/*")),
		publisher("AlarmsEncryptToTheTopic", AlarmsService, append([]string{AlarmARN(s, NotStartedAlarmName(s))}, p.AlarmArns...)...),
		iamdoc.Statement{
			Sid: "EventRulesEncryptToTheTopic", Effect: iamdoc.Allow, Principal: iamdoc.Services(EventsService),
			Action: iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKey*"}, Resource: iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"StringEquals": {
				"aws:SourceAccount":                      {s.AccountID},
				"kms:EncryptionContext:aws:sns:topicArn": {AlertsTopicARN(s)},
			}},
		},
	)
}

// TopicPolicy lets the account manage the topic, AWS Budgets and Cost
// Anomaly Detection publish to it for this account's budgets and monitors,
// the cleanup job's alarm and failed-run rule and the Publishers' alarms
// and rules, of this account and named by ARN, publish to it.
func TopicPolicy(s scope.Scope, topicArn string, p Publishers) iamdoc.Document {
	statements := []iamdoc.Statement{
		{
			Sid: "AccountManagesTopic", Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals(s.AccountRootARN()),
			Action:   iamdoc.Strings{"sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"},
			Resource: iamdoc.Strings{topicArn},
		},
		{
			Sid: "CostAlertsPublish", Effect: iamdoc.Allow, Principal: iamdoc.Services(alertServices...),
			Action: iamdoc.Strings{"sns:Publish"}, Resource: iamdoc.Strings{topicArn},
			Condition: sourceAccount(s),
		},
	}
	for _, pub := range []struct {
		sid, service string
		arns         []string
	}{
		{"AlarmsPublish", AlarmsService, append([]string{AlarmARN(s, NotStartedAlarmName(s))}, p.AlarmArns...)},
		{"EventRulesPublish", EventsService, append([]string{RuleARN(s, FailedRunRuleName(s))}, p.EventRuleArns...)},
	} {
		if len(pub.arns) == 0 {
			continue
		}
		statements = append(statements, iamdoc.Statement{
			Sid: pub.sid, Effect: iamdoc.Allow, Principal: iamdoc.Services(pub.service),
			Action: iamdoc.Strings{"sns:Publish"}, Resource: iamdoc.Strings{topicArn},
			Condition: iamdoc.Condition{
				"StringEquals": {"aws:SourceAccount": {s.AccountID}},
				"ArnLike":      {"aws:SourceArn": sortedStrings(pub.arns)},
			},
		})
	}
	statements = append(statements, iamdoc.Statement{
		Sid: "DenyInsecureTransport", Effect: iamdoc.Deny, Principal: iamdoc.Anyone(),
		Action: iamdoc.Strings{"sns:Publish"}, Resource: iamdoc.Strings{topicArn},
		Condition: iamdoc.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
	})
	return iamdoc.New(statements...)
}

// sortedStrings keeps the policies stable whatever order the caller lists
// its publishers in.
func sortedStrings(in []string) iamdoc.Strings {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// ReadActions are the cleanup job's list and describe calls. AWS offers no
// resource-level permissions for them, so they are allowed on "*"; they
// read metadata, never data.
func ReadActions() []string {
	return []string{
		"sagemaker:ListApps", "sagemaker:DescribeApp", "sagemaker:ListSpaces", "sagemaker:DescribeSpace",
		"sagemaker:ListEndpoints", "sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig",
		"sagemaker:ListNotebookInstances", "sagemaker:ListTags",
		"elasticmapreduce:ListClusters", "elasticmapreduce:DescribeCluster", "elasticmapreduce:ListInstances",
		"ec2:DescribeVolumes", "ec2:DescribeSnapshots",
	}
}

// ActActions are the calls that change something; the job may make them
// only on resources tagged with the platform's project and environment.
func ActActions() []string {
	return []string{
		"sagemaker:DeleteApp", "sagemaker:DeleteSpace", "sagemaker:DeleteEndpoint",
		"sagemaker:StopNotebookInstance", "sagemaker:DeleteNotebookInstance",
		"elasticmapreduce:TerminateJobFlows", "ec2:DeleteVolume", "ec2:CreateSnapshot",
	}
}

// CleanupScope is what the job's task role is limited to.
type CleanupScope struct {
	scope.Scope
	// Project is the project tag value; the scope's environment is the other.
	Project string
	// TopicArn receives the run's summary, encrypted with KeyArn.
	TopicArn string
	KeyArn   string
}

// platformTagged matches resources carrying the platform's project and
// environment tags: the only ones the job may change.
func (c CleanupScope) platformTagged(prefix string) iamdoc.Condition {
	return iamdoc.Condition{"StringEquals": {
		prefix + tagkeys.Project:     {c.Project},
		prefix + tagkeys.Environment: {c.Environment},
	}}
}

// CleanupPolicy is the job's task role policy, least privilege: read the
// inventory, change only the platform's tagged resources of this account
// and region, tag only the snapshots it takes, publish its summary. Its
// output reaches the log group through the execution role, not this one.
func CleanupPolicy(c CleanupScope) iamdoc.Document {
	return iamdoc.New(
		iamdoc.Statement{Sid: "ReadInventory", Effect: iamdoc.Allow, Action: ReadActions(), Resource: iamdoc.Strings{"*"}},
		iamdoc.Statement{
			Sid: "ActOnPlatformResourcesOnly", Effect: iamdoc.Allow, Action: ActActions(),
			Resource: iamdoc.Strings{
				c.ARN("sagemaker", "app/*"), c.ARN("sagemaker", "space/*"), c.ARN("sagemaker", "endpoint/*"),
				c.ARN("sagemaker", "notebook-instance/*"), c.ARN("elasticmapreduce", "cluster/*"), c.ARN("ec2", "volume/*"),
			},
			Condition: c.platformTagged("aws:ResourceTag/"),
		},
		// Snapshot ARNs name no account; the snapshot must be created with
		// the platform's tags, so it stays attributable and in scope.
		iamdoc.Statement{
			Sid: "SnapshotsCarryThePlatformTags", Effect: iamdoc.Allow, Action: iamdoc.Strings{"ec2:CreateSnapshot"},
			Resource:  iamdoc.Strings{c.ARNInAccount("", "ec2", "snapshot/*")},
			Condition: c.platformTagged("aws:RequestTag/"),
		},
		iamdoc.Statement{
			Sid: "TagSnapshotsOnlyWhenTakingThem", Effect: iamdoc.Allow, Action: iamdoc.Strings{"ec2:CreateTags"},
			Resource:  iamdoc.Strings{c.ARNInAccount("", "ec2", "snapshot/*")},
			Condition: iamdoc.Condition{"StringEquals": {"ec2:CreateAction": {"CreateSnapshot"}}},
		},
		iamdoc.Statement{Sid: "PublishSummary", Effect: iamdoc.Allow, Action: iamdoc.Strings{"sns:Publish"}, Resource: iamdoc.Strings{c.TopicArn}},
		iamdoc.Statement{
			Sid: "EncryptSummaryThroughSNS", Effect: iamdoc.Allow, Action: iamdoc.Strings{"kms:GenerateDataKey*", "kms:Decrypt"},
			Resource:  iamdoc.Strings{c.KeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": {c.ServiceHost("sns")}}},
		},
	)
}

// ExecutionRolePolicy lets ECS start the job: pull its image from the
// cleanup repository only and write its log group only.
func ExecutionRolePolicy(s scope.Scope) iamdoc.Document {
	return ecsjob.ExecutionRolePolicy(s, ecsjob.Execution{Job: "Cleanup", RepositoryArn: RepositoryARN(s), LogGroupName: LogGroupName(s)})
}

// SchedulerAccess is what the schedule's role is limited to.
type SchedulerAccess struct {
	scope.Scope
	// ClusterArn is the weekly pipeline's cluster, the only one the task
	// may run in.
	ClusterArn string
	// KeyArn encrypts the schedule.
	KeyArn string
}

var (
	clusterArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/([A-Za-z0-9_-]{1,255})$`)
	keyArnPattern     = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]{1,128}$`)
)

// SchedulerPolicy lets the schedule run the cleanup task and nothing else:
// any revision of the cleanup family, only in the pipeline's cluster, the
// task tagged only as it is launched (with the task definition's tags),
// the task's two roles passed only to ECS tasks, and its own encrypted
// definition decrypted only under its encryption context (EventBridge
// Scheduler user guide, "Encryption at rest").
func SchedulerPolicy(a SchedulerAccess) (iamdoc.Document, error) {
	m := clusterArnPattern.FindStringSubmatch(a.ClusterArn)
	var errs []error
	if m == nil {
		errs = append(errs, fmt.Errorf("ClusterArn %q: use the weekly pipeline's cluster ARN, arn:<partition>:ecs:<region>:<account>:cluster/<name>", a.ClusterArn))
	}
	if !keyArnPattern.MatchString(a.KeyArn) {
		errs = append(errs, fmt.Errorf("KeyArn %q: use the finops key's ARN (not an alias)", a.KeyArn))
	}
	if err := errors.Join(errs...); err != nil {
		return iamdoc.Document{}, fmt.Errorf("cleanup schedule role: %w", err)
	}
	inCluster := iamdoc.Condition{"ArnEquals": {"ecs:cluster": {a.ClusterArn}}}
	return iamdoc.New(
		iamdoc.Statement{
			Sid: "RunTheCleanupTask", Effect: iamdoc.Allow, Action: iamdoc.Strings{"ecs:RunTask"},
			Resource: iamdoc.Strings{TaskDefinitionsARN(a.Scope)}, Condition: inCluster,
		},
		iamdoc.Statement{
			// RunTask with PropagateTags tags the task it creates; ECS
			// authorises that tagging separately (tag-on-create).
			Sid: "TagTheCleanupTaskAtLaunch", Effect: iamdoc.Allow, Action: iamdoc.Strings{"ecs:TagResource"},
			Resource:  iamdoc.Strings{a.ARN("ecs", "task/"+m[1]+"/*")},
			Condition: iamdoc.Condition{"StringEquals": {"ecs:CreateAction": {"RunTask"}}},
		},
		iamdoc.Statement{
			Sid: "PassTheCleanupRolesToECSOnly", Effect: iamdoc.Allow, Action: iamdoc.Strings{"iam:PassRole"},
			Resource:  iamdoc.Strings{a.RoleARN(TaskRoleName(a.Scope)), a.RoleARN(ExecutionRoleName(a.Scope))},
			Condition: iamdoc.Condition{"StringEquals": {"iam:PassedToService": {ecsjob.ECSTasksService}}},
		},
		iamdoc.Statement{
			Sid: "DecryptTheSchedule", Effect: iamdoc.Allow, Action: iamdoc.Strings{"kms:Decrypt"},
			Resource:  iamdoc.Strings{a.KeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:EncryptionContext:aws:scheduler:schedule:arn": {ScheduleARN(a.Scope)}}},
		},
		iamdoc.Statement{
			Sid: "ReportUnstartedRuns", Effect: iamdoc.Allow, Action: iamdoc.Strings{"sqs:SendMessage"},
			Resource: iamdoc.Strings{DeadLetterQueueARN(a.Scope)},
		},
		iamdoc.Statement{
			Sid: "EncryptDeadLettersThroughSQS", Effect: iamdoc.Allow, Action: iamdoc.Strings{"kms:GenerateDataKey", "kms:Decrypt"},
			Resource:  iamdoc.Strings{a.KeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": {a.ServiceHost("sqs")}}},
		},
	), nil
}

// QueuePolicy is the cleanup schedule's dead-letter queue's policy: TLS
// only, this account only, and nobody but the schedule's role (EventBridge
// Scheduler sends a run it could not start with the schedule's execution
// role, which only Scheduler, for this account's schedule group, assumes)
// puts a message in it, whatever their IAM policies allow. The role is
// named by condition: it is created after the queue.
func QueuePolicy(s scope.Scope) iamdoc.Document {
	queue := iamdoc.Strings{DeadLetterQueueARN(s)}
	return iamdoc.New(
		iamdoc.Statement{
			Sid: "DenyInsecureTransport", Effect: iamdoc.Deny, Principal: iamdoc.Anyone(),
			Action: iamdoc.Strings{"sqs:*"}, Resource: queue,
			Condition: iamdoc.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
		},
		iamdoc.Statement{
			Sid: "DenyOtherAccounts", Effect: iamdoc.Deny, Principal: iamdoc.Anyone(),
			Action: iamdoc.Strings{"sqs:*"}, Resource: queue,
			Condition: iamdoc.Condition{"StringNotEquals": {"aws:PrincipalAccount": {s.AccountID}}},
		},
		iamdoc.Statement{
			Sid: "OnlyTheCleanupScheduleSends", Effect: iamdoc.Deny, Principal: iamdoc.Anyone(),
			Action: iamdoc.Strings{"sqs:SendMessage"}, Resource: queue,
			Condition: iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": {s.RoleARN(ScheduleRoleName(s))}}},
		},
	)
}
