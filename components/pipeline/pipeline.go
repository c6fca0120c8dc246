package pipeline

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/internal/build"
	"github.com/aifactory/platform/components/internal/ecsjob"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/facts/tagkeys"
)

// Workload is the pipeline's workload tag value: its task definition (and
// so its tasks), image repository and state machine carry it, so that the
// cost of a run is told apart from the cleanup job's in the same cluster.
const Workload = tagkeys.WorkloadWeeklyPipeline

// Type is the component's type token.
const Type = "aifactory:pipeline:WeeklyPipeline"

// ContainerName is the optimiser container of the task definition, the
// only one.
const ContainerName = "optimiser"

// AccessPointService names the pipeline's access point on the data bucket,
// "<environment>--pipeline" (scope.ServiceAccessPointName).
const AccessPointService = "pipeline"

// Key prefixes of the pipeline's objects. Configs and histories are on the
// data bucket, read through the pipeline's own access point; models and
// recommendations are on the models bucket, each run under
// <prefix><YYYY-MM-DD>/<execution name>/.
const (
	// ConfigsPrefix holds <cc>.yaml for every configured country, published
	// by the stack from optimiser/bundled/configs.
	ConfigsPrefix = "pipeline/configs/"
	// DataPrefix holds <cc>.csv, the sales history the business delivers
	// before each run.
	DataPrefix = "pipeline/data/"
	// ModelsPrefix receives model.json per run and country.
	ModelsPrefix = "pipeline/models/"
	// OutputsPrefix receives recommendation.json and metadata.json per run
	// and country.
	OutputsPrefix = "pipeline/outputs/"
)

// ScheduleGroup is the EventBridge Scheduler group of the weekly schedule.
const ScheduleGroup = ecsjob.ScheduleGroup

// Names of the pipeline's resources. Every one is derived from the scope,
// so roles and policies can name each other before they exist.
func RepositoryName(s scope.Scope) string       { return s.Name("optimiser") }
func ClusterName(s scope.Scope) string          { return s.Name("pipeline") }
func TaskFamily(s scope.Scope) string           { return s.Name("optimiser") }
func TaskRoleName(s scope.Scope) string         { return s.Name("optimiser-task") }
func ExecutionRoleName(s scope.Scope) string    { return s.Name("optimiser-execution") }
func StateMachineName(s scope.Scope) string     { return s.Name("weekly") }
func StateMachineRoleName(s scope.Scope) string { return s.Name("weekly-states") }
func SchedulerRoleName(s scope.Scope) string    { return s.Name("weekly-scheduler") }
func ScheduleName(s scope.Scope) string         { return s.Name("weekly") }
func ResultsTopicName(s scope.Scope) string     { return s.Name("weekly-results") }
func FailureTopicName(s scope.Scope) string     { return s.Name("weekly-failures") }
func DeadLetterQueueName(s scope.Scope) string  { return s.Name("weekly-schedule-dlq") }
func TaskLogGroupName(s scope.Scope) string     { return "/aws/ecs/" + s.Name("optimiser") }

// ExecutionLogGroupName is under /aws/vendedlogs/, where CloudWatch Logs
// keeps vended-log delivery within one resource policy.
func ExecutionLogGroupName(s scope.Scope) string {
	return "/aws/vendedlogs/states/" + StateMachineName(s)
}

// RunFailedAlarmName and ScheduleFailedAlarmName name the alarms that
// report what the workflow cannot report itself.
func RunFailedAlarmName(s scope.Scope) string      { return s.Name("weekly-run-failed") }
func ScheduleFailedAlarmName(s scope.Scope) string { return s.Name("weekly-run-not-started") }

// RepositoryURL is where the tasks pull the image from:
// <account>.dkr.ecr.<region>.amazonaws.com/<prefix>-optimiser.
func RepositoryURL(s scope.Scope) string { return s.RegistryHost() + "/" + RepositoryName(s) }

// RepositoryURL is the stack's repository.
func (a *Args) RepositoryURL() string { return RepositoryURL(a.Scope) }

// ARNs known from the names.
func ClusterARN(s scope.Scope) string { return s.ARN("ecs", "cluster/"+ClusterName(s)) }
func StateMachineARN(s scope.Scope) string {
	return s.ARN("states", "stateMachine:"+StateMachineName(s))
}
func ScheduleARN(s scope.Scope) string           { return ecsjob.ScheduleARN(s, ScheduleName(s)) }
func ScheduleGroupARN(s scope.Scope) string      { return ecsjob.ScheduleGroupARN(s) }
func RepositoryARN(s scope.Scope) string         { return s.ARN("ecr", "repository/"+RepositoryName(s)) }
func TopicARN(s scope.Scope, name string) string { return s.ARN("sns", name) }
func QueueARN(s scope.Scope) string              { return s.ARN("sqs", DeadLetterQueueName(s)) }
func AlarmARN(s scope.Scope, name string) string { return s.ARN("cloudwatch", "alarm:"+name) }

