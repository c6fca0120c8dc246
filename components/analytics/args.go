package analytics

import (
	"errors"
	"fmt"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/analytics/spec"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/facts/tagkeys"
)

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
	// Scope names resources and scopes every policy.
	scope.Scope
	// Placement is the private network the Studio and the clusters run in
	// and the only HTTPS destinations of workspaces. The subnets must carry
	// the tag for-use-with-amazon-emr-managed-policies=true (see
	// ManagedPolicyTag).
	network.Placement
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
	// TLSCertificatesS3Object is an s3://<bucket>/<key>.zip URL of the PEM
	// certificates EMR installs on every node for in-transit encryption
	// (EMR has no in-transit mode without certificates); the bucket must be
	// one of the platform's, the only ones the nodes can reach. Required
	// outside dev.
	TLSCertificatesS3Object string
	// PermissionsBoundaryArn, when set, replaces the boundary the component
	// creates for the Studio user role and the teams' instance roles.
	PermissionsBoundaryArn pulumi.StringInput
}

// certificatesObjectArn is the ARN of the certificates object ("" when
// none is configured).
func (a *Args) certificatesObjectArn() string {
	bucket, key, ok := spec.SplitS3URL(a.TLSCertificatesS3Object)
	if !ok {
		return ""
	}
	return a.BucketARN(bucket) + "/" + key
}

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
	if err := a.Scope.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := a.Placement.Validate(); err != nil {
		errs = append(errs, err)
	}
	for _, input := range []struct {
		field   string
		missing bool
	}{
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
	if err := spec.CheckCertificatesURL(a.Prefix, a.Environment, a.TLSCertificatesS3Object); err != nil {
		fail("TLSCertificatesS3Object %v", err)
	}
	if err := a.limits().Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(a.Teams) == 0 {
		fail("Teams: list at least one team; a Studio nobody may use is a cost without a purpose")
	}
	seen := map[string]bool{}
	identityOf := map[Identity]string{}
	for i, t := range a.Teams {
		where := fmt.Sprintf("Teams[%d] (%s)", i, t.Name)
		if err := scope.CheckTeamName("Name", t.Name); err != nil {
			fail("%s: %v", where, err)
		}
		for _, roleName := range []string{StudioServiceRoleName(a.Scope, t.Name), NodeRoleName(a.Scope, t.Name)} {
			if len(roleName) > maxRoleNameLength {
				fail("%s: role name %q exceeds IAM's %d characters; shorten the team name or the prefix", where, roleName, maxRoleNameLength)
			}
		}
		for _, id := range t.Identities {
			if other, ok := identityOf[id]; ok && other != t.Name {
				fail("%s: identity %s %q already has team %s's Studio access; one identity belongs to one team, or it reaches both teams' data",
					where, id.Type, id.Name, other)
			}
			identityOf[id] = t.Name
		}
		if seen[t.Name] {
			fail("%s: team %q is listed twice", where, t.Name)
		}
		seen[t.Name] = true
		if err := checkTeamTags(t.Name, t.Tags); err != nil {
			fail("%s: %v", where, err)
		}
		errs = append(errs, spec.CheckIdentities(where, mode, t.Identities)...)
		clusters := map[string]bool{}
		for _, c := range t.Clusters {
			if clusters[c.Name] {
				fail("%s: cluster %q is defined twice", where, c.Name)
			}
			clusters[c.Name] = true
			// The bounds are reported once above, not for every cluster.
			if a.limits().Validate() != nil {
				continue
			}
			if err := c.Validate(a.limits(), a.Now); err != nil {
				fail("%s: %w", where, err)
			}
		}
	}
	return errors.Join(errs...)
}

// checkTeamTags requires the team's full set of tags, naming the team itself,
// so that everything the team runs is attributed to it.
func checkTeamTags(team string, tags tagging.Set) error {
	if err := tags.Validate("Tags"); err != nil {
		return err
	}
	if tags[tagkeys.Team] != team {
		return fmt.Errorf("Tags: %s is %q; it must be the team's name %q", tagkeys.Team, tags[tagkeys.Team], team)
	}
	return nil
}

// The component takes what teams ask of EMR in the types of package spec,
// which stack config also reads and checks; these are their names in the
// component's API.
type (
	// ClusterSpec defines an ephemeral cluster; see spec.Cluster.
	ClusterSpec = spec.Cluster
	// Limits are the environment's bounds on every cluster.
	Limits = spec.Limits
	// Identity is a user, group or role of a team.
	Identity = spec.Identity
	// IdentityType names the kind of identity.
	IdentityType = spec.IdentityType
	// AuthMode is how users sign in to the Studio.
	AuthMode = spec.AuthMode
)

// Authentication modes and identity types; see package spec.
const (
	AuthIAM       = spec.AuthIAM
	AuthSSO       = spec.AuthSSO
	IdentityGroup = spec.IdentityGroup
	IdentityUser  = spec.IdentityUser
	IdentityRole  = spec.IdentityRole
)
