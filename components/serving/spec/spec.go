// Package spec holds what a team asks of model serving, as stack config
// and Go tools write it: the endpoints it serves, each naming the exact
// model package version from its registry, their size and alarms, and the
// environment's bounds on them. It is a leaf: stack config validates every
// endpoint with these checks before any resource is registered, and the
// serving component builds from the same values, so the two never
// disagree.
package spec

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fixed values and bounds of SageMaker hosting.
const (
	// VariantName is the one production variant of every endpoint. A
	// blue/green deployment needs the new configuration to keep the
	// variant's name, so it never changes.
	VariantName = "AllTraffic"
	// MaxNameLength is SageMaker's limit on endpoint and model package
	// group names.
	MaxNameLength = 63
	// MaxInstancesLimit bounds the environment's maxInstances setting.
	MaxInstancesLimit = 50
	// MaxServerlessConcurrencyLimit is SageMaker's limit on a serverless
	// endpoint's concurrency.
	MaxServerlessConcurrencyLimit = 200
	// Defaults of the optional endpoint settings.
	DefaultTargetInvocationsPerInstance = 100
	DefaultMaxErrorRatePercent          = 5
	DefaultMaxLatencyMs                 = 1000
)

// ServerlessMemorySizes are the memory sizes serverless inference offers, in MB.
var ServerlessMemorySizes = []int{1024, 2048, 3072, 4096, 5120, 6144}

// Endpoint is one model a team serves behind a real-time endpoint.
type Endpoint struct {
	// Name is DNS-safe, 2-32 characters, unique within the team; the
	// endpoint is "<prefix>-<team>--<name>".
	Name string `json:"name"`
	// ModelPackageArn is the exact model package version served, in the
	// team's own registry:
	// arn:aws:sagemaker:<region>:<account>:model-package/<prefix>-<team>/<version>.
	// Its approval status must be Approved (see the README: what is
	// enforced where).
	ModelPackageArn string `json:"modelPackageArn"`
	// InstanceType is the ml.* type of a provisioned endpoint, one of the
	// environment's serving types. Set it or Serverless, not both.
	InstanceType string `json:"instanceType,omitempty"`
	// MinInstances and MaxInstances bound auto scaling: 1 <= min <= max <=
	// the environment's maxInstances. MinInstances is 1 and MaxInstances is
	// MinInstances when unset.
	MinInstances int `json:"minInstances,omitempty"`
	MaxInstances int `json:"maxInstances,omitempty"`
	// TargetInvocationsPerInstance is the auto scaling target (invocations
	// per instance and minute); DefaultTargetInvocationsPerInstance when 0.
	TargetInvocationsPerInstance int `json:"targetInvocationsPerInstance,omitempty"`
	// Serverless, when set, serves the model with serverless inference,
	// for low traffic; only where the environment allows it (never prod:
	// serverless inference supports no VPC, network isolation or data
	// capture).
	Serverless *Serverless `json:"serverless,omitempty"`
	// DataCapturePercent is the share of requests whose request and
	// response are captured to the team's prefix, 1-100; provisioned
	// endpoints only.
	DataCapturePercent int `json:"dataCapturePercent,omitempty"`
	// Alarms are the thresholds of the two alarms that roll a deployment
	// back.
	Alarms Alarms `json:"alarms,omitzero"`
	// ExpiresAt is the RFC 3339 time after which the cleanup job may
	// remove the endpoint; required in dev.
	ExpiresAt string `json:"expiresAt,omitempty"`
}

// Serverless sizes a serverless endpoint.
type Serverless struct {
	// MemorySizeMB is one of ServerlessMemorySizes.
	MemorySizeMB int `json:"memorySizeMb"`
	// MaxConcurrency is the most invocations served at once, at most the
	// environment's maxServerlessConcurrency.
	MaxConcurrency int `json:"maxConcurrency"`
}

// Alarms are the rollback alarms' thresholds.
type Alarms struct {
	// MaxErrorRatePercent is the share of invocations answered with a 5xx
	// error, per minute, above which the deployment rolls back (0-100,
	// DefaultMaxErrorRatePercent when 0).
	MaxErrorRatePercent float64 `json:"maxErrorRatePercent,omitempty"`
	// MaxLatencyMs is the p99 model latency in milliseconds above which it
	// rolls back (DefaultMaxLatencyMs when 0).
	MaxLatencyMs int `json:"maxLatencyMs,omitempty"`
}

