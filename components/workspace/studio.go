// Package workspace provides what a data-science team gets when it asks for
// an environment: a SageMaker Studio domain in VpcOnly mode inside the
// platform's private subnets, and per team a user profile whose execution
// role reaches only that team's data.
//
// Guardrails that cannot be switched off:
//   - the domain has no internet path (VpcOnly), its storage is encrypted
//     with the workspace key, and its security groups reach only the VPC
//     endpoints and S3 through the gateway endpoint; each team has its own
//     security group, the only one that lets apps and jobs reach each
//     other, so no team reaches another's apps or jobs;
//   - JupyterLab and Code Editor, which shut down when idle within the
//     environment's bound, are the only apps a role may start, and every app
//     starts with a lifecycle script that keeps pip, conda and the SageMaker
//     SDK on the private paths;
//   - SageMaker's log groups exist before any job, encrypted with the logs
//     key and kept for the environment's retention; a team reads and
//     writes only its own jobs' and apps' log streams;
//   - people open Studio only for their team's profile and only from the
//     configured network;
//   - every execution role trusts only SageMaker in this account, lives at
//     most an hour per session, and carries a permissions boundary that caps
//     it to the platform's resources and allowed instance types;
//   - a team's role reaches its own access point and prefix, its own
//     Studio resources and jobs ("<team>--<name>"), and the platform keys
//     only through the services that store the data;
//   - spaces are created with a team tag and an expires-at tag (spaces are
//     created with the API or CLI, because the Studio UI cannot tag them):
//     aws sagemaker create-space --domain-id <id> --space-name <team>--<name> \
//     --ownership-settings OwnerUserProfileName=<team> --space-sharing-settings SharingType=Private \
//     --tags Key=team,Value=<team> Key=expires-at,Value=2025-01-31T18:00:00Z
package workspace

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sagemaker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/scope"
)

// Type is the component's type token.
const Type = "aifactory:workspace:Studio"

// Bounds of the settings. AWS accepts idle timeouts between an hour and a
// year and space volumes up to 16 TiB.
//
// SessionSeconds is every workspace role's maximum session: one hour, the
// platform's ceiling and also the lowest maximum IAM accepts for a role
// (3600-43200 s). IAM has no condition key that forces a shorter session,
// so no setting can lower it further, and none may raise it.
const (
	SessionSeconds          = 3600
	MinIdleTimeoutMinutes   = 60
	MaxIdleTimeoutMinutes   = 525600
	MinEBSVolumeSizeGB      = 5
	MaxEBSVolumeSizeGB      = 16384
	DefaultEBSVolumeSizeGB  = 5
	DefaultMaxEBSVolumeSize = 25
)

// HomeEFSRetention values.
const (
	RetainHomeDirectories = "Retain"
	DeleteHomeDirectories = "Delete"
)

// AWS name limits and fixed values of the domain.
const (
	maxRoleNameLength = 64
	// maxLifecycleConfigNameLength is SageMaker's limit on lifecycle
	// configuration names.
	maxLifecycleConfigNameLength = 63
	landingStudio                = "studio::"
	enabled                      = "ENABLED"
	appTypeJupyterLab            = "JupyterLab"
	appTypeCodeEditor            = "CodeEditor"
)

// HiddenAppTypes are kept out of the Studio navigation: Studio Classic has
// no built-in idle shutdown, and RStudio and Canvas are not part of the
// platform's offer.
func HiddenAppTypes() []string { return []string{"JupyterServer", "RStudioServerPro", "Canvas"} }

