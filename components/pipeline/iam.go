package pipeline

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/aifactory/platform/components/iamdoc"
)

// StatesService is the principal that assumes the state machine's role.
const StatesService = "states.amazonaws.com"

// ECSTasksService is the only service the state machine may pass the
// optimiser's task and execution roles to.
const ECSTasksService = "ecs-tasks.amazonaws.com"

// ECSEventsRule is the EventBridge rule Step Functions manages in the
// account to learn when an ECS task it started with .sync stops.
const ECSEventsRule = "StepFunctionsGetEventsForECSTaskRule"

// RoleArgs is what the state machine's role is scoped to.
type RoleArgs struct {
	Partition string
	Region    string
	AccountID string
	// StateMachineArn is the ARN the state machine will have (it is
	// derived from its name, so the role can exist first).
	StateMachineArn string
	ClusterArn      string
	// TaskDefinitionFamily is the optimiser's task definition family; every
	// revision of it may run.
	TaskDefinitionFamily string
	// TaskRoleArn and ExecutionRoleArn are the roles in the task definition.
	TaskRoleArn      string
	ExecutionRoleArn string
	ResultsTopicArn  string
	FailureTopicArn  string
	// PipelineKeyArn is the customer-managed key that encrypts the topics
	// and the state machine's definition and execution data.
	PipelineKeyArn string
}

// Actions that AWS authorises only on Resource "*". Step Functions sets up
// log delivery through the CloudWatch Logs vended-log API, whose actions
// take no resource (Step Functions developer guide, "Logging using
// CloudWatch Logs", IAM policies for logging; CloudWatch Logs user guide,
// "Enabling logging from AWS services"); X-Ray takes trace data and
// sampling calls on "*" only (Step Functions developer guide, "AWS X-Ray
// and Step Functions").
var (
	logDeliveryActions = iamdoc.Strings{
		"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
		"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
	}
	tracingActions = iamdoc.Strings{
		"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
	}
)

var (
	regionPattern   = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	accountPattern  = regexp.MustCompile(`^[0-9]{12}$`)
	familyPattern   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	roleArnPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`)
	keyArnPattern   = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]{1,128}$`)
	stateMachineArn = regexp.MustCompile(`^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]{1,80}$`)
)

func (a RoleArgs) check() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !partitionPattern.MatchString(a.Partition) {
		bad("Partition %q: use aws, aws-cn or aws-us-gov", a.Partition)
	}
	if !regionPattern.MatchString(a.Region) {
		bad("Region %q: use a region such as eu-west-1", a.Region)
	}
	if !accountPattern.MatchString(a.AccountID) {
		bad("AccountID %q: use the 12-digit account id", a.AccountID)
	}
	if !stateMachineArn.MatchString(a.StateMachineArn) {
		bad("StateMachineArn %q: use arn:<partition>:states:<region>:<account>:stateMachine:<name>", a.StateMachineArn)
	}
	if !clusterArn.MatchString(a.ClusterArn) {
		bad("ClusterArn %q: use the cluster's ARN", a.ClusterArn)
	}
	if !familyPattern.MatchString(a.TaskDefinitionFamily) {
		bad("TaskDefinitionFamily %q: use the family name without revision", a.TaskDefinitionFamily)
	}
	if !roleArnPattern.MatchString(a.TaskRoleArn) {
		bad("TaskRoleArn %q: use the optimiser task role's ARN", a.TaskRoleArn)
	}
	if !roleArnPattern.MatchString(a.ExecutionRoleArn) {
		bad("ExecutionRoleArn %q: use the optimiser task execution role's ARN", a.ExecutionRoleArn)
	}
	if !snsTopic.MatchString(a.ResultsTopicArn) {
		bad("ResultsTopicArn %q: use the results topic's ARN", a.ResultsTopicArn)
	}
	if !snsTopic.MatchString(a.FailureTopicArn) {
		bad("FailureTopicArn %q: use the failure topic's ARN", a.FailureTopicArn)
	}
	if !keyArnPattern.MatchString(a.PipelineKeyArn) {
		bad("PipelineKeyArn %q: use the pipeline key's ARN (not an alias)", a.PipelineKeyArn)
	}
	return errors.Join(errs...)
}

func (a RoleArgs) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", a.Partition, service, a.Region, a.AccountID, resource)
}

