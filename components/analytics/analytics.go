// Package analytics provides heavy analytics for data-science teams on EMR:
// an EMR Studio where each team works in notebooks scoped to its own data,
// and ephemeral EMR clusters that run their task capacity on Spot and
// terminate themselves when idle.
//
// Everything a cluster needs to be compliant is decided here, not by the
// team: private subnets without public addresses, an EMR security
// configuration that encrypts S3 objects, local disks and EBS volumes with
// the data key, KMS-encrypted logs in the log bucket, least-privilege roles
// per team, an idle timeout bounded by the environment, an expires-at tag,
// and the account's EMR block-public-access setting.
package analytics

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/emr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/internal/naming"
	"github.com/aifactory/platform/components/tagging"
)

// Type is the Studio component's type token.
const Type = "aifactory:analytics:EmrStudio"

// Ports of EMR Studio's network path: workspaces reach the cluster's
// Jupyter Enterprise Gateway proxy on 18888 and AWS APIs on 443.
const (
	StudioEnginePort = 18888
	HTTPSPort        = 443
)

// AuthMode is how users sign in to the Studio.
type AuthMode string

// Authentication modes. In IAM mode users open the Studio with their own
// IAM identities, so each team's policy is attached to the team's IAM roles
// or groups. In SSO mode (IAM Identity Center) they assume the Studio user
// role, and a session mapping applies the team's policy as a session policy.
// EMR accepts a user role and session mappings only in SSO mode.
const (
	AuthIAM AuthMode = "IAM"
	AuthSSO AuthMode = "SSO"
)

// IdentityType names the kind of identity a team's Studio access is given to.
type IdentityType string

// Identity types. GROUP and USER are IAM Identity Center identities in SSO
// mode; GROUP and ROLE are IAM groups and roles in IAM mode. The platform
// never attaches anything to IAM users.
const (
	IdentityGroup IdentityType = "GROUP"
	IdentityUser  IdentityType = "USER"
	IdentityRole  IdentityType = "ROLE"
)

// Identity is a user, group or role of a team.
type Identity struct {
	Type IdentityType `json:"type"`
	// Name is the IAM Identity Center user or group name (SSO mode) or the
	// IAM group or role name, not ARN (IAM mode).
	Name string `json:"name"`
}

// Team is a data-science team using the Studio.
type Team struct {
	// Name is DNS-safe, 2-32 characters; it scopes the team's data prefix
	// teams/<Name>/, its log prefix emr/<Name>/ and its clusters' team tag.
	Name string
	// Tags are the team's required tags; Tags["team"] must equal Name.
	Tags tagging.Set
	// Identities get the team's Studio access: a session mapping each in
	// SSO mode, a policy attachment each in IAM mode.
	Identities []Identity
	// AccessPointArn, when set, is the team's S3 access point on the data
	// bucket; the team's policies then allow its prefix through it too.
	AccessPointArn pulumi.StringInput
	// Clusters are the team's ephemeral clusters.
	Clusters []ClusterSpec
}

