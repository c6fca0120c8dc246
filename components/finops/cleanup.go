package finops

import (
	"encoding/json"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	awskms "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/scheduler"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/internal/ecsjob"
	"github.com/aifactory/platform/components/pipeline/spec"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/facts/tagkeys"
)

// Environment variables the cleanup job reads (finops/cleanup.ConfigFromEnv).
// They are spelled out here rather than imported, so that the Pulumi
// program never compiles the job's AWS SDK clients.
const (
	envProject         = "CLEANUP_PROJECT"
	envEnvironment     = "CLEANUP_ENVIRONMENT"
	envStudioIdleLimit = "CLEANUP_STUDIO_IDLE_LIMIT"
	envVolumeMinAge    = "CLEANUP_VOLUME_MIN_AGE"
	envTopicArn        = "CLEANUP_TOPIC_ARN"
)

// DryRunFlag is the job's dry-run flag (finops/cmd/cleanup): the task's
// command sets it from Cleanup.DryRun, overriding the image's default
// "-dry-run=true".
const DryRunFlag = "-dry-run="

// Workload is the cleanup job's workload tag value: its task definition
// (and so its tasks) and repository carry it, so that the report tells its
// cost apart from the weekly pipeline's in the same cluster.
const Workload = tagkeys.WorkloadLifecycleCleanup

// ContainerName is the task's only container.
const ContainerName = "cleanup"

// Schedule delivery: EventBridge Scheduler retries a RunTask call that
// fails for up to an hour; a run that never starts is caught up by the
// next one, which finds the same resources.
const (
	ScheduleRetryAttempts      = 2
	ScheduleMaxEventAgeSeconds = 3600
)

// DeadLetterRetentionSeconds keeps a run the schedule could not start for
// 14 days, the most SQS keeps a message; alarmPeriodSeconds is the period
// of the alarm on it.
const (
	DeadLetterRetentionSeconds = 14 * 24 * 3600
	alarmPeriodSeconds         = 300
	kmsDataKeyReuseSeconds     = 300
)

// FailedRunPattern is the EventBridge pattern of a cleanup run that did
// not succeed: an ECS "Task State Change" event of a task of the cleanup
// family (any revision, this account and region) that stopped, either with
// its container's exit code other than 0 (1: an action or the inventory
// failed; 2: a bad configuration; 3: interrupted by Fargate Spot or its
// timeout, the rest left for the next run; 137: killed, out of memory) or
// without one because it never started (stopCode TaskFailedToStart: the
// image could not be pulled, no Spot capacity, the network). It is built
// on the task's own end, not on the job's summary line in its logs: a run
// that crashes, is killed or never starts writes no summary, and a metric
// filter would miss exactly those.
func FailedRunPattern(s scope.Scope) (string, error) {
	b, err := json.Marshal(map[string]any{
		"source":      []string{"aws.ecs"},
		"detail-type": []string{"ECS Task State Change"},
		"detail": map[string]any{
			"taskDefinitionArn": []any{map[string]string{"prefix": s.ARN("ecs", "task-definition/"+TaskFamily(s)+":")}},
			"lastStatus":        []string{"STOPPED"},
			"$or": []any{
				map[string]any{"containers": map[string]any{"exitCode": []any{map[string]int{"anything-but": 0}}}},
				map[string]any{"stopCode": []string{"TaskFailedToStart"}},
			},
		},
	})
	return string(b), err
}

// failedRunMessage is what the platform topic receives for a failed run.
var failedRunMessage = &cloudwatch.EventTargetInputTransformerArgs{
	InputPaths: pulumi.StringMap{
		"task": pulumi.String("$.detail.taskArn"), "stopCode": pulumi.String("$.detail.stopCode"),
		"reason": pulumi.String("$.detail.stoppedReason"), "exitCode": pulumi.String("$.detail.containers[0].exitCode"),
	},
	InputTemplate: pulumi.String(`"Lifecycle cleanup run FAILED: task <task> stopped (<stopCode>: <reason>), exit code <exitCode> ` +
		`(1 an action failed, 2 configuration, 3 interrupted, none: never started). What it did and did not do is in its log group."`),
}

// FargateSpot is the capacity the task runs on: the job is idempotent and
// interruptible (a run Fargate Spot takes back stops with exit 3 and the
// next run finishes its work), so on-demand capacity would buy nothing.
// ECS never falls back from one provider to another by itself: a strategy
// only splits tasks between providers.
const FargateSpot = "FARGATE_SPOT"

