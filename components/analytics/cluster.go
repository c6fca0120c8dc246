package analytics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/emr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/internal/naming"
	"github.com/aifactory/platform/components/tagging"
)

// ClusterType is the ephemeral cluster component's type token.
const ClusterType = "aifactory:analytics:EphemeralCluster"

// Bounds EMR itself sets, and the platform's defaults within them.
const (
	// MinIdleTimeout and MaxIdleTimeoutLimit are the auto-termination idle
	// timeouts EMR accepts.
	MinIdleTimeout      = time.Minute
	MaxIdleTimeoutLimit = 7 * 24 * time.Hour
	// MinSpotTimeout and MaxSpotTimeout bound how long EMR waits for Spot
	// capacity before it switches to on-demand.
	MinSpotTimeout     = 5 * time.Minute
	MaxSpotTimeout     = 24 * time.Hour
	DefaultSpotTimeout = 10 * time.Minute
	// MinTaskInstanceTypes is how many instance types a task fleet needs at
	// least: capacity-optimised Spot works by choosing among several pools.
	MinTaskInstanceTypes = 3
	// MaxFleetInstanceTypes is EMR's limit for a fleet with an allocation
	// strategy.
	MaxFleetInstanceTypes = 30
	// DefaultVolumeSizeGiB, MinVolumeSizeGiB and MaxVolumeSizeGiB size the
	// EBS data volume of every core and task node.
	DefaultVolumeSizeGiB = 64
	MinVolumeSizeGiB     = 32
	MaxVolumeSizeGiB     = 1024
	// MinReleaseLabel is the oldest EMR release the platform runs. Idle
	// auto-termination exists from 5.30.0 and 6.1.0; 6.4.0 is the platform's
	// floor so that every cluster runs Spark 3.1+ and a patched Amazon
	// Linux 2 image.
	MinReleaseLabel = "emr-6.4.0"
)

// Allocation strategies and timeout action the platform sets.
const (
	SpotAllocationStrategy     = "capacity-optimized"
	OnDemandAllocationStrategy = "lowest-price"
	SpotTimeoutAction          = "SWITCH_TO_ON_DEMAND"
	InstanceFleetUnits         = "InstanceFleetUnits"
	// VolumeType is the EBS type of the nodes' data volumes.
	VolumeType = "gp3"
)

// DefaultApplications are what EMR Studio needs to run notebooks on a
// cluster: Spark with Livy and Jupyter Enterprise Gateway on Hadoop.
func DefaultApplications() []string {
	return []string{"Hadoop", "Spark", "Livy", "JupyterEnterpriseGateway"}
}