// Studio is the SageMaker Studio workspace component (aifactory:workspace:Studio).
type Studio struct {
	pulumi.ResourceState

	DomainID  pulumi.StringOutput `pulumi:"domainId"`
	DomainURL pulumi.StringOutput `pulumi:"domainUrl"`
	// SecurityGroupID is the domain's shared group: AWS APIs and S3 only.
	SecurityGroupID         pulumi.StringOutput `pulumi:"securityGroupId"`
	BoundaryPolicyArn       pulumi.StringOutput `pulumi:"boundaryPolicyArn"`
	DefaultExecutionRoleArn pulumi.StringOutput `pulumi:"defaultExecutionRoleArn"`
	// ProfileNames, RoleArns, SecurityGroupIDs and AccessPolicyArns (the
	// policy people open Studio with) are keyed by team name.
	ProfileNames     pulumi.StringMapOutput `pulumi:"profileNames"`
	RoleArns         pulumi.StringMapOutput `pulumi:"roleArns"`
	SecurityGroupIDs pulumi.StringMapOutput `pulumi:"securityGroupIds"`
	AccessPolicyArns pulumi.StringMapOutput `pulumi:"accessPolicyArns"`
}

var (
	instanceTypePattern = regexp.MustCompile(`^ml\.[a-z0-9]+\.[a-z0-9]+$`)
)

// New creates the Studio domain, its security group, lifecycle
// configurations, permissions boundary and default role, and per team a
// user profile and execution role.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Studio, error) {
	if args == nil {
		return nil, errors.New("workspace: args are required")
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("workspace %q: %w", name, err)
	}

	w := &Studio{}
	if err := ctx.RegisterComponentResource(Type, name, w, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(w)

	sg, err := newSecurityGroup(ctx, name+"-studio", a.Name("studio"), &a, nil, false, parent)
	if err != nil {
		return nil, err
	}
	logGroups, err := newLogGroups(ctx, name, &a, parent)
	if err != nil {
		return nil, err
	}
	boundary, err := newBoundary(ctx, name, &a, parent)
	if err != nil {
		return nil, err
	}
	trust, err := TrustPolicy(a.Scope).JSON()
	if err != nil {
		return nil, err
	}
	defaultRole, err := iam.NewRole(ctx, name+"-default", &iam.RoleArgs{
		Name:                pulumi.String(a.Name("studio")),
		Description:         pulumi.String("Default Studio execution role: runs shared spaces, reaches no team data"),
		AssumeRolePolicy:    pulumi.String(trust),
		MaxSessionDuration:  pulumi.Int(SessionSeconds),
		PermissionsBoundary: boundary.Arn,
	}, parent)
	if err != nil {
		return nil, err
	}
	lifecycle, err := newLifecycleConfigs(ctx, name, &a, "", sg, parent)
	if err != nil {
		return nil, err
	}
	domain, err := newDomain(ctx, name, &a, sg, defaultRole, lifecycle, parent)
	if err != nil {
		return nil, err
	}
	defaultPolicy := domain.ID().ToStringOutput().ApplyT(func(id string) (string, error) {
		return DefaultRolePolicy(a.Scope, id, a.ImageRegistryAccounts).JSON()
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, name+"-default", &iam.RolePolicyArgs{
		Role:   defaultRole.ID(),
		Policy: defaultPolicy,
	}, parent); err != nil {
		return nil, err
	}

	profileNames, roleArns, groupIDs, accessPolicies := pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}
	for _, team := range a.Teams {
		t, err := newTeam(ctx, name, &a, team, teamDeps{
			trust: trust, boundary: boundary, domain: domain, logGroups: logGroups,
		}, parent)
		if err != nil {
			return nil, err
		}
		profileNames[team.Name] = t.profile.UserProfileName
		roleArns[team.Name] = t.role.Arn
		groupIDs[team.Name] = t.securityGroup.ID().ToStringOutput()
		accessPolicies[team.Name] = t.accessPolicy.Arn
	}

	w.DomainID = domain.ID().ToStringOutput()
	w.DomainURL = domain.Url
	w.SecurityGroupID = sg.ID().ToStringOutput()
	w.BoundaryPolicyArn = boundary.Arn
	w.DefaultExecutionRoleArn = defaultRole.Arn
	w.ProfileNames = profileNames.ToStringMapOutput()
	w.RoleArns = roleArns.ToStringMapOutput()
	w.SecurityGroupIDs = groupIDs.ToStringMapOutput()
	w.AccessPolicyArns = accessPolicies.ToStringMapOutput()
	if err := ctx.RegisterResourceOutputs(w, pulumi.Map{
		"securityGroupIds":        w.SecurityGroupIDs,
		"accessPolicyArns":        w.AccessPolicyArns,
		"domainId":                w.DomainID,
		"domainUrl":               w.DomainURL,
		"securityGroupId":         w.SecurityGroupID,
		"boundaryPolicyArn":       w.BoundaryPolicyArn,
		"defaultExecutionRoleArn": w.DefaultExecutionRoleArn,
		"profileNames":            w.ProfileNames,
		"roleArns":                w.RoleArns,
	}); err != nil {
		return nil, err
	}
	return w, nil
}

