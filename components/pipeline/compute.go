package pipeline

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/internal/ecsjob"
	"github.com/aifactory/platform/components/pipeline/spec"
)

// ImageUser is the image's non-root user (factory/image.User, distroless's
// "nonroot"); the task runs as it even if an image said otherwise.
const ImageUser = ecsjob.ImageUser

// ScratchPath is the task's only writable path: a volume on the task's
// encrypted ephemeral storage. The root file system is read-only and the
// optimiser writes its results to S3.
const ScratchPath = ecsjob.ScratchPath

// Environment variables the optimiser reads (optimiser/cmd/optimiser).
// The cash secret's id is passed as --cash-secret by the workflow rather
// than as OPTIMISER_CASH_SECRET_ID: it is an id, not a credential, but a
// variable named *SECRET* in plain environment is what the policy pack
// (ecs-task-hardened) refuses, and rightly cannot tell apart.
const (
	EnvImageDigest = "OPTIMISER_IMAGE_DIGEST"
	EnvRequireCash = "OPTIMISER_REQUIRE_CASH"
)

// The container definition as Go values (components/internal/ecsjob, shared
// with the cleanup job); its JSON is what ECS receives.
type (
	ContainerDefinition = ecsjob.ContainerDefinition
	KeyValue            = ecsjob.KeyValue
	MountPoint          = ecsjob.MountPoint
	LogConfiguration    = ecsjob.LogConfiguration
)

// OptimiserContainer is the task's only container: the image by digest, as
// the non-root user, on a read-only root file system with a scratch
// volume, logging to the task log group. Its default command only prints
// the version; every run gives its own command (the workflow's
// ContainerOverrides).
func OptimiserContainer(img spec.Image, logGroup, region string) ContainerDefinition {
	return ecsjob.Container{
		Name:    ContainerName,
		Image:   img,
		Command: []string{"version"},
		Environment: []KeyValue{
			// Recorded in every metadata.json, next to the code version.
			{Name: EnvImageDigest, Value: img.Digest},
			// A country without a cash figure fails instead of being
			// recommended without its cash safety net.
			{Name: EnvRequireCash, Value: "true"},
		},
		LogGroup: logGroup,
		Region:   region,
	}.Definition()
}

// compute is what runs the optimiser.
type compute struct {
	clusterArn     pulumi.StringOutput
	taskDefinition *ecs.TaskDefinition
	taskRole       *iam.Role
	executionRole  *iam.Role
	securityGroup  *ec2.SecurityGroup
}

