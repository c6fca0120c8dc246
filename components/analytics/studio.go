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
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/emr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/iamdoc"
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

// EmrStudio is the EMR Studio component (aifactory:analytics:EmrStudio).
type EmrStudio struct {
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
	b := &builder{ctx: ctx, name: name, args: args, studio: s, parent: pulumi.Parent(s)}
	b.scope = pulumi.All(args.DataBucketName, args.LogBucketName, args.DataKeyArn, args.LogsKeyArn).ApplyT(func(v []any) PolicyScope {
		return PolicyScope{
			Scope:      args.Scope,
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
	ctx    *pulumi.Context
	name   string
	args   *Args
	studio *EmrStudio
	parent pulumi.ResourceOption
	// scope resolves to the PolicyScope every policy document is built from.
	scope pulumi.AnyOutput
	// studioServiceRole is the role EMR Studio acts as.
	studioServiceRole *iam.Role
	// teamRoleArns are the teams' instance roles the cluster service role passes.
	teamRoleArns []pulumi.StringInput
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
	sc, err := emr.NewSecurityConfiguration(b.ctx, b.name, &emr.SecurityConfigurationArgs{
		NamePrefix:    pulumi.String(b.args.Name("emr") + "-"),
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
		Tags:        tags.Merge(tagging.Set{ManagedPolicyTag: "true", "Name": b.args.Name(strings.TrimPrefix(name, b.name+"-"))}).StringMap(),
	}
	if emrManaged {
		// EMR adds rules that refer to the other managed groups; without
		// revoking them first the groups could never be deleted.
		args.RevokeRulesOnDelete = pulumi.Bool(true)
	}
	return ec2.NewSecurityGroup(b.ctx, name, args, b.parent)
}

// clusterServiceRole creates the role EMR acts as for every cluster: AWS's
// tag-scoped managed service policy, plus passing the teams' instance roles
// and using the volume and log keys.
func (b *builder) clusterServiceRole() error {
	trust, err := EMRServiceTrustPolicy(b.args.Scope).JSON()
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
		PolicyArn: pulumi.String(b.args.ManagedPolicyARN("service-role/" + EMRServicePolicyName)),
	}, b.parent)
	if err != nil {
		return err
	}
	roleArns := b.teamRoleArns
	policy, err := iam.NewRolePolicy(b.ctx, b.name+"-cluster-service", &iam.RolePolicyArgs{
		Role: role.ID(),
		Policy: b.document(roleArns, func(s PolicyScope, arns []string) iamdoc.Document {
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

	trust, err := EMRServiceTrustPolicy(b.args.Scope).JSON()
	if err != nil {
		return nil, err
	}
	serviceRole, err := iam.NewRole(b.ctx, b.name+"-studio-service", &iam.RoleArgs{
		// A fixed name, so the data perimeter can exempt exactly this role
		// for the Studio's storage prefix before the role exists.
		Name:             pulumi.String(StudioServiceRoleName(b.args.Scope)),
		Description:      pulumi.String("EMR Studio service role: workspace network interfaces and storage"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.parent)
	if err != nil {
		return nil, err
	}
	servicePolicy, err := iam.NewRolePolicy(b.ctx, b.name+"-studio-service", &iam.RolePolicyArgs{
		Role:   serviceRole.ID(),
		Policy: b.document(nil, func(s PolicyScope, _ []string) iamdoc.Document { return StudioServicePolicy(s) }),
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
			Policy: b.document([]pulumi.StringInput{serviceRole.Arn}, func(s PolicyScope, v []string) iamdoc.Document {
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
		Name:                     pulumi.String(b.args.Name("studio")),
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

// optional turns a nil input into an absent pointer input.
func optional(v pulumi.StringInput) pulumi.StringPtrInput {
	if v == nil {
		return nil
	}
	return v.ToStringOutput().ToStringPtrOutput()
}
