// Package analytics provides heavy analytics for data-science teams on EMR:
// an EMR Studio per team, where the team works in notebooks (workspaces)
// scoped to its own data, clusters and tag, behind its own workspace and
// engine security groups, and ephemeral EMR clusters that run their task
// capacity on Spot and terminate themselves when idle.
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
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/emr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/internal/build"
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

// EmrStudio is the EMR Studio component (aifactory:analytics:EmrStudio):
// every team's Studio and the resources the teams' clusters share.
type EmrStudio struct {
	pulumi.ResourceState

	// StudioIDs, StudioURLs, StudioArns and the Studios' workspace and
	// engine security groups are keyed by team name.
	StudioIDs                 pulumi.StringMapOutput `pulumi:"studioIds"`
	StudioURLs                pulumi.StringMapOutput `pulumi:"studioUrls"`
	StudioArns                pulumi.StringMapOutput `pulumi:"studioArns"`
	WorkspaceSecurityGroupIDs pulumi.StringMapOutput `pulumi:"workspaceSecurityGroupIds"`
	EngineSecurityGroupIDs    pulumi.StringMapOutput `pulumi:"engineSecurityGroupIds"`
	SecurityConfigurationName pulumi.StringOutput    `pulumi:"securityConfigurationName"`
	ClusterServiceRoleArn     pulumi.StringOutput    `pulumi:"clusterServiceRoleArn"`
	// BoundaryPolicyArn bounds the nodes' roles and the Studio user role.
	BoundaryPolicyArn pulumi.StringOutput `pulumi:"boundaryPolicyArn"`
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

// New creates the Studio, the EMR security and block-public-access
// configurations, the roles and security groups the Studio and the clusters
// use, and every team's clusters.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*EmrStudio, error) {
	if args == nil {
		return nil, errors.New("analytics: args are required")
	}
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("analytics %q: %w", name, err)
	}
	s := &EmrStudio{args: *args, teams: map[string]*teamResources{}}
	if err := ctx.RegisterComponentResource(Type, name, s, opts...); err != nil {
		return nil, err
	}
	// Analytics has no Protect: nothing it creates holds data.
	b := &builder{Builder: build.New(ctx, name, s, false), args: args, studio: s}
	certificates := args.certificatesObjectArn()
	b.scope = pulumi.All(args.DataBucketName, args.LogBucketName, args.DataKeyArn, args.LogsKeyArn).ApplyT(func(v []any) PolicyScope {
		return PolicyScope{
			Scope:      args.Scope,
			DataBucket: v[0].(string), LogBucket: v[1].(string), DataKeyArn: v[2].(string), LogsKeyArn: v[3].(string),
			CertificatesObjectArn: certificates,
		}
	}).(pulumi.AnyOutput)

	if err := b.accountGuardrails(); err != nil {
		return nil, err
	}
	if err := b.boundary(); err != nil {
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
	userRoleArn, userDeps, err := b.studioUserRole()
	if err != nil {
		return nil, err
	}
	studios := map[string]*emr.Studio{}
	ids, urls, studioArns, workspaceGroups, engineGroups := pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}
	for _, t := range args.Teams {
		ts, err := b.teamStudio(t, userRoleArn, userDeps)
		if err != nil {
			return nil, err
		}
		studios[t.Name] = ts.studio
		ids[t.Name] = ts.studio.ID().ToStringOutput()
		urls[t.Name] = ts.studio.Url
		studioArns[t.Name] = ts.studio.Arn
		workspaceGroups[t.Name] = ts.workspaceGroupID
		engineGroups[t.Name] = ts.engineGroupID
	}
	policyArns, err := b.teamAccess(studios)
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
			c, err := NewEphemeralCluster(ctx, fmt.Sprintf("%s-%s-%s", name, t.Name, spec.Name), cargs, b.Parent)
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
	s.StudioIDs = ids.ToStringMapOutput()
	s.StudioURLs = urls.ToStringMapOutput()
	s.StudioArns = studioArns.ToStringMapOutput()
	s.WorkspaceSecurityGroupIDs = workspaceGroups.ToStringMapOutput()
	s.EngineSecurityGroupIDs = engineGroups.ToStringMapOutput()
	s.SecurityConfigurationName = s.securityConfigurationName
	s.ClusterServiceRoleArn = s.clusterServiceRoleArn
	s.ClusterIDs = clusterIDs.ToStringMapOutput()
	s.TeamPolicyArns = policyArns.ToStringMapOutput()
	s.InstanceProfileArns = profiles.ToStringMapOutput()
	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{
		"studioIds":                 s.StudioIDs,
		"studioUrls":                s.StudioURLs,
		"studioArns":                s.StudioArns,
		"securityConfigurationName": s.SecurityConfigurationName,
		"workspaceSecurityGroupIds": s.WorkspaceSecurityGroupIDs,
		"engineSecurityGroupIds":    s.EngineSecurityGroupIDs,
		"boundaryPolicyArn":         s.BoundaryPolicyArn,
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
func (s *EmrStudio) ClusterArgs(team string, spec ClusterSpec) (*ClusterArgs, error) {
	r, ok := s.teams[team]
	if !ok {
		return nil, fmt.Errorf("analytics: team %q is not among the Studio's teams", team)
	}
	deps := slices.Concat(s.clusterDependencies, r.dependencies)
	return &ClusterArgs{
		Scope:                        s.args.Scope,
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
	build.Builder
	args   *Args
	studio *EmrStudio
	// scope resolves to the PolicyScope every policy document is built from.
	scope pulumi.AnyOutput
	// boundaryArn bounds the nodes' roles and the Studio user role.
	boundaryArn pulumi.StringInput
	// studioServiceRoles are the roles each team's Studio acts as.
	studioServiceRoles map[string]*iam.Role
	// teamRoleArns are the teams' instance roles the cluster service role passes.
	teamRoleArns []pulumi.StringInput
}

// studioServiceRoleArns are the ARNs of every team's Studio service role,
// known from their names.
func (b *builder) studioServiceRoleArns() []string {
	var out []string
	for _, t := range b.args.Teams {
		out = append(out, b.args.RoleARN(StudioServiceRoleName(b.args.Scope, t.Name)))
	}
	return out
}

// boundary creates the permissions boundary of the nodes' roles and the
// Studio user role, unless the stack gives one.
func (b *builder) boundary() error {
	if b.args.PermissionsBoundaryArn != nil {
		b.boundaryArn = b.args.PermissionsBoundaryArn
		b.studio.BoundaryPolicyArn = b.args.PermissionsBoundaryArn.ToStringOutput()
		return nil
	}
	roles := b.studioServiceRoleArns()
	policy, err := iam.NewPolicy(b.Ctx, b.Child("boundary"), &iam.PolicyArgs{
		Name:        pulumi.String(b.args.Name("emr", "boundary")),
		Description: pulumi.String("Permissions boundary of the EMR nodes' roles and the EMR Studio user role"),
		Policy: b.document(nil, func(s PolicyScope, _ []string) iamdoc.Document {
			return BoundaryPolicy(BoundaryScope{PolicyScope: s, StudioServiceRoleArns: roles})
		}),
	}, b.Parent)
	if err != nil {
		return err
	}
	b.boundaryArn = policy.Arn
	b.studio.BoundaryPolicyArn = policy.Arn
	return nil
}

// document builds a policy document once the scope and extra are known.
func (b *builder) document(extra []pulumi.StringInput, build func(PolicyScope, []string) iamdoc.Document) pulumi.StringOutput {
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
		return build(v[0].(PolicyScope), values).JSON()
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
	sc, err := emr.NewSecurityConfiguration(b.Ctx, b.Name, &emr.SecurityConfigurationArgs{
		NamePrefix:    pulumi.String(b.args.Name("emr") + "-"),
		Configuration: config,
	}, b.Parent)
	if err != nil {
		return err
	}
	b.studio.securityConfigurationName = sc.Name

	// No permitted port ranges: not even SSH may be opened to the world on
	// a cluster's security groups.
	_, err = emr.NewBlockPublicAccessConfiguration(b.Ctx, b.Child("block-public-access"), &emr.BlockPublicAccessConfigurationArgs{
		BlockPublicSecurityGroupRules: pulumi.Bool(true),
	}, b.Parent)
	return err
}

// securityGroup creates a group without inline rules: the Studio groups
// get their rules as separate resources (they refer to each other), and
// EMR manages the rules of the clusters' groups itself.
func (b *builder) securityGroup(name, description string, tags tagging.Set, emrManaged bool) (*ec2.SecurityGroup, error) {
	args := &ec2.SecurityGroupArgs{
		VpcId:       b.args.VpcID,
		Description: pulumi.String(description),
		Tags:        tags.Merge(tagging.Set{ManagedPolicyTag: "true", "Name": b.args.Name(strings.TrimPrefix(name, b.Name+"-"))}).StringMap(),
	}
	if emrManaged {
		// EMR adds rules that refer to the other managed groups; without
		// revoking them first the groups could never be deleted.
		args.RevokeRulesOnDelete = pulumi.Bool(true)
	}
	return ec2.NewSecurityGroup(b.Ctx, name, args, b.Parent)
}

// clusterServiceRole creates the role EMR acts as for every cluster: AWS's
// tag-scoped managed service policy, plus passing the teams' instance roles
// and using the volume and log keys.
func (b *builder) clusterServiceRole() error {
	trust, err := EMRServiceTrustPolicy(b.args.Scope).JSON()
	if err != nil {
		return err
	}
	role, err := iam.NewRole(b.Ctx, b.Child("cluster-service"), &iam.RoleArgs{
		Description:      pulumi.String("EMR service role of the platform's ephemeral clusters"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.Parent)
	if err != nil {
		return err
	}
	managed, err := iam.NewRolePolicyAttachment(b.Ctx, b.Child("cluster-service"), &iam.RolePolicyAttachmentArgs{
		Role:      role.Name,
		PolicyArn: pulumi.String(b.args.ManagedPolicyARN("service-role/" + EMRServicePolicyName)),
	}, b.Parent)
	if err != nil {
		return err
	}
	roleArns := b.teamRoleArns
	policy, err := iam.NewRolePolicy(b.Ctx, b.Child("cluster-service"), &iam.RolePolicyArgs{
		Role: role.ID(),
		Policy: b.document(roleArns, func(s PolicyScope, arns []string) iamdoc.Document {
			return ClusterServicePolicy(s, arns)
		}),
	}, b.Parent)
	if err != nil {
		return err
	}
	b.studio.clusterServiceRoleArn = role.Arn
	b.studio.clusterDependencies = []pulumi.Resource{managed, policy}
	return nil
}

// studioUserRole creates, in SSO mode, the role people sign in to every
// team's Studio through: the ceiling of every team's session policy, with
// the analytics permissions boundary.
func (b *builder) studioUserRole() (pulumi.StringPtrInput, []pulumi.Resource, error) {
	if b.args.authMode() != AuthSSO {
		return nil, nil, nil
	}
	trust, err := EMRServiceTrustPolicy(b.args.Scope).JSON()
	if err != nil {
		return nil, nil, err
	}
	userRole, err := iam.NewRole(b.Ctx, b.Child("studio-user"), &iam.RoleArgs{
		Description:      pulumi.String("EMR Studio user role: the ceiling of every team's session policy"),
		AssumeRolePolicy: pulumi.String(trust),
		// People sign in through this role.
		MaxSessionDuration:  pulumi.Int(3600),
		PermissionsBoundary: b.boundaryArn,
	}, b.Parent)
	if err != nil {
		return nil, nil, err
	}
	roles := b.studioServiceRoleArns()
	userPolicy, err := iam.NewRolePolicy(b.Ctx, b.Child("studio-user"), &iam.RolePolicyArgs{
		Role: userRole.ID(),
		Policy: b.document(nil, func(s PolicyScope, _ []string) iamdoc.Document {
			return StudioUserPolicy(s, StudioUser{StudioServiceRoleArns: roles})
		}),
	}, b.Parent)
	if err != nil {
		return nil, nil, err
	}
	return userRole.Arn, []pulumi.Resource{userPolicy}, nil
}

// teamStudioResources are what teamStudio creates.
type teamStudioResources struct {
	studio                          *emr.Studio
	workspaceGroupID, engineGroupID pulumi.StringOutput
}

// teamStudio creates a team's Studio: its own workspace and engine
// security groups (workspaces reach only the engine of the team's attached
// clusters and AWS's endpoints), its own service role, which saves
// workspaces only under the team's prefix, and the Studio.
func (b *builder) teamStudio(t Team, userRoleArn pulumi.StringPtrInput, userDeps []pulumi.Resource) (*teamStudioResources, error) {
	prefix := b.Child(t.Name)
	workspace, err := b.securityGroup(prefix+"-workspace", "EMR Studio workspaces of team "+t.Name+": no inbound; out to the team's cluster engines and AWS endpoints only", t.Tags, false)
	if err != nil {
		return nil, err
	}
	engine, err := b.securityGroup(prefix+"-engine", "EMR Studio engine of team "+t.Name+": inbound 18888 from the team's workspaces only", t.Tags, false)
	if err != nil {
		return nil, err
	}
	if _, err := vpc.NewSecurityGroupIngressRule(b.Ctx, prefix+"-engine-from-workspace", &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId:           engine.ID(),
		Description:               pulumi.String("The team's workspaces reach the notebook proxy of attached clusters"),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(StudioEnginePort),
		ToPort:                    pulumi.Int(StudioEnginePort),
		ReferencedSecurityGroupId: workspace.ID(),
		Tags:                      t.Tags.StringMap(),
	}, b.Parent); err != nil {
		return nil, err
	}
	egress := []struct {
		suffix, description string
		port                int
		group, prefixList   pulumi.StringInput
	}{
		{"to-engine", "Notebook kernels on the team's attached clusters", StudioEnginePort, engine.ID(), nil},
		{"to-endpoints", "AWS APIs through the interface endpoints of the VPC", HTTPSPort, b.args.EndpointSecurityGroupID, nil},
		{"to-s3", "S3 through the gateway endpoint of the VPC", HTTPSPort, nil, b.args.S3PrefixListID},
	}
	for _, e := range egress {
		if _, err := vpc.NewSecurityGroupEgressRule(b.Ctx, prefix+"-workspace-"+e.suffix, &vpc.SecurityGroupEgressRuleArgs{
			SecurityGroupId:           workspace.ID(),
			Description:               pulumi.String(e.description),
			IpProtocol:                pulumi.String("tcp"),
			FromPort:                  pulumi.Int(e.port),
			ToPort:                    pulumi.Int(e.port),
			ReferencedSecurityGroupId: optional(e.group),
			PrefixListId:              optional(e.prefixList),
			Tags:                      t.Tags.StringMap(),
		}, b.Parent); err != nil {
			return nil, err
		}
	}

	trust, err := EMRServiceTrustPolicy(b.args.Scope).JSON()
	if err != nil {
		return nil, err
	}
	serviceRole, err := iam.NewRole(b.Ctx, prefix+"-studio-service", &iam.RoleArgs{
		// A fixed name, so the data perimeter can exempt exactly this role
		// for the team's Studio storage prefix before the role exists.
		Name:             pulumi.String(StudioServiceRoleName(b.args.Scope, t.Name)),
		Description:      pulumi.Sprintf("EMR Studio service role of team %s: workspace network interfaces and the team's workspace storage", t.Name),
		AssumeRolePolicy: pulumi.String(trust),
		Tags:             t.Tags.StringMap(),
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	team := t.Name
	servicePolicy, err := iam.NewRolePolicy(b.Ctx, prefix+"-studio-service", &iam.RolePolicyArgs{
		Role:   serviceRole.ID(),
		Policy: b.document(nil, func(s PolicyScope, _ []string) iamdoc.Document { return StudioServicePolicy(s, team) }),
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	if b.studioServiceRoles == nil {
		b.studioServiceRoles = map[string]*iam.Role{}
	}
	b.studioServiceRoles[t.Name] = serviceRole

	studio, err := emr.NewStudio(b.Ctx, prefix, &emr.StudioArgs{
		Name:                     pulumi.String(b.args.Name("studio", t.Name)),
		Description:              pulumi.Sprintf("AI Factory analytics studio of team %s (%s)", t.Name, b.args.Environment),
		AuthMode:                 pulumi.String(string(b.args.authMode())),
		VpcId:                    b.args.VpcID,
		SubnetIds:                b.args.SubnetIDs,
		WorkspaceSecurityGroupId: workspace.ID(),
		EngineSecurityGroupId:    engine.ID(),
		ServiceRole:              serviceRole.Arn,
		UserRole:                 userRoleArn,
		EncryptionKeyArn:         b.args.DataKeyArn,
		// The team's prefix of the data bucket; the team's policies and
		// its service role reach no other team's workspaces.
		DefaultS3Location: pulumi.Sprintf("s3://%s/%s", b.args.DataBucketName, TeamStudioStoragePrefix(t.Name)),
		Tags:              t.Tags.StringMap(),
	}, b.Parent, pulumi.DependsOn(append([]pulumi.Resource{servicePolicy}, userDeps...)))
	if err != nil {
		return nil, err
	}
	return &teamStudioResources{
		studio:           studio,
		workspaceGroupID: workspace.ID().ToStringOutput(),
		engineGroupID:    engine.ID().ToStringOutput(),
	}, nil
}

// optional turns a nil input into an absent pointer input.
func optional(v pulumi.StringInput) pulumi.StringPtrInput {
	if v == nil {
		return nil
	}
	return v.ToStringOutput().ToStringPtrOutput()
}
