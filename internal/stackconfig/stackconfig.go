// Package stackconfig loads the `aifactory:` namespace of a stack's
// Pulumi.<stack>.yaml into one typed, validated value.
//
// Everything that differs between dev, staging and prod is here, and only
// here: the program reads it once, before it registers any resource, and a
// missing or malformed value stops the run with an error that names the key,
// the stack file and the fix.
package stackconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/analytics/spec"
	auditspec "github.com/aifactory/platform/components/audit/spec"
	pipelinespec "github.com/aifactory/platform/components/pipeline/spec"
	"github.com/aifactory/platform/components/scope"
	servingspec "github.com/aifactory/platform/components/serving/spec"
	"github.com/aifactory/platform/facts/tagkeys"
)

// Namespace is the config namespace of the project.
const Namespace = "aifactory"

// Environments the platform knows, in promotion order.
var Environments = scope.Environments

// Config is the validated configuration of one stack.
type Config struct {
	// Stack is the name of the stack the config was read for.
	Stack string
	// Environment is dev, staging or prod; it decides the guardrail bounds.
	Environment string
	// Region is the AWS region every resource of the stack lives in.
	Region string
	// AccountID is the only AWS account the stack may deploy to: the AWS
	// provider refuses every other (allowedAccountIds), and the program
	// stops if the credentials belong to another.
	AccountID string
	// OrganizationID, when set, is the AWS Organizations id whose
	// principals the VPC endpoints admit instead of this account's alone.
	OrganizationID string
	// DeployerRoleArn is the IAM role the platform deploys as: the KMS
	// keys' administrator and the only principal that configures the
	// buckets.
	DeployerRoleArn string
	// Network shapes the private VPC.
	Network Network
	// Tags are the stack-wide values of the required tags.
	Tags Tags
	// LogRetentionDays is how long CloudWatch log groups keep events.
	LogRetentionDays int
	// KMSDeletionWindowDays is the waiting period before a scheduled key deletion.
	KMSDeletionWindowDays int
	// Protect marks stateful resources as protected against deletion.
	Protect bool
	// Teams are the data-science teams the platform vends workspaces for.
	Teams []Team
	// Data shapes the data perimeter's buckets.
	Data Data
	// Workspace shapes the teams' SageMaker Studio workspaces.
	Workspace Workspace
	// Analytics bounds EMR Studio and the teams' clusters.
	Analytics Analytics
	// Pipeline runs the weekly jackpot job.
	Pipeline Pipeline
	// FinOps holds the platform's budget, alerting and cleanup settings.
	FinOps FinOps
	// Audit shapes the audit trail and its alarms.
	Audit Audit

	// Serving bounds the teams' model endpoints; optional until a team
	// serves a model.
	Serving Serving
}

// Serving is the `aifactory:serving` object: the environment's bounds on
// the teams' model endpoints. It equals the policy pack's
// sagemaker-endpoint-instance-allowlist settings in
// policy/config/<environment>.json; a test keeps the two in step.
type Serving struct {
	// AllowedInstanceTypes are the ml.* types endpoints may run on (types
	// with NVMe instance storage are refused: they take no volume KMS key).
	AllowedInstanceTypes []string `json:"allowedInstanceTypes"`
	// MaxInstances bounds every endpoint's auto scaling maximum.
	MaxInstances int `json:"maxInstances"`
	// AllowServerless lets endpoints use serverless inference (no VPC, no
	// network isolation, no data capture); refused in prod.
	AllowServerless bool `json:"allowServerless,omitempty"`
	// MaxServerlessConcurrency bounds a serverless endpoint's concurrency.
	MaxServerlessConcurrency int `json:"maxServerlessConcurrency,omitempty"`
}

// ServingLimits returns the environment's bounds on endpoints.
func (c *Config) ServingLimits() servingspec.Limits {
	return servingspec.Limits{
		AllowedInstanceTypes:     c.Serving.AllowedInstanceTypes,
		MaxInstances:             c.Serving.MaxInstances,
		AllowServerless:          c.Serving.AllowServerless,
		MaxServerlessConcurrency: c.Serving.MaxServerlessConcurrency,
	}
}

// TeamServing is a team's `serving` object.
type TeamServing struct {
	// Approvers are IAM role names that approve or reject the team's model
	// versions; none of them is one of the team's analytics identities.
	Approvers []string `json:"approvers,omitempty"`
	// Consumers are IAM role names outside the platform that invoke the
	// team's endpoints from inside the VPC.
	Consumers []string `json:"consumers,omitempty"`
	// Endpoints are the models the team serves.
	Endpoints []servingspec.Endpoint `json:"endpoints,omitempty"`
}

// Audit is the `aifactory:audit` object: how long the audit trail is kept
// unalterable, who hears about sensitive changes, and whether the stack
// runs the account's AWS Config recorder.
type Audit struct {
	// RetentionDays is how long S3 Object Lock (compliance mode) keeps every
	// CloudTrail log and digest file and every AWS Config snapshot from
	// deletion or change: 1-3653 days; prod at least the regulatory period
	// (auditspec.RegulatoryRetentionDays, seven years).
	RetentionDays int `json:"retentionDays"`
	// AlarmEmails are subscribed to the audit topic (at least one): alarms
	// on sensitive changes and NON_COMPLIANT Config evaluations.
	AlarmEmails []string `json:"alarmEmails"`
	// ConfigRecorder is "create" (the default: the stack runs the
	// account's AWS Config recorder in its region) or "existing" (another
	// setup runs it; the stack adds only its rules).
	ConfigRecorder string `json:"configRecorder,omitempty"`
}

// ConfigRecorders are the values of audit.configRecorder.
var ConfigRecorders = []string{"create", "existing"}