// Limits are the environment's bounds on every endpoint.
type Limits struct {
	// AllowedInstanceTypes are the only ml.* types an endpoint may use.
	AllowedInstanceTypes []string
	// MaxInstances bounds every endpoint's auto scaling maximum.
	MaxInstances int
	// AllowServerless lets endpoints use serverless inference.
	AllowServerless bool
	// MaxServerlessConcurrency bounds a serverless endpoint's concurrency.
	MaxServerlessConcurrency int
}

var (
	namePattern         = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)
	instanceTypePattern = regexp.MustCompile(`^ml\.([a-z0-9]+)\.[a-z0-9]+$`)
	// Types with NVMe instance storage take no volume KMS key (SageMaker
	// API reference, CreateEndpointConfig: KmsKeyId), and every endpoint
	// sets one. Their family mostly carries a "d" after its generation
	// (m5d, c5d, r5d, g4dn, p4d); instanceStorageFamilies lists the others.
	instanceStorageFamily = regexp.MustCompile(`^[a-z]+[0-9]+[a-z]*d[a-z]*$`)
	modelPackagePattern   = regexp.MustCompile(`^arn:(aws(?:-[a-z]+)*):sagemaker:([a-z0-9-]+):([0-9]{12}):model-package/([A-Za-z0-9](?:-*[A-Za-z0-9]){0,62})/([0-9]+)$`)
	roleNamePattern       = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
)

// instanceStorageFamilies have NVMe instance storage without a "d" in
// their name.
var instanceStorageFamilies = []string{"g5", "g6", "g6e", "p5", "p5e", "p5en", "trn1", "trn1n"}

// CheckInstanceType checks a serving instance type: an ml.* type whose
// volumes can be encrypted with a customer-managed key.
func CheckInstanceType(t string) error {
	m := instanceTypePattern.FindStringSubmatch(t)
	switch {
	case m == nil:
		return fmt.Errorf("%q is not a SageMaker instance type such as ml.m5.large", t)
	case instanceStorageFamily.MatchString(m[1]) || slices.Contains(instanceStorageFamilies, m[1]):
		return fmt.Errorf("%q has NVMe instance storage, on which SageMaker refuses the volume KMS key every endpoint sets; choose its EBS-only sibling (e.g. ml.m5.large for ml.m5d.large)", t)
	}
	return nil
}

// Validate checks the environment's bounds.
func (l Limits) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for _, t := range l.AllowedInstanceTypes {
		if err := CheckInstanceType(t); err != nil {
			errs = append(errs, fmt.Errorf("allowedInstanceTypes: %w", err))
		} else if seen[t] {
			errs = append(errs, fmt.Errorf("allowedInstanceTypes: %q is listed twice", t))
		}
		seen[t] = true
	}
	if l.MaxInstances < 1 || l.MaxInstances > MaxInstancesLimit {
		errs = append(errs, fmt.Errorf("maxInstances %d: set the most instances one endpoint may scale to, 1-%d", l.MaxInstances, MaxInstancesLimit))
	}
	if l.AllowServerless && (l.MaxServerlessConcurrency < 1 || l.MaxServerlessConcurrency > MaxServerlessConcurrencyLimit) {
		errs = append(errs, fmt.Errorf("maxServerlessConcurrency %d: where serverless inference is allowed, bound its concurrency at 1-%d",
			l.MaxServerlessConcurrency, MaxServerlessConcurrencyLimit))
	}
	return errors.Join(errs...)
}

// IsServerless reports whether the endpoint uses serverless inference.
func (e Endpoint) IsServerless() bool { return e.Serverless != nil }

// WithDefaults returns the endpoint with the defaults filled in.
func (e Endpoint) WithDefaults() Endpoint {
	if !e.IsServerless() {
		if e.MinInstances == 0 {
			e.MinInstances = 1
		}
		if e.MaxInstances == 0 {
			e.MaxInstances = e.MinInstances
		}
		if e.TargetInvocationsPerInstance == 0 {
			e.TargetInvocationsPerInstance = DefaultTargetInvocationsPerInstance
		}
	}
	if e.Alarms.MaxErrorRatePercent == 0 {
		e.Alarms.MaxErrorRatePercent = DefaultMaxErrorRatePercent
	}
	if e.Alarms.MaxLatencyMs == 0 {
		e.Alarms.MaxLatencyMs = DefaultMaxLatencyMs
	}
	return e
}