// Args configures the Studio, its shared resources and the teams' clusters.
type Args struct {
	// Prefix names resources, e.g. "aifactory-dev".
	Prefix string
	// Environment is the stack's environment (dev, staging, prod).
	Environment string
	// AccountID, Region and Partition scope the policies.
	AccountID string
	Region    string
	Partition string
	// VpcID and SubnetIDs are the private network the Studio and the
	// clusters run in. The subnets must carry the tag
	// for-use-with-amazon-emr-managed-policies=true (see ManagedPolicyTag).
	VpcID     pulumi.StringInput
	SubnetIDs pulumi.StringArrayInput
	// EndpointSecurityGroupID is the interface endpoints' group and
	// S3PrefixListID the S3 gateway endpoint's prefix list: the only HTTPS
	// destinations of workspaces.
	EndpointSecurityGroupID pulumi.StringInput
	S3PrefixListID          pulumi.StringInput
	// DataKeyArn encrypts EMRFS objects, local disks, EBS volumes and Studio
	// workspaces; LogsKeyArn encrypts cluster logs.
	DataKeyArn pulumi.StringInput
	LogsKeyArn pulumi.StringInput
	// DataBucketName holds the teams' data (teams/<team>/) and the Studio's
	// default workspace location (emr-studio/). LogBucketName receives
	// cluster logs under emr/<team>/.
	DataBucketName pulumi.StringInput
	LogBucketName  pulumi.StringInput
	// Teams use the Studio; at least one.
	Teams []Team
	// AuthMode is AuthIAM (the default) or AuthSSO.
	AuthMode AuthMode
	// MaxIdleTimeout is the environment's bound on a cluster's idle timeout.
	MaxIdleTimeout time.Duration
	// AllowedInstanceTypes are the instance types clusters may use.
	AllowedInstanceTypes []string
	// MaxCapacityUnits is the environment's bound on a cluster's size.
	MaxCapacityUnits int
	// Now is the reference time cluster TTLs count from. Pass a value from
	// stack config, never the clock, so that previews are stable. Needed
	// only when a cluster sets a TTL rather than ExpiresAt.
	Now time.Time
	// TLSCertificatesS3Object, when set, is an s3:// URL of a zip of PEM
	// certificates and turns on in-transit encryption (EMR has no in-transit
	// mode without certificates).
	TLSCertificatesS3Object string
	// PermissionsBoundaryArn, when set, bounds the Studio user role and the
	// teams' instance roles.
	PermissionsBoundaryArn pulumi.StringInput
}

// Studio is the EMR Studio component.
type Studio struct {
	pulumi.ResourceState

	StudioID                  pulumi.StringOutput `pulumi:"studioId"`
	StudioURL                 pulumi.StringOutput `pulumi:"studioUrl"`
	StudioArn                 pulumi.StringOutput `pulumi:"studioArn"`
	SecurityConfigurationName pulumi.StringOutput `pulumi:"securityConfigurationName"`
	WorkspaceSecurityGroupID  pulumi.StringOutput `pulumi:"workspaceSecurityGroupId"`
	EngineSecurityGroupID     pulumi.StringOutput `pulumi:"engineSecurityGroupId"`
	ClusterServiceRoleArn     pulumi.StringOutput `pulumi:"clusterServiceRoleArn"`
	// ClusterIDs is keyed by "<team>/<cluster name>".
	ClusterIDs pulumi.StringMapOutput `pulumi:"clusterIds"`
	// TeamPolicyArns and InstanceProfileArns are keyed by team name.
	TeamPolicyArns      pulumi.StringMapOutput `pulumi:"teamPolicyArns"`
	InstanceProfileArns pulumi.StringMapOutput `pulumi:"instanceProfileArns"`

	// What ClusterArgs wires into every cluster.
	args                      Args
	teams                     map[string]*teamResources
	securityConfigurationName pulumi.StringOutput
	clusterServiceRoleArn     pulumi.StringOutput
	// clusterDependencies must exist before any cluster starts.
	clusterDependencies []pulumi.Resource
}

// teamResources are a team's share of the cluster infrastructure.
type teamResources struct {
	team                 Team
	instanceProfileArn   pulumi.StringOutput
	masterGroupID        pulumi.StringOutput
	coreGroupID          pulumi.StringOutput
	serviceAccessGroupID pulumi.StringOutput
	dependencies         []pulumi.Resource
}

var (
	environmentPattern = regexp.MustCompile(`^[a-z][a-z0-9]{1,15}$`)
)

func (a *Args) authMode() AuthMode {
	if a.AuthMode == "" {
		return AuthIAM
	}
	return a.AuthMode
}

func (a *Args) limits() Limits {
	return Limits{MaxIdleTimeout: a.MaxIdleTimeout, AllowedInstanceTypes: a.AllowedInstanceTypes, MaxCapacityUnits: a.MaxCapacityUnits}
}