// Names of the cleanup job's resources, all derived from the scope so that
// roles and policies can name each other before they exist.
func RepositoryName(s scope.Scope) string    { return s.Name("cleanup") }
func TaskFamily(s scope.Scope) string        { return s.Name("cleanup") }
func TaskRoleName(s scope.Scope) string      { return s.Name("cleanup-task") }
func ExecutionRoleName(s scope.Scope) string { return s.Name("cleanup-execution") }
func ScheduleRoleName(s scope.Scope) string  { return s.Name("cleanup-schedule") }
func ScheduleName(s scope.Scope) string      { return s.Name("cleanup") }
func LogGroupName(s scope.Scope) string      { return "/aws/ecs/" + s.Name("cleanup") }
func RepositoryURL(s scope.Scope) string     { return s.RegistryHost() + "/" + RepositoryName(s) }
func RepositoryARN(s scope.Scope) string     { return s.ARN("ecr", "repository/"+RepositoryName(s)) }
func ScheduleARN(s scope.Scope) string       { return ecsjob.ScheduleARN(s, ScheduleName(s)) }
func TaskDefinitionsARN(s scope.Scope) string {
	return s.ARN("ecs", "task-definition/"+TaskFamily(s)+":*")
}
func DeadLetterQueueName(s scope.Scope) string   { return s.Name("cleanup-schedule-dlq") }
func DeadLetterQueueARN(s scope.Scope) string    { return s.ARN("sqs", DeadLetterQueueName(s)) }
func NotStartedAlarmName(s scope.Scope) string   { return s.Name("cleanup-not-started") }
func FailedRunRuleName(s scope.Scope) string     { return s.Name("cleanup-run-failed") }
func AlarmARN(s scope.Scope, name string) string { return s.ARN("cloudwatch", "alarm:"+name) }
func RuleARN(s scope.Scope, name string) string  { return s.ARN("events", "rule/"+name) }
func AlertsTopicName(s scope.Scope) string       { return s.Name("finops-alerts") }
func AlertsTopicARN(s scope.Scope) string        { return s.ARN("sns", AlertsTopicName(s)) }
func cleanupTaskGroup(s scope.Scope) string      { return "family:" + TaskFamily(s) }
func taskSecurityGroupName(s scope.Scope) string { return s.Name("cleanup-tasks") }

type cleanupJob struct {
	repository     *ecr.Repository
	taskDefinition *ecs.TaskDefinition
	schedule       *scheduler.Schedule
}

// CleanupContainer is the task's container: the job's image by digest, as
// the non-root user on a read-only root file system with a scratch volume,
// configured by the CLEANUP_* variables, the dry-run setting in its command.
func CleanupContainer(s scope.Scope, c Cleanup, img spec.Image) ecsjob.ContainerDefinition {
	return ecsjob.Container{
		Name:    ContainerName,
		Image:   img,
		Command: []string{DryRunFlag + strconv.FormatBool(c.DryRun)},
		Environment: []ecsjob.KeyValue{
			{Name: envProject, Value: c.Project},
			{Name: envEnvironment, Value: s.Environment},
			{Name: envStudioIdleLimit, Value: c.StudioIdleLimit.String()},
			{Name: envVolumeMinAge, Value: c.VolumeMinAge.String()},
			{Name: envTopicArn, Value: AlertsTopicARN(s)},
		},
		LogGroup: LogGroupName(s),
		Region:   s.Region,
	}.Definition()
}

