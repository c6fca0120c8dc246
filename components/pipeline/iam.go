package pipeline

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/internal/ecsjob"
	"github.com/aifactory/platform/components/scope"
)

// StatesService is the principal that assumes the state machine's role.
const StatesService = "states.amazonaws.com"

// ECSTasksService is the only service the state machine may pass the
// optimiser's task and execution roles to.
const ECSTasksService = ecsjob.ECSTasksService

// ECSEventsRule is the EventBridge rule Step Functions manages in the
// account to learn when an ECS task it started with .sync stops.
const ECSEventsRule = "StepFunctionsGetEventsForECSTaskRule"

// RoleArgs is what the state machine's role is scoped to.
type RoleArgs struct {
	// Scope is the pipeline's: its account, region and partition are
	// those of every ARN the policy names.
	scope.Scope
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
	familyPattern   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	roleArnPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`)
	keyArnPattern   = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]{1,128}$`)
	stateMachineArn = regexp.MustCompile(`^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]{1,80}$`)
)

func (a RoleArgs) check() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := a.Scope.Validate(); err != nil {
		errs = append(errs, err)
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
	tasks := a.ARN("ecs", "task/"+clusterName+"/*")
	return iamdoc.New(
		iamdoc.Statement{
			Sid:      "RunOptimiserTasks",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"ecs:RunTask"},
			Resource: iamdoc.Strings{a.ARN("ecs", "task-definition/"+a.TaskDefinitionFamily+":*")},
			// Only in the pipeline's cluster.
			Condition: inCluster,
		},
		iamdoc.Statement{
			// .sync polls the task and stops it when the state times out.
			// Other jobs run in the same cluster (the lifecycle cleanup),
			// and a task's ARN does not name its family: only the
			// optimiser's tasks, which carry their task definition's
			// family tag (RunTask with PropagateTags TASK_DEFINITION).
			// ecs:cluster and the task's resource tags are the only
			// condition keys these two actions take.
			Sid:      "WatchAndStopOptimiserTasks",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"ecs:DescribeTasks", "ecs:StopTask"},
			Resource: iamdoc.Strings{tasks},
			Condition: iamdoc.Condition{
				"ArnEquals":    inCluster["ArnEquals"],
				"StringEquals": {"aws:ResourceTag/" + ecsjob.FamilyTag: {a.TaskDefinitionFamily}},
			},
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
			Resource: iamdoc.Strings{a.ARN("events", "rule/"+ECSEventsRule)},
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
			// With logging on, Step Functions also encrypts the execution
			// data it sends to CloudWatch Logs with the pipeline key: it
			// generates those data keys with this role under the log
			// delivery context, which the key policy lets log delivery
			// decrypt (Step Functions developer guide, "Data at rest
			// encryption").
			Sid:       "EncryptExecutionLogs",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:GenerateDataKey"},
			Resource:  iamdoc.Strings{a.PipelineKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:EncryptionContext:SourceArn": {a.ARN("logs", "*")}}},
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

// TaskTrustPolicy lets only ECS tasks of this account assume a role (the
// confused-deputy conditions of the ECS developer guide, "Task IAM role").
func TaskTrustPolicy(s scope.Scope) iamdoc.Document { return ecsjob.TaskTrustPolicy(s) }

// TaskAccess is what the optimiser's task role is scoped to.
type TaskAccess struct {
	scope.Scope
	// ModelsBucket is the name of the bucket that receives models and
	// recommendations.
	ModelsBucket string
	// DataKeyArn encrypts the data and models buckets; PipelineKeyArn the
	// cash secret.
	DataKeyArn     string
	PipelineKeyArn string
	// CashSecretArn is the secret holding the available cash per country.
	CashSecretArn string
}

var secretArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$`)

func (t TaskAccess) check() error {
	var errs []error
	if err := t.Scope.Validate(); err != nil {
		errs = append(errs, err)
	}
	if !bucketName.MatchString(t.ModelsBucket) {
		errs = append(errs, fmt.Errorf("ModelsBucket %q: use the models bucket's name", t.ModelsBucket))
	}
	for _, k := range []struct{ field, arn string }{{"DataKeyArn", t.DataKeyArn}, {"PipelineKeyArn", t.PipelineKeyArn}} {
		if !keyArnPattern.MatchString(k.arn) {
			errs = append(errs, fmt.Errorf("%s %q: use the key's ARN (not an alias)", k.field, k.arn))
		}
	}
	if !secretArnPattern.MatchString(t.CashSecretArn) {
		errs = append(errs, fmt.Errorf("CashSecretArn %q: use the cash secret's ARN", t.CashSecretArn))
	}
	return errors.Join(errs...)
}

// inputListing is what the task may list through its access point: the
// configs and histories prefixes, each with its trailing slash (listing
// "pipeline/d" would also show "pipeline/data-old/").
var inputListing = iamdoc.Strings{ConfigsPrefix, ConfigsPrefix + "*", DataPrefix, DataPrefix + "*"}

// TaskRolePolicy is the optimiser task's identity policy: read the configs
// and histories through the pipeline's access point, read and write models
// and recommendations under their prefixes of the models bucket, read the
// cash secret, and use each key only through the service that stores what
// it encrypts. Nothing else: no team's prefix, no other bucket, no other
// secret. The task writes no logs itself (the execution role does).
func TaskRolePolicy(t TaskAccess) (iamdoc.Document, error) {
	if err := t.check(); err != nil {
		return iamdoc.Document{}, fmt.Errorf("pipeline task role: %w", err)
	}
	ap := t.ServiceAccessPointARN(AccessPointService)
	models := t.BucketARN(t.ModelsBucket)
	outputs := iamdoc.Strings{models + "/" + ModelsPrefix + "*", models + "/" + OutputsPrefix + "*"}
	return iamdoc.New(
		iamdoc.Statement{
			Sid:      "ReadConfigsAndHistoriesThroughItsAccessPoint",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:GetObject"},
			Resource: iamdoc.Strings{ap + "/object/" + ConfigsPrefix + "*", ap + "/object/" + DataPrefix + "*"},
		},
		iamdoc.Statement{
			Sid:       "ListConfigsAndHistories",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"s3:ListBucket"},
			Resource:  iamdoc.Strings{ap},
			Condition: iamdoc.Condition{"StringLike": {"s3:prefix": inputListing}},
		},
		iamdoc.Statement{
			// Get: recommend reads its model; the writer reads an object it
			// is about to overwrite, and puts it back or deletes what it
			// wrote when a later write fails.
			Sid:      "WriteModelsAndRecommendations",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
			Resource: outputs,
		},
		iamdoc.Statement{
			Sid:       "ListModelsAndRecommendations",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"s3:ListBucket"},
			Resource:  iamdoc.Strings{models},
			Condition: iamdoc.Condition{"StringLike": {"s3:prefix": {ModelsPrefix, ModelsPrefix + "*", OutputsPrefix, OutputsPrefix + "*"}}},
		},
		iamdoc.Statement{
			Sid:       "DataKeyThroughS3",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:Decrypt", "kms:GenerateDataKey"},
			Resource:  iamdoc.Strings{t.DataKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": {t.ServiceHost("s3")}}},
		},
		iamdoc.Statement{
			Sid:      "ReadTheCashSecret",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"secretsmanager:GetSecretValue"},
			Resource: iamdoc.Strings{t.CashSecretArn},
		},
		iamdoc.Statement{
			Sid:      "PipelineKeyThroughSecretsManagerForTheCashSecret",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"kms:Decrypt"},
			Resource: iamdoc.Strings{t.PipelineKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {
				"kms:ViaService":                  {t.ServiceHost("secretsmanager")},
				"kms:EncryptionContext:SecretARN": {t.CashSecretArn},
			}},
		},
	), nil
}

// ExecutionRolePolicy is what ECS needs to start the optimiser: pull the
// image from the pipeline's repository and write the task log group's
// streams (ecsjob.ExecutionRolePolicy).
func ExecutionRolePolicy(s scope.Scope) iamdoc.Document {
	return ecsjob.ExecutionRolePolicy(s, ecsjob.Execution{
		Job: "Optimiser", RepositoryArn: RepositoryARN(s), LogGroupName: TaskLogGroupName(s),
	})
}

// accessPointDataActions are every data-plane action an access point
// serves; its management actions stay with the deployer.
var accessPointDataActions = iamdoc.Strings{
	"s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject",
	"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
	"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads",
}

// AccessPointPolicy is the policy of the pipeline's access point on the
// data bucket: the task role, and no other principal, lists and reads the
// configs and histories; nothing is written or deleted through it. As for
// the teams' access points, the Denies hold whatever identity policies say.
func AccessPointPolicy(s scope.Scope, taskRoleArn string) iamdoc.Document {
	ap := s.ServiceAccessPointARN(AccessPointService)
	inputs := iamdoc.Strings{ap + "/object/" + ConfigsPrefix + "*", ap + "/object/" + DataPrefix + "*"}
	return iamdoc.New(
		iamdoc.Statement{
			Sid:       "TaskReadsConfigsAndHistories",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(taskRoleArn),
			Action:    iamdoc.Strings{"s3:GetObject"},
			Resource:  inputs,
		},
		iamdoc.Statement{
			Sid:       "TaskListsConfigsAndHistories",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(taskRoleArn),
			Action:    iamdoc.Strings{"s3:ListBucket"},
			Resource:  iamdoc.Strings{ap},
			Condition: iamdoc.Condition{"StringLike": {"s3:prefix": inputListing}},
		},
		iamdoc.Statement{
			Sid:       "DenyEveryoneButTheTask",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    accessPointDataActions,
			Resource:  iamdoc.Strings{ap, ap + "/object/*"},
			Condition: iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": {taskRoleArn}}},
		},
		iamdoc.Statement{
			Sid:       "ReadOnly",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject", "s3:AbortMultipartUpload"},
			Resource:  iamdoc.Strings{ap + "/object/*"},
		},
		iamdoc.Statement{
			Sid:         "DenyObjectsOutsideTheInputs",
			Effect:      iamdoc.Deny,
			Principal:   iamdoc.Anyone(),
			Action:      iamdoc.Strings{"s3:GetObject*", "s3:ListMultipartUploadParts"},
			NotResource: inputs,
		},
		iamdoc.Statement{
			Sid:       "DenyListingOutsideTheInputs",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"},
			Resource:  iamdoc.Strings{ap},
			Condition: iamdoc.Condition{"StringNotLike": {"s3:prefix": inputListing}},
		},
	)
}

// CashSecretPolicy lets no principal but the task role read the cash
// secret, whatever its identity policies allow. Treasury writes the value
// (PutSecretValue) with permissions of its own; reading it back is the
// task's alone.
func CashSecretPolicy(taskRoleArn string) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Sid:       "OnlyTheOptimiserTaskReadsTheCash",
		Effect:    iamdoc.Deny,
		Principal: iamdoc.Anyone(),
		Action:    iamdoc.Strings{"secretsmanager:GetSecretValue"},
		Resource:  iamdoc.Strings{"*"},
		Condition: iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": {taskRoleArn}}},
	})
}

// TopicPolicy admits this account (IAM decides who subscribes) and, for
// the failure topic, CloudWatch publishing the pipeline's own alarms, and
// refuses anything without TLS. No other account and no other service is
// named, so none can publish or subscribe.
func TopicPolicy(s scope.Scope, topicArn string, alarmArns []string) iamdoc.Document {
	statements := []iamdoc.Statement{
		{
			Sid:       "AccountSubscribesAndReads",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.AWSPrincipals(s.AccountRootARN()),
			Action:    iamdoc.Strings{"sns:Subscribe", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"},
			Resource:  iamdoc.Strings{topicArn},
		},
	}
	if len(alarmArns) > 0 {
		statements = append(statements, iamdoc.Statement{
			Sid:       "PipelineAlarmsPublish",
			Effect:    iamdoc.Allow,
			Principal: iamdoc.Services("cloudwatch.amazonaws.com"),
			Action:    iamdoc.Strings{"sns:Publish"},
			Resource:  iamdoc.Strings{topicArn},
			Condition: iamdoc.Condition{
				"ArnLike":      {"aws:SourceArn": alarmArns},
				"StringEquals": {"aws:SourceAccount": {s.AccountID}},
			},
		})
	}
	statements = append(statements, iamdoc.Statement{
		Sid:       "DenyInsecureTransport",
		Effect:    iamdoc.Deny,
		Principal: iamdoc.Anyone(),
		Action:    iamdoc.Strings{"sns:Publish", "sns:Subscribe"},
		Resource:  iamdoc.Strings{topicArn},
		Condition: iamdoc.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
	})
	return iamdoc.New(statements...)
}

// QueuePolicy keeps the dead-letter queue to this account and TLS, and
// lets only the schedule's role put messages in it.
func QueuePolicy(s scope.Scope, queueArn, schedulerRoleArn string) iamdoc.Document {
	return iamdoc.New(
		iamdoc.Statement{
			Sid:       "DenyInsecureTransport",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"sqs:*"},
			Resource:  iamdoc.Strings{queueArn},
			Condition: iamdoc.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
		},
		iamdoc.Statement{
			Sid:       "DenyOtherAccounts",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"sqs:*"},
			Resource:  iamdoc.Strings{queueArn},
			Condition: iamdoc.Condition{"StringNotEquals": {"aws:PrincipalAccount": {s.AccountID}}},
		},
		iamdoc.Statement{
			// A condition, not a principal: the role is created after the
			// queue.
			Sid:       "OnlyTheScheduleSends",
			Effect:    iamdoc.Deny,
			Principal: iamdoc.Anyone(),
			Action:    iamdoc.Strings{"sqs:SendMessage"},
			Resource:  iamdoc.Strings{queueArn},
			Condition: iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": {schedulerRoleArn}}},
		},
	)
}

// SchedulerService is the principal that assumes the schedule's role.
const SchedulerService = ecsjob.SchedulerService

// SchedulerTrustPolicy lets only EventBridge Scheduler, for schedules of
// this account's schedule group, assume the schedule's role.
func SchedulerTrustPolicy(s scope.Scope) iamdoc.Document { return ecsjob.SchedulerTrustPolicy(s) }

// SchedulerRolePolicy is what the weekly schedule needs: start the state
// machine, decrypt its own encrypted payload (EventBridge Scheduler user
// guide, "Encryption at rest": the execution role decrypts under the
// schedule's encryption context), and put an undeliverable start into the
// encrypted dead-letter queue.
func SchedulerRolePolicy(s scope.Scope, pipelineKeyArn string) iamdoc.Document {
	return iamdoc.New(
		iamdoc.Statement{
			Sid:      "StartTheWeeklyRun",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"states:StartExecution"},
			Resource: iamdoc.Strings{StateMachineARN(s)},
		},
		iamdoc.Statement{
			Sid:       "DecryptTheSchedule",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:Decrypt"},
			Resource:  iamdoc.Strings{pipelineKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:EncryptionContext:aws:scheduler:schedule:arn": {ScheduleARN(s)}}},
		},
		iamdoc.Statement{
			Sid:      "ReportUndeliveredStarts",
			Effect:   iamdoc.Allow,
			Action:   iamdoc.Strings{"sqs:SendMessage"},
			Resource: iamdoc.Strings{QueueARN(s)},
		},
		iamdoc.Statement{
			Sid:       "EncryptDeadLettersThroughSQS",
			Effect:    iamdoc.Allow,
			Action:    iamdoc.Strings{"kms:GenerateDataKey", "kms:Decrypt"},
			Resource:  iamdoc.Strings{pipelineKeyArn},
			Condition: iamdoc.Condition{"StringEquals": {"kms:ViaService": {s.ServiceHost("sqs")}}},
		},
	)
}

// RepositoryPolicy admits this account (IAM decides who pushes and pulls)
// and refuses every other account.
func RepositoryPolicy(s scope.Scope) iamdoc.Document { return ecsjob.RepositoryPolicy(s) }
