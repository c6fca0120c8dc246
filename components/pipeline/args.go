package pipeline

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/pipeline/spec"
	"github.com/aifactory/platform/components/scope"
)

// Country is one country the weekly job runs.
type Country struct {
	// Code is the upper-case ISO 3166-1 alpha-2 code, as the configuration
	// names it (its "country" field).
	Code string
	// Config is the country's YAML configuration; the component publishes
	// it under ConfigsPrefix as <cc>.yaml for the optimiser to read.
	Config []byte
}

// Args configures the weekly pipeline.
type Args struct {
	// Scope names every resource, scopes every policy and decides which
	// image registry the tasks may pull from.
	scope.Scope
	// Placement is the private network the tasks run in (they never get a
	// public IP) and the only destinations of their HTTPS traffic.
	network.Placement
	// DataBucketName is the platform's data bucket: the pipeline's access
	// point reads ConfigsPrefix and DataPrefix from it. ModelsBucketName
	// receives the models and recommendations under ModelsPrefix and
	// OutputsPrefix.
	DataBucketName   pulumi.StringInput
	ModelsBucketName pulumi.StringInput
	// DataKeyArn encrypts both buckets; the task reaches it only through S3.
	DataKeyArn pulumi.StringInput
	// PipelineKeyArn encrypts the image repository, the cluster's task
	// storage, the state machine, the schedule, the topics, the
	// dead-letter queue and the cash secret.
	PipelineKeyArn pulumi.StringInput
	// LogsKeyArn encrypts the task and execution log groups, which keep
	// events LogRetentionDays days.
	LogsKeyArn       pulumi.StringInput
	LogRetentionDays int
	// Image is the optimiser image by digest, in this stack's repository:
	// <account>.dkr.ecr.<region>.amazonaws.com/<RepositoryName>@sha256:<hex>.
	Image string
	// Countries run every week, each with its configuration; 1-40.
	Countries []Country
	// Schedule is a weekly EventBridge Scheduler cron expression
	// (cron(0 6 ? * MON *)), read in Timezone (IANA, e.g. Europe/Amsterdam).
	Schedule string
	Timezone string
	// MaxConcurrency bounds how many countries run at once (1-40).
	MaxConcurrency int
	// TaskCPU (units, 1024 = one vCPU) and TaskMemoryMiB size every task;
	// a Fargate combination.
	TaskCPU       int
	TaskMemoryMiB int
	// CashSecretName names the Secrets Manager secret the component
	// creates for the available cash per country ({"NL": 5e7, …}).
	// Treasury sets its value; it never passes through Pulumi.
	CashSecretName string
	// FailureEmails are subscribed to the failure topic (at least one);
	// ResultEmails to the results topic.
	FailureEmails []string
	ResultEmails  []string
	// ImagesKept is how many of the most recent images the repository
	// keeps, tagged or not; DefaultImagesKept when 0.
	ImagesKept int
	// Capacity is where tasks start (Fargate Spot) and start again
	// (on-demand Fargate); DefaultCapacity when zero.
	Capacity Capacity
	// Protect protects the image repository and the cash secret, keeps a
	// deleted secret recoverable for 30 days, and never force-deletes
	// images. Required in prod.
	Protect bool
}

// Defaults and bounds.
const (
	// DefaultImagesKept keeps half a year of weekly promotions.
	DefaultImagesKept = 30
	// MaxCountries is the most countries one run takes (the Map state's
	// concurrency bound).
	MaxCountries = MaxConcurrencyLimit
)

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

func (a *Args) withDefaults() Args {
	out := *a
	if out.ImagesKept == 0 {
		out.ImagesKept = DefaultImagesKept
	}
	if len(out.Capacity.Primary) == 0 {
		out.Capacity.Primary = DefaultCapacity.Primary
	}
	if len(out.Capacity.Fallback) == 0 {
		out.Capacity.Fallback = DefaultCapacity.Fallback
	}
	return out
}

// validate reports every invalid argument, each with its field and the fix.
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
		{"DataBucketName", a.DataBucketName == nil}, {"ModelsBucketName", a.ModelsBucketName == nil},
		{"DataKeyArn", a.DataKeyArn == nil}, {"PipelineKeyArn", a.PipelineKeyArn == nil}, {"LogsKeyArn", a.LogsKeyArn == nil},
	} {
		if input.missing {
			fail("%s is required: the tasks run only in the private network, encrypted, on the platform's buckets", input.field)
		}
	}
	if a.LogRetentionDays <= 0 {
		fail("LogRetentionDays %d: set how long task and execution logs are kept", a.LogRetentionDays)
	}
	if img, err := spec.ParseImage(a.Image); err != nil {
		fail("Image: %v", err)
	} else if want := a.RepositoryURL(); img.Registry+"/"+img.Repository != want {
		fail("Image %q: the tasks pull only from this stack's repository %s; push or copy the image there and reference it as %s@%s",
			a.Image, want, want, img.Digest)
	}
	codes := make([]string, 0, len(a.Countries))
	for i, c := range a.Countries {
		codes = append(codes, c.Code)
		if len(c.Config) == 0 {
			fail("Countries[%d] (%s): Config is empty; pass the country's YAML configuration", i, c.Code)
		}
	}
	for _, err := range spec.CheckCountries(codes) {
		if msg := err.Error(); strings.HasPrefix(msg, "[") {
			fail("Countries%s", msg)
		} else {
			fail("Countries %s", msg)
		}
	}
	if len(a.Countries) > MaxCountries {
		fail("Countries: %d listed; one run takes at most %d", len(a.Countries), MaxCountries)
	}
	if _, err := spec.ParseWeeklySchedule(a.Schedule); err != nil {
		fail("Schedule: %v", err)
	}
	if err := spec.CheckTimezone(a.Timezone); err != nil {
		fail("Timezone: %v", err)
	}
	if a.MaxConcurrency < 1 || a.MaxConcurrency > MaxConcurrencyLimit {
		fail("MaxConcurrency %d: run between 1 and %d countries at once", a.MaxConcurrency, MaxConcurrencyLimit)
	}
	if err := spec.CheckTaskSize(a.TaskCPU, a.TaskMemoryMiB); err != nil {
		fail("TaskCPU/TaskMemoryMiB: %v", err)
	}
	if !secretID.MatchString(a.CashSecretName) || a.CashSecretName == "" {
		fail("CashSecretName %q: name the Secrets Manager secret for the available cash, e.g. %s/optimiser/cash", a.CashSecretName, a.Prefix)
	}
	if len(a.FailureEmails) == 0 {
		fail("FailureEmails: list at least one address, so that a failed run reaches someone")
	}
	for _, list := range []struct {
		field  string
		emails []string
	}{{"FailureEmails", a.FailureEmails}, {"ResultEmails", a.ResultEmails}} {
		for i, e := range list.emails {
			if !emailPattern.MatchString(e) {
				fail("%s[%d] %q: use an e-mail address", list.field, i, e)
			}
		}
	}
	if a.ImagesKept < 0 || a.ImagesKept > 1000 {
		fail("ImagesKept %d: keep 1-1000 images, or 0 for the default of %d", a.ImagesKept, DefaultImagesKept)
	}
	if a.IsProd() && !a.Protect {
		fail("Protect: the prod image repository and cash secret must be protected; set it to true")
	}
	errs = append(errs, checkStrategy("Capacity.Primary", a.Capacity.Primary)...)
	errs = append(errs, checkStrategy("Capacity.Fallback", a.Capacity.Fallback)...)
	return errors.Join(errs...)
}