// newCleanup deploys the cleanup job as a scheduled Fargate task in the
// weekly pipeline's cluster, in the private subnets: its image repository,
// log group, task and execution roles, task definition and security group,
// and the schedule that runs it with a role that can run nothing else.
func newCleanup(ctx *pulumi.Context, name string, a *Args, key *awskms.Key, topic *sns.Topic, parent pulumi.ResourceOption) (*cleanupJob, error) {
	s := a.Scope
	c := a.Cleanup
	repo, err := ecsjob.Repository{
		Scope: s, Name: RepositoryName(s), KeyArn: a.ImageKeyArn, ImagesKept: c.ImagesKept, Protect: a.Protect, Workload: Workload,
	}.New(ctx, name+"-cleanup-images", parent)
	if err != nil {
		return nil, err
	}
	logGroup, err := cloudwatch.NewLogGroup(ctx, name+"-cleanup", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(LogGroupName(s)),
		KmsKeyId:        a.LogsKeyArn,
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
	}, parent)
	if err != nil {
		return nil, err
	}

	trust, err := ecsjob.TaskTrustPolicy(s).JSON()
	if err != nil {
		return nil, err
	}
	taskRole, err := iam.NewRole(ctx, name+"-cleanup-task", &iam.RoleArgs{
		Name:             pulumi.String(TaskRoleName(s)),
		Description:      pulumi.String("Lifecycle cleanup job: changes only resources tagged with the platform's project and environment"),
		AssumeRolePolicy: pulumi.String(trust),
	}, parent)
	if err != nil {
		return nil, err
	}
	taskPolicy := key.Arn.ApplyT(func(keyArn string) (string, error) {
		return CleanupPolicy(CleanupScope{Scope: s, Project: c.Project, TopicArn: AlertsTopicARN(s), KeyArn: keyArn}).JSON()
	}).(pulumi.StringOutput)
	taskRolePolicy, err := iam.NewRolePolicy(ctx, name+"-cleanup-task", &iam.RolePolicyArgs{Role: taskRole.ID(), Policy: taskPolicy}, parent)
	if err != nil {
		return nil, err
	}
	executionRole, err := iam.NewRole(ctx, name+"-cleanup-execution", &iam.RoleArgs{
		Name:             pulumi.String(ExecutionRoleName(s)),
		Description:      pulumi.String("ECS agent for the lifecycle cleanup job: pulls its image, writes its logs"),
		AssumeRolePolicy: pulumi.String(trust),
	}, parent)
	if err != nil {
		return nil, err
	}
	executionPolicy, err := ExecutionRolePolicy(s).JSON()
	if err != nil {
		return nil, err
	}
	executionRolePolicy, err := iam.NewRolePolicy(ctx, name+"-cleanup-execution", &iam.RolePolicyArgs{
		Role: executionRole.ID(), Policy: pulumi.String(executionPolicy),
	}, parent)
	if err != nil {
		return nil, err
	}

	img, err := spec.ParseImage(c.Image)
	if err != nil {
		return nil, err
	}
	td, err := ecsjob.Task{
		Family:           TaskFamily(s),
		CPU:              c.TaskCPU,
		MemoryMiB:        c.TaskMemoryMiB,
		TaskRoleArn:      taskRole.Arn,
		ExecutionRoleArn: executionRole.Arn,
		Container:        CleanupContainer(s, c, img),
		Workload:         Workload,
	}.New(ctx, name+"-cleanup", parent, pulumi.DependsOn([]pulumi.Resource{logGroup, taskRolePolicy, executionRolePolicy, repo, topic}))
	if err != nil {
		return nil, err
	}
	sg, err := ecsjob.SecurityGroup{
		Placement:            a.Placement,
		Description:          "Lifecycle cleanup task: HTTPS to the VPC endpoints and S3 only, nothing in",
		EndpointsDescription: "HTTPS to the VPC interface endpoints (SageMaker, EMR, EC2, SNS; ECR and logs to start)",
		S3Description:        "HTTPS to S3 through the gateway endpoint (image layers)",
		Name:                 taskSecurityGroupName(s),
	}.New(ctx, name+"-cleanup-tasks", parent)
	if err != nil {
		return nil, err
	}

	schedTrust, err := ecsjob.SchedulerTrustPolicy(s).JSON()
	if err != nil {
		return nil, err
	}
	schedRole, err := iam.NewRole(ctx, name+"-cleanup-schedule", &iam.RoleArgs{
		Name:             pulumi.String(ScheduleRoleName(s)),
		Description:      pulumi.String("Runs the lifecycle cleanup task on its schedule, and nothing else"),
		AssumeRolePolicy: pulumi.String(schedTrust),
	}, parent)
	if err != nil {
		return nil, err
	}
	schedPolicy := pulumi.All(c.ClusterArn, key.Arn).ApplyT(func(v []any) (string, error) {
		doc, err := SchedulerPolicy(SchedulerAccess{Scope: s, ClusterArn: v[0].(string), KeyArn: v[1].(string)})
		if err != nil {
			return "", err
		}
		return doc.JSON()
	}).(pulumi.StringOutput)
	schedRolePolicy, err := iam.NewRolePolicy(ctx, name+"-cleanup-schedule", &iam.RolePolicyArgs{Role: schedRole.ID(), Policy: schedPolicy}, parent)
	if err != nil {
		return nil, err
	}
	queuePolicy, err := QueuePolicy(s).JSON()
	if err != nil {
		return nil, err
	}
	queue, err := sqs.NewQueue(ctx, name+"-cleanup-schedule-dlq", &sqs.QueueArgs{
		Name:                         pulumi.String(DeadLetterQueueName(s)),
		KmsMasterKeyId:               key.Arn,
		KmsDataKeyReusePeriodSeconds: pulumi.Int(kmsDataKeyReuseSeconds),
		MessageRetentionSeconds:      pulumi.Int(DeadLetterRetentionSeconds),
		Policy:                       pulumi.String(queuePolicy),
	}, parent)
	if err != nil {
		return nil, err
	}
	schedule, err := scheduler.NewSchedule(ctx, name+"-cleanup", &scheduler.ScheduleArgs{
		Name:                       pulumi.String(ScheduleName(s)),
		GroupName:                  pulumi.String(ecsjob.ScheduleGroup),
		Description:                pulumi.String("Runs the lifecycle cleanup job on Fargate Spot in the weekly pipeline's cluster"),
		ScheduleExpression:         pulumi.String(c.Schedule),
		ScheduleExpressionTimezone: pulumi.String("UTC"),
		FlexibleTimeWindow:         &scheduler.ScheduleFlexibleTimeWindowArgs{Mode: pulumi.String("OFF")},
		KmsKeyArn:                  key.Arn,
		State:                      pulumi.String("ENABLED"),
		Target: &scheduler.ScheduleTargetArgs{
			Arn:     c.ClusterArn,
			RoleArn: schedRole.Arn,
			EcsParameters: &scheduler.ScheduleTargetEcsParametersArgs{
				// The revision this update registers: a new image or
				// setting runs from the next schedule on.
				TaskDefinitionArn: td.Arn,
				TaskCount:         pulumi.Int(1),
				CapacityProviderStrategies: scheduler.ScheduleTargetEcsParametersCapacityProviderStrategyArray{
					&scheduler.ScheduleTargetEcsParametersCapacityProviderStrategyArgs{CapacityProvider: pulumi.String(FargateSpot), Weight: pulumi.Int(1)},
				},
				NetworkConfiguration: &scheduler.ScheduleTargetEcsParametersNetworkConfigurationArgs{
					AssignPublicIp: pulumi.Bool(false),
					Subnets:        a.SubnetIDs,
					SecurityGroups: pulumi.StringArray{sg.ID()},
				},
				// The task carries the task definition's cost-allocation tags.
				PropagateTags: pulumi.String("TASK_DEFINITION"),
				// ECS's default group, named so that the cost model knows
				// which task the schedule runs before its ARN exists.
				Group: pulumi.String(cleanupTaskGroup(s)),
			},
			RetryPolicy: &scheduler.ScheduleTargetRetryPolicyArgs{
				MaximumRetryAttempts:     pulumi.Int(ScheduleRetryAttempts),
				MaximumEventAgeInSeconds: pulumi.Int(ScheduleMaxEventAgeSeconds),
			},
			// A run that could not be started after the retries (the role,
			// the task definition, the cluster) lands here, with the error.
			DeadLetterConfig: &scheduler.ScheduleTargetDeadLetterConfigArgs{Arn: queue.Arn},
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{schedRolePolicy}))
	if err != nil {
		return nil, err
	}
	if err := newCleanupAlerts(ctx, name, s, queue, topic, parent); err != nil {
		return nil, err
	}
	return &cleanupJob{repository: repo, taskDefinition: td, schedule: schedule}, nil
}

