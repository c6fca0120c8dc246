package finops

import (
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	awskms "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/scheduler"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Environment variables the cleanup job reads (finops/cleanup.ConfigFromEnv).
const (
	envProject         = "CLEANUP_PROJECT"
	envEnvironment     = "CLEANUP_ENVIRONMENT"
	envDryRun          = "CLEANUP_DRY_RUN"
	envStudioIdleLimit = "CLEANUP_STUDIO_IDLE_LIMIT"
	envVolumeMinAge    = "CLEANUP_VOLUME_MIN_AGE"
	envTopicArn        = "CLEANUP_TOPIC_ARN"
)

// Function settings: 15 minutes is Lambda's longest run, and one run at a
// time is enough (the job is idempotent, overlapping runs would only race).
const (
	FunctionTimeoutSeconds = 900
	FunctionMemoryMB       = 512
	runtime                = "provided.al2023"
	handler                = "bootstrap"
	architecture           = "x86_64"
)

type cleanupJob struct {
	function *lambda.Function
	schedule *scheduler.Schedule
}

// newCleanup deploys the cleanup job as a Lambda function outside the VPC:
// it calls AWS APIs only and reads no data, and in the VPC it would need an
// EC2 interface endpoint the network does not otherwise need.
func newCleanup(ctx *pulumi.Context, name string, a *Args, key *awskms.Key, topic *sns.Topic, parent pulumi.ResourceOption) (*cleanupJob, error) {
	fnName := a.Name("cleanup")
	logGroupName := "/aws/lambda/" + fnName
	logGroup, err := cloudwatch.NewLogGroup(ctx, name+"-cleanup", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(logGroupName),
		KmsKeyId:        a.LogsKeyArn,
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
	}, parent)
	if err != nil {
		return nil, err
	}
	trust, err := ServiceTrust(a.Scope, "lambda.amazonaws.com").JSON()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(ctx, name+"-cleanup", &iam.RoleArgs{
		Name:             pulumi.String(fnName),
		Description:      pulumi.String("Lifecycle cleanup job: changes only resources tagged with the platform's project and environment"),
		AssumeRolePolicy: pulumi.String(trust),
	}, parent)
	if err != nil {
		return nil, err
	}
	policy := key.Arn.ApplyT(func(keyArn string) (string, error) {
		return CleanupPolicy(CleanupScope{
			Scope: a.Scope, Project: a.Cleanup.Project, TopicArn: a.ARN("sns", a.Name("finops-alerts")),
			KeyArn: keyArn, LogGroupArn: a.LogGroupARN(logGroupName),
		}).JSON()
	}).(pulumi.StringOutput)
	rolePolicy, err := iam.NewRolePolicy(ctx, name+"-cleanup", &iam.RolePolicyArgs{Role: role.ID(), Policy: policy}, parent)
	if err != nil {
		return nil, err
	}
	fn, err := lambda.NewFunction(ctx, name+"-cleanup", &lambda.FunctionArgs{
		Name:                         pulumi.String(fnName),
		Description:                  pulumi.String("Lifecycle cleanup: idle Studio apps, expired spaces, clusters, endpoints and notebooks, old unattached volumes"),
		Role:                         role.Arn,
		Runtime:                      pulumi.String(runtime),
		Handler:                      pulumi.String(handler),
		Architectures:                pulumi.StringArray{pulumi.String(architecture)},
		Code:                         a.Cleanup.Code,
		Timeout:                      pulumi.Int(FunctionTimeoutSeconds),
		MemorySize:                   pulumi.Int(FunctionMemoryMB),
		ReservedConcurrentExecutions: pulumi.Int(1),
		KmsKeyArn:                    key.Arn,
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{
			LogFormat: pulumi.String("JSON"),
			LogGroup:  logGroup.Name,
		},
		Environment: &lambda.FunctionEnvironmentArgs{Variables: pulumi.StringMap{
			envProject:         pulumi.String(a.Cleanup.Project),
			envEnvironment:     pulumi.String(a.Environment),
			envDryRun:          pulumi.String(strconv.FormatBool(a.Cleanup.DryRun)),
			envStudioIdleLimit: pulumi.String(a.Cleanup.StudioIdleLimit.String()),
			envVolumeMinAge:    pulumi.String(a.Cleanup.VolumeMinAge.String()),
			envTopicArn:        topic.Arn,
		}},
	}, parent, pulumi.DependsOn([]pulumi.Resource{rolePolicy, logGroup}))
	if err != nil {
		return nil, err
	}

	schedTrust, err := ServiceTrust(a.Scope, "scheduler.amazonaws.com").JSON()
	if err != nil {
		return nil, err
	}
	schedRole, err := iam.NewRole(ctx, name+"-cleanup-schedule", &iam.RoleArgs{
		Name:             pulumi.String(a.Name("cleanup-schedule")),
		Description:      pulumi.String("Invokes the lifecycle cleanup job on its schedule"),
		AssumeRolePolicy: pulumi.String(schedTrust),
	}, parent)
	if err != nil {
		return nil, err
	}
	schedPolicy := pulumi.All(fn.Arn, key.Arn).ApplyT(func(v []any) (string, error) {
		return SchedulerPolicy(v[0].(string), v[1].(string)).JSON()
	}).(pulumi.StringOutput)
	schedRolePolicy, err := iam.NewRolePolicy(ctx, name+"-cleanup-schedule", &iam.RolePolicyArgs{Role: schedRole.ID(), Policy: schedPolicy}, parent)
	if err != nil {
		return nil, err
	}
	schedule, err := scheduler.NewSchedule(ctx, name+"-cleanup", &scheduler.ScheduleArgs{
		Name:                       pulumi.String(fnName),
		Description:                pulumi.String("Runs the lifecycle cleanup job"),
		ScheduleExpression:         pulumi.String(a.Cleanup.Schedule),
		ScheduleExpressionTimezone: pulumi.String("UTC"),
		FlexibleTimeWindow:         &scheduler.ScheduleFlexibleTimeWindowArgs{Mode: pulumi.String("OFF")},
		KmsKeyArn:                  key.Arn,
		Target: &scheduler.ScheduleTargetArgs{
			Arn:     fn.Arn,
			RoleArn: schedRole.Arn,
			RetryPolicy: &scheduler.ScheduleTargetRetryPolicyArgs{
				MaximumRetryAttempts: pulumi.Int(2), MaximumEventAgeInSeconds: pulumi.Int(3600),
			},
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{schedRolePolicy}))
	if err != nil {
		return nil, err
	}
	return &cleanupJob{function: fn, schedule: schedule}, nil
}