func (a *Args) validate() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := naming.CheckPrefix(a.Prefix); err != nil {
		errs = append(errs, err)
	}
	if !environmentPattern.MatchString(a.Environment) {
		fail("Environment %q: use the stack's environment, such as \"dev\"", a.Environment)
	}
	if !naming.IsAccountID(a.AccountID) || a.Region == "" || a.Partition == "" {
		fail("AccountID (12 digits), Region and Partition are required to scope the policies")
	}
	for _, input := range []struct {
		field   string
		missing bool
	}{
		{"VpcID", a.VpcID == nil}, {"SubnetIDs", a.SubnetIDs == nil},
		{"EndpointSecurityGroupID", a.EndpointSecurityGroupID == nil}, {"S3PrefixListID", a.S3PrefixListID == nil},
		{"DataKeyArn", a.DataKeyArn == nil}, {"LogsKeyArn", a.LogsKeyArn == nil},
		{"DataBucketName", a.DataBucketName == nil}, {"LogBucketName", a.LogBucketName == nil},
	} {
		if input.missing {
			fail("%s is required: the Studio and its clusters run only in the private network, encrypted and logged", input.field)
		}
	}
	mode := a.authMode()
	if mode != AuthIAM && mode != AuthSSO {
		fail("AuthMode %q: use %q or %q", a.AuthMode, AuthIAM, AuthSSO)
	}
	if a.TLSCertificatesS3Object != "" && !strings.HasPrefix(a.TLSCertificatesS3Object, "s3://") {
		fail("TLSCertificatesS3Object %q: give the s3:// URL of the zip of PEM certificates", a.TLSCertificatesS3Object)
	}
	if err := a.limits().validate(); err != nil {
		errs = append(errs, err)
	}
	if len(a.Teams) == 0 {
		fail("Teams: list at least one team; a Studio nobody may use is a cost without a purpose")
	}
	seen := map[string]bool{}
	for i, t := range a.Teams {
		where := fmt.Sprintf("Teams[%d] (%s)", i, t.Name)
		if !namePattern.MatchString(t.Name) {
			fail("%s: Name %q: use 2-32 lower-case letters, digits and hyphens, starting with a letter", where, t.Name)
		}
		if seen[t.Name] {
			fail("%s: team %q is listed twice", where, t.Name)
		}
		seen[t.Name] = true
		if err := checkTeamTags(t.Name, t.Tags); err != nil {
			fail("%s: %v", where, err)
		}
		errs = append(errs, CheckIdentities(where, mode, t.Identities)...)
		clusters := map[string]bool{}
		for _, c := range t.Clusters {
			if clusters[c.Name] {
				fail("%s: cluster %q is defined twice", where, c.Name)
			}
			clusters[c.Name] = true
			// The bounds are reported once above, not for every cluster.
			if a.limits().validate() != nil {
				continue
			}
			if err := c.Validate(a.limits(), a.Now); err != nil {
				fail("%s: %w", where, err)
			}
		}
	}
	return errors.Join(errs...)
}

// CheckIdentities checks a team's identities against the auth mode: IAM
// roles or groups in IAM mode, Identity Center users or groups in SSO mode,
// each named once.
func CheckIdentities(where string, mode AuthMode, ids []Identity) []error {
	allowed := []IdentityType{IdentityGroup, IdentityRole}
	if mode == AuthSSO {
		allowed = []IdentityType{IdentityGroup, IdentityUser}
	}
	var errs []error
	seen := map[Identity]bool{}
	for _, id := range ids {
		if !slices.Contains(allowed, id.Type) {
			errs = append(errs, fmt.Errorf("%s: identity %q has type %q; in %s mode use one of %v", where, id.Name, id.Type, mode, allowed))
		}
		if strings.TrimSpace(id.Name) == "" {
			errs = append(errs, fmt.Errorf("%s: an identity of type %q has no name", where, id.Type))
		}
		if seen[id] {
			errs = append(errs, fmt.Errorf("%s: identity %s %q is listed twice", where, id.Type, id.Name))
		}
		seen[id] = true
	}
	return errs
}

// checkTeamTags requires the team's full set of tags, naming the team itself,
// so that everything the team runs is attributed to it.
func checkTeamTags(team string, tags tagging.Set) error {
	if err := tags.Validate("Tags"); err != nil {
		return err
	}
	if tags[tagging.Team] != team {
		return fmt.Errorf("Tags: %s is %q; it must be the team's name %q", tagging.Team, tags[tagging.Team], team)
	}
	return nil
}

