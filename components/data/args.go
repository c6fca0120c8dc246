package data

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/scope"
)

// Team is a data-science team with its own access point and prefix.
type Team struct {
	// Name is DNS-safe (lower-case letters, digits, single hyphens, starting
	// with a letter); it names the access point "<environment>-<team>" and
	// the prefix "teams/<team>/".
	Name string
	// RoleArn is the IAM role (not a user, not the account) that alone may
	// use the team's access point. When nil the access point is created
	// closed and admits nobody until the role is set.
	RoleArn pulumi.StringInput
	// ModelApproverArns are the IAM roles that alone write and delete
	// objects under the team's "models/approved/" (the artefacts its
	// endpoints serve); the bucket's policy denies everyone else, whatever
	// their identity policies. None: nobody writes there.
	ModelApproverArns []string
	// ServingRoleArn is the role that alone writes under the team's
	// "serving/" (captured requests and responses), which nobody deletes:
	// S3 expires it after Args.CaptureRetentionDays. Empty: nobody writes
	// there.
	ServingRoleArn string
}

// Args configures the data perimeter.
type Args struct {
	// Scope names the buckets "<prefix>-<purpose>-<account>" and the access
	// points "<environment>-<team>", and scopes their policies.
	scope.Scope
	// VpcID is the network origin of every access point.
	VpcID pulumi.StringInput
	// VpcEndpointIDs are the VPC endpoints (at least the S3 gateway
	// endpoint) through which object requests may reach the buckets.
	VpcEndpointIDs pulumi.StringArrayInput
	// DataKeyArn is the customer-managed KMS key that encrypts the data and
	// model buckets.
	DataKeyArn pulumi.StringInput
	// LogsKeyArn is the customer-managed KMS key that encrypts the
	// application log bucket.
	LogsKeyArn pulumi.StringInput
	// AccessLogRetentionDays is how long server access logs and application
	// logs are kept.
	AccessLogRetentionDays int
	// NoncurrentVersionExpirationDays is how long overwritten and deleted
	// objects stay recoverable; DefaultNoncurrentVersionExpirationDays when 0.
	NoncurrentVersionExpirationDays int
	// AbortIncompleteMultipartDays is when abandoned multipart uploads are
	// removed; DefaultAbortIncompleteMultipartDays when 0.
	AbortIncompleteMultipartDays int
	// CaptureRetentionDays is how long, in days, captured requests and
	// responses under a serving team's "serving/" stay current before S3
	// expires them (1-3650); DefaultCaptureRetentionDays when 0.
	CaptureRetentionDays int
	// Teams get one access point each on the data bucket.
	Teams []Team
	// ServiceAccess lets AWS services that work from outside the VPC with a
	// role of the platform's (EMR Studio storing workspaces) reach one
	// prefix of the data bucket each.
	ServiceAccess []ServiceAccess
	// DirectListers are the platform's roles (ARNs of roles named
	// "<prefix>-…", a trailing "*" for one role per team) that list the data
	// and model buckets with direct bucket requests, from the VPC: EMR node
	// roles, the pipeline's task role. Their identity policies limit them
	// to their prefixes. Besides them only the deployer, the ServiceAccess
	// roles and the teams' model approvers list directly; everyone else
	// lists through an access point.
	DirectListers []string
	// ConfigReaders are the platform's roles (as DirectListers) that read
	// the data and model buckets' configuration (policy, encryption,
	// replication …), such as the AWS Config recorder. Besides them only
	// the deployer and the ServiceAccess roles do.
	ConfigReaders []string
	// ExtraLogSources are further buckets of the platform, created by other
	// components (the audit trail's), that deliver their server access logs
	// to the log bucket, each under its own prefix ("audit/"). Their ARNs are
	// known from their names, so the log bucket admits them before they exist.
	ExtraLogSources []LogSource
	// DeployerRoleArn is the IAM role (of this account) the platform
	// deploys as: the only principal that may change the buckets'
	// configuration, and list or read it from outside the VPC. Required.
	DeployerRoleArn string
	// Protect protects the buckets and retains them if they are ever
	// removed from the program, so a mistaken destroy cannot lose data.
	// Required in prod.
	Protect bool
	// ForceDestroy lets a destroy delete buckets that still hold objects.
	// Never allowed with Protect or in prod. Emptying runs with the
	// deployer's credentials and is subject to the bucket policies, so it
	// succeeds only where the deployer reaches the objects through the VPC;
	// elsewhere the destroy stops at a non-empty bucket, which is the safe
	// way to fail.
	ForceDestroy bool
}