// Pipeline is the `aifactory:pipeline` object: what the weekly jackpot job
// runs, when, for which countries, how large its tasks are and whom it
// tells.
type Pipeline struct {
	// Image is the optimiser image by digest, in this stack's repository
	// "<account>.dkr.ecr.<region>.amazonaws.com/<project>-<environment>-optimiser@sha256:…".
	// staging and prod copy the digest from the previous environment's file.
	Image string `json:"image"`
	// Schedule is a weekly EventBridge Scheduler cron expression, e.g.
	// cron(0 6 ? * MON *), read in Timezone.
	Schedule string `json:"schedule"`
	// Timezone is the business's IANA time zone, e.g. Europe/Amsterdam.
	Timezone string `json:"timezone"`
	// Countries are the country codes to run; each has its configuration
	// in optimiser/bundled/configs/<cc>.yaml.
	Countries []string `json:"countries"`
	// MaxConcurrency bounds how many countries run at once (1-40).
	MaxConcurrency int `json:"maxConcurrency"`
	// TaskCPU (units, 1024 = one vCPU) and TaskMemoryMiB size each
	// optimiser task: a Fargate combination within the environment's
	// limits (PipelineTaskLimits).
	TaskCPU       int `json:"taskCpu"`
	TaskMemoryMiB int `json:"taskMemoryMiB"`
	// CashSecretName names the Secrets Manager secret the stack creates for
	// the available cash per country; treasury sets its value.
	CashSecretName string `json:"cashSecretName"`
	// HistoryWriterRole is the IAM role the business delivers the sales
	// histories with: the only principal besides the pipeline's task that
	// reaches the pipeline's data prefix.
	HistoryWriterRole string `json:"historyWriterRole"`
	// FailureEmails are subscribed to the failure topic (at least one, so
	// a failure always reaches someone); ResultEmails to the results topic.
	FailureEmails []string `json:"failureEmails"`
	ResultEmails  []string `json:"resultEmails,omitempty"`
}

// TaskLimits bound an environment's optimiser tasks. They equal the policy
// pack's instance-type-allowlist limits in policy/config/<environment>.json
// (maxEcsTaskCpu, maxEcsTaskMemoryMiB), so a size the stack accepts never
// fails a mandatory policy; a test keeps the two in step.
type TaskLimits struct {
	MaxCPU       int
	MaxMemoryMiB int
}

// PipelineTaskLimits are the task size limits per environment.
var PipelineTaskLimits = map[string]TaskLimits{
	"dev":     {MaxCPU: 4096, MaxMemoryMiB: 16384},
	"staging": {MaxCPU: 8192, MaxMemoryMiB: 32768},
	"prod":    {MaxCPU: 8192, MaxMemoryMiB: 32768},
}

// PipelineRepositoryName is the name of the stack's optimiser image
// repository, "<project>-<environment>-optimiser".
func (c *Config) PipelineRepositoryName() string { return c.ResourcePrefix() + "-optimiser" }

// CleanupRepositoryName is the name of the stack's cleanup job image
// repository, "<project>-<environment>-cleanup".
func (c *Config) CleanupRepositoryName() string { return c.ResourcePrefix() + "-cleanup" }

// CleanupLogGroupName is the log group the cleanup job's task writes its
// decisions to (components/finops.LogGroupName), which the monthly report
// reads.
func (c *Config) CleanupLogGroupName() string { return "/aws/ecs/" + c.ResourcePrefix() + "-cleanup" }

// Workspace is the `aifactory:workspace` object.
type Workspace struct {
	// AllowedInstanceTypes are the ml.* types apps and jobs may use; the
	// first is the default for new apps.
	AllowedInstanceTypes []string `json:"allowedInstanceTypes"`
	// IdleTimeoutMinutes is the default idle shutdown of JupyterLab and
	// Code Editor; users may choose up to MaxIdleTimeoutMinutes.
	IdleTimeoutMinutes    int `json:"idleTimeoutMinutes"`
	MaxIdleTimeoutMinutes int `json:"maxIdleTimeoutMinutes"`
	// HomeEFSRetention is Retain or Delete: what happens to home
	// directories when the domain is deleted.
	HomeEFSRetention string `json:"homeEfsRetention"`
	// DefaultEBSVolumeSizeGB and MaxEBSVolumeSizeGB bound space storage.
	DefaultEBSVolumeSizeGB int `json:"defaultEbsVolumeSizeGb"`
	MaxEBSVolumeSizeGB     int `json:"maxEbsVolumeSizeGb"`
	// PackageIndexURL is an optional private (https) Python package index.
	PackageIndexURL string `json:"packageIndexUrl,omitempty"`
	// StudioAccess is where people may open Studio from.
	StudioAccess StudioAccess `json:"studioAccess"`
}

// StudioAccess is the `workspace.studioAccess` object: the networks people
// open SageMaker Studio from; at least one.
type StudioAccess struct {
	// CorporateCIDRs are the corporate network's public egress ranges.
	CorporateCIDRs []string `json:"corporateCidrs,omitempty"`
	// ThroughVpcEndpoints admits requests through the VPC's SageMaker API
	// and Studio endpoints (VPN or Direct Connect into the VPC).
	ThroughVpcEndpoints bool `json:"throughVpcEndpoints,omitempty"`
}

// Data is the `aifactory:data` object.
type Data struct {
	// NoncurrentVersionDays is how long overwritten or deleted object
	// versions are kept before the lifecycle rule expires them.
	NoncurrentVersionDays int `json:"noncurrentVersionDays"`
	// CaptureRetentionDays is how long endpoints' captured requests and
	// responses stay current before the lifecycle rule expires them (they
	// then stay recoverable for NoncurrentVersionDays); the data
	// component's default (90) when 0.
	CaptureRetentionDays int `json:"captureRetentionDays,omitempty"`
}

// Network is the `aifactory:network` object.
type Network struct {
	// CIDR is the VPC's IPv4 range, between /16 and /22.
	CIDR string `json:"cidr"`
	// AZCount is the number of availability zones the private subnets span.
	AZCount int `json:"azCount"`
	// AllowInternetEgress adds public subnets, an internet gateway and a NAT
	// gateway. Off unless a stack asks for it; never in prod.
	AllowInternetEgress bool `json:"allowInternetEgress"`
	// DNSFirewall shapes the VPC's DNS firewall.
	DNSFirewall DNSFirewall `json:"dnsFirewall,omitzero"`
}

// DNSFirewall is the `network.dnsFirewall` object.
type DNSFirewall struct {
	// AllowedDomains are names resolved besides AWS's service names and the
	// VPC's own ("repo.example.com", "*.example.com").
	AllowedDomains []string `json:"allowedDomains,omitempty"`
}

// Tags is the `aifactory:tags` object: the stack-wide required tag values.
// environment comes from aifactory:environment, never from here.
type Tags struct {
	Team               string `json:"team"`
	Project            string `json:"project"`
	CostCenter         string `json:"costCenter"`
	Owner              string `json:"owner"`
	DataClassification string `json:"dataClassification"`
}

