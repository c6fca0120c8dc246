package network

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/scope"
)

// DefaultInterfaceEndpoints are the AWS APIs that SageMaker Studio, EMR, the
// weekly pipeline, the lifecycle cleanup job and their roles call. Each gets
// an interface endpoint with private DNS, so the SDKs' default endpoints
// resolve inside the VPC. The cleanup job, a Fargate task in the private
// subnets, calls SageMaker, EMR and SNS through their endpoints and EC2
// (its volumes and snapshots) through "ec2", which only it needs; like
// every endpoint, that one admits only this account's principals and
// resources, and what a principal may do through it is still its IAM
// policies'.
func DefaultInterfaceEndpoints() []string {
	return []string{
		"sagemaker.api", "sagemaker.runtime", "studio",
		"sts", "logs", "monitoring", "kms", "secretsmanager",
		"ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry",
		"elasticmapreduce", "states", "sns", "events", "scheduler",
		"ec2",
	}
}

// Args configures the network.
type Args struct {
	// Scope names resources (Name tags, log groups) and scopes endpoint
	// names and policies to its account (or organisation) and region.
	scope.Scope
	// CIDR is the VPC's private IPv4 range, /16 to /22.
	CIDR string
	// AvailabilityZones the subnets span; at least two.
	AvailabilityZones []string
	// AllowedBucketArns are the only buckets reachable through the S3 gateway
	// endpoint (bucket ARNs; wildcards within a name such as
	// "arn:aws:s3:::aifactory-dev-*" are allowed, a bare "*" is not).
	AllowedBucketArns []string
	// InterfaceEndpoints are service names as in com.amazonaws.<region>.<name>
	// ("studio" maps to aws.sagemaker.<region>.studio). Defaults to
	// DefaultInterfaceEndpoints.
	InterfaceEndpoints []string
	// ImageRegistryAccounts own ECR repositories, besides this account's,
	// that images may be pulled from through the ECR endpoints (the AWS Deep
	// Learning Containers account of SageMaker jobs).
	ImageRegistryAccounts []string
	// LogsKMSKeyArn encrypts the flow log and DNS query log groups. Required.
	LogsKMSKeyArn pulumi.StringInput
	// LogRetentionDays is the flow and DNS query logs' retention. Required.
	LogRetentionDays int
	// AllowedDomains are names the VPC's DNS firewall resolves besides AWS's
	// service names and the VPC's own (an internal package index, say):
	// "example.com" or "*.example.com", never a bare "*" or a top-level
	// domain. Every other name is answered NXDOMAIN.
	AllowedDomains []string
	// AllowInternetEgress adds public subnets, an internet gateway and a NAT
	// gateway for outbound traffic. Off by default; refused in prod.
	AllowInternetEgress bool
	// RuntimeInvokers name, per team, who alone may invoke the team's
	// served endpoints through the SageMaker runtime endpoint, whatever
	// their identity policies allow. Endpoint names follow a pattern per
	// team, so the network names them before they exist.
	RuntimeInvokers []RuntimeInvokers
}

// RuntimeInvokers are the principals that invoke one team's endpoints.
type RuntimeInvokers struct {
	// Team names the team (statement ids).
	Team string
	// EndpointsArn matches every endpoint of the team and no other
	// team's ("arn:aws:sagemaker:<region>:<account>:endpoint/<prefix>-<team>--*").
	EndpointsArn string
	// PrincipalArns are the team's roles: its Studio role, its people's
	// roles and its consumer roles.
	PrincipalArns []string
	// TaggedUsers admits the IAM users tagged with the team
	// ("<tagkeys.Team>=<Team>", aws:PrincipalTag) besides PrincipalArns, for
	// teams whose people include IAM groups: a group is no principal, and
	// its members' ARNs are not known to the stack. An IAM user without
	// the tag, or tagged with another team, is denied the team's
	// endpoints. Whoever may tag IAM users (iam:TagUser, an account
	// administrator's action) decides which users these are.
	TaggedUsers bool
}

var servicePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)

func (a *Args) validate() error {
	var errs []error
	if err := a.Scope.Validate(); err != nil {
		errs = append(errs, err)
	}
	if p, err := netip.ParsePrefix(a.CIDR); err != nil || !p.Addr().Is4() || p.Bits() < 16 || p.Bits() > 22 {
		errs = append(errs, fmt.Errorf("CIDR %q: set an IPv4 range between /16 and /22", a.CIDR))
	}
	if n := len(a.AvailabilityZones); n < 2 || n > 6 {
		errs = append(errs, fmt.Errorf("AvailabilityZones: %d given; use 2 to 6 so the network survives a zone outage", n))
	}
	if len(a.AllowedBucketArns) == 0 {
		errs = append(errs, errors.New("AllowedBucketArns: list the platform's buckets; the S3 endpoint never allows every bucket"))
	}
	for _, arn := range a.AllowedBucketArns {
		if !strings.HasPrefix(arn, "arn:") || strings.HasSuffix(arn, ":::*") || arn == "*" {
			errs = append(errs, fmt.Errorf("AllowedBucketArns: %q must be a bucket ARN, not a wildcard for every bucket", arn))
		}
	}
	for _, s := range a.InterfaceEndpoints {
		if !servicePattern.MatchString(s) {
			errs = append(errs, fmt.Errorf("InterfaceEndpoints: %q is not a service name such as \"sts\"", s))
		}
	}
	for _, acct := range a.ImageRegistryAccounts {
		if !scope.IsAccountID(acct) {
			errs = append(errs, fmt.Errorf("ImageRegistryAccounts: %q is not a 12-digit account id", acct))
		}
	}
	if a.LogsKMSKeyArn == nil {
		errs = append(errs, errors.New("LogsKMSKeyArn is required: flow and DNS query logs are always encrypted"))
	}
	if a.LogRetentionDays <= 0 {
		errs = append(errs, errors.New("LogRetentionDays is required: flow and DNS query logs never keep forever by accident"))
	}
	for _, d := range a.AllowedDomains {
		if err := scope.CheckDomainName(d); err != nil {
			errs = append(errs, fmt.Errorf("AllowedDomains: %w", err))
		}
	}
	if a.AllowInternetEgress && a.IsProd() {
		errs = append(errs, errors.New("AllowInternetEgress: prod never gets a route to the internet; set it to false"))
	}
	for i, inv := range a.RuntimeInvokers {
		if inv.Team == "" || !strings.HasPrefix(inv.EndpointsArn, a.ARN("sagemaker", "endpoint/"+a.Prefix+"-")) || !strings.HasSuffix(inv.EndpointsArn, "--*") {
			errs = append(errs, fmt.Errorf("RuntimeInvokers[%d]: name the team and its endpoints' pattern %s", i, a.ARN("sagemaker", "endpoint/"+a.Prefix+"-<team>--*")))
		}
		for _, p := range inv.PrincipalArns {
			if !strings.HasPrefix(p, a.GlobalARN("iam", "role/")) {
				errs = append(errs, fmt.Errorf("RuntimeInvokers[%d].PrincipalArns: %q is not a role of account %s; name the team's roles by ARN", i, p, a.AccountID))
			}
		}
	}
	if len(a.RuntimeInvokers) > 0 {
		if doc, err := RuntimeEndpointPolicy(a.Scope, a.ImageRegistryAccounts, a.RuntimeInvokers).JSON(); err != nil {
			errs = append(errs, err)
		} else if len(doc) > maxEndpointPolicyLength {
			errs = append(errs, fmt.Errorf("RuntimeInvokers: the SageMaker runtime endpoint's policy would have %d characters, more than the %d AWS accepts; name fewer invoker roles per team",
				len(doc), maxEndpointPolicyLength))
		}
	}
	return errors.Join(errs...)
}
