package analytics

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/emr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/iamdoc"
)

// teamInfrastructure creates a team's instance role and profile and the
// EMR-managed security groups of its clusters. Teams never share them, so
// one team's nodes can neither read another team's data nor reach its
// clusters.
func (b *builder) teamInfrastructure(t Team) error {
	prefix := b.Child(t.Name)
	trust, err := EC2TrustPolicy(b.args.Scope).JSON()
	if err != nil {
		return err
	}
	role, err := iam.NewRole(b.Ctx, prefix+"-nodes", &iam.RoleArgs{
		// A fixed name, so the data key's policy can admit the nodes'
		// direct use of it (local disk encryption) before the role exists.
		Name:                pulumi.String(NodeRoleName(b.args.Scope, t.Name)),
		Description:         pulumi.Sprintf("EMR cluster nodes of team %s: the team's data and logs only", t.Name),
		AssumeRolePolicy:    pulumi.String(trust),
		PermissionsBoundary: b.boundaryArn,
		Tags:                t.Tags.StringMap(),
	}, b.Parent)
	if err != nil {
		return err
	}
	team := t.Name
	policy, err := iam.NewRolePolicy(b.Ctx, prefix+"-nodes", &iam.RolePolicyArgs{
		Role: role.ID(),
		Policy: b.document([]pulumi.StringInput{t.AccessPointArn}, func(s PolicyScope, v []string) iamdoc.Document {
			return InstanceRolePolicy(s, team, v[0])
		}),
	}, b.Parent)
	if err != nil {
		return err
	}
	profile, err := iam.NewInstanceProfile(b.Ctx, prefix+"-nodes", &iam.InstanceProfileArgs{
		Role: role.Name,
		Tags: t.Tags.StringMap(),
	}, b.Parent)
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

// teamAccess creates each team's Studio policy and gives it to the team's
// identities: as the session policy of a session mapping in SSO mode, as an
// attached policy in IAM mode.
func (b *builder) teamAccess(studios map[string]*emr.Studio) (pulumi.StringMap, error) {
	mode := b.args.authMode()
	arns := pulumi.StringMap{}
	for _, t := range b.args.Teams {
		team := t.Name
		studio := studios[team]
		policy, err := iam.NewPolicy(b.Ctx, fmt.Sprintf("%s-%s-studio", b.Name, team), &iam.PolicyArgs{
			Description: pulumi.Sprintf("EMR Studio access of team %s: its Studio, workspaces, clusters, data and logs", team),
			Policy: b.document([]pulumi.StringInput{b.studioServiceRoles[team].Arn, studio.Arn, t.AccessPointArn}, func(s PolicyScope, v []string) iamdoc.Document {
				u := StudioUser{Team: team, StudioServiceRoleArns: []string{v[0]}, AccessPointArn: v[2]}
				if mode == AuthIAM {
					u.StudioArn = v[1]
				}
				return StudioUserPolicy(s, u)
			}),
			Tags: t.Tags.StringMap(),
		}, b.Parent)
		if err != nil {
			return nil, err
		}
		arns[team] = policy.Arn
		for _, id := range t.Identities {
			resourceName := fmt.Sprintf("%s-%s-%s-%s", b.Name, team, strings.ToLower(string(id.Type)), id.Name)
			switch {
			case mode == AuthSSO:
				_, err = emr.NewStudioSessionMapping(b.Ctx, resourceName, &emr.StudioSessionMappingArgs{
					StudioId:         studio.ID(),
					IdentityType:     pulumi.String(string(id.Type)),
					IdentityName:     pulumi.String(id.Name),
					SessionPolicyArn: policy.Arn,
				}, b.Parent)
			case id.Type == IdentityRole:
				_, err = iam.NewRolePolicyAttachment(b.Ctx, resourceName, &iam.RolePolicyAttachmentArgs{
					Role: pulumi.String(id.Name), PolicyArn: policy.Arn,
				}, b.Parent)
			default:
				_, err = iam.NewGroupPolicyAttachment(b.Ctx, resourceName, &iam.GroupPolicyAttachmentArgs{
					Group: pulumi.String(id.Name), PolicyArn: policy.Arn,
				}, b.Parent)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return arns, nil
}
