package pipeline

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/aifactory/platform/components/scope"
)

// WorkflowArgs is everything the weekly workflow's definition depends on.
// Every value is a plain string or number: at deploy time the component
// resolves its Pulumi outputs (cluster, task definition, topics …) and
// builds the definition inside an ApplyT.
type WorkflowArgs struct {
	// Scope is the pipeline's. The definition names only service
	// integrations, whose ARNs take the partition alone ("aws" when empty);
	// the rest of the scope is not checked here.
	scope.Scope
	// ClusterArn is the ECS cluster the optimiser tasks run in.
	ClusterArn string
	// TaskDefinition is the optimiser's task definition: its ARN with
	// revision (what promotion pins), "family:revision" or the family.
	TaskDefinition string
	// ContainerName is the optimiser container in the task definition, the
	// one whose command each step overrides and whose exit code decides
	// the outcome. The task definition must have no other container.
	ContainerName string
	// Subnets and SecurityGroups place the tasks; they never get a public IP.
	Subnets        []string
	SecurityGroups []string
	// Countries are the country codes to run, from the stack config.
	Countries []string
	// MaxConcurrency bounds how many countries run at once (1-40).
	MaxConcurrency int
	// Storage locates the optimiser's inputs and outputs.
	Storage Storage
	// CashSecretID is the Secrets Manager secret holding the available cash
	// per country; recommend reads it with --cash-secret.
	CashSecretID string
	// ResultsTopicArn receives every run's summary; FailureTopicArn is
	// told when a country failed or the run could not finish.
	ResultsTopicArn string
	FailureTopicArn string
	// Capacity is where tasks run; zero means Fargate Spot first, then
	// on-demand Fargate.
	Capacity Capacity
	// Retry governs retries of transient ECS API errors; zero fields take
	// the defaults of DefaultRetry.
	Retry Backoff
	// Restart governs how often a country whose task failed to start or
	// lost its Spot capacity is started again; zero fields take the
	// defaults of DefaultRestart.
	Restart Restart
	// TaskTimeoutSeconds bounds one optimiser task (default 3600).
	TaskTimeoutSeconds int
}

// Storage holds the S3 locations of the optimiser's files. Bucket may be a
// bucket name or an access point alias.
type Storage struct {
	// Configs holds the country YAML configurations (--config-dir).
	Configs Location
	// Data holds the sales histories, <cc>.csv per country (--data-dir).
	Data Location
	// Models receives model.json per run and country.
	Models Location
	// Outputs receives recommendation.json and metadata.json per run and
	// country.
	Outputs Location
}

// Location is a bucket (or access point alias) and a key prefix.
type Location struct {
	Bucket string
	Prefix string
}

// URI is the location as the optimiser CLI takes it: s3://bucket/prefix/.
func (l Location) URI() string {
	p := strings.Trim(l.Prefix, "/")
	if p == "" {
		return "s3://" + l.Bucket + "/"
	}
	return "s3://" + l.Bucket + "/" + p + "/"
}

// Capacity is the capacity provider strategy of the first start of each
// task, and the one used when a country is started again.
type Capacity struct {
	Primary  []CapacityProvider
	Fallback []CapacityProvider
}

// CapacityProvider is one item of an ECS capacity provider strategy.
type CapacityProvider struct {
	CapacityProvider string `json:"CapacityProvider"`
	Weight           int    `json:"Weight,omitempty"`
	Base             int    `json:"Base,omitempty"`
}

// Fargate capacity providers.
const (
	FargateSpot = "FARGATE_SPOT"
	Fargate     = "FARGATE"
)

// DefaultCapacity runs on Fargate Spot and starts a country again on
// on-demand Fargate. ECS does not fall back by itself: a strategy only
// splits tasks between providers, so the fallback is the workflow's.
var DefaultCapacity = Capacity{
	Primary:  []CapacityProvider{{CapacityProvider: FargateSpot, Weight: 1}},
	Fallback: []CapacityProvider{{CapacityProvider: Fargate, Weight: 1}},
}

