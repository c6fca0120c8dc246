package analytics

import (
	"errors"
	"fmt"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/emr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/facts/tagkeys"
)

// ClusterType is the ephemeral cluster component's type token.
const ClusterType = "aifactory:analytics:EphemeralCluster"

// Allocation strategies and timeout action the platform sets.
const (
	SpotAllocationStrategy     = "capacity-optimized"
	OnDemandAllocationStrategy = "lowest-price"
	SpotTimeoutAction          = "SWITCH_TO_ON_DEMAND"
	InstanceFleetUnits         = "InstanceFleetUnits"
	// VolumeType is the EBS type of the nodes' data volumes.
	VolumeType = "gp3"
)

// ClusterArgs configures one ephemeral cluster. Studio.ClusterArgs fills
// every field but Spec from the Studio's shared resources.
type ClusterArgs struct {
	// Scope and Team name the cluster "<Prefix>-<Team>-<Spec.Name>".
	scope.Scope
	Team string
	// Tags are the team's required tags; the cluster adds expires-at.
	Tags tagging.Set
	// Spec defines the cluster.
	Spec ClusterSpec
	// Limits are the environment's bounds.
	Limits Limits
	// Now is the reference time TTLs count from. Pass a value from stack
	// config, never the clock, so that previews are stable.
	Now time.Time
	// SubnetIDs are private subnets; EMR picks the one with the best
	// capacity for the fleets.
	SubnetIDs pulumi.StringArrayInput
	// MasterSecurityGroupID, CoreSecurityGroupID and
	// ServiceAccessSecurityGroupID are the EMR-managed security groups.
	MasterSecurityGroupID        pulumi.StringInput
	CoreSecurityGroupID          pulumi.StringInput
	ServiceAccessSecurityGroupID pulumi.StringInput
	// ServiceRoleArn is the EMR service role; InstanceProfileArn the nodes'.
	ServiceRoleArn     pulumi.StringInput
	InstanceProfileArn pulumi.StringInput
	// SecurityConfigurationName is the EMR security configuration to attach.
	SecurityConfigurationName pulumi.StringInput
	// LogBucketName receives the logs under emr/<Team>/, encrypted with LogsKeyArn.
	LogBucketName pulumi.StringInput
	LogsKeyArn    pulumi.StringInput
	// DependsOn are resources the cluster needs before it starts, such as
	// the policies of its roles.
	DependsOn []pulumi.Resource
}

