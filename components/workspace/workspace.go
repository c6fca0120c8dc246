// Package workspace provides what a data-science team gets when it asks for
// an environment: a SageMaker Studio domain in VpcOnly mode inside the
// platform's private subnets, and per team a user profile whose execution
// role reaches only that team's data.
//
// Guardrails that cannot be switched off:
//   - the domain has no internet path (VpcOnly), its storage is encrypted
//     with the workspace key, and its security group reaches only the VPC
//     endpoints, S3 through the gateway endpoint, and the group itself;
//   - JupyterLab and Code Editor apps shut down when idle, within the
//     environment's bound, and every app starts with a lifecycle script that
//     keeps pip, conda and the SageMaker SDK on the private paths;
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
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sagemaker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/internal/naming"
	"github.com/aifactory/platform/components/tagging"
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
	minTeamNameLength = 2
	maxTeamNameLength = 32
	landingStudio     = "studio::"
	enabled           = "ENABLED"
	appTypeJupyterLab = "JupyterLab"
	appTypeCodeEditor = "CodeEditor"
)

// Environments the component knows; prod keeps user home directories when
// the domain is deleted.
var Environments = []string{"dev", "staging", "prod"}

// HiddenAppTypes are kept out of the Studio navigation: Studio Classic has
// no built-in idle shutdown, and RStudio and Canvas are not part of the
// platform's offer.
func HiddenAppTypes() []string { return []string{"JupyterServer", "RStudioServerPro", "Canvas"} }

// Team is one data-science team of the domain.
type Team struct {
	// Name is DNS-safe (lower-case letters, digits, single hyphens); it names
	// the user profile, the role "<Prefix>-studio-<Name>" and the team's
	// resources "<Name>--*".
	Name string
	// AccessPointArn is the team's S3 access point; the team's role reaches
	// the bucket only through it, and only below teams/<Name>/.
	AccessPointArn pulumi.StringInput
	// Tags are the team's required tags; the profile and role carry them,
	// and the role's team tag decides which team a space or job may claim.
	Tags tagging.Set
}

// Args configures the workspace.
type Args struct {
	// Prefix names resources (domain, roles, boundary, lifecycle
	// configurations); lower-case, e.g. "aifactory-dev".
	Prefix string
	// Environment is dev, staging or prod.
	Environment string
	// AccountID, Region and Partition scope every ARN and policy.
	AccountID string
	Region    string
	Partition string

	// VpcID and SubnetIDs are the private network the domain lives in.
	VpcID     pulumi.StringInput
	SubnetIDs pulumi.StringArrayInput
	// EndpointSecurityGroupID is the security group of the VPC interface
	// endpoints; Studio's group sends HTTPS only there.
	EndpointSecurityGroupID pulumi.StringInput
	// S3PrefixListID is the S3 gateway endpoint's prefix list.
	S3PrefixListID pulumi.StringInput

	// DataKeyArn encrypts the platform's data; WorkspaceKeyArn the domain's
	// EFS home directories and volumes.
	DataKeyArn      pulumi.StringInput
	WorkspaceKeyArn pulumi.StringInput
	// PlatformBucketArns are the platform's buckets (wildcards within a
	// name are allowed, "arn:aws:s3:::*" is not): a workspace role can
	// never touch another bucket.
	PlatformBucketArns []string

	// Teams get a user profile and an execution role each; at least one.
	Teams []Team

	// AllowedInstanceTypes are the only instance types apps, spaces and jobs
	// may use ("ml." types); the first is the default of new apps.
	AllowedInstanceTypes []string
	// IdleTimeoutMinutes shuts JupyterLab and Code Editor apps down after
	// this much idle time; at least 60 and at most MaxIdleTimeoutMinutes.
	IdleTimeoutMinutes int
	// MaxIdleTimeoutMinutes is the environment's bound: users may choose a
	// longer idle timeout for their app, never beyond it.
	MaxIdleTimeoutMinutes int
	// HomeEFSRetention is what happens to user home directories when the
	// domain is deleted: "Retain" (the default, and required in prod) or
	// "Delete".
	HomeEFSRetention string
	// DefaultEBSVolumeSizeGB and MaxEBSVolumeSizeGB size a space's volume
	// (5 and 25 GB when zero); users may grow a volume up to the maximum.
	DefaultEBSVolumeSizeGB int
	MaxEBSVolumeSizeGB     int
	// PackageIndexURL is a Python package index reachable from the private
	// subnets; empty means pip installs only local wheels.
	PackageIndexURL string
	// ImageRegistryAccounts own the ECR repositories jobs may pull images
	// from; this account and the AWS Deep Learning Containers account when
	// empty.
	ImageRegistryAccounts []string
	// Protect protects the domain from deletion by Pulumi.
	Protect bool
}