// Backoff is a retrier's timing: IntervalSeconds before the first retry,
// multiplied by BackoffRate for each further one, never more than
// MaxDelaySeconds, with full jitter.
type Backoff struct {
	IntervalSeconds int
	MaxAttempts     int
	BackoffRate     float64
	MaxDelaySeconds int
}

// DefaultRetry retries transient ECS API errors for about five minutes.
var DefaultRetry = Backoff{IntervalSeconds: 10, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 120}

// Restart is how often and after how long a country is started again.
type Restart struct {
	// MaxRestarts is the number of new starts per country; zero takes the
	// default, a negative value turns restarts off.
	MaxRestarts     int
	IntervalSeconds int
	BackoffRate     float64
	MaxDelaySeconds int
}

// DefaultRestart starts a country again twice, after about one and two
// minutes.
var DefaultRestart = Restart{MaxRestarts: 2, IntervalSeconds: 60, BackoffRate: 2, MaxDelaySeconds: 600}

// DefaultTaskTimeoutSeconds bounds one optimiser task.
const DefaultTaskTimeoutSeconds = 3600

// MaxConcurrencyLimit is the most countries the workflow runs at once.
const MaxConcurrencyLimit = 40

var (
	partitionPattern = regexp.MustCompile(`^aws(-cn|-us-gov|-iso|-iso-b)?$`)
	clusterArn       = regexp.MustCompile(`^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/([A-Za-z0-9_-]{1,255})$`)
	taskDefinition   = regexp.MustCompile(`^(arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:task-definition/)?([A-Za-z0-9_-]{1,255})(:[0-9]+)?$`)
	containerName    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	subnetID         = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	securityGroupID  = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)
	countryCode      = regexp.MustCompile(`^[A-Z]{2}$`)
	// Bucket names and access point aliases: 3-63 lower-case letters,
	// digits, dots and hyphens.
	bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	// Prefixes the workflow writes into S3 URIs and CLI arguments: path
	// segments of safe characters only.
	keyPrefix = regexp.MustCompile(`^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$`)
	snsTopic  = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
	// Secret names or ARNs.
	secretID = regexp.MustCompile(`^[A-Za-z0-9/_+=.@:-]{1,1000}$`)
)

// withDefaults returns the arguments with every zero setting replaced by
// its default.
func (a WorkflowArgs) withDefaults() WorkflowArgs {
	if a.Partition == "" {
		a.Partition = "aws"
	}
	if len(a.Capacity.Primary) == 0 {
		a.Capacity.Primary = DefaultCapacity.Primary
	}
	if len(a.Capacity.Fallback) == 0 {
		a.Capacity.Fallback = DefaultCapacity.Fallback
	}
	a.Retry = fillBackoff(a.Retry, DefaultRetry)
	r := a.Restart
	switch {
	case r.MaxRestarts == 0:
		r.MaxRestarts = DefaultRestart.MaxRestarts
	case r.MaxRestarts < 0:
		r.MaxRestarts = 0
	}
	b := fillBackoff(Backoff{IntervalSeconds: r.IntervalSeconds, BackoffRate: r.BackoffRate, MaxDelaySeconds: r.MaxDelaySeconds, MaxAttempts: 1},
		Backoff{IntervalSeconds: DefaultRestart.IntervalSeconds, BackoffRate: DefaultRestart.BackoffRate, MaxDelaySeconds: DefaultRestart.MaxDelaySeconds})
	r.IntervalSeconds, r.BackoffRate, r.MaxDelaySeconds = b.IntervalSeconds, b.BackoffRate, b.MaxDelaySeconds
	a.Restart = r
	if a.TaskTimeoutSeconds == 0 {
		a.TaskTimeoutSeconds = DefaultTaskTimeoutSeconds
	}
	return a
}