// StateMachineTrustPolicy lets only Step Functions, running this state
// machine in this account, assume its role.
func StateMachineTrustPolicy(accountID, stateMachineArn string) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Sid:       "StepFunctionsForThisStateMachine",
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services(StatesService),
		Action:    iamdoc.Strings{"sts:AssumeRole"},
		Condition: iamdoc.Condition{
			"StringEquals": {"aws:SourceAccount": {accountID}},
			"ArnLike":      {"aws:SourceArn": {stateMachineArn}},
		},
	})
}

// StateMachineRolePolicy is the identity policy of the state machine's
// role: exactly what the workflow's ecs:runTask.sync and sns:publish
// states, its encryption, logging and tracing need. It follows the
// Step Functions developer guide's policy for Amazon ECS ("Run a Job"):
// RunTask, StopTask and DescribeTasks, PassRole for the task's roles, and
// the managed EventBridge rule through which Step Functions learns that a
// task stopped.
func StateMachineRolePolicy(a RoleArgs) (iamdoc.Document, error) {
	if err := a.check(); err != nil {
		return iamdoc.Document{}, fmt.Errorf("pipeline state machine role: %w", err)
	}
	clusterName := clusterArn.FindStringSubmatch(a.ClusterArn)[1]
	inCluster := iamdoc.Condition{"ArnEquals": {"ecs:cluster": {a.ClusterArn}}}
	tasks := a.arn("ecs", "task/"+clusterName+"/*")
	return iamdoc.New(
		iamdoc.Statement{
			Sid:      "RunOptimiserTasks",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"ecs:RunTask"},
			Resource: iamdoc.Strings{a.arn("ecs", "task-definition/"+a.TaskDefinitionFamily+":*")},
			// Only in the pipeline's cluster.
			Condition: inCluster,
		},
		iamdoc.Statement{
			// .sync polls the task and stops it when the state times out.
			Sid:       "WatchAndStopOptimiserTasks",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"ecs:DescribeTasks", "ecs:StopTask"},
			Resource:  iamdoc.Strings{tasks},
			Condition: inCluster,
		},
		iamdoc.Statement{
			// RunTask with PropagateTags tags the task it creates; ECS
			// authorises that tagging separately (tag-on-create).
			Sid:       "TagOptimiserTasksAtLaunch",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"ecs:TagResource"},
			Resource:  iamdoc.Strings{tasks},
			Condition: iamdoc.Condition{"StringEquals": {"ecs:CreateAction": {"RunTask"}}},
		},
		iamdoc.Statement{
			Sid:       "PassOptimiserRolesToECSOnly",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"iam:PassRole"},
			Resource:  iamdoc.Strings{a.TaskRoleArn, a.ExecutionRoleArn},
			Condition: iamdoc.Condition{"StringEquals": {"iam:PassedToService": {ECSTasksService}}},
		},
		iamdoc.Statement{
			Sid:      "ManagedRuleForTaskEvents",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"events:PutTargets", "events:PutRule", "events:DescribeRule"},
			Resource: iamdoc.Strings{a.arn("events", "rule/"+ECSEventsRule)},
		},
		iamdoc.Statement{
			Sid:      "PublishRunReports",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"sns:Publish"},
			Resource: iamdoc.Strings{a.ResultsTopicArn, a.FailureTopicArn},
		},
		iamdoc.Statement{
			// The topics are encrypted with the pipeline key: SNS asks KMS
			// for a data key on the publisher's behalf.
			Sid:       "EncryptReportsThroughSNS",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:GenerateDataKey", "kms:Decrypt"},
			Resource:  iamdoc.Strings{a.PipelineKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": {"sns." + a.Region + ".amazonaws.com"}}},
		},
		iamdoc.Statement{
			// The state machine is encrypted with the pipeline key; its
			// executions read and write their data with the role, under an
			// encryption context naming this state machine.
			Sid:      "EncryptExecutionData",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"kms:GenerateDataKey", "kms:Decrypt"},
			Resource: iamdoc.Strings{a.PipelineKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {
				"kms:EncryptionContext:aws:states:stateMachineArn": {a.StateMachineArn},
			}},
		},
		iamdoc.Statement{
			Sid:      "DeliverExecutionLogs",
			Effect:   iamdoc.Allow,
			Action:   logDeliveryActions,
			Resource: iamdoc.Strings{"*"},
		},
		iamdoc.Statement{
			Sid:      "TraceExecutions",
			Effect:   iamdoc.Allow,
			Action:   tracingActions,
			Resource: iamdoc.Strings{"*"},
		},
	), nil
}
