package workspace

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/facts/tagkeys"
)

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
	// AccessRoles and AccessGroups are the IAM roles and groups (names, not
	// ARNs) of the team's people; each gets the team's Studio access
	// policy, which opens only the team's profile and only from the
	// configured network.
	AccessRoles  []string
	AccessGroups []string
	// InstanceType is the default instance type of the team's JupyterLab
	// and Code Editor apps, one of AllowedInstanceTypes; the first allowed
	// type when empty.
	InstanceType string
}

// Args configures the workspace.
type Args struct {
	// Scope names resources (domain, roles, boundary, lifecycle
	// configurations) and scopes every ARN and policy; in prod, home
	// directories are always retained.
	scope.Scope

	// Placement is the private network the domain lives in; Studio's
	// groups send HTTPS only to its endpoints.
	network.Placement

	// DataKeyArn encrypts the platform's data; WorkspaceKeyArn the domain's
	// EFS home directories and volumes; LogsKeyArn SageMaker's log groups.
	DataKeyArn      pulumi.StringInput
	WorkspaceKeyArn pulumi.StringInput
	LogsKeyArn      pulumi.StringInput
	// LogRetentionDays is how long SageMaker's log groups keep events.
	LogRetentionDays int
	// StudioAccess is where people may open Studio from: corporate
	// address ranges, the VPC's SageMaker endpoints, or both; at least one.
	StudioAccess StudioAccessArgs
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

// StudioAccessArgs are the networks people open Studio from.
type StudioAccessArgs struct {
	// CorporateCIDRs are public address ranges, each /8 or narrower.
	CorporateCIDRs []string
	// VpcEndpointIDs are the VPC's SageMaker API and Studio interface
	// endpoints; nil when people never come through the VPC.
	VpcEndpointIDs pulumi.StringArrayInput
}

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
	if err := a.Scope.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := a.Placement.Validate(); err != nil {
		errs = append(errs, err)
	}
	if a.DataKeyArn == nil || a.WorkspaceKeyArn == nil || a.LogsKeyArn == nil {
		add("DataKeyArn, WorkspaceKeyArn and LogsKeyArn are required: the domain's storage, the teams' data and SageMaker's logs are always encrypted")
	}
	if a.LogRetentionDays <= 0 {
		add("LogRetentionDays %d: set how long SageMaker's log groups keep events; they never keep forever by accident", a.LogRetentionDays)
	}
	if len(a.StudioAccess.CorporateCIDRs) == 0 && a.StudioAccess.VpcEndpointIDs == nil {
		add("StudioAccess: give CorporateCIDRs, VpcEndpointIDs or both; people open Studio only from a known network")
	}
	for _, c := range a.StudioAccess.CorporateCIDRs {
		if err := scope.CheckSourceCIDR(c); err != nil {
			add("StudioAccess.CorporateCIDRs: %v", err)
		}
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
		if !scope.IsAccountID(acct) {
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
	for i, t := range a.Teams {
		field := fmt.Sprintf("Teams[%d]", i)
		nameErr := scope.CheckTeamName(field+".Name", t.Name)
		switch {
		case nameErr != nil:
			add("%v", nameErr)
		case seen[t.Name]:
			add("%s.Name %q is listed twice; team names must be unique", field, t.Name)
		case len(TeamRoleName(a.Scope, t.Name)) > maxRoleNameLength:
			add("%s.Name %q: the role name %q exceeds IAM's %d characters; shorten the team name or the prefix",
				field, t.Name, TeamRoleName(a.Scope, t.Name), maxRoleNameLength)
		}
		seen[t.Name] = true
		if len(TeamLifecycleConfigName(a.Scope, t.Name, appTypeJupyterLab)) > maxLifecycleConfigNameLength {
			add("%s.Name %q: lifecycle configuration name %q exceeds SageMaker's %d characters; shorten the team name or the prefix",
				field, t.Name, TeamLifecycleConfigName(a.Scope, t.Name, appTypeJupyterLab), maxLifecycleConfigNameLength)
		}
		for _, r := range t.AccessRoles {
			if !iamNamePattern.MatchString(r) {
				add("%s.AccessRoles: %q is not an IAM role name (a name, not an ARN)", field, r)
			}
		}
		for _, g := range t.AccessGroups {
			if !iamNamePattern.MatchString(g) {
				add("%s.AccessGroups: %q is not an IAM group name (a name, not an ARN)", field, g)
			}
		}
		if t.AccessPointArn == nil {
			add("%s.AccessPointArn is required: a team reaches its data only through its access point", field)
		}
		if err := t.Tags.Validate(field + ".Tags"); err != nil {
			add("%w", err)
		} else if t.Tags[tagkeys.Team] != t.Name {
			add("%s.Tags: team tag %q must equal the team name %q, or its costs and spaces go to another team",
				field, t.Tags[tagkeys.Team], t.Name)
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
	for i, t := range a.Teams {
		if t.InstanceType != "" && !seen[t.InstanceType] {
			add("Teams[%d].InstanceType %q: use one of the AllowedInstanceTypes %v", i, t.InstanceType, a.AllowedInstanceTypes)
		}
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
	case a.IsProd() && a.HomeEFSRetention != RetainHomeDirectories:
		add("HomeEFSRetention %q: prod keeps user home directories; use %q", a.HomeEFSRetention, RetainHomeDirectories)
	}
	if a.DefaultEBSVolumeSizeGB < MinEBSVolumeSizeGB || a.DefaultEBSVolumeSizeGB > a.MaxEBSVolumeSizeGB || a.MaxEBSVolumeSizeGB > MaxEBSVolumeSizeGB {
		add("DefaultEBSVolumeSizeGB %d and MaxEBSVolumeSizeGB %d: need %d <= default <= maximum <= %d",
			a.DefaultEBSVolumeSizeGB, a.MaxEBSVolumeSizeGB, MinEBSVolumeSizeGB, MaxEBSVolumeSizeGB)
	}
}

var iamNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