// ClusterSpec defines an ephemeral EMR cluster a team can instantiate. It is
// read from stack config (JSON or YAML, durations as Go duration strings such
// as "45m" or "72h", ExpiresAt as RFC 3339) and used directly by Go tools.
//
// Capacity is counted in instance fleet units; every instance type weighs
// one unit, so a unit is an instance.
type ClusterSpec struct {
	// Name is DNS-safe, 2-32 characters, unique within the team.
	Name string `json:"name"`
	// ReleaseLabel is the EMR release, MinReleaseLabel or later.
	ReleaseLabel string `json:"releaseLabel"`
	// Applications to install; DefaultApplications when empty.
	Applications []string `json:"applications,omitempty"`
	// MasterInstanceTypes are the primary node's candidate types (on-demand).
	MasterInstanceTypes []string `json:"masterInstanceTypes"`
	// CoreInstanceTypes are the core nodes' candidate types (on-demand: they
	// hold HDFS, and losing one to a Spot interruption loses data).
	CoreInstanceTypes []string `json:"coreInstanceTypes"`
	// CoreCapacity is the number of core nodes, at least 1.
	CoreCapacity int `json:"coreCapacity"`
	// TaskInstanceTypes are the Spot task nodes' candidate types, at least
	// MinTaskInstanceTypes.
	TaskInstanceTypes []string `json:"taskInstanceTypes"`
	// TaskSpotCapacity is the initial number of Spot task nodes, at least 1.
	TaskSpotCapacity int `json:"taskSpotCapacity"`
	// MaxCapacity bounds managed scaling (core plus task units); at least
	// CoreCapacity+TaskSpotCapacity and within the environment's limit.
	MaxCapacity int `json:"maxCapacity"`
	// VolumeSizeGiB is each core and task node's EBS data volume;
	// DefaultVolumeSizeGiB when 0.
	VolumeSizeGiB int `json:"volumeSizeGiB,omitempty"`
	// IdleTimeout terminates the cluster after this long without work; the
	// environment's MaxIdleTimeout when 0, and never above it.
	IdleTimeout time.Duration `json:"idleTimeout,omitempty"`
	// SpotTimeout is how long EMR waits for Spot task capacity before
	// switching to on-demand; DefaultSpotTimeout when 0.
	SpotTimeout time.Duration `json:"spotTimeout,omitempty"`
	// TTL sets the expires-at tag to the deployment's reference time plus
	// TTL. Set TTL or ExpiresAt, not both.
	TTL time.Duration `json:"ttl,omitempty"`
	// ExpiresAt sets the expires-at tag directly.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// clusterSpecWire is ClusterSpec as written in config: durations are
// strings such as "45m", the expiry an RFC 3339 string. Its fields shadow the
// embedded ones of the same JSON name.
type clusterSpecWire struct {
	*clusterSpecFields
	IdleTimeout string `json:"idleTimeout,omitempty"`
	SpotTimeout string `json:"spotTimeout,omitempty"`
	TTL         string `json:"ttl,omitempty"`
	ExpiresAt   string `json:"expiresAt,omitempty"`
}

type clusterSpecFields ClusterSpec

// UnmarshalJSON reads a spec strictly: an unknown field or a malformed
// duration is an error, never ignored.
func (s *ClusterSpec) UnmarshalJSON(b []byte) error {
	fields := clusterSpecFields{}
	w := clusterSpecWire{clusterSpecFields: &fields}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("cluster spec: %w", err)
	}
	var errs []error
	parse := func(field, v string) time.Duration {
		if v == "" {
			return 0
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("cluster spec %q: %s %q is not a duration such as \"45m\" or \"72h\"", fields.Name, field, v))
		}
		return d
	}
	fields.IdleTimeout = parse("idleTimeout", w.IdleTimeout)
	fields.SpotTimeout = parse("spotTimeout", w.SpotTimeout)
	fields.TTL = parse("ttl", w.TTL)
	if w.ExpiresAt != "" {
		at, err := time.Parse(time.RFC3339, w.ExpiresAt)
		if err != nil {
			errs = append(errs, fmt.Errorf("cluster spec %q: expiresAt %q is not an RFC 3339 time such as \"2025-06-30T18:00:00Z\"", fields.Name, w.ExpiresAt))
		}
		fields.ExpiresAt = at
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	*s = ClusterSpec(fields)
	return nil
}

// MarshalJSON writes durations as Go duration strings, the form UnmarshalJSON reads.
func (s ClusterSpec) MarshalJSON() ([]byte, error) {
	fields := clusterSpecFields(s)
	expiresAt := ""
	if !s.ExpiresAt.IsZero() {
		expiresAt = s.ExpiresAt.Format(time.RFC3339Nano)
	}
	format := func(d time.Duration) string {
		if d == 0 {
			return ""
		}
		return d.String()
	}
	return json.Marshal(clusterSpecWire{
		clusterSpecFields: &fields,
		IdleTimeout:       format(s.IdleTimeout),
		SpotTimeout:       format(s.SpotTimeout),
		TTL:               format(s.TTL),
		ExpiresAt:         expiresAt,
	})
}

// Limits are the environment's bounds on every cluster.
type Limits struct {
	// MaxIdleTimeout is the longest idle timeout a cluster may set, between
	// MinIdleTimeout and MaxIdleTimeoutLimit.
	MaxIdleTimeout time.Duration
	// AllowedInstanceTypes lists every instance type a fleet may use.
	AllowedInstanceTypes []string
	// MaxCapacityUnits bounds each cluster's managed-scaling maximum.
	MaxCapacityUnits int
}