// New creates the Studio, the EMR security and block-public-access
// configurations, the roles and security groups the Studio and the clusters
// use, and every team's clusters.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Studio, error) {
	if args == nil {
		return nil, errors.New("analytics: args are required")
	}
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("analytics %q: %w", name, err)
	}
	s := &Studio{args: *args, teams: map[string]*teamResources{}}
	if err := ctx.RegisterComponentResource(Type, name, s, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, args: args, studio: s, parent: pulumi.Parent(s)}
	b.scope = pulumi.All(args.DataBucketName, args.LogBucketName, args.DataKeyArn, args.LogsKeyArn).ApplyT(func(v []any) Scope {
		return Scope{
			Partition: args.Partition, Region: args.Region, AccountID: args.AccountID,
			DataBucket: v[0].(string), LogBucket: v[1].(string), DataKeyArn: v[2].(string), LogsKeyArn: v[3].(string),
		}
	}).(pulumi.AnyOutput)

	if err := b.accountGuardrails(); err != nil {
		return nil, err
	}
	for _, t := range args.Teams {
		if err := b.teamInfrastructure(t); err != nil {
			return nil, err
		}
	}
	if err := b.clusterServiceRole(); err != nil {
		return nil, err
	}
	studio, err := b.emrStudio()
	if err != nil {
		return nil, err
	}
	policyArns, err := b.teamAccess(studio)
	if err != nil {
		return nil, err
	}

	clusterIDs := pulumi.StringMap{}
	for _, t := range args.Teams {
		for _, spec := range t.Clusters {
			cargs, err := s.ClusterArgs(t.Name, spec)
			if err != nil {
				return nil, err
			}
			c, err := NewEphemeralCluster(ctx, fmt.Sprintf("%s-%s-%s", name, t.Name, spec.Name), cargs, b.parent)
			if err != nil {
				return nil, err
			}
			clusterIDs[t.Name+"/"+spec.Name] = c.ClusterID
		}
	}

	profiles := pulumi.StringMap{}
	for team, r := range s.teams {
		profiles[team] = r.instanceProfileArn
	}
	s.StudioID = studio.ID().ToStringOutput()
	s.StudioURL = studio.Url
	s.StudioArn = studio.Arn
	s.SecurityConfigurationName = s.securityConfigurationName
	s.ClusterServiceRoleArn = s.clusterServiceRoleArn
	s.ClusterIDs = clusterIDs.ToStringMapOutput()
	s.TeamPolicyArns = policyArns.ToStringMapOutput()
	s.InstanceProfileArns = profiles.ToStringMapOutput()
	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{
		"studioId":                  s.StudioID,
		"studioUrl":                 s.StudioURL,
		"studioArn":                 s.StudioArn,
		"securityConfigurationName": s.SecurityConfigurationName,
		"workspaceSecurityGroupId":  s.WorkspaceSecurityGroupID,
		"engineSecurityGroupId":     s.EngineSecurityGroupID,
		"clusterServiceRoleArn":     s.ClusterServiceRoleArn,
		"clusterIds":                s.ClusterIDs,
		"teamPolicyArns":            s.TeamPolicyArns,
		"instanceProfileArns":       s.InstanceProfileArns,
	}); err != nil {
		return nil, err
	}
	return s, nil
}