// WeeklyPipeline is the weekly jackpot job (aifactory:pipeline:WeeklyPipeline):
// the optimiser image's repository, the cluster and task definition it runs
// as, the Step Functions state machine that runs it per country, the
// schedule that starts the state machine, and the topics and alarms that
// report every run and every failure.
type WeeklyPipeline struct {
	pulumi.ResourceState

	RepositoryURL     pulumi.StringOutput `pulumi:"repositoryUrl"`
	ClusterArn        pulumi.StringOutput `pulumi:"clusterArn"`
	TaskDefinitionArn pulumi.StringOutput `pulumi:"taskDefinitionArn"`
	StateMachineArn   pulumi.StringOutput `pulumi:"stateMachineArn"`
	ScheduleArn       pulumi.StringOutput `pulumi:"scheduleArn"`
	ResultsTopicArn   pulumi.StringOutput `pulumi:"resultsTopicArn"`
	FailureTopicArn   pulumi.StringOutput `pulumi:"failureTopicArn"`
	AccessPointArn    pulumi.StringOutput `pulumi:"accessPointArn"`
	CashSecretArn     pulumi.StringOutput `pulumi:"cashSecretArn"`
	TaskRoleArn       pulumi.StringOutput `pulumi:"taskRoleArn"`
	// Configs, Data, Models and Outputs are the S3 locations of the
	// optimiser's inputs and outputs (s3://bucket-or-alias/prefix/).
	Configs pulumi.StringOutput `pulumi:"configs"`
	Data    pulumi.StringOutput `pulumi:"data"`
	Models  pulumi.StringOutput `pulumi:"models"`
	Outputs pulumi.StringOutput `pulumi:"outputs"`
}

// New creates the weekly pipeline.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*WeeklyPipeline, error) {
	if args == nil {
		return nil, errors.New("pipeline: args are required")
	}
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("pipeline %q: %w", name, err)
	}
	a := args.withDefaults()

	p := &WeeklyPipeline{}
	if err := ctx.RegisterComponentResource(Type, name, p, opts...); err != nil {
		return nil, err
	}
	b := &builder{Builder: build.New(ctx, name, p, a.Protect), a: &a}

	repo, err := b.repository()
	if err != nil {
		return nil, err
	}
	taskRole, executionRole, err := b.roles()
	if err != nil {
		return nil, err
	}
	inputs, err := b.inputs(taskRole)
	if err != nil {
		return nil, err
	}
	compute, err := b.compute(taskRole, executionRole, inputs)
	if err != nil {
		return nil, err
	}
	orch, err := b.orchestration(compute, inputs)
	if err != nil {
		return nil, err
	}

	p.RepositoryURL = repo.RepositoryUrl
	p.ClusterArn = compute.clusterArn
	p.TaskDefinitionArn = compute.taskDefinition.Arn
	p.StateMachineArn = orch.stateMachine.Arn
	p.ScheduleArn = orch.schedule.Arn
	p.ResultsTopicArn = orch.resultsArn
	p.FailureTopicArn = orch.failuresArn
	p.AccessPointArn = inputs.accessPoint.Arn
	p.CashSecretArn = inputs.cashSecret.Arn
	p.TaskRoleArn = compute.taskRole.Arn
	locations := pulumi.All(inputs.accessPoint.Alias, a.ModelsBucketName).ApplyT(func(v []any) []string {
		s := storage(v[0].(string), v[1].(string))
		return []string{s.Configs.URI(), s.Data.URI(), s.Models.URI(), s.Outputs.URI()}
	}).(pulumi.StringArrayOutput)
	p.Configs = locations.Index(pulumi.Int(0))
	p.Data = locations.Index(pulumi.Int(1))
	p.Models = locations.Index(pulumi.Int(2))
	p.Outputs = locations.Index(pulumi.Int(3))
	if err := ctx.RegisterResourceOutputs(p, pulumi.Map{
		"repositoryUrl":     p.RepositoryURL,
		"clusterArn":        p.ClusterArn,
		"taskDefinitionArn": p.TaskDefinitionArn,
		"stateMachineArn":   p.StateMachineArn,
		"scheduleArn":       p.ScheduleArn,
		"resultsTopicArn":   p.ResultsTopicArn,
		"failureTopicArn":   p.FailureTopicArn,
		"accessPointArn":    p.AccessPointArn,
		"cashSecretArn":     p.CashSecretArn,
		"taskRoleArn":       p.TaskRoleArn,
		"configs":           p.Configs,
		"data":              p.Data,
		"models":            p.Models,
		"outputs":           p.Outputs,
	}); err != nil {
		return nil, err
	}
	return p, nil
}

// builder carries what every resource file needs.
type builder struct {
	build.Builder
	a *Args
}