func (a *ClusterArgs) validate() error {
	var errs []error
	if err := a.Scope.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := scope.CheckTeamName("Team", a.Team); err != nil {
		errs = append(errs, err)
	}
	if err := checkTeamTags(a.Team, a.Tags); err != nil {
		errs = append(errs, err)
	}
	for _, input := range []struct {
		field   string
		missing bool
	}{
		{"SubnetIDs", a.SubnetIDs == nil},
		{"MasterSecurityGroupID", a.MasterSecurityGroupID == nil},
		{"CoreSecurityGroupID", a.CoreSecurityGroupID == nil},
		{"ServiceAccessSecurityGroupID", a.ServiceAccessSecurityGroupID == nil},
		{"ServiceRoleArn", a.ServiceRoleArn == nil},
		{"InstanceProfileArn", a.InstanceProfileArn == nil},
		{"SecurityConfigurationName", a.SecurityConfigurationName == nil},
		{"LogBucketName", a.LogBucketName == nil},
		{"LogsKeyArn", a.LogsKeyArn == nil},
	} {
		if input.missing {
			errs = append(errs, fmt.Errorf("%s is required: every cluster runs privately, encrypted and logged", input.field))
		}
	}
	if err := a.Spec.Validate(a.Limits, a.Now); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// EphemeralCluster is an EMR cluster that runs on Spot task capacity and
// terminates itself when idle.
type EphemeralCluster struct {
	pulumi.ResourceState

	ClusterID   pulumi.StringOutput `pulumi:"clusterId"`
	ClusterName pulumi.StringOutput `pulumi:"clusterName"`
	ClusterArn  pulumi.StringOutput `pulumi:"clusterArn"`
	ExpiresAt   pulumi.StringOutput `pulumi:"expiresAt"`
}

// NewEphemeralCluster creates the cluster, its Spot task fleet and its
// managed scaling policy.
func NewEphemeralCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*EphemeralCluster, error) {
	if args == nil {
		return nil, errors.New("analytics cluster: args are required")
	}
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("analytics cluster %q: %w", name, err)
	}
	spec := args.Spec.WithDefaults(args.Limits)
	expiry, err := spec.Expiry(args.Now)
	if err != nil {
		return nil, err
	}
	expiresAt := expiry.Format(time.RFC3339)
	clusterName := args.Name(args.Team, spec.Name)

	c := &EphemeralCluster{}
	if err := ctx.RegisterComponentResource(ClusterType, name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	tags := args.Tags.Merge(tagging.Set{tagkeys.ExpiresAt: expiresAt, "Name": clusterName})

	var masterTypes emr.ClusterMasterInstanceFleetInstanceTypeConfigArray
	for _, t := range spec.MasterInstanceTypes {
		masterTypes = append(masterTypes, &emr.ClusterMasterInstanceFleetInstanceTypeConfigArgs{
			InstanceType:     pulumi.String(t),
			WeightedCapacity: pulumi.Int(1),
		})
	}
	var coreTypes emr.ClusterCoreInstanceFleetInstanceTypeConfigArray
	for _, t := range spec.CoreInstanceTypes {
		coreTypes = append(coreTypes, &emr.ClusterCoreInstanceFleetInstanceTypeConfigArgs{
			InstanceType:     pulumi.String(t),
			WeightedCapacity: pulumi.Int(1),
			EbsConfigs: emr.ClusterCoreInstanceFleetInstanceTypeConfigEbsConfigArray{&emr.ClusterCoreInstanceFleetInstanceTypeConfigEbsConfigArgs{
				Size: pulumi.Int(spec.VolumeSizeGiB), Type: pulumi.String(VolumeType), VolumesPerInstance: pulumi.Int(1),
			}},
		})
	}

	cluster, err := emr.NewCluster(ctx, name, &emr.ClusterArgs{
		Name:         pulumi.String(clusterName),
		ReleaseLabel: pulumi.String(spec.ReleaseLabel),
		Applications: pulumi.ToStringArray(spec.Applications),
		ServiceRole:  args.ServiceRoleArn,
		// The security configuration encrypts S3 objects, local disks and
		// EBS volumes and requires IMDSv2.
		SecurityConfiguration: args.SecurityConfigurationName,
		LogUri:                pulumi.Sprintf("s3://%s/%s", args.LogBucketName, TeamLogPrefix(args.Team)),
		LogEncryptionKmsKeyId: args.LogsKeyArn,
		Ec2Attributes: &emr.ClusterEc2AttributesArgs{
			SubnetIds:                     args.SubnetIDs,
			EmrManagedMasterSecurityGroup: args.MasterSecurityGroupID,
			EmrManagedSlaveSecurityGroup:  args.CoreSecurityGroupID,
			// EMR accepts a service access group only for private
			// subnets: a public subnet fails the launch instead of
			// handing out public addresses.
			ServiceAccessSecurityGroup: args.ServiceAccessSecurityGroupID,
			InstanceProfile:            args.InstanceProfileArn,
			// No key pair: nobody logs in to the nodes.
		},
		MasterInstanceFleet: &emr.ClusterMasterInstanceFleetArgs{
			Name:                   pulumi.String("primary"),
			TargetOnDemandCapacity: pulumi.Int(1),
			TargetSpotCapacity:     pulumi.Int(0),
			InstanceTypeConfigs:    masterTypes,
			LaunchSpecifications: &emr.ClusterMasterInstanceFleetLaunchSpecificationsArgs{
				OnDemandSpecifications: emr.ClusterMasterInstanceFleetLaunchSpecificationsOnDemandSpecificationArray{
					&emr.ClusterMasterInstanceFleetLaunchSpecificationsOnDemandSpecificationArgs{AllocationStrategy: pulumi.String(OnDemandAllocationStrategy)},
				},
			},
		},
		CoreInstanceFleet: &emr.ClusterCoreInstanceFleetArgs{
			Name:                   pulumi.String("core"),
			TargetOnDemandCapacity: pulumi.Int(spec.CoreCapacity),
			TargetSpotCapacity:     pulumi.Int(0),
			InstanceTypeConfigs:    coreTypes,
			LaunchSpecifications: &emr.ClusterCoreInstanceFleetLaunchSpecificationsArgs{
				OnDemandSpecifications: emr.ClusterCoreInstanceFleetLaunchSpecificationsOnDemandSpecificationArray{
					&emr.ClusterCoreInstanceFleetLaunchSpecificationsOnDemandSpecificationArgs{AllocationStrategy: pulumi.String(OnDemandAllocationStrategy)},
				},
			},
		},
		AutoTerminationPolicy: &emr.ClusterAutoTerminationPolicyArgs{
			IdleTimeout: pulumi.Int(int(spec.IdleTimeout / time.Second)),
		},
		// Interactive clusters wait for work; the idle timeout, not the end
		// of the last step, ends them.
		KeepJobFlowAliveWhenNoSteps: pulumi.Bool(true),
		TerminationProtection:       pulumi.Bool(false),
		UnhealthyNodeReplacement:    pulumi.Bool(true),
		ScaleDownBehavior:           pulumi.String("TERMINATE_AT_TASK_COMPLETION"),
		Tags:                        tags.StringMap(),
	}, parent, pulumi.DependsOn(args.DependsOn))
	if err != nil {
		return nil, err
	}

	var taskTypes emr.InstanceFleetInstanceTypeConfigArray
	for _, t := range spec.TaskInstanceTypes {
		taskTypes = append(taskTypes, &emr.InstanceFleetInstanceTypeConfigArgs{
			InstanceType:     pulumi.String(t),
			WeightedCapacity: pulumi.Int(1),
			EbsConfigs: emr.InstanceFleetInstanceTypeConfigEbsConfigArray{&emr.InstanceFleetInstanceTypeConfigEbsConfigArgs{
				Size: pulumi.Int(spec.VolumeSizeGiB), Type: pulumi.String(VolumeType), VolumesPerInstance: pulumi.Int(1),
			}},
		})
	}
	if _, err := emr.NewInstanceFleet(ctx, name+"-task", &emr.InstanceFleetArgs{
		ClusterId:              cluster.ID(),
		Name:                   pulumi.String("task-spot"),
		TargetOnDemandCapacity: pulumi.Int(0),
		TargetSpotCapacity:     pulumi.Int(spec.TaskSpotCapacity),
		InstanceTypeConfigs:    taskTypes,
		LaunchSpecifications: &emr.InstanceFleetLaunchSpecificationsArgs{
			SpotSpecifications: emr.InstanceFleetLaunchSpecificationsSpotSpecificationArray{&emr.InstanceFleetLaunchSpecificationsSpotSpecificationArgs{
				AllocationStrategy:     pulumi.String(SpotAllocationStrategy),
				TimeoutAction:          pulumi.String(SpotTimeoutAction),
				TimeoutDurationMinutes: pulumi.Int(int(spec.SpotTimeout / time.Minute)),
			}},
		},
	}, parent); err != nil {
		return nil, err
	}

	// Core capacity stays on-demand and fixed; everything managed scaling
	// adds beyond it is Spot task capacity.
	if _, err := emr.NewManagedScalingPolicy(ctx, name+"-scaling", &emr.ManagedScalingPolicyArgs{
		ClusterId: cluster.ID(),
		ComputeLimits: emr.ManagedScalingPolicyComputeLimitArray{&emr.ManagedScalingPolicyComputeLimitArgs{
			UnitType:                     pulumi.String(InstanceFleetUnits),
			MinimumCapacityUnits:         pulumi.Int(spec.CoreCapacity),
			MaximumCapacityUnits:         pulumi.Int(spec.MaxCapacity),
			MaximumCoreCapacityUnits:     pulumi.Int(spec.CoreCapacity),
			MaximumOndemandCapacityUnits: pulumi.Int(spec.CoreCapacity),
		}},
	}, parent); err != nil {
		return nil, err
	}

	c.ClusterID = cluster.ID().ToStringOutput()
	c.ClusterName = cluster.Name
	c.ClusterArn = cluster.Arn
	c.ExpiresAt = pulumi.String(expiresAt).ToStringOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"clusterId":   c.ClusterID,
		"clusterName": c.ClusterName,
		"clusterArn":  c.ClusterArn,
		"expiresAt":   c.ExpiresAt,
	}); err != nil {
		return nil, err
	}
	return c, nil
}