// Studio in VpcOnly mode needs, within a security group, NFS to the
// domain's EFS home directories and TCP 8192-65535 between a Jupyter
// server and its kernel gateways (SageMaker developer guide, "Requirements
// to use VPC only mode"). Only a team's own group opens them, to itself:
// the domain's shared group opens nothing, so no team's apps or jobs can
// reach another team's.
var intraGroupPorts = []struct {
	from, to    int
	description string
}{
	{2049, 2049, "NFS to the domain's EFS home directories"},
	{8192, 65535, "Jupyter server to kernel gateway apps"},
}

// newSecurityGroup creates a group that sends HTTPS to the VPC endpoints
// and S3 only; a team's group (selfReachable) also lets its members reach
// each other on the ports Studio needs.
func newSecurityGroup(ctx *pulumi.Context, resourceName, groupName string, a *Args, tags pulumi.StringMap, selfReachable bool,
	parent pulumi.ResourceOption,
) (*ec2.SecurityGroup, error) {
	var ingress ec2.SecurityGroupIngressArray
	egress := ec2.SecurityGroupEgressArray{
		&ec2.SecurityGroupEgressArgs{
			Description:    pulumi.String("HTTPS to the VPC interface endpoints"),
			Protocol:       pulumi.String("tcp"),
			FromPort:       pulumi.Int(443),
			ToPort:         pulumi.Int(443),
			SecurityGroups: pulumi.StringArray{a.EndpointSecurityGroupID},
		},
		&ec2.SecurityGroupEgressArgs{
			Description:   pulumi.String("HTTPS to S3 through the gateway endpoint"),
			Protocol:      pulumi.String("tcp"),
			FromPort:      pulumi.Int(443),
			ToPort:        pulumi.Int(443),
			PrefixListIds: pulumi.StringArray{a.S3PrefixListID},
		},
	}
	description := "SageMaker Studio: VPC endpoints and S3 only"
	if selfReachable {
		description = "SageMaker Studio apps and jobs of one team: VPC endpoints, S3 and each other only"
		for _, p := range intraGroupPorts {
			ingress = append(ingress, &ec2.SecurityGroupIngressArgs{
				Description: pulumi.String(p.description),
				Protocol:    pulumi.String("tcp"),
				FromPort:    pulumi.Int(p.from),
				ToPort:      pulumi.Int(p.to),
				Self:        pulumi.Bool(true),
			})
			egress = append(egress, &ec2.SecurityGroupEgressArgs{
				Description: pulumi.String(p.description),
				Protocol:    pulumi.String("tcp"),
				FromPort:    pulumi.Int(p.from),
				ToPort:      pulumi.Int(p.to),
				Self:        pulumi.Bool(true),
			})
		}
	}
	all := pulumi.StringMap{"Name": pulumi.String(groupName)}
	for k, v := range tags {
		all[k] = v
	}
	return ec2.NewSecurityGroup(ctx, resourceName, &ec2.SecurityGroupArgs{
		VpcId:       a.VpcID,
		Description: pulumi.String(description),
		Ingress:     ingress,
		Egress:      egress,
		Tags:        all,
	}, parent)
}