// ClusterArgs returns the arguments of a cluster for team, wired to the
// Studio's security configuration, service role, logs and the team's
// instance profile and security groups. Tools that launch further clusters
// pass them to NewEphemeralCluster.
func (s *Studio) ClusterArgs(team string, spec ClusterSpec) (*ClusterArgs, error) {
	r, ok := s.teams[team]
	if !ok {
		return nil, fmt.Errorf("analytics: team %q is not among the Studio's teams", team)
	}
	deps := slices.Concat(s.clusterDependencies, r.dependencies)
	return &ClusterArgs{
		Prefix:                       s.args.Prefix,
		Team:                         team,
		Tags:                         r.team.Tags,
		Spec:                         spec,
		Limits:                       s.args.limits(),
		Now:                          s.args.Now,
		SubnetIDs:                    s.args.SubnetIDs,
		MasterSecurityGroupID:        r.masterGroupID,
		CoreSecurityGroupID:          r.coreGroupID,
		ServiceAccessSecurityGroupID: r.serviceAccessGroupID,
		ServiceRoleArn:               s.clusterServiceRoleArn,
		InstanceProfileArn:           r.instanceProfileArn,
		SecurityConfigurationName:    s.securityConfigurationName,
		LogBucketName:                s.args.LogBucketName,
		LogsKeyArn:                   s.args.LogsKeyArn,
		DependsOn:                    deps,
	}, nil
}

// builder carries what the steps of New share.
type builder struct {
	ctx    *pulumi.Context
	name   string
	args   *Args
	studio *Studio
	parent pulumi.ResourceOption
	// scope resolves to the Scope every policy document is built from.
	scope pulumi.AnyOutput
	// studioServiceRole is the role EMR Studio acts as.
	studioServiceRole *iam.Role
	// teamRoleArns are the teams' instance roles the cluster service role passes.
	teamRoleArns []pulumi.StringInput
}

// document builds a policy document once the scope and extra are known.
func (b *builder) document(extra []pulumi.StringInput, build func(Scope, []string) iamdoc.Document) pulumi.StringOutput {
	inputs := []any{b.scope}
	for _, e := range extra {
		if e == nil {
			e = pulumi.String("")
		}
		inputs = append(inputs, e)
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		values := make([]string, 0, len(v)-1)
		for _, x := range v[1:] {
			values = append(values, x.(string))
		}
		return build(v[0].(Scope), values).JSON()
	}).(pulumi.StringOutput)
}

// accountGuardrails creates the security configuration every cluster uses
// and the account's EMR block-public-access configuration.
func (b *builder) accountGuardrails() error {
	config := b.args.DataKeyArn.ToStringOutput().ApplyT(func(key string) (string, error) {
		return SecurityConfigurationDocument(key, b.args.TLSCertificatesS3Object).JSON()
	}).(pulumi.StringOutput)
	// A name prefix, because a changed configuration is a new one: EMR
	// cannot edit a security configuration in place.
	sc, err := emr.NewSecurityConfiguration(b.ctx, b.name, &emr.SecurityConfigurationArgs{
		NamePrefix:    pulumi.String(b.args.Prefix + "-emr-"),
		Configuration: config,
	}, b.parent)
	if err != nil {
		return err
	}
	b.studio.securityConfigurationName = sc.Name

	// No permitted port ranges: not even SSH may be opened to the world on
	// a cluster's security groups.
	_, err = emr.NewBlockPublicAccessConfiguration(b.ctx, b.name+"-block-public-access", &emr.BlockPublicAccessConfigurationArgs{
		BlockPublicSecurityGroupRules: pulumi.Bool(true),
	}, b.parent)
	return err
}

// securityGroup creates a group without inline rules: the Studio groups
// get their rules as separate resources (they refer to each other), and
// EMR manages the rules of the clusters' groups itself.
func (b *builder) securityGroup(name, description string, tags tagging.Set, emrManaged bool) (*ec2.SecurityGroup, error) {
	args := &ec2.SecurityGroupArgs{
		VpcId:       b.args.VpcID,
		Description: pulumi.String(description),
		Tags:        tags.Merge(tagging.Set{ManagedPolicyTag: "true", "Name": b.args.Prefix + "-" + strings.TrimPrefix(name, b.name+"-")}).StringMap(),
	}
	if emrManaged {
		// EMR adds rules that refer to the other managed groups; without
		// revoking them first the groups could never be deleted.
		args.RevokeRulesOnDelete = pulumi.Bool(true)
	}
	return ec2.NewSecurityGroup(b.ctx, name, args, b.parent)
}