// Workspace is the Studio workspace component.
type Workspace struct {
	pulumi.ResourceState

	DomainID                pulumi.StringOutput `pulumi:"domainId"`
	DomainURL               pulumi.StringOutput `pulumi:"domainUrl"`
	SecurityGroupID         pulumi.StringOutput `pulumi:"securityGroupId"`
	BoundaryPolicyArn       pulumi.StringOutput `pulumi:"boundaryPolicyArn"`
	DefaultExecutionRoleArn pulumi.StringOutput `pulumi:"defaultExecutionRoleArn"`
	// ProfileNames and RoleArns are keyed by team name.
	ProfileNames pulumi.StringMapOutput `pulumi:"profileNames"`
	RoleArns     pulumi.StringMapOutput `pulumi:"roleArns"`
}

var (
	teamNamePattern     = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	instanceTypePattern = regexp.MustCompile(`^ml\.[a-z0-9]+\.[a-z0-9]+$`)
)

// withDefaults returns a copy of the args with zero values replaced by the
// documented defaults, leaving the caller's args untouched.
func (a Args) withDefaults() Args {
	if a.HomeEFSRetention == "" {
		a.HomeEFSRetention = RetainHomeDirectories
	}
	if a.DefaultEBSVolumeSizeGB == 0 {
		a.DefaultEBSVolumeSizeGB = DefaultEBSVolumeSizeGB
	}
	if a.MaxEBSVolumeSizeGB == 0 {
		a.MaxEBSVolumeSizeGB = DefaultMaxEBSVolumeSize
	}
	if len(a.ImageRegistryAccounts) == 0 {
		a.ImageRegistryAccounts = []string{a.AccountID, DeepLearningContainersAccount}
	}
	return a
}

func (a *Args) validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := naming.CheckPrefix(a.Prefix); err != nil {
		errs = append(errs, err)
	}
	if !slices.Contains(Environments, a.Environment) {
		add("Environment %q: use one of %v", a.Environment, Environments)
	}
	if !naming.IsAccountID(a.AccountID) || a.Region == "" || a.Partition == "" {
		add("AccountID, Region and Partition are required (AccountID has 12 digits) to scope every policy")
	}
	if a.VpcID == nil || a.SubnetIDs == nil {
		add("VpcID and SubnetIDs are required: the domain lives only in the private subnets")
	}
	if a.EndpointSecurityGroupID == nil || a.S3PrefixListID == nil {
		add("EndpointSecurityGroupID and S3PrefixListID are required: they are the only destinations of Studio's traffic")
	}
	if a.DataKeyArn == nil || a.WorkspaceKeyArn == nil {
		add("DataKeyArn and WorkspaceKeyArn are required: the domain's storage and the teams' data are always encrypted")
	}
	if len(a.PlatformBucketArns) == 0 {
		add("PlatformBucketArns: list the platform's buckets; the boundary denies every other bucket")
	}
	for _, arn := range a.PlatformBucketArns {
		if !strings.HasPrefix(arn, "arn:") || strings.HasSuffix(arn, ":::*") {
			add("PlatformBucketArns: %q must be a bucket ARN, not a wildcard for every bucket", arn)
		}
	}
	a.validateTeams(add)
	a.validateInstanceTypes(add)
	a.validateLimits(add)
	if a.PackageIndexURL != "" && !packageIndexPattern.MatchString(a.PackageIndexURL) {
		add("PackageIndexURL %q: use an https URL reachable from the private subnets, without credentials, spaces or quotes", a.PackageIndexURL)
	}
	for _, acct := range a.ImageRegistryAccounts {
		if !naming.IsAccountID(acct) {
			add("ImageRegistryAccounts: %q is not a 12-digit account id", acct)
		}
	}
	return errors.Join(errs...)
}

