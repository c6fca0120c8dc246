package workspace

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sagemaker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type teamDeps struct {
	trust     string
	boundary  *iam.Policy
	domain    *sagemaker.Domain
	sg        *ec2.SecurityGroup
	lifecycle lifecycleConfigs
}

func newTeam(ctx *pulumi.Context, name string, a *Args, team Team, deps teamDeps,
	parent pulumi.ResourceOption,
) (*sagemaker.UserProfile, *iam.Role, error) {
	resource := name + "-" + team.Name
	role, err := iam.NewRole(ctx, resource, &iam.RoleArgs{
		Name:                pulumi.String(TeamRoleName(a.Scope, team.Name)),
		Description:         pulumi.Sprintf("SageMaker Studio execution role of team %s", team.Name),
		AssumeRolePolicy:    pulumi.String(deps.trust),
		MaxSessionDuration:  pulumi.Int(SessionSeconds),
		PermissionsBoundary: deps.boundary.Arn,
		Tags:                team.Tags.StringMap(),
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	policy := pulumi.All(deps.domain.ID(), role.Arn, team.AccessPointArn, a.DataKeyArn, a.WorkspaceKeyArn,
		a.VpcID, a.SubnetIDs, deps.sg.ID(), deps.lifecycle.arns()).ApplyT(func(v []any) (string, error) {
		return TeamPolicy(TeamScope{
			Scope:                 a.Scope,
			Team:                  team.Name,
			DomainID:              string(v[0].(pulumi.ID)),
			RoleArn:               v[1].(string),
			AccessPointArn:        v[2].(string),
			DataKeyArn:            v[3].(string),
			WorkspaceKeyArn:       v[4].(string),
			VpcID:                 v[5].(string),
			SubnetIDs:             v[6].([]string),
			SecurityGroupID:       string(v[7].(pulumi.ID)),
			LifecycleConfigArns:   v[8].([]string),
			AllowedInstanceTypes:  a.AllowedInstanceTypes,
			ImageRegistryAccounts: a.ImageRegistryAccounts,
		}).JSON()
	}).(pulumi.StringOutput)
	rolePolicy, err := iam.NewRolePolicy(ctx, resource, &iam.RolePolicyArgs{
		Role:   role.ID(),
		Policy: policy,
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	// The profile inherits idle shutdown, lifecycle scripts, storage limits
	// and the security group from the domain; only the role is the team's.
	profile, err := sagemaker.NewUserProfile(ctx, resource, &sagemaker.UserProfileArgs{
		DomainId:        deps.domain.ID(),
		UserProfileName: pulumi.String(team.Name),
		UserSettings: &sagemaker.UserProfileUserSettingsArgs{
			ExecutionRole: role.Arn,
		},
		Tags: team.Tags.StringMap(),
	}, parent, pulumi.DependsOn([]pulumi.Resource{rolePolicy}))
	if err != nil {
		return nil, nil, err
	}
	return profile, role, nil
}