// teamInfrastructure creates a team's instance role and profile and the
// EMR-managed security groups of its clusters. Teams never share them, so
// one team's nodes can neither read another team's data nor reach its
// clusters.
func (b *builder) teamInfrastructure(t Team) error {
	prefix := fmt.Sprintf("%s-%s", b.name, t.Name)
	trust, err := EC2TrustPolicy().JSON()
	if err != nil {
		return err
	}
	role, err := iam.NewRole(b.ctx, prefix+"-nodes", &iam.RoleArgs{
		Description:         pulumi.Sprintf("EMR cluster nodes of team %s: the team's data and logs only", t.Name),
		AssumeRolePolicy:    pulumi.String(trust),
		PermissionsBoundary: b.args.PermissionsBoundaryArn,
		Tags:                t.Tags.StringMap(),
	}, b.parent)
	if err != nil {
		return err
	}
	team := t.Name
	policy, err := iam.NewRolePolicy(b.ctx, prefix+"-nodes", &iam.RolePolicyArgs{
		Role: role.ID(),
		Policy: b.document([]pulumi.StringInput{t.AccessPointArn}, func(s Scope, v []string) iamdoc.Document {
			return InstanceRolePolicy(s, team, v[0])
		}),
	}, b.parent)
	if err != nil {
		return err
	}
	profile, err := iam.NewInstanceProfile(b.ctx, prefix+"-nodes", &iam.InstanceProfileArgs{
		Role: role.Name,
		Tags: t.Tags.StringMap(),
	}, b.parent)
	if err != nil {
		return err
	}
	groups := map[string]*ec2.SecurityGroup{}
	for _, g := range []struct{ suffix, description string }{
		{"primary", "EMR-managed group of the primary nodes of team " + t.Name},
		{"core", "EMR-managed group of the core and task nodes of team " + t.Name},
		{"service-access", "EMR-managed group for EMR service access to the private clusters of team " + t.Name},
	} {
		sg, err := b.securityGroup(prefix+"-"+g.suffix, g.description, t.Tags, true)
		if err != nil {
			return err
		}
		groups[g.suffix] = sg
	}
	b.studio.teams[t.Name] = &teamResources{
		team:                 t,
		instanceProfileArn:   profile.Arn,
		masterGroupID:        groups["primary"].ID().ToStringOutput(),
		coreGroupID:          groups["core"].ID().ToStringOutput(),
		serviceAccessGroupID: groups["service-access"].ID().ToStringOutput(),
		dependencies:         []pulumi.Resource{policy, profile},
	}
	b.teamRoleArns = append(b.teamRoleArns, role.Arn)
	return nil
}