func fillBackoff(b, def Backoff) Backoff {
	if b.IntervalSeconds == 0 {
		b.IntervalSeconds = def.IntervalSeconds
	}
	if b.MaxAttempts == 0 {
		b.MaxAttempts = def.MaxAttempts
	}
	if b.BackoffRate == 0 {
		b.BackoffRate = def.BackoffRate
	}
	if b.MaxDelaySeconds == 0 {
		b.MaxDelaySeconds = def.MaxDelaySeconds
	}
	return b
}

// check reports every invalid argument, each with its field and the fix.
// It expects defaults to be filled in.
func (a WorkflowArgs) check() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if !partitionPattern.MatchString(a.Partition) {
		bad("Partition %q: use aws, aws-cn or aws-us-gov", a.Partition)
	}
	if !clusterArn.MatchString(a.ClusterArn) {
		bad("ClusterArn %q: use the cluster's ARN, arn:<partition>:ecs:<region>:<account>:cluster/<name>", a.ClusterArn)
	}
	if !taskDefinition.MatchString(a.TaskDefinition) {
		bad("TaskDefinition %q: use the task definition's ARN, family:revision or family", a.TaskDefinition)
	}
	if !containerName.MatchString(a.ContainerName) {
		bad("ContainerName %q: use the optimiser container's name in the task definition", a.ContainerName)
	}
	if len(a.Subnets) == 0 {
		bad("Subnets: give at least one private subnet id")
	}
	for i, s := range a.Subnets {
		if !subnetID.MatchString(s) {
			bad("Subnets[%d] %q: use a subnet id such as subnet-0123456789abcdef0", i, s)
		}
	}
	if len(a.SecurityGroups) == 0 {
		bad("SecurityGroups: give the optimiser task's security group")
	}
	for i, s := range a.SecurityGroups {
		if !securityGroupID.MatchString(s) {
			bad("SecurityGroups[%d] %q: use a security group id such as sg-0123456789abcdef0", i, s)
		}
	}
	if len(a.Countries) == 0 {
		bad("Countries: list at least one country code, e.g. NL")
	}
	seen := map[string]bool{}
	for i, c := range a.Countries {
		switch {
		case !countryCode.MatchString(c):
			bad("Countries[%d] %q: use an upper-case two-letter country code as in the country's config, e.g. NL", i, c)
		case seen[c]:
			bad("Countries[%d] %q: listed twice; list each country once", i, c)
		}
		seen[c] = true
	}
	if a.MaxConcurrency < 1 || a.MaxConcurrency > MaxConcurrencyLimit {
		bad("MaxConcurrency %d: run between 1 and %d countries at once", a.MaxConcurrency, MaxConcurrencyLimit)
	}
	for _, l := range []struct {
		field string
		loc   Location
	}{{"Storage.Configs", a.Storage.Configs}, {"Storage.Data", a.Storage.Data}, {"Storage.Models", a.Storage.Models}, {"Storage.Outputs", a.Storage.Outputs}} {
		if !bucketName.MatchString(l.loc.Bucket) {
			bad("%s.Bucket %q: use a bucket name or access point alias", l.field, l.loc.Bucket)
		}
		if p := strings.Trim(l.loc.Prefix, "/"); p != "" && !keyPrefix.MatchString(p) {
			bad("%s.Prefix %q: use path segments of letters, digits and !_.*'()- separated by /", l.field, l.loc.Prefix)
		}
	}
	if a.Storage.Models == a.Storage.Outputs {
		bad("Storage.Models and Storage.Outputs are both %s: give models their own prefix, so a model is never mistaken for an output", a.Storage.Models.URI())
	}
	if !secretID.MatchString(a.CashSecretID) {
		bad("CashSecretID %q: use the name or ARN of the Secrets Manager secret holding the available cash", a.CashSecretID)
	}
	if !snsTopic.MatchString(a.ResultsTopicArn) {
		bad("ResultsTopicArn %q: use the results topic's ARN", a.ResultsTopicArn)
	}
	if !snsTopic.MatchString(a.FailureTopicArn) {
		bad("FailureTopicArn %q: use the failure topic's ARN", a.FailureTopicArn)
	}
	if a.ResultsTopicArn == a.FailureTopicArn {
		bad("FailureTopicArn equals ResultsTopicArn: failures go to a topic of their own, so that they page someone")
	}
	errs = append(errs, checkStrategy("Capacity.Primary", a.Capacity.Primary)...)
	errs = append(errs, checkStrategy("Capacity.Fallback", a.Capacity.Fallback)...)
	errs = append(errs, checkBackoff("Retry", a.Retry)...)
	if a.Restart.MaxRestarts > 10 {
		bad("Restart.MaxRestarts %d: start a country again at most 10 times", a.Restart.MaxRestarts)
	}
	errs = append(errs, checkBackoff("Restart", Backoff{IntervalSeconds: a.Restart.IntervalSeconds, MaxAttempts: 1, BackoffRate: a.Restart.BackoffRate, MaxDelaySeconds: a.Restart.MaxDelaySeconds})...)
	if a.TaskTimeoutSeconds < 60 || a.TaskTimeoutSeconds > 86400 {
		bad("TaskTimeoutSeconds %d: allow one optimiser task between 60 and 86400 seconds", a.TaskTimeoutSeconds)
	}
	return errors.Join(errs...)
}