func (a *Args) validate() error {
	var errs []error
	if err := a.Scope.Validate(); err != nil {
		errs = append(errs, err)
	}
	if strings.HasPrefix(a.Prefix, "xn--") || strings.HasPrefix(a.Prefix, "sthree-") {
		errs = append(errs, fmt.Errorf("Scope.Prefix %q: S3 reserves bucket names starting with xn-- and sthree-; choose another prefix", a.Prefix))
	}
	if a.VpcID == nil {
		errs = append(errs, errors.New("VpcID is required: every access point accepts requests from the platform's VPC only"))
	}
	if a.VpcEndpointIDs == nil {
		errs = append(errs, errors.New("VpcEndpointIDs is required: pass the S3 gateway endpoint, the only way objects are reached"))
	}
	if a.LogsKeyArn == nil {
		errs = append(errs, errors.New("LogsKeyArn is required: the application log bucket is always encrypted with the platform's logs key"))
	}
	if a.DataKeyArn == nil {
		errs = append(errs, errors.New("DataKeyArn is required: data and model buckets are always encrypted with the platform's data key"))
	}
	if a.AccessLogRetentionDays <= 0 {
		errs = append(errs, fmt.Errorf("AccessLogRetentionDays %d: set how long access logs are kept; they never keep forever by accident", a.AccessLogRetentionDays))
	}
	if a.NoncurrentVersionExpirationDays < 0 {
		errs = append(errs, fmt.Errorf("NoncurrentVersionExpirationDays %d: use a positive number of days, or 0 for the default of %d",
			a.NoncurrentVersionExpirationDays, DefaultNoncurrentVersionExpirationDays))
	}
	if a.AbortIncompleteMultipartDays < 0 {
		errs = append(errs, fmt.Errorf("AbortIncompleteMultipartDays %d: use a positive number of days, or 0 for the default of %d",
			a.AbortIncompleteMultipartDays, DefaultAbortIncompleteMultipartDays))
	}
	if d := a.CaptureRetentionDays; d < 0 || d > 3650 {
		errs = append(errs, fmt.Errorf("CaptureRetentionDays %d: keep captured data between 1 and 3650 days, or 0 for the default of %d",
			d, DefaultCaptureRetentionDays))
	}
	if a.IsProd() && !a.Protect {
		errs = append(errs, errors.New("Protect: prod buckets must be protected and retained on delete; set it to true"))
	}
	if a.ForceDestroy && (a.Protect || a.IsProd()) {
		errs = append(errs, errors.New("ForceDestroy: never with Protect or in prod, where a destroy must not delete data; set it to false"))
	}
	if !scope.RoleInAccount(a.DeployerRoleArn, a.AccountID) {
		errs = append(errs, fmt.Errorf("DeployerRoleArn %q: name the IAM role of account %s the platform deploys as; only it may configure the buckets", a.DeployerRoleArn, a.AccountID))
	}
	errs = append(errs, a.validateTeams()...)
	for i, src := range a.ExtraLogSources {
		if !strings.HasPrefix(src.BucketArn, a.BucketARN(a.Prefix+"-")) {
			errs = append(errs, fmt.Errorf("ExtraLogSources[%d].BucketArn %q: name one of the platform's buckets (%s)", i, src.BucketArn, a.PlatformBucketsARN()))
		}
		if !servicePrefixPattern.MatchString(src.Prefix) || slices.Contains([]string{DataPurpose + "/", ModelsPurpose + "/", AppLogsPurpose + "/"}, src.Prefix) {
			errs = append(errs, fmt.Errorf("ExtraLogSources[%d].Prefix %q: use a key prefix of its own such as \"audit/\" (lower-case, ending in \"/\", not data/, models/ or logs/)", i, src.Prefix))
		}
	}
	platformRole := a.RoleARN(a.Prefix + "-")
	for _, f := range []struct {
		field string
		roles []string
	}{{"DirectListers", a.DirectListers}, {"ConfigReaders", a.ConfigReaders}} {
		field := f.field
		for i, r := range f.roles {
			if name := strings.TrimSuffix(r, "*"); !strings.HasPrefix(r, platformRole) || name == platformRole || strings.Contains(name, "*") || strings.ContainsAny(r, "?") {
				errs = append(errs, fmt.Errorf("%s[%d] %q: name a role of the platform (%s…), with at most a trailing \"*\" after a name; no other principal lists or reads the buckets directly", field, i, r, platformRole))
			}
		}
	}
	teams := map[string]bool{}
	for _, t := range a.Teams {
		teams[t.Name] = true
	}
	for i, sa := range a.ServiceAccess {
		underTeams := strings.HasPrefix(sa.Prefix, scope.TeamsPrefix)
		switch {
		case !servicePrefixPattern.MatchString(sa.Prefix) || (underTeams && sa.Team == ""):
			errs = append(errs, fmt.Errorf("ServiceAccess[%d].Prefix %q: use a key prefix such as \"emr-studio/\" (lower-case, ending in \"/\", outside teams/)", i, sa.Prefix))
		case sa.Team != "" && (!teams[sa.Team] || !strings.HasPrefix(sa.Prefix, a.TeamPrefix(sa.Team)) || sa.Prefix == a.TeamPrefix(sa.Team)):
			errs = append(errs, fmt.Errorf("ServiceAccess[%d].Prefix %q: a service of team %q reaches a directory below %s of a team of Teams, never the whole team prefix",
				i, sa.Prefix, sa.Team, a.TeamPrefix(sa.Team)))
		}
		if !roleArnPattern.MatchString(sa.RoleArn) {
			errs = append(errs, fmt.Errorf("ServiceAccess[%d].RoleArn %q: name the service's IAM role; only a role is ever exempt from the perimeter", i, sa.RoleArn))
		}
	}
	return errors.Join(errs...)
}

