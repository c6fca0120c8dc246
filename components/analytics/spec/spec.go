// Package spec holds what a team asks of EMR, as stack config and Go tools
// write it: cluster specs with their strict reading and their checks
// against the environment's limits, and the identities that get a team's
// Studio access. It is a leaf: stack config validates clusters with these
// checks before any resource is registered, and the analytics component
// builds from the same values, so the two never disagree.
package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AuthMode is how users sign in to the Studio.
type AuthMode string

// Authentication modes. In IAM mode users open the Studio with their own
// IAM identities, so each team's policy is attached to the team's IAM roles
// or groups. In SSO mode (IAM Identity Center) they assume the Studio user
// role, and a session mapping applies the team's policy as a session policy.
// EMR accepts a user role and session mappings only in SSO mode.
const (
	AuthIAM AuthMode = "IAM"
	AuthSSO AuthMode = "SSO"
)

// IdentityType names the kind of identity a team's Studio access is given to.
type IdentityType string

// Identity types. GROUP and USER are IAM Identity Center identities in SSO
// mode; GROUP and ROLE are IAM groups and roles in IAM mode. The platform
// never attaches anything to IAM users.
const (
	IdentityGroup IdentityType = "GROUP"
	IdentityUser  IdentityType = "USER"
	IdentityRole  IdentityType = "ROLE"
)

// Identity is a user, group or role of a team.
type Identity struct {
	Type IdentityType `json:"type"`
	// Name is the IAM Identity Center user or group name (SSO mode) or the
	// IAM group or role name, not ARN (IAM mode).
	Name string `json:"name"`
}

// CheckIdentities checks a team's identities against the auth mode: IAM
// roles or groups in IAM mode, Identity Center users or groups in SSO mode,
// each named once.
func CheckIdentities(where string, mode AuthMode, ids []Identity) []error {
	allowed := []IdentityType{IdentityGroup, IdentityRole}
	if mode == AuthSSO {
		allowed = []IdentityType{IdentityGroup, IdentityUser}
	}
	var errs []error
	seen := map[Identity]bool{}
	for _, id := range ids {
		if !slices.Contains(allowed, id.Type) {
			errs = append(errs, fmt.Errorf("%s: identity %q has type %q; in %s mode use one of %v", where, id.Name, id.Type, mode, allowed))
		}
		if strings.TrimSpace(id.Name) == "" {
			errs = append(errs, fmt.Errorf("%s: an identity of type %q has no name", where, id.Type))
		}
		if seen[id] {
			errs = append(errs, fmt.Errorf("%s: identity %s %q is listed twice", where, id.Type, id.Name))
		}
		seen[id] = true
	}
	return errs
}

// Bounds EMR itself sets, and the platform's defaults within them.
const (
	// MinIdleTimeout and MaxIdleTimeoutLimit are the auto-termination idle
	// timeouts EMR accepts.
	MinIdleTimeout      = time.Minute
	MaxIdleTimeoutLimit = 7 * 24 * time.Hour
	// MinSpotTimeout and MaxSpotTimeout bound how long EMR waits for Spot
	// capacity before it switches to on-demand.
	MinSpotTimeout     = 5 * time.Minute
	MaxSpotTimeout     = 24 * time.Hour
	DefaultSpotTimeout = 10 * time.Minute
	// MinTaskInstanceTypes is how many instance types a task fleet needs at
	// least: capacity-optimised Spot works by choosing among several pools.
	MinTaskInstanceTypes = 3
	// MaxFleetInstanceTypes is EMR's limit for a fleet with an allocation
	// strategy.
	MaxFleetInstanceTypes = 30
	// DefaultVolumeSizeGiB, MinVolumeSizeGiB and MaxVolumeSizeGiB size the
	// EBS data volume of every core and task node.
	DefaultVolumeSizeGiB = 64
	MinVolumeSizeGiB     = 32
	MaxVolumeSizeGiB     = 1024
	// MinReleaseLabel is the oldest EMR release the platform runs. Idle
	// auto-termination exists from 5.30.0 and 6.1.0; 6.4.0 is the platform's
	// floor so that every cluster runs Spark 3.1+ and a patched Amazon
	// Linux 2 image.
	MinReleaseLabel = "emr-6.4.0"
)