// Team is one entry of `aifactory:teams`.
type Team struct {
	// Name is DNS-safe; it names the team's access point, roles and prefixes.
	Name string `json:"name"`
	// CostCenter is the team's cost-allocation code.
	CostCenter string `json:"costCenter"`
	// Owner is the e-mail address accountable for the team's resources.
	Owner string `json:"owner"`
	// DataClassification, when set, is the data-classification tag of the
	// team's resources instead of the stack's (one of DataClassifications).
	DataClassification string `json:"dataClassification,omitempty"`
	// InstanceType, when set, is the default instance type of the team's
	// Studio apps; one of workspace.allowedInstanceTypes.
	InstanceType string `json:"instanceType,omitempty"`
	// Analytics gives the team EMR Studio access and ephemeral clusters.
	Analytics *TeamAnalytics `json:"analytics,omitempty"`
	// Serving names the team's approvers, consumers and served models.
	Serving *TeamServing `json:"serving,omitempty"`
	// Budget is the team's monthly AWS Budget; required, so that every
	// team's spend is watched from its first resource.
	Budget *Budget `json:"budget,omitempty"`
}

// Budget is a monthly AWS Budget.
type Budget struct {
	// MonthlyUSD is the budgeted cost per calendar month, in US dollars.
	MonthlyUSD float64 `json:"monthlyUsd"`
}

// TeamAnalytics is a team's `analytics` object.
type TeamAnalytics struct {
	// Identities are the team's people, as IAM roles or groups (or SSO
	// users and groups), that get the team's EMR Studio access.
	Identities []spec.Identity `json:"identities,omitempty"`
	// Clusters are the team's ephemeral Spot clusters; each must carry
	// expiresAt (or ttl) and dies when idle.
	Clusters []spec.Cluster `json:"clusters,omitempty"`
}

// Analytics is the `aifactory:analytics` object: the environment's bounds
// for EMR.
type Analytics struct {
	// AuthMode is IAM or SSO (IAM Identity Center).
	AuthMode string `json:"authMode"`
	// MaxIdleTimeoutMinutes bounds every cluster's auto-termination idle timeout.
	MaxIdleTimeoutMinutes int `json:"maxIdleTimeoutMinutes"`
	// MaxCapacityUnits bounds a cluster's managed-scaling maximum.
	MaxCapacityUnits int `json:"maxCapacityUnits"`
	// AllowedInstanceTypes are the EC2 types cluster fleets may use.
	AllowedInstanceTypes []string `json:"allowedInstanceTypes"`
	// ClustersFrom is the reference time (RFC 3339) cluster TTLs count from;
	// needed only by clusters that set ttl instead of expiresAt. Never the
	// clock, so that two previews of the same config agree.
	ClustersFrom time.Time `json:"clustersFrom,omitzero"`
	// InTransitCertificates is the s3:// URL of the zip of PEM certificates
	// for EMR's in-transit encryption, in one of the platform's buckets.
	// Required in staging and prod.
	InTransitCertificates string `json:"inTransitCertificates,omitempty"`
}

// FinOps is the `aifactory:finops` object.
type FinOps struct {
	// PlatformBudget is the budget of the platform team (tags.team): the
	// shared network, keys, Studio domain and pipeline.
	PlatformBudget *Budget `json:"platformBudget"`
	// AlertThresholdsPercent are the shares of a budget whose actual spend
	// alerts the team's owner and the platform topic; [80, 100] when empty.
	AlertThresholdsPercent []float64 `json:"alertThresholdsPercent,omitempty"`
	// ForecastThresholdPercent alerts when the month's forecast passes
	// this share of a budget; 100 when 0.
	ForecastThresholdPercent float64 `json:"forecastThresholdPercent,omitempty"`
	// AnomalyThresholdUSD is the total impact above which a cost anomaly
	// of a team is reported; 10 when 0.
	AnomalyThresholdUSD float64 `json:"anomalyThresholdUsd,omitempty"`
	// ActivateCostAllocationTags activates the required tags as
	// cost-allocation tags (possible only in the account that pays the bill).
	ActivateCostAllocationTags bool `json:"activateCostAllocationTags"`
	// Cleanup schedules the lifecycle cleanup job.
	Cleanup Cleanup `json:"cleanup"`
}

// Cleanup is the `aifactory:finops.cleanup` object.
type Cleanup struct {
	// Image is the cleanup job's image by digest, in this stack's repository
	// "<account>.dkr.ecr.<region>.amazonaws.com/<project>-<environment>-cleanup@sha256:…"
	// (`make image COMMAND=cleanup`). staging and prod copy the digest from
	// the previous environment's file.
	Image string `json:"image"`
	// Schedule is an EventBridge Scheduler expression, e.g. "cron(0 19 * * ? *)".
	Schedule string `json:"schedule"`
	// DryRun makes the job decide and log without acting; dev must set it
	// explicitly to false to act.
	DryRun *bool `json:"dryRun,omitempty"`
	// StudioIdleLimit deletes Studio apps idle longer (e.g. "3h"); at least
	// workspace.maxIdleTimeoutMinutes, so no setting a user may choose is
	// overridden.
	StudioIdleLimit string `json:"studioIdleLimit"`
	// VolumeMinAge deletes unattached EBS volumes older (e.g. "168h").
	VolumeMinAge string `json:"volumeMinAge"`
}

// Defaults of the finops settings.
var (
	DefaultAlertThresholdsPercent   = []float64{80, 100}
	DefaultForecastThresholdPercent = 100.0
	DefaultAnomalyThresholdUSD      = 10.0
)

// FinOpsSettings returns the finops settings with defaults filled in.
func (c *Config) FinOpsSettings() FinOps {
	f := c.FinOps
	if len(f.AlertThresholdsPercent) == 0 {
		f.AlertThresholdsPercent = DefaultAlertThresholdsPercent
	}
	if f.ForecastThresholdPercent == 0 {
		f.ForecastThresholdPercent = DefaultForecastThresholdPercent
	}
	if f.AnomalyThresholdUSD == 0 {
		f.AnomalyThresholdUSD = DefaultAnomalyThresholdUSD
	}
	return f
}

// CleanupDryRun is the cleanup job's dry-run setting: as configured, or on
// in dev when unset.
func (c *Config) CleanupDryRun() bool {
	if d := c.FinOps.Cleanup.DryRun; d != nil {
		return *d
	}
	return c.Environment == "dev"
}

// CleanupLimits returns the parsed cleanup durations (valid after Parse).
func (c *Config) CleanupLimits() (studioIdle, volumeAge time.Duration) {
	studioIdle, _ = time.ParseDuration(c.FinOps.Cleanup.StudioIdleLimit)
	volumeAge, _ = time.ParseDuration(c.FinOps.Cleanup.VolumeMinAge)
	return studioIdle, volumeAge
}

var schedulePattern = regexp.MustCompile(`^(cron\([^()]+\)|rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\))$`)

// DataClassifications are the allowed values of the data-classification tag.
var DataClassifications = []string{"public", "internal", "confidential", "restricted"}

// LogRetentionValues are the retention periods CloudWatch Logs accepts.
var LogRetentionValues = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