// directReaders are who, besides the deployer and the model approvers,
// list the data and model buckets or read their configuration directly:
// the stack's named roles and the service roles of prefixes outside
// teams/ (EMR Studio reads the bucket's encryption and lists its
// workspaces). A team's service role (serverless inference reading
// approved artefacts) neither lists nor reads configuration.
func (a *Args) directReaders() *DirectReaders {
	d := &DirectReaders{Listers: slices.Clone(a.DirectListers), ConfigReaders: slices.Clone(a.ConfigReaders)}
	for _, sa := range a.ServiceAccess {
		if sa.Team != "" {
			continue
		}
		d.Listers = append(d.Listers, sa.RoleArn)
		d.ConfigReaders = append(d.ConfigReaders, sa.RoleArn)
	}
	return d
}

func (a *Args) validateTeams() []error {
	var errs []error
	seen := map[string]bool{}
	for i, t := range a.Teams {
		field := fmt.Sprintf("Teams[%d].Name", i)
		nameErr := scope.CheckTeamName(field, t.Name)
		switch {
		case nameErr != nil:
			errs = append(errs, nameErr)
		case seen[t.Name]:
			errs = append(errs, fmt.Errorf("%s %q: listed twice; each team gets one access point, so names must be unique", field, t.Name))
		case strings.HasSuffix(a.TeamAccessPointName(t.Name), "-s3alias"):
			errs = append(errs, fmt.Errorf("%s %q: S3 reserves access point names ending in -s3alias; choose another name", field, t.Name))
		}
		seen[t.Name] = true
		for j, r := range t.ModelApproverArns {
			if !roleArnPattern.MatchString(r) {
				errs = append(errs, fmt.Errorf("Teams[%d].ModelApproverArns[%d] %q: name an IAM role ARN; only roles publish approved model artefacts", i, j, r))
			}
		}
		if t.ServingRoleArn != "" && !roleArnPattern.MatchString(t.ServingRoleArn) {
			errs = append(errs, fmt.Errorf("Teams[%d].ServingRoleArn %q: name the team's serving role ARN, or leave it empty", i, t.ServingRoleArn))
		}
	}
	return errs
}