// DefaultApplications are what EMR Studio needs to run notebooks on a
// cluster: Spark with Livy and Jupyter Enterprise Gateway on Hadoop.
func DefaultApplications() []string {
	return []string{"Hadoop", "Spark", "Livy", "JupyterEnterpriseGateway"}
}

// Cluster defines an ephemeral EMR cluster a team can instantiate. It is
// read from stack config (JSON or YAML, durations as Go duration strings such
// as "45m" or "72h", ExpiresAt as RFC 3339) and used directly by Go tools.
//
// Capacity is counted in instance fleet units; every instance type weighs
// one unit, so a unit is an instance.
type Cluster struct {
	// Name is DNS-safe, 2-32 characters, unique within the team.
	Name string `json:"name"`
	// ReleaseLabel is the EMR release, MinReleaseLabel or later.
	ReleaseLabel string `json:"releaseLabel"`
	// Applications to install; DefaultApplications when empty.
	Applications []string `json:"applications,omitempty"`
	// MasterInstanceTypes are the primary node's candidate types (on-demand).
	MasterInstanceTypes []string `json:"masterInstanceTypes"`
	// CoreInstanceTypes are the core nodes' candidate types (on-demand: they
	// hold HDFS, and losing one to a Spot interruption loses data).
	CoreInstanceTypes []string `json:"coreInstanceTypes"`
	// CoreCapacity is the number of core nodes, at least 1.
	CoreCapacity int `json:"coreCapacity"`
	// TaskInstanceTypes are the Spot task nodes' candidate types, at least
	// MinTaskInstanceTypes.
	TaskInstanceTypes []string `json:"taskInstanceTypes"`
	// TaskSpotCapacity is the initial number of Spot task nodes, at least 1.
	TaskSpotCapacity int `json:"taskSpotCapacity"`
	// MaxCapacity bounds managed scaling (core plus task units); at least
	// CoreCapacity+TaskSpotCapacity and within the environment's limit.
	MaxCapacity int `json:"maxCapacity"`
	// VolumeSizeGiB is each core and task node's EBS data volume;
	// DefaultVolumeSizeGiB when 0.
	VolumeSizeGiB int `json:"volumeSizeGiB,omitempty"`
	// IdleTimeout terminates the cluster after this long without work; the
	// environment's MaxIdleTimeout when 0, and never above it.
	IdleTimeout time.Duration `json:"idleTimeout,omitempty"`
	// SpotTimeout is how long EMR waits for Spot task capacity before
	// switching to on-demand; DefaultSpotTimeout when 0.
	SpotTimeout time.Duration `json:"spotTimeout,omitempty"`
	// TTL sets the expires-at tag to the deployment's reference time plus
	// TTL. Set TTL or ExpiresAt, not both.
	TTL time.Duration `json:"ttl,omitempty"`
	// ExpiresAt sets the expires-at tag directly.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// clusterWire is Cluster as written in config: durations are
// strings such as "45m", the expiry an RFC 3339 string. Its fields shadow the
// embedded ones of the same JSON name.
type clusterWire struct {
	*clusterFields
	IdleTimeout string `json:"idleTimeout,omitempty"`
	SpotTimeout string `json:"spotTimeout,omitempty"`
	TTL         string `json:"ttl,omitempty"`
	ExpiresAt   string `json:"expiresAt,omitempty"`
}

type clusterFields Cluster

// UnmarshalJSON reads a spec strictly: an unknown field or a malformed
// duration is an error, never ignored.
func (s *Cluster) UnmarshalJSON(b []byte) error {
	fields := clusterFields{}
	w := clusterWire{clusterFields: &fields}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("cluster spec: %w", err)
	}
	var errs []error
	parse := func(field, v string) time.Duration {
		if v == "" {
			return 0
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("cluster spec %q: %s %q is not a duration such as \"45m\" or \"72h\"", fields.Name, field, v))
		}
		return d
	}
	fields.IdleTimeout = parse("idleTimeout", w.IdleTimeout)
	fields.SpotTimeout = parse("spotTimeout", w.SpotTimeout)
	fields.TTL = parse("ttl", w.TTL)
	if w.ExpiresAt != "" {
		at, err := time.Parse(time.RFC3339, w.ExpiresAt)
		if err != nil {
			errs = append(errs, fmt.Errorf("cluster spec %q: expiresAt %q is not an RFC 3339 time such as \"2025-06-30T18:00:00Z\"", fields.Name, w.ExpiresAt))
		}
		fields.ExpiresAt = at
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	*s = Cluster(fields)
	return nil
}