var (
	projectPattern = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	emailPattern   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	orgPattern     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	roleArnPattern = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[\w+=,.@/-]+$`)

	// Secrets Manager names: 1-512 of letters, digits and /_+=.@-, not
	// ending in a hyphen and six characters (which reads as an ARN suffix).
	secretName   = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{1,512}$`)
	secretSuffix = regexp.MustCompile(`-[A-Za-z0-9]{6}$`)
)

// Getter returns the raw value of a fully qualified config key such as
// "aifactory:network" and whether it is set. Structured values arrive as JSON.
type Getter func(key string) (string, bool)

// Parse reads and validates the config of stack. It reports every problem
// it finds, not just the first, so one edit of the stack file fixes them all.
func Parse(stack string, get Getter) (*Config, error) {
	p := parser{stack: stack, get: get}
	c := &Config{Stack: stack}

	c.Environment = p.oneOf("environment", Environments)
	c.Region = p.str("region", regionPattern, "an AWS region such as eu-west-1")
	c.AccountID = p.str("accountId", accountPattern, "the 12-digit id of the account this stack deploys to")
	c.OrganizationID = p.optionalStr("organizationId", orgPattern, "the AWS Organizations id (o-...) of the account, or remove the key")
	c.DeployerRoleArn = p.str("deployerRoleArn", roleArnPattern, "the ARN of the IAM role the platform deploys as, such as arn:aws:iam::<accountId>:role/aifactory-deployer")
	p.object("network", &c.Network)
	p.object("tags", &c.Tags)
	c.LogRetentionDays = p.integer("logRetentionDays")
	c.KMSDeletionWindowDays = p.integer("kmsDeletionWindowDays")
	c.Protect = p.boolean("protect")
	p.object("teams", &c.Teams)
	p.object("data", &c.Data)
	p.object("workspace", &c.Workspace)
	p.object("analytics", &c.Analytics)
	p.object("pipeline", &c.Pipeline)
	p.object("audit", &c.Audit)

	p.optionalObject("serving", &c.Serving)

	p.object("finops", &c.FinOps)

	if len(p.errs) == 0 {
		p.validate(c)
	}
	if len(p.errs) > 0 {
		return nil, &Error{File: p.file(), Problems: p.errs}
	}
	return c, nil
}

// Error lists every problem found in one stack file.
type Error struct {
	File     string
	Problems []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid stack config in %s:\n  - %s", e.File, strings.Join(e.Problems, "\n  - "))
}

// DefaultTags returns the required tags for resources the platform owns
// (not a team's): the provider's default tags and the transformation's base.
func (c *Config) DefaultTags() map[string]string {
	return map[string]string{
		tagkeys.Team:               c.Tags.Team,
		tagkeys.Project:            c.Tags.Project,
		tagkeys.CostCenter:         c.Tags.CostCenter,
		tagkeys.Environment:        c.Environment,
		tagkeys.DataClassification: c.Tags.DataClassification,
		tagkeys.Owner:              c.Tags.Owner,
	}
}

// TeamTags returns the required tags for resources that belong to team t.
func (c *Config) TeamTags(t Team) map[string]string {
	tags := c.DefaultTags()
	tags[tagkeys.Team] = t.Name
	tags[tagkeys.CostCenter] = t.CostCenter
	tags[tagkeys.Owner] = t.Owner
	if t.DataClassification != "" {
		tags[tagkeys.DataClassification] = t.DataClassification
	}
	return tags
}

// ResourcePrefix is the prefix of physical names: "aifactory-<environment>".
func (c *Config) ResourcePrefix() string {
	return c.Tags.Project + "-" + c.Environment
}

type parser struct {
	stack string
	get   Getter
	errs  []string
}

func (p *parser) file() string { return "Pulumi." + p.stack + ".yaml" }

func (p *parser) fail(key, format string, args ...any) {
	p.errs = append(p.errs, fmt.Sprintf("%s:%s: %s", Namespace, key, fmt.Sprintf(format, args...)))
}

func (p *parser) raw(key string) (string, bool) {
	v, ok := p.get(Namespace + ":" + key)
	if !ok || strings.TrimSpace(v) == "" {
		p.fail(key, "is not set; add it under `config:` in %s", p.file())
		return "", false
	}
	return strings.TrimSpace(v), true
}

func (p *parser) str(key string, pattern *regexp.Regexp, want string) string {
	v, ok := p.raw(key)
	if ok && !pattern.MatchString(v) {
		p.fail(key, "%q is not valid; set it to %s", v, want)
	}
	return v
}

// optionalStr reads a key that may be absent.
func (p *parser) optionalStr(key string, pattern *regexp.Regexp, want string) string {
	v, ok := p.get(Namespace + ":" + key)
	v = strings.TrimSpace(v)
	if !ok || v == "" {
		return ""
	}
	if !pattern.MatchString(v) {
		p.fail(key, "%q is not valid; set it to %s", v, want)
	}
	return v
}

func (p *parser) oneOf(key string, allowed []string) string {
	v, ok := p.raw(key)
	if ok && !slices.Contains(allowed, v) {
		p.fail(key, "%q is not allowed; set it to one of %s", v, strings.Join(allowed, ", "))
	}
	return v
}

func (p *parser) integer(key string) int {
	v, ok := p.raw(key)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fail(key, "%q is not a whole number; set it to a number of days", v)
	}
	return n
}

func (p *parser) boolean(key string) bool {
	v, ok := p.raw(key)
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(key, "%q is not true or false", v)
	}
	return b
}

// optionalObject decodes a structured value that may be absent.
func (p *parser) optionalObject(key string, into any) {
	if v, ok := p.get(Namespace + ":" + key); !ok || strings.TrimSpace(v) == "" {
		return
	}
	p.object(key, into)
}

// object decodes a structured value strictly: a misspelt field is an error,
// not a silently ignored line.
func (p *parser) object(key string, into any) {
	v, ok := p.raw(key)
	if !ok {
		return
	}
	var raw any
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		p.fail(key, "cannot be read (%s); write it as a YAML object or list", describeJSONError(err))
		return
	}
	if err := exactKeys(raw, reflect.TypeOf(into).Elem(), ""); err != nil {
		p.fail(key, "%v; check its fields against the README's config reference", err)
		return
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(v)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		p.fail(key, "cannot be read (%s); check its fields against the README's config reference", describeJSONError(err))
	}
}

