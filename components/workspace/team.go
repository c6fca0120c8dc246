package workspace

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sagemaker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type teamDeps struct {
	trust     string
	boundary  *iam.Policy
	domain    *sagemaker.Domain
	logGroups []pulumi.Resource
}

// teamResources are what one team gets in the domain.
type teamResources struct {
	profile       *sagemaker.UserProfile
	role          *iam.Role
	securityGroup *ec2.SecurityGroup
	accessPolicy  *iam.Policy
}

func newTeam(ctx *pulumi.Context, name string, a *Args, team Team, deps teamDeps,
	parent pulumi.ResourceOption,
) (*teamResources, error) {
	resource := name + "-" + team.Name
	tags := team.Tags.StringMap()
	sg, err := newSecurityGroup(ctx, resource, a.Name("studio", team.Name), a, tags, true, parent)
	if err != nil {
		return nil, err
	}
	lifecycle, err := newLifecycleConfigs(ctx, name, a, team.Name, sg, parent)
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(ctx, resource, &iam.RoleArgs{
		Name:                pulumi.String(TeamRoleName(a.Scope, team.Name)),
		Description:         pulumi.Sprintf("SageMaker Studio execution role of team %s", team.Name),
		AssumeRolePolicy:    pulumi.String(deps.trust),
		MaxSessionDuration:  pulumi.Int(SessionSeconds),
		PermissionsBoundary: deps.boundary.Arn,
		Tags:                tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	policy := pulumi.All(deps.domain.ID(), role.Arn, team.AccessPointArn, a.DataKeyArn, a.WorkspaceKeyArn,
		a.VpcID, a.SubnetIDs, sg.ID(), lifecycle.arns()).ApplyT(func(v []any) (string, error) {
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
		return nil, err
	}

	// The profile's own security group is added to the domain's (SageMaker
	// aggregates both); its app settings repeat the domain's idle shutdown
	// and storage bounds, because settings given on a profile replace the
	// domain's, and name the team's lifecycle scripts.
	idleState, idleTimeout := pulumi.String(enabled), pulumi.Int(a.IdleTimeoutMinutes)
	idleMin, idleMax := pulumi.Int(MinIdleTimeoutMinutes), pulumi.Int(a.MaxIdleTimeoutMinutes)
	defaultType := pulumi.String(a.AllowedInstanceTypes[0])
	if team.InstanceType != "" {
		defaultType = pulumi.String(team.InstanceType)
	}
	jupyterLab, codeEditor := lifecycle[appTypeJupyterLab], lifecycle[appTypeCodeEditor]
	profile, err := sagemaker.NewUserProfile(ctx, resource, &sagemaker.UserProfileArgs{
		DomainId:        deps.domain.ID(),
		UserProfileName: pulumi.String(team.Name),
		UserSettings: &sagemaker.UserProfileUserSettingsArgs{
			ExecutionRole:  role.Arn,
			SecurityGroups: pulumi.StringArray{sg.ID()},
			JupyterLabAppSettings: &sagemaker.UserProfileUserSettingsJupyterLabAppSettingsArgs{
				AppLifecycleManagement: &sagemaker.UserProfileUserSettingsJupyterLabAppSettingsAppLifecycleManagementArgs{
					IdleSettings: &sagemaker.UserProfileUserSettingsJupyterLabAppSettingsAppLifecycleManagementIdleSettingsArgs{
						LifecycleManagement: idleState, IdleTimeoutInMinutes: idleTimeout,
						MinIdleTimeoutInMinutes: idleMin, MaxIdleTimeoutInMinutes: idleMax,
					},
				},
				DefaultResourceSpec: &sagemaker.UserProfileUserSettingsJupyterLabAppSettingsDefaultResourceSpecArgs{
					InstanceType:       defaultType,
					LifecycleConfigArn: jupyterLab.Arn,
				},
				LifecycleConfigArns: pulumi.StringArray{jupyterLab.Arn},
			},
			CodeEditorAppSettings: &sagemaker.UserProfileUserSettingsCodeEditorAppSettingsArgs{
				AppLifecycleManagement: &sagemaker.UserProfileUserSettingsCodeEditorAppSettingsAppLifecycleManagementArgs{
					IdleSettings: &sagemaker.UserProfileUserSettingsCodeEditorAppSettingsAppLifecycleManagementIdleSettingsArgs{
						LifecycleManagement: idleState, IdleTimeoutInMinutes: idleTimeout,
						MinIdleTimeoutInMinutes: idleMin, MaxIdleTimeoutInMinutes: idleMax,
					},
				},
				DefaultResourceSpec: &sagemaker.UserProfileUserSettingsCodeEditorAppSettingsDefaultResourceSpecArgs{
					InstanceType:       defaultType,
					LifecycleConfigArn: codeEditor.Arn,
				},
				LifecycleConfigArns: pulumi.StringArray{codeEditor.Arn},
			},
		},
		Tags: tags,
	}, parent, pulumi.DependsOn(append([]pulumi.Resource{rolePolicy}, deps.logGroups...)))
	if err != nil {
		return nil, err
	}

	access, err := newAccessPolicy(ctx, resource, a, team, deps.domain, parent)
	if err != nil {
		return nil, err
	}
	return &teamResources{profile: profile, role: role, securityGroup: sg, accessPolicy: access}, nil
}

// newAccessPolicy creates the policy the team's people open Studio with
// and attaches it to their roles and groups.
func newAccessPolicy(ctx *pulumi.Context, resource string, a *Args, team Team, domain *sagemaker.Domain,
	parent pulumi.ResourceOption,
) (*iam.Policy, error) {
	endpoints := pulumi.StringArrayInput(pulumi.StringArray{})
	if a.StudioAccess.VpcEndpointIDs != nil {
		endpoints = a.StudioAccess.VpcEndpointIDs
	}
	doc := pulumi.All(domain.ID(), endpoints).ApplyT(func(v []any) (string, error) {
		return StudioAccessPolicy(a.Scope, string(v[0].(pulumi.ID)), team.Name, StudioAccess{
			CorporateCIDRs: a.StudioAccess.CorporateCIDRs,
			VpcEndpointIDs: v[1].([]string),
		}).JSON()
	}).(pulumi.StringOutput)
	policy, err := iam.NewPolicy(ctx, resource+"-access", &iam.PolicyArgs{
		Name:        pulumi.String(a.Name("studio", team.Name, "access")),
		Description: pulumi.Sprintf("Opens SageMaker Studio for team %s: its own profile, from the platform's network only", team.Name),
		Policy:      doc,
		Tags:        team.Tags.StringMap(),
	}, parent)
	if err != nil {
		return nil, err
	}
	for _, r := range team.AccessRoles {
		if _, err := iam.NewRolePolicyAttachment(ctx, fmt.Sprintf("%s-access-role-%s", resource, r), &iam.RolePolicyAttachmentArgs{
			Role: pulumi.String(r), PolicyArn: policy.Arn,
		}, parent); err != nil {
			return nil, err
		}
	}
	for _, g := range team.AccessGroups {
		if _, err := iam.NewGroupPolicyAttachment(ctx, fmt.Sprintf("%s-access-group-%s", resource, g), &iam.GroupPolicyAttachmentArgs{
			Group: pulumi.String(g), PolicyArn: policy.Arn,
		}, parent); err != nil {
			return nil, err
		}
	}
	return policy, nil
}