// roles creates the task role (the optimiser's own calls: its inputs, its
// outputs, the cash secret) and the execution role (ECS pulling the image
// and shipping the logs), separately, each with a policy of its own.
func (b *builder) roles() (task, execution *iam.Role, err error) {
	a := b.a
	trust, err := TaskTrustPolicy(a.Scope).JSON()
	if err != nil {
		return nil, nil, err
	}
	task, err = iam.NewRole(b.Ctx, b.Child("task"), &iam.RoleArgs{
		Name:             pulumi.String(TaskRoleName(a.Scope)),
		Description:      pulumi.String("Weekly jackpot optimiser task: reads its inputs through its access point, writes its outputs, reads the cash secret"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.Parent)
	if err != nil {
		return nil, nil, err
	}
	execution, err = iam.NewRole(b.Ctx, b.Child("execution"), &iam.RoleArgs{
		Name:             pulumi.String(ExecutionRoleName(a.Scope)),
		Description:      pulumi.String("ECS agent for the weekly jackpot optimiser: pulls its image, writes its logs"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.Parent)
	if err != nil {
		return nil, nil, err
	}
	policy, err := ExecutionRolePolicy(a.Scope).JSON()
	if err != nil {
		return nil, nil, err
	}
	if _, err := iam.NewRolePolicy(b.Ctx, b.Child("execution"), &iam.RolePolicyArgs{
		Role:   execution.ID(),
		Policy: pulumi.String(policy),
	}, b.Parent); err != nil {
		return nil, nil, err
	}
	return task, execution, nil
}

func (b *builder) compute(task, execution *iam.Role, in *pipelineInputs) (*compute, error) {
	a := b.a
	c := &compute{taskRole: task, executionRole: execution}

	taskPolicy := pulumi.All(a.ModelsBucketName, a.DataKeyArn, a.PipelineKeyArn, in.cashSecret.Arn).ApplyT(func(v []any) (string, error) {
		doc, err := TaskRolePolicy(TaskAccess{
			Scope: a.Scope, ModelsBucket: v[0].(string), DataKeyArn: v[1].(string),
			PipelineKeyArn: v[2].(string), CashSecretArn: v[3].(string),
		})
		if err != nil {
			return "", err
		}
		return doc.JSON()
	}).(pulumi.StringOutput)
	taskPolicyRes, err := iam.NewRolePolicy(b.Ctx, b.Child("task"), &iam.RolePolicyArgs{
		Role:   task.ID(),
		Policy: taskPolicy,
	}, b.Parent)
	if err != nil {
		return nil, err
	}

	cluster, err := ecs.NewCluster(b.Ctx, b.Child("cluster"), &ecs.ClusterArgs{
		Name: pulumi.String(ClusterName(a.Scope)),
		Settings: ecs.ClusterSettingArray{&ecs.ClusterSettingArgs{
			Name: pulumi.String("containerInsights"), Value: pulumi.String("enabled"),
		}},
		Configuration: &ecs.ClusterConfigurationArgs{
			ManagedStorageConfiguration: &ecs.ClusterConfigurationManagedStorageConfigurationArgs{
				// The tasks' ephemeral storage (the image, the scratch
				// volume) and any ECS-managed volume.
				FargateEphemeralStorageKmsKeyId: a.PipelineKeyArn,
				KmsKeyId:                        a.PipelineKeyArn,
			},
		},
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	// The ARN from the name, with the cluster as a dependency: the state
	// machine's definition and role are then known before the cluster is.
	c.clusterArn = cluster.Name.ApplyT(func(string) string { return ClusterARN(a.Scope) }).(pulumi.StringOutput)

	// The weekly job is interruptible, so it runs on Fargate Spot; the
	// workflow starts a country again on on-demand Fargate when Spot has no
	// capacity or takes a task back. Both providers are attached; the
	// default strategy is the primary one.
	var defaults ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArray
	for _, p := range a.Capacity.Primary {
		defaults = append(defaults, &ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs{
			CapacityProvider: pulumi.String(p.CapacityProvider),
			Weight:           pulumi.Int(p.Weight),
			Base:             pulumi.Int(p.Base),
		})
	}
	if _, err := ecs.NewClusterCapacityProviders(b.Ctx, b.Child("capacity"), &ecs.ClusterCapacityProvidersArgs{
		ClusterName:                       cluster.Name,
		CapacityProviders:                 pulumi.ToStringArray([]string{FargateSpot, Fargate}),
		DefaultCapacityProviderStrategies: defaults,
	}, b.Parent); err != nil {
		return nil, err
	}

	logGroup, err := cloudwatch.NewLogGroup(b.Ctx, b.Child("tasks"), &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(TaskLogGroupName(a.Scope)),
		KmsKeyId:        a.LogsKeyArn,
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
	}, b.Parent)
	if err != nil {
		return nil, err
	}

	img, err := spec.ParseImage(a.Image)
	if err != nil {
		return nil, err
	}
	c.taskDefinition, err = ecsjob.Task{
		Family:           TaskFamily(a.Scope),
		CPU:              a.TaskCPU,
		MemoryMiB:        a.TaskMemoryMiB,
		TaskRoleArn:      task.Arn,
		ExecutionRoleArn: execution.Arn,
		Container:        OptimiserContainer(img, TaskLogGroupName(a.Scope), a.Region),
		Workload:         Workload,
	}.New(b.Ctx, b.Child("task"), b.Parent, pulumi.DependsOn([]pulumi.Resource{logGroup, taskPolicyRes}))
	if err != nil {
		return nil, err
	}

	c.securityGroup, err = ecsjob.SecurityGroup{
		Placement:            a.Placement,
		Description:          "Weekly jackpot optimiser tasks: HTTPS to the VPC endpoints and S3 only, nothing in",
		EndpointsDescription: "HTTPS to the VPC interface endpoints (ECR, logs, Secrets Manager, KMS, STS)",
		S3Description:        "HTTPS to S3 through the gateway endpoint (image layers, inputs, outputs)",
		Name:                 a.Name("optimiser-tasks"),
	}.New(b.Ctx, b.Child("tasks"), b.Parent)
	if err != nil {
		return nil, err
	}
	return c, nil
}