// MarshalJSON writes durations as Go duration strings, the form UnmarshalJSON reads.
func (s Cluster) MarshalJSON() ([]byte, error) {
	fields := clusterFields(s)
	expiresAt := ""
	if !s.ExpiresAt.IsZero() {
		expiresAt = s.ExpiresAt.Format(time.RFC3339Nano)
	}
	format := func(d time.Duration) string {
		if d == 0 {
			return ""
		}
		return d.String()
	}
	return json.Marshal(clusterWire{
		clusterFields: &fields,
		IdleTimeout:   format(s.IdleTimeout),
		SpotTimeout:   format(s.SpotTimeout),
		TTL:           format(s.TTL),
		ExpiresAt:     expiresAt,
	})
}

// Limits are the environment's bounds on every cluster.
type Limits struct {
	// MaxIdleTimeout is the longest idle timeout a cluster may set, between
	// MinIdleTimeout and MaxIdleTimeoutLimit.
	MaxIdleTimeout time.Duration
	// AllowedInstanceTypes lists every instance type a fleet may use.
	AllowedInstanceTypes []string
	// MaxCapacityUnits bounds each cluster's managed-scaling maximum.
	MaxCapacityUnits int
}

var (
	namePattern         = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)
	releasePattern      = regexp.MustCompile(`^emr-(\d+)\.(\d+)\.(\d+)$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	applicationPattern  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)
)

func (l Limits) Validate() error {
	var errs []error
	if l.MaxIdleTimeout < MinIdleTimeout || l.MaxIdleTimeout > MaxIdleTimeoutLimit {
		errs = append(errs, fmt.Errorf("MaxIdleTimeout %s: set the environment's bound between %s and %s", l.MaxIdleTimeout, MinIdleTimeout, MaxIdleTimeoutLimit))
	}
	if len(l.AllowedInstanceTypes) == 0 {
		errs = append(errs, errors.New("AllowedInstanceTypes: list the instance types the environment may use; an empty list would allow none"))
	}
	for _, t := range l.AllowedInstanceTypes {
		if !instanceTypePattern.MatchString(t) {
			errs = append(errs, fmt.Errorf("AllowedInstanceTypes: %q is not an instance type such as \"m6i.xlarge\"", t))
		}
	}
	if l.MaxCapacityUnits < 2 {
		errs = append(errs, fmt.Errorf("MaxCapacityUnits %d: set the environment's bound on a cluster's size, at least 2 (one core and one Spot task node)", l.MaxCapacityUnits))
	}
	return errors.Join(errs...)
}

// WithDefaults returns the spec with the platform's defaults filled in for
// the fields left empty.
func (s Cluster) WithDefaults(l Limits) Cluster {
	if len(s.Applications) == 0 {
		s.Applications = DefaultApplications()
	}
	if s.VolumeSizeGiB == 0 {
		s.VolumeSizeGiB = DefaultVolumeSizeGiB
	}
	if s.IdleTimeout == 0 {
		s.IdleTimeout = l.MaxIdleTimeout
	}
	if s.SpotTimeout == 0 {
		s.SpotTimeout = DefaultSpotTimeout
	}
	return s
}

// Validate checks the spec, with its defaults filled in, against EMR's
// rules and the environment's limits. now is the deployment's reference
// time for TTLs; it may be zero when the spec sets ExpiresAt.
func (s Cluster) Validate(l Limits, now time.Time) error {
	if err := l.Validate(); err != nil {
		return err
	}
	s = s.WithDefaults(l)
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if !namePattern.MatchString(s.Name) {
		fail("Name %q: use 2-32 lower-case letters, digits and hyphens, starting with a letter", s.Name)
	}
	if !releaseAtLeast(s.ReleaseLabel, MinReleaseLabel) {
		fail("ReleaseLabel %q: use %s or later, the oldest release the platform runs, written as \"emr-7.2.0\"", s.ReleaseLabel, MinReleaseLabel)
	}
	for _, app := range s.Applications {
		if !applicationPattern.MatchString(app) {
			fail("Applications: %q is not an EMR application name such as \"Spark\"", app)
		}
	}
	errs = append(errs, checkFleet("MasterInstanceTypes", s.MasterInstanceTypes, 1, l.AllowedInstanceTypes)...)
	errs = append(errs, checkFleet("CoreInstanceTypes", s.CoreInstanceTypes, 1, l.AllowedInstanceTypes)...)
	errs = append(errs, checkFleet("TaskInstanceTypes", s.TaskInstanceTypes, MinTaskInstanceTypes, l.AllowedInstanceTypes)...)
	if s.CoreCapacity < 1 {
		fail("CoreCapacity %d: set at least 1 core node", s.CoreCapacity)
	}
	if s.TaskSpotCapacity < 1 {
		fail("TaskSpotCapacity %d: set at least 1; task capacity runs on Spot", s.TaskSpotCapacity)
	}
	if s.MaxCapacity < s.CoreCapacity+s.TaskSpotCapacity {
		fail("MaxCapacity %d: set at least CoreCapacity+TaskSpotCapacity (%d) so managed scaling can keep the initial size", s.MaxCapacity, s.CoreCapacity+s.TaskSpotCapacity)
	}
	if s.MaxCapacity > l.MaxCapacityUnits {
		fail("MaxCapacity %d exceeds the environment's limit of %d units; lower it", s.MaxCapacity, l.MaxCapacityUnits)
	}
	if s.VolumeSizeGiB < MinVolumeSizeGiB || s.VolumeSizeGiB > MaxVolumeSizeGiB {
		fail("VolumeSizeGiB %d: use %d to %d", s.VolumeSizeGiB, MinVolumeSizeGiB, MaxVolumeSizeGiB)
	}
	switch {
	case s.IdleTimeout < MinIdleTimeout:
		fail("IdleTimeout %s: EMR needs at least %s", s.IdleTimeout, MinIdleTimeout)
	case s.IdleTimeout > l.MaxIdleTimeout:
		fail("IdleTimeout %s exceeds the environment's MaxIdleTimeout %s; lower it so idle clusters terminate sooner", s.IdleTimeout, l.MaxIdleTimeout)
	case s.IdleTimeout%time.Second != 0:
		fail("IdleTimeout %s: use whole seconds", s.IdleTimeout)
	}
	if s.SpotTimeout < MinSpotTimeout || s.SpotTimeout > MaxSpotTimeout || s.SpotTimeout%time.Minute != 0 {
		fail("SpotTimeout %s: use whole minutes between %s and %s", s.SpotTimeout, MinSpotTimeout, MaxSpotTimeout)
	}
	if _, err := s.Expiry(now); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cluster %q: %w", s.Name, err)
	}
	return nil
}

// Expiry is the time the expires-at tag carries: ExpiresAt, or now plus
// TTL, in UTC to the second. It never reads the clock: previews of the same
// inputs always produce the same tag.
func (s Cluster) Expiry(now time.Time) (time.Time, error) {
	switch {
	case !s.ExpiresAt.IsZero() && s.TTL != 0:
		return time.Time{}, errors.New("TTL and ExpiresAt: set one, not both")
	case !s.ExpiresAt.IsZero():
		if !now.IsZero() && !s.ExpiresAt.After(now) {
			return time.Time{}, fmt.Errorf("ExpiresAt %s is not after the reference time %s; move it forward or remove the cluster",
				s.ExpiresAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		return s.ExpiresAt.UTC().Truncate(time.Second), nil
	case s.TTL < 0:
		return time.Time{}, fmt.Errorf("TTL %s: use a positive duration such as \"72h\"", s.TTL)
	case s.TTL > 0 && now.IsZero():
		return time.Time{}, errors.New("TTL needs a reference time (Now): pass it in the args, or set ExpiresAt instead")
	case s.TTL > 0:
		return now.Add(s.TTL).UTC().Truncate(time.Second), nil
	default:
		return time.Time{}, errors.New("TTL or ExpiresAt: set one; ephemeral compute always carries an expires-at tag")
	}
}

func checkFleet(field string, types []string, minTypes int, allowed []string) []error {
	var errs []error
	if len(types) < minTypes || len(types) > MaxFleetInstanceTypes {
		errs = append(errs, fmt.Errorf("%s: list %d to %d instance types, %d given", field, minTypes, MaxFleetInstanceTypes, len(types)))
	}
	seen := map[string]bool{}
	for _, t := range types {
		if seen[t] {
			errs = append(errs, fmt.Errorf("%s: %q is listed twice", field, t))
		}
		seen[t] = true
		if !slices.Contains(allowed, t) {
			errs = append(errs, fmt.Errorf("%s: %q is not in the environment's AllowedInstanceTypes %v", field, t, allowed))
		}
	}
	return errs
}

// releaseAtLeast reports whether label is a well-formed EMR release label
// no older than minimum.
func releaseAtLeast(label, minimum string) bool {
	parse := func(l string) ([3]int, bool) {
		m := releasePattern.FindStringSubmatch(l)
		if m == nil {
			return [3]int{}, false
		}
		var v [3]int
		for i := range v {
			n, err := strconv.Atoi(m[i+1])
			if err != nil {
				return [3]int{}, false
			}
			v[i] = n
		}
		return v, true
	}
	got, ok := parse(label)
	want, _ := parse(minimum)
	return ok && slices.Compare(got[:], want[:]) >= 0
}

// SplitS3URL splits s3://<bucket>/<key>.
func SplitS3URL(u string) (bucket, key string, ok bool) {
	rest, found := strings.CutPrefix(u, "s3://")
	if !found {
		return "", "", false
	}
	bucket, key, ok = strings.Cut(rest, "/")
	return bucket, key, ok && bucket != "" && key != ""
}

// CheckCertificatesURL checks where the PEM certificates of EMR's
// in-transit encryption are: empty only in dev, otherwise
// s3://<bucket>/<key>.zip in one of the platform's buckets (named
// "<prefix>-..."), the only buckets the nodes reach through the VPC's S3
// endpoint.
func CheckCertificatesURL(prefix, environment, u string) error {
	if u == "" {
		if environment != "dev" {
			return fmt.Errorf("is required in %s: give the s3:// URL of the zip of PEM certificates for in-transit encryption", environment)
		}
		return nil
	}
	bucket, key, ok := SplitS3URL(u)
	switch {
	case !ok || !strings.HasSuffix(key, ".zip"):
		return fmt.Errorf("%q: give an s3://<bucket>/<key>.zip URL of the zip of PEM certificates", u)
	case !strings.HasPrefix(bucket, prefix+"-"):
		return fmt.Errorf("%q: put the certificates in one of the platform's buckets (%s-...); the nodes reach no other bucket", u, prefix)
	}
	return nil
}
