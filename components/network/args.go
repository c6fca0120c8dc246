package network

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/scope"
)

// DefaultInterfaceEndpoints are the AWS APIs that SageMaker Studio, EMR, the
// weekly pipeline and their roles call. Each gets an interface endpoint with
// private DNS, so the SDKs' default endpoints resolve inside the VPC.
func DefaultInterfaceEndpoints() []string {
	return []string{
		"sagemaker.api", "sagemaker.runtime", "studio",
		"sts", "logs", "monitoring", "kms", "secretsmanager",
		"ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry",
		"elasticmapreduce", "states", "sns", "events", "scheduler",
	}
}

// Args configures the network.
type Args struct {
	// Scope names resources (Name tags, log group) and scopes endpoint
	// names and policies to its account and region.
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
	// FlowLogsKMSKeyArn encrypts the flow log group. Required.
	FlowLogsKMSKeyArn pulumi.StringInput
	// FlowLogRetentionDays is the flow log group's retention. Required.
	FlowLogRetentionDays int
	// AllowInternetEgress adds public subnets, an internet gateway and a NAT
	// gateway for outbound traffic. Off by default.
	AllowInternetEgress bool
}

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
	if a.FlowLogsKMSKeyArn == nil {
		errs = append(errs, errors.New("FlowLogsKMSKeyArn is required: flow logs are always encrypted"))
	}
	if a.FlowLogRetentionDays <= 0 {
		errs = append(errs, errors.New("FlowLogRetentionDays is required: flow logs never keep forever by accident"))
	}
	return errors.Join(errs...)
}