// Expiry is the parsed ExpiresAt, zero when unset. It never reads the
// clock: the cleanup job compares it with its own.
func (e Endpoint) Expiry() (time.Time, error) {
	if e.ExpiresAt == "" {
		return time.Time{}, nil
	}
	at, err := time.Parse(time.RFC3339, e.ExpiresAt)
	if err != nil {
		return time.Time{}, fmt.Errorf("expiresAt %q is not an RFC 3339 time such as \"2027-06-30T18:00:00Z\"", e.ExpiresAt)
	}
	return at.UTC(), nil
}

// Validate checks the endpoint, with its defaults filled in, against
// SageMaker's rules and the environment's limits. Each error names the
// field and the fix.
func (e Endpoint) Validate(environment string, l Limits) error {
	if err := l.Validate(); err != nil {
		return err
	}
	e = e.WithDefaults()
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if !namePattern.MatchString(e.Name) || strings.Contains(e.Name, "--") {
		fail("name %q: use 2-32 lower-case letters, digits and single hyphens, starting with a letter", e.Name)
	}
	if _, err := ParseModelPackageArn(e.ModelPackageArn); err != nil {
		fail("modelPackageArn: %v", err)
	}
	switch {
	case e.IsServerless() && e.InstanceType != "":
		fail("instanceType %q and serverless are both set: choose a provisioned endpoint (instanceType) or serverless inference", e.InstanceType)
	case e.IsServerless():
		e.validateServerless(l, fail)
	default:
		e.validateProvisioned(l, fail)
	}
	if e.Alarms.MaxErrorRatePercent <= 0 || e.Alarms.MaxErrorRatePercent > 100 {
		fail("alarms.maxErrorRatePercent %v: give the 5xx share of invocations that rolls a deployment back, above 0 and at most 100", e.Alarms.MaxErrorRatePercent)
	}
	if e.Alarms.MaxLatencyMs < 1 || e.Alarms.MaxLatencyMs > 60000 {
		fail("alarms.maxLatencyMs %d: give the p99 model latency that rolls a deployment back, 1-60000 ms (SageMaker answers within 60 s)", e.Alarms.MaxLatencyMs)
	}
	if _, err := e.Expiry(); err != nil {
		fail("%v", err)
	} else if environment == "dev" && e.ExpiresAt == "" {
		fail("expiresAt is not set: a dev endpoint names the RFC 3339 time after which the cleanup job may remove it, e.g. \"2027-06-30T18:00:00Z\"")
	}
	return errors.Join(errs...)
}

func (e Endpoint) validateProvisioned(l Limits, fail func(string, ...any)) {
	switch {
	case e.InstanceType == "":
		fail("instanceType is not set: give an ml.* type of serving.allowedInstanceTypes (%s), or serverless for low traffic where allowed", strings.Join(l.AllowedInstanceTypes, ", "))
	case !slices.Contains(l.AllowedInstanceTypes, e.InstanceType):
		fail("instanceType %q is not in the environment's serving.allowedInstanceTypes (%s); choose one of them", e.InstanceType, strings.Join(l.AllowedInstanceTypes, ", "))
	}
	if e.MinInstances < 1 || e.MinInstances > e.MaxInstances || e.MaxInstances > l.MaxInstances {
		fail("minInstances %d and maxInstances %d: need 1 <= minInstances <= maxInstances <= %d (the environment's serving.maxInstances)",
			e.MinInstances, e.MaxInstances, l.MaxInstances)
	}
	if e.TargetInvocationsPerInstance < 1 || e.TargetInvocationsPerInstance > 100000 {
		fail("targetInvocationsPerInstance %d: give the invocations per instance and minute auto scaling aims at, 1-100000", e.TargetInvocationsPerInstance)
	}
	if e.DataCapturePercent < 1 || e.DataCapturePercent > 100 {
		fail("dataCapturePercent %d: capture 1-100 percent of requests and responses; every provisioned endpoint keeps evidence of what it answered", e.DataCapturePercent)
	}
}