var (
	namePattern         = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)
	releasePattern      = regexp.MustCompile(`^emr-(\d+)\.(\d+)\.(\d+)$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	applicationPattern  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)
)

func (l Limits) validate() error {
	var errs []error
	if l.MaxIdleTimeout < MinIdleTimeout || l.MaxIdleTimeout > MaxIdleTimeoutLimit {
		errs = append(errs, fmt.Errorf("MaxIdleTimeout %s: set the environment's bound between %s and %s", l.MaxIdleTimeout, MinIdleTimeout, MaxIdleTimeoutLimit))
	}
	if len(l.AllowedInstanceTypes) == 0 {
		errs = append(errs, errors.New("AllowedInstanceTypes: list the instance types the environment may use; an empty list would allow none"))
	}
	for _, t := range l.AllowedInstanceTypes {
		if !instanceTypePattern.MatchString(t) {
			errs = append(errs, fmt.Errorf("AllowedInstanceTypes: %q is not an instance type such as \"m6i.xlarge\"", t))
		}
	}
	if l.MaxCapacityUnits < 2 {
		errs = append(errs, fmt.Errorf("MaxCapacityUnits %d: set the environment's bound on a cluster's size, at least 2 (one core and one Spot task node)", l.MaxCapacityUnits))
	}
	return errors.Join(errs...)
}

// WithDefaults returns the spec with the platform's defaults filled in for
// the fields left empty.
func (s ClusterSpec) WithDefaults(l Limits) ClusterSpec {
	if len(s.Applications) == 0 {
		s.Applications = DefaultApplications()
	}
	if s.VolumeSizeGiB == 0 {
		s.VolumeSizeGiB = DefaultVolumeSizeGiB
	}
	if s.IdleTimeout == 0 {
		s.IdleTimeout = l.MaxIdleTimeout
	}
	if s.SpotTimeout == 0 {
		s.SpotTimeout = DefaultSpotTimeout
	}
	return s
}

// Validate checks the spec, with its defaults filled in, against EMR's
// rules and the environment's limits. now is the deployment's reference
// time for TTLs; it may be zero when the spec sets ExpiresAt.
func (s ClusterSpec) Validate(l Limits, now time.Time) error {
	if err := l.validate(); err != nil {
		return err
	}
	s = s.WithDefaults(l)
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if !namePattern.MatchString(s.Name) {
		fail("Name %q: use 2-32 lower-case letters, digits and hyphens, starting with a letter", s.Name)
	}
	if !releaseAtLeast(s.ReleaseLabel, MinReleaseLabel) {
		fail("ReleaseLabel %q: use %s or later, the oldest release the platform runs, written as \"emr-7.2.0\"", s.ReleaseLabel, MinReleaseLabel)
	}
	for _, app := range s.Applications {
		if !applicationPattern.MatchString(app) {
			fail("Applications: %q is not an EMR application name such as \"Spark\"", app)
		}
	}
	errs = append(errs, checkFleet("MasterInstanceTypes", s.MasterInstanceTypes, 1, l.AllowedInstanceTypes)...)
	errs = append(errs, checkFleet("CoreInstanceTypes", s.CoreInstanceTypes, 1, l.AllowedInstanceTypes)...)
	errs = append(errs, checkFleet("TaskInstanceTypes", s.TaskInstanceTypes, MinTaskInstanceTypes, l.AllowedInstanceTypes)...)
	if s.CoreCapacity < 1 {
		fail("CoreCapacity %d: set at least 1 core node", s.CoreCapacity)
	}
	if s.TaskSpotCapacity < 1 {
		fail("TaskSpotCapacity %d: set at least 1; task capacity runs on Spot", s.TaskSpotCapacity)
	}
	if s.MaxCapacity < s.CoreCapacity+s.TaskSpotCapacity {
		fail("MaxCapacity %d: set at least CoreCapacity+TaskSpotCapacity (%d) so managed scaling can keep the initial size", s.MaxCapacity, s.CoreCapacity+s.TaskSpotCapacity)
	}
	if s.MaxCapacity > l.MaxCapacityUnits {
		fail("MaxCapacity %d exceeds the environment's limit of %d units; lower it", s.MaxCapacity, l.MaxCapacityUnits)
	}
	if s.VolumeSizeGiB < MinVolumeSizeGiB || s.VolumeSizeGiB > MaxVolumeSizeGiB {
		fail("VolumeSizeGiB %d: use %d to %d", s.VolumeSizeGiB, MinVolumeSizeGiB, MaxVolumeSizeGiB)
	}
	switch {
	case s.IdleTimeout < MinIdleTimeout:
		fail("IdleTimeout %s: EMR needs at least %s", s.IdleTimeout, MinIdleTimeout)
	case s.IdleTimeout > l.MaxIdleTimeout:
		fail("IdleTimeout %s exceeds the environment's MaxIdleTimeout %s; lower it so idle clusters terminate sooner", s.IdleTimeout, l.MaxIdleTimeout)
	case s.IdleTimeout%time.Second != 0:
		fail("IdleTimeout %s: use whole seconds", s.IdleTimeout)
	}
	if s.SpotTimeout < MinSpotTimeout || s.SpotTimeout > MaxSpotTimeout || s.SpotTimeout%time.Minute != 0 {
		fail("SpotTimeout %s: use whole minutes between %s and %s", s.SpotTimeout, MinSpotTimeout, MaxSpotTimeout)
	}
	if _, err := s.Expiry(now); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cluster %q: %w", s.Name, err)
	}
	return nil
}

// Expiry is the time the expires-at tag carries: ExpiresAt, or now plus
// TTL, in UTC to the second. It never reads the clock: previews of the same
// inputs always produce the same tag.
func (s ClusterSpec) Expiry(now time.Time) (time.Time, error) {
	switch {
	case !s.ExpiresAt.IsZero() && s.TTL != 0:
		return time.Time{}, errors.New("TTL and ExpiresAt: set one, not both")
	case !s.ExpiresAt.IsZero():
		if !now.IsZero() && !s.ExpiresAt.After(now) {
			return time.Time{}, fmt.Errorf("ExpiresAt %s is not after the reference time %s; move it forward or remove the cluster",
				s.ExpiresAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		return s.ExpiresAt.UTC().Truncate(time.Second), nil
	case s.TTL < 0:
		return time.Time{}, fmt.Errorf("TTL %s: use a positive duration such as \"72h\"", s.TTL)
	case s.TTL > 0 && now.IsZero():
		return time.Time{}, errors.New("TTL needs a reference time (Now): pass it in the args, or set ExpiresAt instead")
	case s.TTL > 0:
		return now.Add(s.TTL).UTC().Truncate(time.Second), nil
	default:
		return time.Time{}, errors.New("TTL or ExpiresAt: set one; ephemeral compute always carries an expires-at tag")
	}
}

func checkFleet(field string, types []string, minTypes int, allowed []string) []error {
	var errs []error
	if len(types) < minTypes || len(types) > MaxFleetInstanceTypes {
		errs = append(errs, fmt.Errorf("%s: list %d to %d instance types, %d given", field, minTypes, MaxFleetInstanceTypes, len(types)))
	}
	seen := map[string]bool{}
	for _, t := range types {
		if seen[t] {
			errs = append(errs, fmt.Errorf("%s: %q is listed twice", field, t))
		}
		seen[t] = true
		if !slices.Contains(allowed, t) {
			errs = append(errs, fmt.Errorf("%s: %q is not in the environment's AllowedInstanceTypes %v", field, t, allowed))
		}
	}
	return errs
}

// releaseAtLeast reports whether label is a well-formed EMR release label
// no older than minimum.
func releaseAtLeast(label, minimum string) bool {
	parse := func(l string) ([3]int, bool) {
		m := releasePattern.FindStringSubmatch(l)
		if m == nil {
			return [3]int{}, false
		}
		var v [3]int
		for i := range v {
			n, err := strconv.Atoi(m[i+1])
			if err != nil {
				return [3]int{}, false
			}
			v[i] = n
		}
		return v, true
	}
	got, ok := parse(label)
	want, _ := parse(minimum)
	return ok && slices.Compare(got[:], want[:]) >= 0
}

// ClusterArgs configures one ephemeral cluster. Studio.ClusterArgs fills
// every field but Spec from the Studio's shared resources.
type ClusterArgs struct {
	// Prefix and Team name the cluster "<Prefix>-<Team>-<Spec.Name>".
	Prefix string
	Team   string
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
	if err := naming.CheckPrefix(a.Prefix); err != nil {
		errs = append(errs, err)
	}
	if !namePattern.MatchString(a.Team) {
		errs = append(errs, fmt.Errorf("Team %q: use the team's DNS-safe name", a.Team))
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
	clusterName := fmt.Sprintf("%s-%s-%s", args.Prefix, args.Team, spec.Name)

	c := &EphemeralCluster{}
	if err := ctx.RegisterComponentResource(ClusterType, name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	tags := args.Tags.Merge(tagging.Set{tagging.ExpiresAt: expiresAt, "Name": clusterName})

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