// exactKeys rejects object keys that do not match a field's json name
// exactly. encoding/json matches names case-insensitively, which would let
// "azcount" pass for "azCount" in one tool and fail in another.
func exactKeys(raw any, t reflect.Type, path string) error {
	switch t.Kind() {
	case reflect.Pointer:
		return exactKeys(raw, t.Elem(), path)
	case reflect.Slice:
		items, ok := raw.([]any)
		if !ok {
			return nil // the decoder reports the type mismatch
		}
		for i, item := range items {
			if err := exactKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			fields[name] = t.Field(i).Type
			names = append(names, name)
		}
		for k, v := range obj {
			ft, ok := fields[k]
			if !ok {
				where := ""
				if path != "" {
					where = " in " + strings.TrimPrefix(path, ".")
				}
				return fmt.Errorf("unknown field %q%s (known: %s)", k, where, strings.Join(names, ", "))
			}
			if err := exactKeys(v, ft, path+"."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Sprintf("field %q should be a %s, not a %s", typeErr.Field, typeErr.Type, typeErr.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func (p *parser) validate(c *Config) {
	p.validateNetwork(c)
	p.validateTags(c)
	p.validateRetention(c)

	prod := c.Environment == "prod"
	if c.KMSDeletionWindowDays < 7 || c.KMSDeletionWindowDays > 30 {
		p.fail("kmsDeletionWindowDays", "%d is outside AWS's 7-30 days", c.KMSDeletionWindowDays)
	} else if prod && c.KMSDeletionWindowDays != 30 {
		p.fail("kmsDeletionWindowDays", "%d is too short for prod; set it to 30", c.KMSDeletionWindowDays)
	}
	if prod && !c.Protect {
		p.fail("protect", "must be true in prod so a mistaken destroy cannot remove stateful resources")
	}
	if c.DeployerRoleArn != "" && !scope.RoleInAccount(c.DeployerRoleArn, c.AccountID) {
		p.fail("deployerRoleArn", "%q is not a role of account %s (aifactory:accountId); name the role the platform deploys as in that account", c.DeployerRoleArn, c.AccountID)
	}
	p.validateTeams(c)
	p.validateWorkspace(c)
	p.validateAnalytics(c)
	p.validatePipeline(c)
	p.validateServing(c)

	p.validateFinOps(c)
	p.validateAudit(c)
	if d := c.Data.NoncurrentVersionDays; d < 1 || d > 3650 {
		p.fail("data.noncurrentVersionDays", "%d is out of range; keep old object versions between 1 and 3650 days", d)
	} else if prod && d < 90 {
		p.fail("data.noncurrentVersionDays", "%d is too short for prod; keep old versions at least 90 days so a mistaken overwrite can be undone", d)
	}
	if d := c.Data.CaptureRetentionDays; d < 0 || d > 3650 {
		p.fail("data.captureRetentionDays", "%d is out of range; keep captured endpoint data between 1 and 3650 days, or leave it out for 90", d)
	}
}

func (p *parser) validateNetwork(c *Config) {
	n := c.Network
	prefix, err := netip.ParsePrefix(n.CIDR)
	switch {
	case err != nil || !prefix.Addr().Is4():
		p.fail("network.cidr", "%q is not an IPv4 CIDR; set it to a private range such as 10.10.0.0/16", n.CIDR)
	case prefix.Masked() != prefix:
		p.fail("network.cidr", "%q has host bits set; use %s", n.CIDR, prefix.Masked())
	case !prefix.Addr().IsPrivate():
		p.fail("network.cidr", "%q is not a private (RFC 1918) range", n.CIDR)
	case prefix.Bits() < 16 || prefix.Bits() > 22:
		p.fail("network.cidr", "%q must have a prefix between /16 and /22 to leave room for subnets", n.CIDR)
	}
	minAZ := 2
	if c.Environment == "prod" {
		minAZ = 3
	}
	if n.AZCount < minAZ || n.AZCount > 6 {
		p.fail("network.azCount", "%d is not allowed in %s; set it between %d and 6", n.AZCount, c.Environment, minAZ)
	}
	if n.AllowInternetEgress && c.Environment == "prod" {
		p.fail("network.allowInternetEgress", "must be false in prod: nothing leaves the private network; pull packages through a private index instead")
	}
	for i, d := range n.DNSFirewall.AllowedDomains {
		if err := scope.CheckDomainName(d); err != nil {
			p.fail(fmt.Sprintf("network.dnsFirewall.allowedDomains[%d]", i), "%v", err)
		}
	}
}

func (p *parser) validateTags(c *Config) {
	t := c.Tags
	for _, f := range []struct{ key, value string }{
		{"tags.team", t.Team},
		{"tags.project", t.Project},
		{"tags.costCenter", t.CostCenter},
		{"tags.owner", t.Owner},
		{"tags.dataClassification", t.DataClassification},
	} {
		if strings.TrimSpace(f.value) == "" {
			p.fail(f.key, "is empty; every resource carries it as a required tag, so give it a value")
		}
	}
	if t.Project != "" && !projectPattern.MatchString(t.Project) {
		p.fail("tags.project", "%q must be lower-case letters, digits and hyphens: it prefixes bucket names", t.Project)
	} else if prefix := c.ResourcePrefix(); len(prefix) > scope.MaxPrefixLength {
		p.fail("tags.project", "%q is too long: %q prefixes every bucket name and may have at most %d characters", t.Project, prefix, scope.MaxPrefixLength)
	}
	if t.Owner != "" && !emailPattern.MatchString(t.Owner) {
		p.fail("tags.owner", "%q is not an e-mail address", t.Owner)
	}
	if t.DataClassification != "" && !slices.Contains(DataClassifications, t.DataClassification) {
		p.fail("tags.dataClassification", "%q is not allowed; set it to one of %s",
			t.DataClassification, strings.Join(DataClassifications, ", "))
	}
}

func (p *parser) validateRetention(c *Config) {
	if !slices.Contains(LogRetentionValues, c.LogRetentionDays) {
		p.fail("logRetentionDays", "%d is not a retention CloudWatch Logs accepts; use one of %v", c.LogRetentionDays, LogRetentionValues)
		return
	}
	if c.Environment == "prod" && c.LogRetentionDays < 365 {
		p.fail("logRetentionDays", "%d is below the prod minimum; set it to 365 or more", c.LogRetentionDays)
	}
}

// validateWorkspace checks the environment's choices; the workspace
// component enforces its own hard limits again on whatever it is given.
func (p *parser) validateWorkspace(c *Config) {
	w := c.Workspace
	if len(w.AllowedInstanceTypes) == 0 {
		p.fail("workspace.allowedInstanceTypes", "is empty; list the ml.* instance types teams may use")
	}
	for i, typ := range w.AllowedInstanceTypes {
		if !strings.HasPrefix(typ, "ml.") {
			p.fail(fmt.Sprintf("workspace.allowedInstanceTypes[%d]", i), "%q is not a SageMaker type; use a name such as ml.t3.medium", typ)
		}
	}
	if w.IdleTimeoutMinutes < 60 || w.IdleTimeoutMinutes > w.MaxIdleTimeoutMinutes {
		p.fail("workspace.idleTimeoutMinutes", "%d must be at least 60 (SageMaker's minimum) and at most workspace.maxIdleTimeoutMinutes (%d)",
			w.IdleTimeoutMinutes, w.MaxIdleTimeoutMinutes)
	}
	switch {
	case w.HomeEFSRetention != "Retain" && w.HomeEFSRetention != "Delete":
		p.fail("workspace.homeEfsRetention", "%q is not allowed; set it to Retain or Delete", w.HomeEFSRetention)
	case c.Environment == "prod" && w.HomeEFSRetention != "Retain":
		p.fail("workspace.homeEfsRetention", "must be Retain in prod so deleting the domain keeps users' home directories")
	}
	if w.DefaultEBSVolumeSizeGB < 5 || w.DefaultEBSVolumeSizeGB > w.MaxEBSVolumeSizeGB {
		p.fail("workspace.defaultEbsVolumeSizeGb", "%d must be at least 5 and at most workspace.maxEbsVolumeSizeGb (%d)",
			w.DefaultEBSVolumeSizeGB, w.MaxEBSVolumeSizeGB)
	}
	if w.PackageIndexURL != "" && !strings.HasPrefix(w.PackageIndexURL, "https://") {
		p.fail("workspace.packageIndexUrl", "%q must be an https:// URL", w.PackageIndexURL)
	}
	if len(w.StudioAccess.CorporateCIDRs) == 0 && !w.StudioAccess.ThroughVpcEndpoints {
		p.fail("workspace.studioAccess", "names no network; set corporateCidrs to the corporate egress ranges, throughVpcEndpoints: true, or both")
	}
	for i, cidr := range w.StudioAccess.CorporateCIDRs {
		if err := scope.CheckSourceCIDR(cidr); err != nil {
			p.fail(fmt.Sprintf("workspace.studioAccess.corporateCidrs[%d]", i), "%v", err)
		}
	}
}

// validateAnalytics checks the environment's bounds and each team's
// clusters against them, so a cluster that breaks a bound is reported with
// its config key before anything is registered.
func (p *parser) validateAnalytics(c *Config) {
	a := c.Analytics
	if a.AuthMode != string(spec.AuthIAM) && a.AuthMode != string(spec.AuthSSO) {
		p.fail("analytics.authMode", "%q is not allowed; set it to IAM or SSO", a.AuthMode)
	}
	if a.MaxIdleTimeoutMinutes < 1 || a.MaxIdleTimeoutMinutes > 24*60 {
		p.fail("analytics.maxIdleTimeoutMinutes", "%d is outside 1-1440; idle clusters must die within a day", a.MaxIdleTimeoutMinutes)
	}
	if a.MaxCapacityUnits < 2 {
		p.fail("analytics.maxCapacityUnits", "%d leaves no room for a core and a Spot task node; set it to 2 or more", a.MaxCapacityUnits)
	}
	if len(a.AllowedInstanceTypes) == 0 {
		p.fail("analytics.allowedInstanceTypes", "is empty; list the EC2 types cluster fleets may use")
	}
	if err := spec.CheckCertificatesURL(c.ResourcePrefix(), c.Environment, a.InTransitCertificates); err != nil {
		p.fail("analytics.inTransitCertificates", "%v", err)
	}
	limits := c.AnalyticsLimits()
	teamOf := map[spec.Identity]string{}
	for i, t := range c.Teams {
		if t.Analytics == nil {
			continue
		}
		for _, err := range spec.CheckIdentities("identities", spec.AuthMode(a.AuthMode), t.Analytics.Identities) {
			p.fail(fmt.Sprintf("teams[%d].analytics", i), "%v", err)
		}
		for j, id := range t.Analytics.Identities {
			if other, ok := teamOf[id]; ok && other != t.Name {
				p.fail(fmt.Sprintf("teams[%d].analytics.identities[%d]", i, j),
					"%s %q is already one of team %s's identities; give each identity to one team only, or it reaches both teams' data", id.Type, id.Name, other)
			}
			teamOf[id] = t.Name
		}
		for j, cl := range t.Analytics.Clusters {
			if err := cl.Validate(limits, a.ClustersFrom); err != nil {
				p.fail(fmt.Sprintf("teams[%d].analytics.clusters[%d]", i, j), "%v", err)
			}
		}
	}
}

// validatePipeline checks the weekly job's settings. The image's account
// and each country's bundled configuration are checked by the stack, which
// knows the account and reads the configurations.
func (p *parser) validatePipeline(c *Config) {
	pl := c.Pipeline
	p.checkImage(c, "pipeline.image", pl.Image, c.PipelineRepositoryName(), "make image")
	if _, err := pipelinespec.ParseWeeklySchedule(pl.Schedule); err != nil {
		p.fail("pipeline.schedule", "%v", err)
	}
	if err := pipelinespec.CheckTimezone(pl.Timezone); err != nil {
		p.fail("pipeline.timezone", "%v", err)
	}
	for _, err := range pipelinespec.CheckCountries(pl.Countries) {
		key := "pipeline.countries"
		msg := err.Error()
		if strings.HasPrefix(msg, "[") {
			i := strings.Index(msg, "]")
			key, msg = key+msg[:i+1], strings.TrimSpace(msg[i+1:])
		}
		p.fail(key, "%s", msg)
	}
	if pl.MaxConcurrency < 1 || pl.MaxConcurrency > 40 {
		p.fail("pipeline.maxConcurrency", "%d is out of range; run between 1 and 40 countries at once", pl.MaxConcurrency)
	}
	if err := pipelinespec.CheckTaskSize(pl.TaskCPU, pl.TaskMemoryMiB); err != nil {
		p.fail("pipeline.taskCpu", "%v (taskMemoryMiB)", err)
	} else if lim, ok := PipelineTaskLimits[c.Environment]; ok && (pl.TaskCPU > lim.MaxCPU || pl.TaskMemoryMiB > lim.MaxMemoryMiB) {
		p.fail("pipeline.taskCpu", "%d CPU units / %d MiB is above %s's limit of %d / %d (policy/config/%s.json, instance-type-allowlist); choose a smaller task",
			pl.TaskCPU, pl.TaskMemoryMiB, c.Environment, lim.MaxCPU, lim.MaxMemoryMiB, c.Environment)
	}
	if !secretName.MatchString(pl.CashSecretName) || secretSuffix.MatchString(pl.CashSecretName) {
		p.fail("pipeline.cashSecretName", "%q is not a Secrets Manager secret name; use letters, digits and /_+=.@-, not ending in a hyphen and six characters "+
			"(Secrets Manager would read them as an ARN's suffix), e.g. %s/optimiser/cash",
			pl.CashSecretName, c.ResourcePrefix())
	}
	if err := pipelinespec.CheckRoleName(pl.HistoryWriterRole); err != nil {
		p.fail("pipeline.historyWriterRole", "%v", err)
	}
	if deployer := c.DeployerRoleArn[strings.LastIndex(c.DeployerRoleArn, "/")+1:]; pl.HistoryWriterRole != "" && pl.HistoryWriterRole == deployer {
		p.fail("pipeline.historyWriterRole", "is the deployer role (aifactory:deployerRoleArn); deliver histories with a role of their own, so the deployer never holds sales data")
	}
	if len(pl.FailureEmails) == 0 {
		p.fail("pipeline.failureEmails", "is empty; list at least one address, so that a failed run reaches someone")
	}
	for _, list := range []struct {
		key    string
		emails []string
	}{{"pipeline.failureEmails", pl.FailureEmails}, {"pipeline.resultEmails", pl.ResultEmails}} {
		for i, e := range list.emails {
			if !emailPattern.MatchString(e) {
				p.fail(fmt.Sprintf("%s[%d]", list.key, i), "%q is not an e-mail address", e)
			}
		}
	}
}

// validateAudit checks the audit trail's settings: the retention against
// the regulatory floor in prod (the audit component checks it again), and
// someone to alarm.
func (p *parser) validateAudit(c *Config) {
	a := c.Audit
	if err := auditspec.CheckRetention(c.Environment, a.RetentionDays); err != nil {
		p.fail("audit.retentionDays", "%v", err)
	}
	if len(a.AlarmEmails) == 0 {
		p.fail("audit.alarmEmails", "is empty; list at least one address, so that an alarm on a sensitive change reaches someone")
	}
	for i, e := range a.AlarmEmails {
		if !emailPattern.MatchString(e) {
			p.fail(fmt.Sprintf("audit.alarmEmails[%d]", i), "%q is not an e-mail address", e)
		}
	}
	if a.ConfigRecorder != "" && !slices.Contains(ConfigRecorders, a.ConfigRecorder) {
		p.fail("audit.configRecorder", "%q is not allowed; set it to create (the stack runs the account's AWS Config recorder) or existing (another setup does)", a.ConfigRecorder)
	}
}

// checkImage checks an image reference of a task the stack runs: by digest
// only (a tag is refused), in this region's private ECR registry, in the
// stack's own repository repo, which `make` (the make command that builds
// and pushes it) fills. The registry's account is checked by the stack,
// which knows the account.
func (p *parser) checkImage(c *Config, key, ref, repo, make string) {
	img, err := pipelinespec.ParseImage(ref)
	switch {
	case err != nil:
		p.fail(key, "%v", err)
	case img.ECR == nil:
		p.fail(key, "%q is not in a private ECR registry; the tasks pull only from this stack's repository: "+
			"push it with `%s PUSH=<account>.dkr.ecr.%s.amazonaws.com/%s` and set the digest it prints", ref, make, c.Region, repo)
	case img.ECR.Region != c.Region:
		p.fail(key, "%q is in %s, but the stack deploys to %s; copy the image to <account>.dkr.ecr.%s.amazonaws.com/%s and reference it there",
			ref, img.ECR.Region, c.Region, c.Region, repo)
	case img.Repository != repo:
		p.fail(key, "%q is in the repository %q; this stack's tasks pull only from %q: copy the image there by digest and reference it as %s/%s@%s",
			ref, img.Repository, repo, img.Registry, repo, img.Digest)
	}
}

// AnalyticsLimits returns the environment's bounds for clusters.
func (c *Config) AnalyticsLimits() spec.Limits {
	return spec.Limits{
		MaxIdleTimeout:       time.Duration(c.Analytics.MaxIdleTimeoutMinutes) * time.Minute,
		AllowedInstanceTypes: c.Analytics.AllowedInstanceTypes,
		MaxCapacityUnits:     c.Analytics.MaxCapacityUnits,
	}
}

func checkBudget(p *parser, key string, b *Budget) {
	switch {
	case b == nil:
		p.fail(key, "is not set; give the team a monthly AWS Budget such as {monthlyUsd: 500}: every team's spend is watched")
	case b.MonthlyUSD <= 0 || b.MonthlyUSD > 1e7:
		p.fail(key+".monthlyUsd", "%v is not a monthly budget; set a positive amount in USD below 10,000,000", b.MonthlyUSD)
	}
}

// validateFinOps checks budgets, alert thresholds and the cleanup job's settings.
func (p *parser) validateFinOps(c *Config) {
	f := c.FinOps
	checkBudget(p, "finops.platformBudget", f.PlatformBudget)
	for i, t := range c.Teams {
		checkBudget(p, fmt.Sprintf("teams[%d].budget", i), t.Budget)
	}
	for i, th := range f.AlertThresholdsPercent {
		if th <= 0 || th > 1000 {
			p.fail(fmt.Sprintf("finops.alertThresholdsPercent[%d]", i), "%v is not a share of the budget; use a percentage such as 80", th)
		}
	}
	if th := f.ForecastThresholdPercent; th < 0 || th > 1000 {
		p.fail("finops.forecastThresholdPercent", "%v is not a share of the budget; use a percentage such as 100", th)
	}
	if f.AnomalyThresholdUSD < 0 {
		p.fail("finops.anomalyThresholdUsd", "%v is negative; use an amount in USD such as 10", f.AnomalyThresholdUSD)
	}
	cl := f.Cleanup
	p.checkImage(c, "finops.cleanup.image", cl.Image, c.CleanupRepositoryName(), "make image COMMAND=cleanup")
	if !schedulePattern.MatchString(cl.Schedule) {
		p.fail("finops.cleanup.schedule", "%q is not an EventBridge Scheduler expression; write it like \"cron(0 19 * * ? *)\" or \"rate(1 day)\"", cl.Schedule)
	}
	idle, err := time.ParseDuration(cl.StudioIdleLimit)
	switch {
	case err != nil:
		p.fail("finops.cleanup.studioIdleLimit", "%q is not a duration; write it like \"3h\"", cl.StudioIdleLimit)
	case idle < time.Duration(c.Workspace.MaxIdleTimeoutMinutes)*time.Minute:
		p.fail("finops.cleanup.studioIdleLimit", "%s is shorter than workspace.maxIdleTimeoutMinutes (%d), so cleanup would delete apps users may keep; raise it", idle, c.Workspace.MaxIdleTimeoutMinutes)
	}
	age, err := time.ParseDuration(cl.VolumeMinAge)
	switch {
	case err != nil:
		p.fail("finops.cleanup.volumeMinAge", "%q is not a duration; write it like \"168h\"", cl.VolumeMinAge)
	case age < 24*time.Hour:
		p.fail("finops.cleanup.volumeMinAge", "%s is shorter than a day; a volume between two attachments would be deleted", age)
	}
}

func (p *parser) validateTeams(c *Config) {
	if len(c.Teams) == 0 {
		p.fail("teams", "is empty; list at least one team with name, costCenter and owner")
	}
	seen := map[string]bool{}
	for i, t := range c.Teams {
		key := fmt.Sprintf("teams[%d]", i)
		nameErr := scope.CheckTeamName("", t.Name)
		switch {
		case nameErr != nil:
			p.fail(key+".name", "%s", strings.TrimSpace(nameErr.Error()))
		case seen[t.Name]:
			p.fail(key+".name", "%q is listed twice; team names must be unique", t.Name)
		}
		seen[t.Name] = true
		if strings.TrimSpace(t.CostCenter) == "" {
			p.fail(key+".costCenter", "is empty; the team's resources are billed to it")
		}
		if !emailPattern.MatchString(t.Owner) {
			p.fail(key+".owner", "%q is not an e-mail address", t.Owner)
		}
		if t.DataClassification != "" && !slices.Contains(DataClassifications, t.DataClassification) {
			p.fail(key+".dataClassification", "%q is not allowed; set it to one of %s", t.DataClassification, strings.Join(DataClassifications, ", "))
		}
		if t.InstanceType != "" && !slices.Contains(c.Workspace.AllowedInstanceTypes, t.InstanceType) {
			p.fail(key+".instanceType", "%q is not in workspace.allowedInstanceTypes (%s); choose one of them", t.InstanceType, strings.Join(c.Workspace.AllowedInstanceTypes, ", "))
		}
	}
}

// Load reads the running stack's config from the Pulumi context.
func Load(ctx *pulumi.Context) (*Config, error) {
	return Parse(ctx.Stack(), ctx.GetConfig)
}

// validateServing checks the environment's serving bounds and each team's
// approvers, consumers and endpoints, so an endpoint that breaks a bound or
// names another team's model is reported with its key before anything is
// registered.
func (p *parser) validateServing(c *Config) {
	sv := c.Serving
	serves := false
	for _, t := range c.Teams {
		serves = serves || (t.Serving != nil && len(t.Serving.Endpoints) > 0)
	}
	if serves || len(sv.AllowedInstanceTypes) > 0 || sv.MaxInstances != 0 {
		if err := c.ServingLimits().Validate(); err != nil {
			for _, e := range strings.Split(err.Error(), "\n") {
				p.fail("serving", "%s", e)
			}
		}
	}
	if sv.AllowServerless && c.Environment == "prod" {
		p.fail("serving.allowServerless", "must be false in prod: serverless inference runs a model outside the VPC, without network isolation or data capture")
	}
	identities := map[string]string{}
	for _, t := range c.Teams {
		if t.Analytics == nil {
			continue
		}
		for _, id := range t.Analytics.Identities {
			if id.Type == spec.IdentityRole {
				identities[id.Name] = t.Name
			}
		}
	}
	deployer := c.DeployerRoleArn[strings.LastIndex(c.DeployerRoleArn, "/")+1:]
	prefix := c.ResourcePrefix()
	for i, t := range c.Teams {
		if t.Serving == nil {
			continue
		}
		key := fmt.Sprintf("teams[%d].serving", i)
		checkRoles := func(field string, names []string, ownIdentity string) {
			seen := map[string]bool{}
			for j, n := range names {
				k := fmt.Sprintf("%s.%s[%d]", key, field, j)
				if err := servingspec.CheckRoleName(n); err != nil {
					p.fail(k, "%v", err)
					continue
				}
				switch other, isIdentity := identities[n]; {
				case seen[n]:
					p.fail(k, "%q is listed twice", n)
				case n == deployer:
					p.fail(k, "%q is the deployer role (aifactory:deployerRoleArn); it deploys models and is no member of a team", n)
				case strings.HasPrefix(n, prefix+"-"):
					p.fail(k, "%q is one of the platform's own roles; name a role outside the platform (the team's Studio role invokes its endpoints already)", n)
				case isIdentity && other != t.Name:
					p.fail(k, "%q is one of team %s's analytics identities; a role of another team would reach this team's models", n, other)
				case isIdentity:
					p.fail(k, "%q is one of the team's own analytics identities, %s", n, ownIdentity)
				}
				seen[n] = true
			}
		}
		checkRoles("approvers", t.Serving.Approvers, "who register model versions; whoever registers a version never approves it: name a separate approver role")
		checkRoles("consumers", t.Serving.Consumers, "who invoke the team's endpoints already: remove it from consumers")
		for j, n := range t.Serving.Consumers {
			if slices.Contains(t.Serving.Approvers, n) {
				p.fail(fmt.Sprintf("%s.consumers[%d]", key, j), "%q is also an approver; an approver decides on versions and invokes nothing", n)
			}
		}
		if len(t.Serving.Endpoints) > 0 && len(t.Serving.Approvers) == 0 {
			p.fail(key+".approvers", "is empty; a team that serves models names at least one approver role, or no version of its registry can ever be approved")
		}
		registry := servingspec.RegistryName(prefix, t.Name)
		names := map[string]bool{}
		var all []string
		for j, e := range t.Serving.Endpoints {
			k := fmt.Sprintf("%s.endpoints[%d]", key, j)
			if err := e.Validate(c.Environment, c.ServingLimits()); err != nil {
				for _, line := range strings.Split(err.Error(), "\n") {
					p.fail(k, "%s", line)
				}
			} else if err := servingspec.CheckModelPackage(e.ModelPackageArn, c.Region, c.AccountID, registry); err != nil {
				for _, line := range strings.Split(err.Error(), "\n") {
					p.fail(k+".modelPackageArn", "%s", line)
				}
			}
			if names[e.Name] {
				p.fail(k+".name", "%q is used twice in the team; endpoint names are unique", e.Name)
			}
			names[e.Name] = true
			all = append(all, e.Name)
		}
		if err := servingspec.CheckNames(prefix, t.Name, all); err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				p.fail(key, "%s", line)
			}
		}
	}
}