func (e Endpoint) validateServerless(l Limits, fail func(string, ...any)) {
	s := e.Serverless
	if !l.AllowServerless {
		fail("serverless: this environment does not allow serverless inference, which runs the model outside the VPC without network isolation or data capture; set instanceType instead")
		return
	}
	if !slices.Contains(ServerlessMemorySizes, s.MemorySizeMB) {
		fail("serverless.memorySizeMb %d: use one of %v", s.MemorySizeMB, ServerlessMemorySizes)
	}
	if s.MaxConcurrency < 1 || s.MaxConcurrency > l.MaxServerlessConcurrency {
		fail("serverless.maxConcurrency %d: use 1-%d (the environment's serving.maxServerlessConcurrency)", s.MaxConcurrency, l.MaxServerlessConcurrency)
	}
	if e.MinInstances != 0 || e.MaxInstances != 0 || e.TargetInvocationsPerInstance != 0 {
		fail("minInstances, maxInstances and targetInvocationsPerInstance size provisioned endpoints; a serverless endpoint scales within serverless.maxConcurrency: remove them")
	}
	if e.DataCapturePercent != 0 {
		fail("dataCapturePercent: serverless inference cannot capture data; remove it, or serve the model on an instanceType to keep the evidence")
	}
}

// ModelPackage is a model package version ARN, taken apart.
type ModelPackage struct {
	Partition, Region, Account, Group string
	Version                           int
}

// ParseModelPackageArn reads a versioned model package ARN.
func ParseModelPackageArn(arn string) (ModelPackage, error) {
	m := modelPackagePattern.FindStringSubmatch(arn)
	if m == nil {
		return ModelPackage{}, fmt.Errorf("%q is not a model package version ARN such as arn:aws:sagemaker:eu-west-1:123456789012:model-package/<registry>/3", arn)
	}
	v, err := strconv.Atoi(m[5])
	if err != nil || v < 1 {
		return ModelPackage{}, fmt.Errorf("%q: model package versions start at 1", arn)
	}
	return ModelPackage{Partition: m[1], Region: m[2], Account: m[3], Group: m[4], Version: v}, nil
}

// CheckModelPackage checks that a version ARN is in the team's own registry
// of this region and account: a team serves only what its registry holds.
func CheckModelPackage(arn, region, account, registry string) error {
	p, err := ParseModelPackageArn(arn)
	if err != nil {
		return err
	}
	var errs []error
	if p.Region != region {
		errs = append(errs, fmt.Errorf("%q is in region %s, but the stack deploys to %s; register the version in this region's registry", arn, p.Region, region))
	}
	if p.Account != account {
		errs = append(errs, fmt.Errorf("%q is in account %s, but aifactory:accountId is %s; name a version of the team's registry in that account", arn, p.Account, account))
	}
	if p.Group != registry {
		errs = append(errs, fmt.Errorf("%q is a version of registry %q; a team serves only versions of its own registry %q", arn, p.Group, registry))
	}
	return errors.Join(errs...)
}

// RegistryName is a team's model package group: "<prefix>-<team>".
func RegistryName(prefix, team string) string { return prefix + "-" + team }

// EndpointName is the name of a team's endpoint: "<prefix>-<team>--<name>".
// Team names never contain "--", so no team's endpoint name pattern matches
// another team's endpoints.
func EndpointName(prefix, team, name string) string { return prefix + "-" + team + "--" + name }

// CheckNames checks that the names built from the prefix, the team and its
// endpoints fit SageMaker's limits.
func CheckNames(prefix, team string, endpoints []string) error {
	var errs []error
	if r := RegistryName(prefix, team); len(r) > MaxNameLength {
		errs = append(errs, fmt.Errorf("the registry name %q exceeds SageMaker's %d characters; shorten the team name or the prefix", r, MaxNameLength))
	}
	for _, n := range endpoints {
		if e := EndpointName(prefix, team, n); len(e) > MaxNameLength {
			errs = append(errs, fmt.Errorf("the endpoint name %q exceeds SageMaker's %d characters; shorten the endpoint name %q", e, MaxNameLength, n))
		}
	}
	return errors.Join(errs...)
}

// CheckRoleName checks an IAM role name (a name, not an ARN).
func CheckRoleName(name string) error {
	if !roleNamePattern.MatchString(name) {
		return fmt.Errorf("%q is not an IAM role name (letters, digits and +=,.@_-, at most 64; a name, not an ARN)", name)
	}
	return nil
}