// clusterServiceRole creates the role EMR acts as for every cluster: AWS's
// tag-scoped managed service policy, plus passing the teams' instance roles
// and using the volume and log keys.
func (b *builder) clusterServiceRole() error {
	trust, err := EMRServiceTrustPolicy(b.args.Partition, b.args.Region, b.args.AccountID).JSON()
	if err != nil {
		return err
	}
	role, err := iam.NewRole(b.ctx, b.name+"-cluster-service", &iam.RoleArgs{
		Description:      pulumi.String("EMR service role of the platform's ephemeral clusters"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.parent)
	if err != nil {
		return err
	}
	managed, err := iam.NewRolePolicyAttachment(b.ctx, b.name+"-cluster-service", &iam.RolePolicyAttachmentArgs{
		Role:      role.Name,
		PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/service-role/%s", b.args.Partition, EMRServicePolicyName),
	}, b.parent)
	if err != nil {
		return err
	}
	roleArns := b.teamRoleArns
	policy, err := iam.NewRolePolicy(b.ctx, b.name+"-cluster-service", &iam.RolePolicyArgs{
		Role: role.ID(),
		Policy: b.document(roleArns, func(s Scope, arns []string) iamdoc.Document {
			return ClusterServicePolicy(s, arns)
		}),
	}, b.parent)
	if err != nil {
		return err
	}
	b.studio.clusterServiceRoleArn = role.Arn
	b.studio.clusterDependencies = []pulumi.Resource{managed, policy}
	return nil
}

// emrStudio creates the Studio's security groups, its service role and,
// in SSO mode, its user role, then the Studio itself.
func (b *builder) emrStudio() (*emr.Studio, error) {
	workspace, err := b.securityGroup(b.name+"-workspace", "EMR Studio workspaces: no inbound; out to cluster engines and AWS endpoints only", nil, false)
	if err != nil {
		return nil, err
	}
	engine, err := b.securityGroup(b.name+"-engine", "EMR Studio engine: inbound 18888 from Studio workspaces only", nil, false)
	if err != nil {
		return nil, err
	}
	if _, err := vpc.NewSecurityGroupIngressRule(b.ctx, b.name+"-engine-from-workspace", &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId:           engine.ID(),
		Description:               pulumi.String("Workspaces reach the notebook proxy of attached clusters"),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(StudioEnginePort),
		ToPort:                    pulumi.Int(StudioEnginePort),
		ReferencedSecurityGroupId: workspace.ID(),
	}, b.parent); err != nil {
		return nil, err
	}
	egress := []struct {
		suffix, description string
		port                int
		group, prefixList   pulumi.StringInput
	}{
		{"to-engine", "Notebook kernels on attached clusters", StudioEnginePort, engine.ID(), nil},
		{"to-endpoints", "AWS APIs through the interface endpoints of the VPC", HTTPSPort, b.args.EndpointSecurityGroupID, nil},
		{"to-s3", "S3 through the gateway endpoint of the VPC", HTTPSPort, nil, b.args.S3PrefixListID},
	}
	for _, e := range egress {
		if _, err := vpc.NewSecurityGroupEgressRule(b.ctx, b.name+"-workspace-"+e.suffix, &vpc.SecurityGroupEgressRuleArgs{
			SecurityGroupId:           workspace.ID(),
			Description:               pulumi.String(e.description),
			IpProtocol:                pulumi.String("tcp"),
			FromPort:                  pulumi.Int(e.port),
			ToPort:                    pulumi.Int(e.port),
			ReferencedSecurityGroupId: optional(e.group),
			PrefixListId:              optional(e.prefixList),
		}, b.parent); err != nil {
			return nil, err
		}
	}
	b.studio.WorkspaceSecurityGroupID = workspace.ID().ToStringOutput()
	b.studio.EngineSecurityGroupID = engine.ID().ToStringOutput()

	trust, err := EMRServiceTrustPolicy(b.args.Partition, b.args.Region, b.args.AccountID).JSON()
	if err != nil {
		return nil, err
	}
	serviceRole, err := iam.NewRole(b.ctx, b.name+"-studio-service", &iam.RoleArgs{
		// A fixed name, so the data perimeter can exempt exactly this role
		// for the Studio's storage prefix before the role exists.
		Name:             pulumi.String(StudioServiceRoleName(b.args.Prefix)),
		Description:      pulumi.String("EMR Studio service role: workspace network interfaces and storage"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.parent)
	if err != nil {
		return nil, err
	}
	servicePolicy, err := iam.NewRolePolicy(b.ctx, b.name+"-studio-service", &iam.RolePolicyArgs{
		Role:   serviceRole.ID(),
		Policy: b.document(nil, func(s Scope, _ []string) iamdoc.Document { return StudioServicePolicy(s) }),
	}, b.parent)
	if err != nil {
		return nil, err
	}
	b.studioServiceRole = serviceRole
	deps := []pulumi.Resource{servicePolicy}

	var userRoleArn pulumi.StringPtrInput
	if b.args.authMode() == AuthSSO {
		userRole, err := iam.NewRole(b.ctx, b.name+"-studio-user", &iam.RoleArgs{
			Description:      pulumi.String("EMR Studio user role: the ceiling of every team's session policy"),
			AssumeRolePolicy: pulumi.String(trust),
			// People sign in through this role.
			MaxSessionDuration:  pulumi.Int(3600),
			PermissionsBoundary: b.args.PermissionsBoundaryArn,
		}, b.parent)
		if err != nil {
			return nil, err
		}
		userPolicy, err := iam.NewRolePolicy(b.ctx, b.name+"-studio-user", &iam.RolePolicyArgs{
			Role: userRole.ID(),
			Policy: b.document([]pulumi.StringInput{serviceRole.Arn}, func(s Scope, v []string) iamdoc.Document {
				return StudioUserPolicy(s, StudioUser{StudioServiceRoleArn: v[0]})
			}),
		}, b.parent)
		if err != nil {
			return nil, err
		}
		userRoleArn = userRole.Arn
		deps = append(deps, userPolicy)
	}

	return emr.NewStudio(b.ctx, b.name, &emr.StudioArgs{
		Name:                     pulumi.String(b.args.Prefix + "-studio"),
		Description:              pulumi.Sprintf("AI Factory analytics studio (%s)", b.args.Environment),
		AuthMode:                 pulumi.String(string(b.args.authMode())),
		VpcId:                    b.args.VpcID,
		SubnetIds:                b.args.SubnetIDs,
		WorkspaceSecurityGroupId: workspace.ID(),
		EngineSecurityGroupId:    engine.ID(),
		ServiceRole:              serviceRole.Arn,
		UserRole:                 userRoleArn,
		EncryptionKeyArn:         b.args.DataKeyArn,
		// One default location per Studio: a platform prefix in the data
		// bucket. Teams' policies scope what each user reaches.
		DefaultS3Location: pulumi.Sprintf("s3://%s/%s", b.args.DataBucketName, StudioStoragePrefix),
	}, b.parent, pulumi.DependsOn(deps))
}

// teamAccess creates each team's Studio policy and gives it to the team's
// identities: as the session policy of a session mapping in SSO mode, as an
// attached policy in IAM mode.
func (b *builder) teamAccess(studio *emr.Studio) (pulumi.StringMap, error) {
	mode := b.args.authMode()
	arns := pulumi.StringMap{}
	for _, t := range b.args.Teams {
		team := t.Name
		policy, err := iam.NewPolicy(b.ctx, fmt.Sprintf("%s-%s-studio", b.name, team), &iam.PolicyArgs{
			Description: pulumi.Sprintf("EMR Studio access of team %s: its workspaces, clusters, data and logs", team),
			Policy: b.document([]pulumi.StringInput{b.studioServiceRole.Arn, studio.Arn, t.AccessPointArn}, func(s Scope, v []string) iamdoc.Document {
				u := StudioUser{Team: team, StudioServiceRoleArn: v[0], AccessPointArn: v[2]}
				if mode == AuthIAM {
					u.StudioArn = v[1]
				}
				return StudioUserPolicy(s, u)
			}),
			Tags: t.Tags.StringMap(),
		}, b.parent)
		if err != nil {
			return nil, err
		}
		arns[team] = policy.Arn
		for _, id := range t.Identities {
			resourceName := fmt.Sprintf("%s-%s-%s-%s", b.name, team, strings.ToLower(string(id.Type)), id.Name)
			switch {
			case mode == AuthSSO:
				_, err = emr.NewStudioSessionMapping(b.ctx, resourceName, &emr.StudioSessionMappingArgs{
					StudioId:         studio.ID(),
					IdentityType:     pulumi.String(string(id.Type)),
					IdentityName:     pulumi.String(id.Name),
					SessionPolicyArn: policy.Arn,
				}, b.parent)
			case id.Type == IdentityRole:
				_, err = iam.NewRolePolicyAttachment(b.ctx, resourceName, &iam.RolePolicyAttachmentArgs{
					Role: pulumi.String(id.Name), PolicyArn: policy.Arn,
				}, b.parent)
			default:
				_, err = iam.NewGroupPolicyAttachment(b.ctx, resourceName, &iam.GroupPolicyAttachmentArgs{
					Group: pulumi.String(id.Name), PolicyArn: policy.Arn,
				}, b.parent)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return arns, nil
}

// optional turns a nil input into an absent pointer input.
func optional(v pulumi.StringInput) pulumi.StringPtrInput {
	if v == nil {
		return nil
	}
	return v.ToStringOutput().ToStringPtrOutput()
}