// newLogGroups creates SageMaker's log groups before anything logs into
// them, so SageMaker never creates them unencrypted and kept forever.
func newLogGroups(ctx *pulumi.Context, name string, a *Args, parent pulumi.ResourceOption) ([]pulumi.Resource, error) {
	var out []pulumi.Resource
	for _, g := range LogGroups() {
		lg, err := cloudwatch.NewLogGroup(ctx, name+"-"+strings.ToLower(path.Base(g)), &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(g),
			KmsKeyId:        a.LogsKeyArn,
			RetentionInDays: pulumi.Int(a.LogRetentionDays),
		}, parent)
		if err != nil {
			return nil, err
		}
		out = append(out, lg)
	}
	return out, nil
}

func newBoundary(ctx *pulumi.Context, name string, a *Args, parent pulumi.ResourceOption) (*iam.Policy, error) {
	inputs := []any{a.VpcID, a.DataKeyArn, a.WorkspaceKeyArn}
	for _, t := range a.Teams {
		inputs = append(inputs, t.AccessPointArn)
	}
	doc := pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		var accessPoints []string
		for _, ap := range v[3:] {
			accessPoints = append(accessPoints, ap.(string))
		}
		return BoundaryPolicy(BoundaryScope{
			Scope:                 a.Scope,
			VpcID:                 v[0].(string),
			DataKeyArn:            v[1].(string),
			WorkspaceKeyArn:       v[2].(string),
			PlatformBucketArns:    a.PlatformBucketArns,
			AccessPointArns:       accessPoints,
			AllowedInstanceTypes:  a.AllowedInstanceTypes,
			ImageRegistryAccounts: a.ImageRegistryAccounts,
		}).JSON()
	}).(pulumi.StringOutput)
	return iam.NewPolicy(ctx, name+"-boundary", &iam.PolicyArgs{
		Name:        pulumi.String(a.Name("studio", "boundary")),
		Description: pulumi.String("Permissions boundary of every SageMaker Studio execution role"),
		Policy:      doc,
	}, parent)
}

// lifecycleConfigs are the domain's Studio lifecycle configurations by app type.
type lifecycleConfigs map[string]*sagemaker.StudioLifecycleConfig

func (l lifecycleConfigs) arns() pulumi.StringArrayOutput {
	return pulumi.All(l[appTypeJupyterLab].Arn, l[appTypeCodeEditor].Arn).ApplyT(func(v []any) []string {
		return []string{v[0].(string), v[1].(string)}
	}).(pulumi.StringArrayOutput)
}

// TeamLifecycleConfigName is the name of a team's lifecycle configuration
// for an app type: "<prefix>-<team>-lab" or "<prefix>-<team>-code".
func TeamLifecycleConfigName(s scope.Scope, team, appType string) string {
	if appType == appTypeCodeEditor {
		return s.Name(team, "code")
	}
	return s.Name(team, "lab")
}

// newLifecycleConfigs creates the lifecycle configurations of the domain
// (team empty: shared spaces) or of one team, whose script makes the
// team's own security group the SageMaker SDK's default.
func newLifecycleConfigs(ctx *pulumi.Context, name string, a *Args, team string, sg *ec2.SecurityGroup, parent pulumi.ResourceOption) (lifecycleConfigs, error) {
	content := pulumi.All(a.SubnetIDs, sg.ID(), a.WorkspaceKeyArn, a.DataKeyArn).ApplyT(func(v []any) (string, error) {
		script, err := LifecycleScript(LifecycleSettings{
			Prefix:          a.Prefix,
			PackageIndexURL: a.PackageIndexURL,
			SubnetIDs:       v[0].([]string),
			SecurityGroupID: string(v[1].(pulumi.ID)),
			WorkspaceKeyArn: v[2].(string),
			DataKeyArn:      v[3].(string),
		})
		if err != nil {
			return "", err
		}
		return EncodeLifecycleScript(script), nil
	}).(pulumi.StringOutput)

	out := lifecycleConfigs{}
	for _, appType := range []string{appTypeJupyterLab, appTypeCodeEditor} {
		// At most 61 characters with a 41-character prefix, within AWS's 63.
		configName := a.Name("vpc-only", strings.ToLower(appType))
		resourceName := fmt.Sprintf("%s-%s", name, strings.ToLower(appType))
		if team != "" {
			configName = TeamLifecycleConfigName(a.Scope, team, appType)
			resourceName = fmt.Sprintf("%s-%s-%s", name, team, strings.ToLower(appType))
		}
		lcc, err := sagemaker.NewStudioLifecycleConfig(ctx, resourceName, &sagemaker.StudioLifecycleConfigArgs{
			StudioLifecycleConfigName:    pulumi.String(configName),
			StudioLifecycleConfigAppType: pulumi.String(appType),
			StudioLifecycleConfigContent: content,
		}, parent)
		if err != nil {
			return nil, err
		}
		out[appType] = lcc
	}
	return out, nil
}