func checkStrategy(field string, s []CapacityProvider) []error {
	var errs []error
	weights := 0
	for i, p := range s {
		if p.CapacityProvider != Fargate && p.CapacityProvider != FargateSpot {
			errs = append(errs, fmt.Errorf("%s[%d].CapacityProvider %q: use %s or %s", field, i, p.CapacityProvider, FargateSpot, Fargate))
		}
		if p.Weight < 0 || p.Weight > 1000 || p.Base < 0 || p.Base > 100000 {
			errs = append(errs, fmt.Errorf("%s[%d]: Weight must be 0-1000 and Base 0-100000", field, i))
		}
		weights += p.Weight
	}
	if len(s) > 0 && weights == 0 {
		errs = append(errs, fmt.Errorf("%s: give at least one provider a Weight above 0", field))
	}
	return errs
}

func checkBackoff(field string, b Backoff) []error {
	var errs []error
	if b.IntervalSeconds < 1 || b.IntervalSeconds > 3600 {
		errs = append(errs, fmt.Errorf("%s.IntervalSeconds %d: wait 1-3600 seconds before the first retry", field, b.IntervalSeconds))
	}
	if b.MaxAttempts < 1 || b.MaxAttempts > 20 {
		errs = append(errs, fmt.Errorf("%s.MaxAttempts %d: retry 1-20 times", field, b.MaxAttempts))
	}
	if b.BackoffRate < 1 || b.BackoffRate > 10 || math.IsNaN(b.BackoffRate) {
		errs = append(errs, fmt.Errorf("%s.BackoffRate %v: use a multiplier between 1 and 10", field, b.BackoffRate))
	}
	if b.MaxDelaySeconds < b.IntervalSeconds || b.MaxDelaySeconds > 3600 {
		errs = append(errs, fmt.Errorf("%s.MaxDelaySeconds %d: cap the wait between IntervalSeconds and 3600 seconds", field, b.MaxDelaySeconds))
	}
	return errs
}

// restartDelays are the base waits before each new start: the backoff
// series capped at MaxDelaySeconds, halved, because the workflow adds a
// random share of up to the same amount again (equal jitter).
func (r Restart) restartDelays() []int {
	out := make([]int, 0, r.MaxRestarts)
	d := float64(r.IntervalSeconds)
	for range r.MaxRestarts {
		capped := math.Min(d, float64(r.MaxDelaySeconds))
		out = append(out, max(1, int(math.Ceil(capped/2))))
		d *= r.BackoffRate
	}
	return out
}