func (a *Args) validateTeams(add func(string, ...any)) {
	if len(a.Teams) == 0 {
		add("Teams: list at least one team; a domain nobody can use is a configuration mistake")
	}
	seen := map[string]bool{}
	platform := Platform{Prefix: a.Prefix}
	for i, t := range a.Teams {
		field := fmt.Sprintf("Teams[%d]", i)
		switch {
		case len(t.Name) < minTeamNameLength || len(t.Name) > maxTeamNameLength:
			add("%s.Name %q: use %d-%d characters", field, t.Name, minTeamNameLength, maxTeamNameLength)
		case !teamNamePattern.MatchString(t.Name) || strings.Contains(t.Name, TeamResourceSeparator):
			add("%s.Name %q: use lower-case letters, digits and single hyphens, starting with a letter", field, t.Name)
		case seen[t.Name]:
			add("%s.Name %q is listed twice; team names must be unique", field, t.Name)
		case len(platform.TeamRoleName(t.Name)) > maxRoleNameLength:
			add("%s.Name %q: the role name %q exceeds IAM's %d characters; shorten the team name or the prefix",
				field, t.Name, platform.TeamRoleName(t.Name), maxRoleNameLength)
		}
		seen[t.Name] = true
		if t.AccessPointArn == nil {
			add("%s.AccessPointArn is required: a team reaches its data only through its access point", field)
		}
		if err := t.Tags.Validate(field + ".Tags"); err != nil {
			add("%w", err)
		} else if t.Tags[tagging.Team] != t.Name {
			add("%s.Tags: team tag %q must equal the team name %q, or its costs and spaces go to another team",
				field, t.Tags[tagging.Team], t.Name)
		}
	}
}

func (a *Args) validateInstanceTypes(add func(string, ...any)) {
	if len(a.AllowedInstanceTypes) == 0 {
		add("AllowedInstanceTypes: list at least one type such as ml.t3.medium; the first is the default of new apps")
	}
	seen := map[string]bool{}
	for _, it := range a.AllowedInstanceTypes {
		switch {
		case !instanceTypePattern.MatchString(it):
			add("AllowedInstanceTypes: %q is not a SageMaker instance type such as ml.t3.medium", it)
		case seen[it]:
			add("AllowedInstanceTypes: %q is listed twice", it)
		}
		seen[it] = true
	}
}

func (a *Args) validateLimits(add func(string, ...any)) {
	if a.MaxIdleTimeoutMinutes < MinIdleTimeoutMinutes || a.MaxIdleTimeoutMinutes > MaxIdleTimeoutMinutes {
		add("MaxIdleTimeoutMinutes %d: set the environment's bound between %d and %d",
			a.MaxIdleTimeoutMinutes, MinIdleTimeoutMinutes, MaxIdleTimeoutMinutes)
	}
	if a.IdleTimeoutMinutes < MinIdleTimeoutMinutes || a.IdleTimeoutMinutes > max(a.MaxIdleTimeoutMinutes, MinIdleTimeoutMinutes) {
		add("IdleTimeoutMinutes %d: set it between %d and the environment's bound MaxIdleTimeoutMinutes (%d)",
			a.IdleTimeoutMinutes, MinIdleTimeoutMinutes, a.MaxIdleTimeoutMinutes)
	}
	switch {
	case a.HomeEFSRetention != RetainHomeDirectories && a.HomeEFSRetention != DeleteHomeDirectories:
		add("HomeEFSRetention %q: use %q or %q", a.HomeEFSRetention, RetainHomeDirectories, DeleteHomeDirectories)
	case a.Environment == "prod" && a.HomeEFSRetention != RetainHomeDirectories:
		add("HomeEFSRetention %q: prod keeps user home directories; use %q", a.HomeEFSRetention, RetainHomeDirectories)
	}
	if a.DefaultEBSVolumeSizeGB < MinEBSVolumeSizeGB || a.DefaultEBSVolumeSizeGB > a.MaxEBSVolumeSizeGB || a.MaxEBSVolumeSizeGB > MaxEBSVolumeSizeGB {
		add("DefaultEBSVolumeSizeGB %d and MaxEBSVolumeSizeGB %d: need %d <= default <= maximum <= %d",
			a.DefaultEBSVolumeSizeGB, a.MaxEBSVolumeSizeGB, MinEBSVolumeSizeGB, MaxEBSVolumeSizeGB)
	}
}