func newDomain(ctx *pulumi.Context, name string, a *Args, sg *ec2.SecurityGroup, defaultRole *iam.Role,
	lifecycle lifecycleConfigs, parent pulumi.ResourceOption,
) (*sagemaker.Domain, error) {
	groups := pulumi.StringArray{sg.ID()}
	defaultType := pulumi.String(a.AllowedInstanceTypes[0])
	// Users may pick their own idle timeout for an app, between an hour
	// and the environment's bound; never switch it off.
	idleState, idleTimeout := pulumi.String(enabled), pulumi.Int(a.IdleTimeoutMinutes)
	idleMin, idleMax := pulumi.Int(MinIdleTimeoutMinutes), pulumi.Int(a.MaxIdleTimeoutMinutes)
	jupyterLab := lifecycle[appTypeJupyterLab]
	codeEditor := lifecycle[appTypeCodeEditor]

	// Protect (prod) guards the domain itself, which holds every team's
	// home directories; profiles stay removable so a team can leave.
	return sagemaker.NewDomain(ctx, name, &sagemaker.DomainArgs{
		DomainName:           pulumi.String(a.Name("studio")),
		AuthMode:             pulumi.String("IAM"),
		AppNetworkAccessType: pulumi.String("VpcOnly"),
		VpcId:                a.VpcID,
		SubnetIds:            a.SubnetIDs,
		KmsKeyId:             a.WorkspaceKeyArn,
		TagPropagation:       pulumi.String(enabled),
		RetentionPolicy:      &sagemaker.DomainRetentionPolicyArgs{HomeEfsFileSystem: pulumi.String(a.HomeEFSRetention)},
		DomainSettings: &sagemaker.DomainDomainSettingsArgs{
			SecurityGroupIds: groups,
			// Sessions carry the user profile name as source identity, so
			// CloudTrail shows which team made each call.
			ExecutionRoleIdentityConfig: pulumi.String("USER_PROFILE_NAME"),
			DockerSettings:              &sagemaker.DomainDomainSettingsDockerSettingsArgs{EnableDockerAccess: pulumi.String("DISABLED")},
		},
		DefaultUserSettings: &sagemaker.DomainDefaultUserSettingsArgs{
			ExecutionRole:     defaultRole.Arn,
			SecurityGroups:    groups,
			StudioWebPortal:   pulumi.String(enabled),
			DefaultLandingUri: pulumi.String(landingStudio),
			StudioWebPortalSettings: &sagemaker.DomainDefaultUserSettingsStudioWebPortalSettingsArgs{
				HiddenAppTypes: pulumi.ToStringArray(HiddenAppTypes()),
			},
			SharingSettings: &sagemaker.DomainDefaultUserSettingsSharingSettingsArgs{
				NotebookOutputOption: pulumi.String("Disabled"),
			},
			JupyterLabAppSettings: &sagemaker.DomainDefaultUserSettingsJupyterLabAppSettingsArgs{
				AppLifecycleManagement: &sagemaker.DomainDefaultUserSettingsJupyterLabAppSettingsAppLifecycleManagementArgs{
					IdleSettings: &sagemaker.DomainDefaultUserSettingsJupyterLabAppSettingsAppLifecycleManagementIdleSettingsArgs{
						LifecycleManagement: idleState, IdleTimeoutInMinutes: idleTimeout,
						MinIdleTimeoutInMinutes: idleMin, MaxIdleTimeoutInMinutes: idleMax,
					},
				},
				DefaultResourceSpec: &sagemaker.DomainDefaultUserSettingsJupyterLabAppSettingsDefaultResourceSpecArgs{
					InstanceType:       defaultType,
					LifecycleConfigArn: jupyterLab.Arn,
				},
				LifecycleConfigArns: pulumi.StringArray{jupyterLab.Arn},
			},
			CodeEditorAppSettings: &sagemaker.DomainDefaultUserSettingsCodeEditorAppSettingsArgs{
				AppLifecycleManagement: &sagemaker.DomainDefaultUserSettingsCodeEditorAppSettingsAppLifecycleManagementArgs{
					IdleSettings: &sagemaker.DomainDefaultUserSettingsCodeEditorAppSettingsAppLifecycleManagementIdleSettingsArgs{
						LifecycleManagement: idleState, IdleTimeoutInMinutes: idleTimeout,
						MinIdleTimeoutInMinutes: idleMin, MaxIdleTimeoutInMinutes: idleMax,
					},
				},
				DefaultResourceSpec: &sagemaker.DomainDefaultUserSettingsCodeEditorAppSettingsDefaultResourceSpecArgs{
					InstanceType:       defaultType,
					LifecycleConfigArn: codeEditor.Arn,
				},
				LifecycleConfigArns: pulumi.StringArray{codeEditor.Arn},
			},
			SpaceStorageSettings: &sagemaker.DomainDefaultUserSettingsSpaceStorageSettingsArgs{
				DefaultEbsStorageSettings: &sagemaker.DomainDefaultUserSettingsSpaceStorageSettingsDefaultEbsStorageSettingsArgs{
					DefaultEbsVolumeSizeInGb: pulumi.Int(a.DefaultEBSVolumeSizeGB),
					MaximumEbsVolumeSizeInGb: pulumi.Int(a.MaxEBSVolumeSizeGB),
				},
			},
		},
		DefaultSpaceSettings: &sagemaker.DomainDefaultSpaceSettingsArgs{
			ExecutionRole:  defaultRole.Arn,
			SecurityGroups: groups,
			JupyterLabAppSettings: &sagemaker.DomainDefaultSpaceSettingsJupyterLabAppSettingsArgs{
				AppLifecycleManagement: &sagemaker.DomainDefaultSpaceSettingsJupyterLabAppSettingsAppLifecycleManagementArgs{
					IdleSettings: &sagemaker.DomainDefaultSpaceSettingsJupyterLabAppSettingsAppLifecycleManagementIdleSettingsArgs{
						LifecycleManagement: idleState, IdleTimeoutInMinutes: idleTimeout,
						MinIdleTimeoutInMinutes: idleMin, MaxIdleTimeoutInMinutes: idleMax,
					},
				},
				DefaultResourceSpec: &sagemaker.DomainDefaultSpaceSettingsJupyterLabAppSettingsDefaultResourceSpecArgs{
					InstanceType:       defaultType,
					LifecycleConfigArn: jupyterLab.Arn,
				},
				LifecycleConfigArns: pulumi.StringArray{jupyterLab.Arn},
			},
			SpaceStorageSettings: &sagemaker.DomainDefaultSpaceSettingsSpaceStorageSettingsArgs{
				DefaultEbsStorageSettings: &sagemaker.DomainDefaultSpaceSettingsSpaceStorageSettingsDefaultEbsStorageSettingsArgs{
					DefaultEbsVolumeSizeInGb: pulumi.Int(a.DefaultEBSVolumeSizeGB),
					MaximumEbsVolumeSizeInGb: pulumi.Int(a.MaxEBSVolumeSizeGB),
				},
			},
		},
	}, parent, pulumi.Protect(a.Protect))
}