// newCleanupAlerts makes the cleanup job's failures loud, on the platform
// topic: an alarm on a run the schedule could not start (a message in its
// dead-letter queue), and an EventBridge rule on every run that started
// but did not succeed (FailedRunPattern).
func newCleanupAlerts(ctx *pulumi.Context, name string, s scope.Scope, queue *sqs.Queue, topic *sns.Topic, parent pulumi.ResourceOption) error {
	if _, err := (ecsjob.NotStartedAlarm{
		Name: NotStartedAlarmName(s),
		Description: "The schedule could not start the lifecycle cleanup task after its retries; the attempt is in " +
			DeadLetterQueueName(s) + " with the error. No cleanup ran.",
		QueueName: queue.Name, PeriodSeconds: alarmPeriodSeconds, Action: topic.Arn,
	}).New(ctx, name+"-cleanup-not-started", parent); err != nil {
		return err
	}
	pattern, err := FailedRunPattern(s)
	if err != nil {
		return err
	}
	rule, err := cloudwatch.NewEventRule(ctx, name+"-cleanup-run-failed", &cloudwatch.EventRuleArgs{
		Name:         pulumi.String(FailedRunRuleName(s)),
		Description:  pulumi.String("A lifecycle cleanup task stopped with a non-zero exit code or never started"),
		EventPattern: pulumi.String(pattern),
	}, parent)
	if err != nil {
		return err
	}
	_, err = cloudwatch.NewEventTarget(ctx, name+"-cleanup-run-failed", &cloudwatch.EventTargetArgs{
		Rule:             rule.Name,
		Arn:              topic.Arn,
		InputTransformer: failedRunMessage,
	}, parent)
	return err
}