// New creates the Studio domain, its security group, lifecycle
// configurations, permissions boundary and default role, and per team a
// user profile and execution role.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Workspace, error) {
	if args == nil {
		return nil, errors.New("workspace: args are required")
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("workspace %q: %w", name, err)
	}

	w := &Workspace{}
	if err := ctx.RegisterComponentResource(Type, name, w, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(w)
	platform := Platform{Partition: a.Partition, Region: a.Region, AccountID: a.AccountID, Prefix: a.Prefix}

	sg, err := newSecurityGroup(ctx, name, &a, parent)
	if err != nil {
		return nil, err
	}
	boundary, err := newBoundary(ctx, name, &a, platform, parent)
	if err != nil {
		return nil, err
	}
	trust, err := TrustPolicy(a.AccountID).JSON()
	if err != nil {
		return nil, err
	}
	defaultRole, err := iam.NewRole(ctx, name+"-default", &iam.RoleArgs{
		Name:                pulumi.String(a.Prefix + "-studio"),
		Description:         pulumi.String("Default Studio execution role: runs shared spaces, reaches no team data"),
		AssumeRolePolicy:    pulumi.String(trust),
		MaxSessionDuration:  pulumi.Int(SessionSeconds),
		PermissionsBoundary: boundary.Arn,
	}, parent)
	if err != nil {
		return nil, err
	}
	lifecycle, err := newLifecycleConfigs(ctx, name, &a, sg, parent)
	if err != nil {
		return nil, err
	}
	domain, err := newDomain(ctx, name, &a, sg, defaultRole, lifecycle, parent)
	if err != nil {
		return nil, err
	}
	defaultPolicy := domain.ID().ToStringOutput().ApplyT(func(id string) (string, error) {
		return DefaultRolePolicy(platform, id, a.ImageRegistryAccounts).JSON()
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, name+"-default", &iam.RolePolicyArgs{
		Role:   defaultRole.ID(),
		Policy: defaultPolicy,
	}, parent); err != nil {
		return nil, err
	}

	profileNames := pulumi.StringMap{}
	roleArns := pulumi.StringMap{}
	for _, team := range a.Teams {
		profile, role, err := newTeam(ctx, name, &a, platform, team, teamDeps{
			trust: trust, boundary: boundary, domain: domain, sg: sg, lifecycle: lifecycle,
		}, parent)
		if err != nil {
			return nil, err
		}
		profileNames[team.Name] = profile.UserProfileName
		roleArns[team.Name] = role.Arn
	}

	w.DomainID = domain.ID().ToStringOutput()
	w.DomainURL = domain.Url
	w.SecurityGroupID = sg.ID().ToStringOutput()
	w.BoundaryPolicyArn = boundary.Arn
	w.DefaultExecutionRoleArn = defaultRole.Arn
	w.ProfileNames = profileNames.ToStringMapOutput()
	w.RoleArns = roleArns.ToStringMapOutput()
	if err := ctx.RegisterResourceOutputs(w, pulumi.Map{
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

// Studio in VpcOnly mode needs, within its security group, NFS to the
// domain's EFS home directories and TCP 8192-65535 between a Jupyter
// server and its kernel gateways (SageMaker developer guide, "Requirements
// to use VPC only mode"). Nothing else is opened.
var intraGroupPorts = []struct {
	from, to    int
	description string
}{
	{2049, 2049, "NFS to the domain's EFS home directories"},
	{8192, 65535, "Jupyter server to kernel gateway apps"},
}

func newSecurityGroup(ctx *pulumi.Context, name string, a *Args, parent pulumi.ResourceOption) (*ec2.SecurityGroup, error) {
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
	return ec2.NewSecurityGroup(ctx, name+"-studio", &ec2.SecurityGroupArgs{
		VpcId:       a.VpcID,
		Description: pulumi.String("SageMaker Studio apps: VPC endpoints, S3 and each other only"),
		Ingress:     ingress,
		Egress:      egress,
		Tags:        pulumi.StringMap{"Name": pulumi.String(a.Prefix + "-studio")},
	}, parent)
}

func newBoundary(ctx *pulumi.Context, name string, a *Args, platform Platform, parent pulumi.ResourceOption) (*iam.Policy, error) {
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
			Platform:              platform,
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
		Name:        pulumi.String(a.Prefix + "-studio-boundary"),
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

func newLifecycleConfigs(ctx *pulumi.Context, name string, a *Args, sg *ec2.SecurityGroup, parent pulumi.ResourceOption) (lifecycleConfigs, error) {
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
		configName := fmt.Sprintf("%s-vpc-only-%s", a.Prefix, strings.ToLower(appType))
		lcc, err := sagemaker.NewStudioLifecycleConfig(ctx, fmt.Sprintf("%s-%s", name, strings.ToLower(appType)), &sagemaker.StudioLifecycleConfigArgs{
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
		DomainName:           pulumi.String(a.Prefix + "-studio"),
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

type teamDeps struct {
	trust     string
	boundary  *iam.Policy
	domain    *sagemaker.Domain
	sg        *ec2.SecurityGroup
	lifecycle lifecycleConfigs
}

func newTeam(ctx *pulumi.Context, name string, a *Args, platform Platform, team Team, deps teamDeps,
	parent pulumi.ResourceOption,
) (*sagemaker.UserProfile, *iam.Role, error) {
	resource := name + "-" + team.Name
	role, err := iam.NewRole(ctx, resource, &iam.RoleArgs{
		Name:                pulumi.String(platform.TeamRoleName(team.Name)),
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
			Platform:              platform,
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
