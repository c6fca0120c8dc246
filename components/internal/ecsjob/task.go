package ecsjob

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/facts/tagkeys"
)

// FamilyTag is the tag every job's task definition carries with its
// family as the value. The jobs launch their tasks with PropagateTags
// TASK_DEFINITION, so each task carries it too: a task's ARN names its
// cluster but not its family, and ecs:StopTask and ecs:DescribeTasks take
// no ecs:task-definition condition, so this resource tag
// (aws:ResourceTag/task-family) is what lets a role watch and stop one
// job's tasks and not another's in a shared cluster.
const FamilyTag = "task-family"

var workloadPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

// checkWorkload refuses a job resource without a workload tag value.
func checkWorkload(what, workload string) error {
	if !workloadPattern.MatchString(workload) {
		return fmt.Errorf("ecsjob %s: Workload %q: name the job's workload in lower case, e.g. %q, so that its cost is told apart from the other jobs'",
			what, workload, tagkeys.WorkloadWeeklyPipeline)
	}
	return nil
}

// WorkloadTags are a job resource's own tags: the workload tag. The
// stack's tagging adds the required tags.
func WorkloadTags(workload string) pulumi.StringMap {
	return pulumi.StringMap{tagkeys.Workload: pulumi.String(workload)}
}

// Task is a job's Fargate task definition.
type Task struct {
	// Family names the task definition; every revision keeps it.
	Family string
	// CPU (units, 1024 = one vCPU) and MemoryMiB size the task; a Fargate
	// combination (spec.CheckTaskSize).
	CPU       int
	MemoryMiB int
	// TaskRoleArn is the job's own role, ExecutionRoleArn the one ECS pulls
	// the image and ships the logs with: two roles, never one.
	TaskRoleArn      pulumi.StringInput
	ExecutionRoleArn pulumi.StringInput
	// Container is the task's only container.
	Container ContainerDefinition
	// Workload is the job's workload tag value (tagkeys.Workload), so that
	// its tasks' cost is told apart from the other jobs' in the same
	// cluster; the task definition carries it and a run with PropagateTags
	// TASK_DEFINITION passes it to the task.
	Workload string
}

// New registers the task definition: Fargate, awsvpc networking, Linux on
// x86-64 (the images are built for amd64 unless told otherwise), the
// scratch volume on the task's ephemeral storage.
func (t Task) New(ctx *pulumi.Context, name string, opts ...pulumi.ResourceOption) (*ecs.TaskDefinition, error) {
	if err := checkWorkload("Task", t.Workload); err != nil {
		return nil, err
	}
	containers, err := json.Marshal([]ContainerDefinition{t.Container})
	if err != nil {
		return nil, err
	}
	return ecs.NewTaskDefinition(ctx, name, &ecs.TaskDefinitionArgs{
		Family:                  pulumi.String(t.Family),
		RequiresCompatibilities: pulumi.ToStringArray([]string{"FARGATE"}),
		NetworkMode:             pulumi.String("awsvpc"),
		Cpu:                     pulumi.String(strconv.Itoa(t.CPU)),
		Memory:                  pulumi.String(strconv.Itoa(t.MemoryMiB)),
		RuntimePlatform: &ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"),
			// make image builds amd64 unless told ARCH=arm64.
			CpuArchitecture: pulumi.String("X86_64"),
		},
		TaskRoleArn:          t.TaskRoleArn,
		ExecutionRoleArn:     t.ExecutionRoleArn,
		ContainerDefinitions: pulumi.String(string(containers)),
		Volumes:              ecs.TaskDefinitionVolumeArray{&ecs.TaskDefinitionVolumeArgs{Name: pulumi.String(ScratchVolume)}},
		Tags:                 pulumi.StringMap{FamilyTag: pulumi.String(t.Family), tagkeys.Workload: pulumi.String(t.Workload)},
	}, opts...)
}

// SecurityGroup is the tasks' security group: nothing in, and out only
// HTTPS to the VPC's interface endpoints and, through the S3 gateway
// endpoint, to S3 (ECR serves image layers from S3).
type SecurityGroup struct {
	network.Placement
	// Description, EndpointsDescription and S3Description describe the
	// group and its two egress rules; Name is its Name tag.
	Description          string
	EndpointsDescription string
	S3Description        string
	Name                 string
}

// New creates the security group in the placement's VPC.
func (g SecurityGroup) New(ctx *pulumi.Context, name string, opts ...pulumi.ResourceOption) (*ec2.SecurityGroup, error) {
	return ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
		VpcId:       g.VpcID,
		Description: pulumi.String(g.Description),
		Egress: ec2.SecurityGroupEgressArray{
			&ec2.SecurityGroupEgressArgs{
				Description:    pulumi.String(g.EndpointsDescription),
				Protocol:       pulumi.String("tcp"),
				FromPort:       pulumi.Int(443),
				ToPort:         pulumi.Int(443),
				SecurityGroups: pulumi.StringArray{g.EndpointSecurityGroupID},
			},
			&ec2.SecurityGroupEgressArgs{
				Description:   pulumi.String(g.S3Description),
				Protocol:      pulumi.String("tcp"),
				FromPort:      pulumi.Int(443),
				ToPort:        pulumi.Int(443),
				PrefixListIds: pulumi.StringArray{g.S3PrefixListID},
			},
		},
		Tags: pulumi.StringMap{"Name": pulumi.String(g.Name)},
	}, opts...)
}
