// Package scope is what every component is built for: one stack of the
// platform, in one AWS account, region and partition, under one resource
// prefix. Every component's Args embeds a Scope first; the stack builds it
// once, from config and the provider's account, and hands the same value to
// each component. Names, ARNs and team prefixes come from its methods, so
// no component (and no stack) formats an ARN by hand, and all components
// accept and refuse the same values.
//
// The package is a leaf: it imports nothing of the module, so stack config
// can validate the prefix and environment with the same rules.
package scope

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// Environments the platform knows, in promotion order.
var Environments = []string{"dev", "staging", "prod"}

// Prod is the environment whose stateful resources are protected.
const Prod = "prod"

// MaxPrefixLength keeps the longest bucket name, "<prefix>-access-logs-<account>",
// within S3's 63 characters.
const MaxPrefixLength = 38

// TeamResourceSeparator joins a team's name and the rest of the name of a
// resource the team creates ("<team>--<name>"). Team names never contain
// it, so no team's name pattern can match another team's resources (a
// single hyphen would let team "risk" match "risk-models-...").
const TeamResourceSeparator = "--"

var (
	prefixPattern    = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	accountPattern   = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern    = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	partitionPattern = regexp.MustCompile(`^aws(-[a-z]+)*$`)
	orgPattern       = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	// domainPattern admits DNS names of at least two labels, optionally
	// prefixed by "*." for every name below them.
	domainPattern  = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`)
	roleArnPattern = regexp.MustCompile(`^arn:(aws(-[a-z]+)*):iam::([0-9]{12}):role/([\w+=,.@/-]+)$`)
	teamPattern    = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
)

// Team name bounds: a team's name becomes part of access point names
// ("<environment>-<team>", 3-50 characters) and role names.
const (
	MinTeamNameLength = 2
	MaxTeamNameLength = 32
)

// Scope is one stack's account, region, partition, environment and prefix.
type Scope struct {
	// Prefix starts every resource name, "<project>-<environment>" such as
	// "aifactory-dev": 2-38 lower-case letters, digits and hyphens, starting
	// with a letter and not ending in a hyphen.
	Prefix string
	// Environment is dev, staging or prod; it decides guardrail bounds.
	Environment string
	// AccountID is the 12-digit AWS account every resource lives in.
	AccountID string
	// Region is the AWS region, e.g. eu-west-1.
	Region string
	// Partition is the AWS partition, e.g. aws, aws-cn or aws-us-gov.
	Partition string
	// OrganizationID, when set, is the AWS Organizations id (o-...) the
	// account belongs to; policies that admit "this account's principals"
	// admit the organisation's instead. Empty: this account only.
	OrganizationID string
}

// Validate reports every malformed field, each with its name and the fix.
func (s Scope) Validate() error {
	var errs []error
	if err := CheckPrefix(s.Prefix); err != nil {
		errs = append(errs, err)
	}
	if err := CheckEnvironment(s.Environment); err != nil {
		errs = append(errs, err)
	}
	if !IsAccountID(s.AccountID) {
		errs = append(errs, fmt.Errorf("Scope.AccountID %q: use the 12-digit id of the account the stack deploys to", s.AccountID))
	}
	if !regionPattern.MatchString(s.Region) {
		errs = append(errs, fmt.Errorf("Scope.Region %q: use an AWS region such as eu-west-1", s.Region))
	}
	if !partitionPattern.MatchString(s.Partition) {
		errs = append(errs, fmt.Errorf("Scope.Partition %q: use the AWS partition, such as aws", s.Partition))
	}
	if s.OrganizationID != "" && !IsOrganizationID(s.OrganizationID) {
		errs = append(errs, fmt.Errorf("Scope.OrganizationID %q: use the AWS Organizations id (o- and 10-32 lower-case letters or digits), or leave it empty", s.OrganizationID))
	}
	return errors.Join(errs...)
}

// CheckPrefix checks a resource prefix such as "aifactory-dev". The error
// names the field and the fix.
func CheckPrefix(prefix string) error {
	if len(prefix) < 2 || len(prefix) > MaxPrefixLength || !prefixPattern.MatchString(prefix) {
		return fmt.Errorf("Scope.Prefix %q: use 2-%d lower-case letters, digits and hyphens, starting with a letter", prefix, MaxPrefixLength)
	}
	return nil
}

// CheckEnvironment checks an environment name.
func CheckEnvironment(env string) error {
	if !slices.Contains(Environments, env) {
		return fmt.Errorf("Scope.Environment %q: use one of %s", env, strings.Join(Environments, ", "))
	}
	return nil
}

// IsAccountID reports whether id is an AWS account id (12 digits).
func IsAccountID(id string) bool { return accountPattern.MatchString(id) }

// IsOrganizationID reports whether id is an AWS Organizations id.
func IsOrganizationID(id string) bool { return orgPattern.MatchString(id) }

// RoleInAccount reports whether arn is an IAM role ARN (not a user, the
// root or a wildcard) of the given account.
func RoleInAccount(arn, account string) bool {
	m := roleArnPattern.FindStringSubmatch(arn)
	return m != nil && m[3] == account
}

// CheckTeamName checks a team's name: DNS-safe, 2-32 characters, without
// the separator of team resources. field names the value in the error.
func CheckTeamName(field, name string) error {
	switch {
	case len(name) < MinTeamNameLength || len(name) > MaxTeamNameLength:
		return fmt.Errorf("%s %q must be %d-%d characters long", field, name, MinTeamNameLength, MaxTeamNameLength)
	case !teamPattern.MatchString(name) || strings.Contains(name, TeamResourceSeparator):
		return fmt.Errorf("%s %q must be DNS-safe: lower-case letters, digits and single hyphens, starting with a letter", field, name)
	}
	return nil
}

// IsProd reports whether the scope is the production environment.
func (s Scope) IsProd() bool { return s.Environment == Prod }

// Name joins the prefix and parts with hyphens: Name("emr", "service") is
// "aifactory-dev-emr-service".
func (s Scope) Name(parts ...string) string {
	return strings.Join(append([]string{s.Prefix}, parts...), "-")
}

// ARN is the ARN of a regional resource of this account:
// arn:<partition>:<service>:<region>:<account>:<resource>.
func (s Scope) ARN(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", s.Partition, service, s.Region, s.AccountID, resource)
}

// AnyRegionARN is the ARN pattern of a resource of this account in any
// region: arn:<partition>:<service>:*:<account>:<resource>. CloudTrail
// names a multi-region trail's encryption context this way.
func (s Scope) AnyRegionARN(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:*:%s:%s", s.Partition, service, s.AccountID, resource)
}

// GlobalARN is the ARN of a global resource of this account (IAM):
// arn:<partition>:<service>::<account>:<resource>.
func (s Scope) GlobalARN(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s::%s:%s", s.Partition, service, s.AccountID, resource)
}

// ServiceIntegrationARN is the ARN of an integration a service offers in
// every region and account, such as a Step Functions service integration:
// arn:<partition>:<service>:::<resource>.
func (s Scope) ServiceIntegrationARN(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:::%s", s.Partition, service, resource)
}

// RoleARN is the ARN of this account's IAM role name.
func (s Scope) RoleARN(name string) string { return s.GlobalARN("iam", "role/"+name) }

// AccountRootARN is the ARN that stands for the whole account in policies.
func (s Scope) AccountRootARN() string { return s.GlobalARN("iam", "root") }

// ManagedPolicyARN is the ARN of an AWS managed policy, such as
// "service-role/AmazonEMRServicePolicy_v2".
func (s Scope) ManagedPolicyARN(name string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", s.Partition, name)
}

// BucketARN is the ARN of a bucket (bucket ARNs name no region or account).
func (s Scope) BucketARN(bucket string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", s.Partition, bucket)
}

// PlatformBucketsARN matches every bucket of the platform: all are named
// "<prefix>-...".
func (s Scope) PlatformBucketsARN() string { return s.BucketARN(s.Prefix + "-*") }

// AccessPointARN is the ARN of this account's S3 access point name.
func (s Scope) AccessPointARN(name string) string { return s.ARN("s3", "accesspoint/"+name) }

// LogGroupARN is the ARN of a CloudWatch Logs log group name (a trailing
// "*" matches its streams).
func (s Scope) LogGroupARN(name string) string { return s.ARN("logs", "log-group:"+name) }

// LogStreamARN is the ARN of a log stream (or, with a trailing "*", of the
// streams whose names start with stream) in a log group of this account.
func (s Scope) LogStreamARN(group, stream string) string {
	return s.LogGroupARN(group) + ":log-stream:" + stream
}

// ServiceHost is a service's regional endpoint name, as kms:ViaService and
// logs service principals spell it: "<service>.<region>.amazonaws.com".
func (s Scope) ServiceHost(service string) string {
	return fmt.Sprintf("%s.%s.amazonaws.com", service, s.Region)
}

// TeamPrefix is the key prefix of a team's objects in the platform's
// buckets: "teams/<team>/". Every component reads a team's data there.
func (s Scope) TeamPrefix(team string) string { return TeamsPrefix + team + "/" }

// TeamsPrefix is the key prefix under which every team's objects live.
const TeamsPrefix = "teams/"

// TeamResourceName is the name of a resource a team creates:
// "<team>--<name>".
func (s Scope) TeamResourceName(team, name string) string {
	return team + TeamResourceSeparator + name
}

// TeamAccessPointName is the name of a team's S3 access point on the data
// bucket, "<environment>-<team>" (3-50 characters for every valid
// environment and team name).
func (s Scope) TeamAccessPointName(team string) string { return s.Environment + "-" + team }

// TeamAccessPointARN is the ARN of a team's access point. It is known from
// the names alone, so roles can be scoped to it before it exists.
func (s Scope) TeamAccessPointARN(team string) string {
	return s.AccessPointARN(s.TeamAccessPointName(team))
}

// BucketName is the name of one of the platform's buckets:
// "<prefix>-<purpose>-<account>". The account makes the globally unique
// name predictable, so policies can name "<prefix>-*" before the buckets
// exist.
func (s Scope) BucketName(purpose string) string { return s.Name(purpose, s.AccountID) }

// ARNInAccount is the ARN of a regional resource of another account in the
// scope's partition and region, such as an AWS-owned image repository.
func (s Scope) ARNInAccount(account, service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", s.Partition, service, s.Region, account, resource)
}

// CheckDomainName checks an entry of the DNS firewall's allow-list: a
// lower-case name of at least two labels, optionally "*." and such a name;
// never "*" alone, a top-level domain or a wildcard over one ("*.com").
func CheckDomainName(d string) error {
	if !domainPattern.MatchString(d) {
		return fmt.Errorf("%q is not a domain such as repo.example.com or *.example.com (lower case, no bare * or top-level domain)", d)
	}
	return nil
}

// CheckSourceCIDR checks an address range people may reach the platform
// from: a CIDR without host bits, /8 or narrower (IPv6: /16), never the
// whole internet.
func CheckSourceCIDR(c string) error {
	p, err := netip.ParsePrefix(c)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a CIDR range such as 203.0.113.0/24", c)
	case p.Masked() != p:
		return fmt.Errorf("%q has host bits set; use %s", c, p.Masked())
	case p.Addr().Is4() && p.Bits() < 8, p.Addr().Is6() && p.Bits() < 16:
		return fmt.Errorf("%q is too wide; list the corporate network's egress ranges, not the internet", c)
	}
	return nil
}

// ServiceAccessPointName is the name of the S3 access point a platform
// service (not a team) reads the data bucket through:
// "<environment>--<service>". Team names never contain "--", so no team's
// access point can take it, and it still falls under the data bucket's
// delegation to "<environment>-*" access points.
func (s Scope) ServiceAccessPointName(service string) string {
	return s.Environment + TeamResourceSeparator + service
}

// ServiceAccessPointARN is the ARN of a service's access point, known from
// its name before it exists.
func (s Scope) ServiceAccessPointARN(service string) string {
	return s.AccessPointARN(s.ServiceAccessPointName(service))
}

// RegistryHost is this account's private ECR registry in the region:
// "<account>.dkr.ecr.<region>.amazonaws.com".
func (s Scope) RegistryHost() string {
	return fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com", s.AccountID, s.Region)
}
