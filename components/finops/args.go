package finops

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/pipeline/spec"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/facts/tagkeys"
)

// Team is a team whose spend the component watches.
type Team struct {
	// Name is the team's name and the value of its team tag.
	Name string
	// Owner is the e-mail address budget alerts and anomaly reports go to.
	Owner string
	// MonthlyBudgetUSD is the team's monthly budget in USD, above zero.
	MonthlyBudgetUSD float64
	// Tags are the team's required tags; Tags["team"] must equal Name.
	Tags tagging.Set
}

// Cleanup configures the scheduled lifecycle cleanup job, a Fargate task
// in the weekly pipeline's cluster.
type Cleanup struct {
	// Image is the cleanup job's image by digest, in this stack's cleanup
	// repository: <account>.dkr.ecr.<region>.amazonaws.com/<RepositoryName>@sha256:<hex>
	// (`make image COMMAND=cleanup`, promoted by digest).
	Image string
	// ClusterArn is the ECS cluster the task runs in: the weekly
	// pipeline's, which has the FARGATE_SPOT capacity provider attached.
	ClusterArn pulumi.StringInput
	// Schedule is an EventBridge Scheduler expression such as
	// "cron(0 19 * * ? *)" (UTC).
	Schedule string
	// DryRun makes the job decide and log without acting.
	DryRun bool
	// Project is the project tag value the job acts on (with the scope's
	// environment).
	Project string
	// StudioIdleLimit (at least an hour) and VolumeMinAge (at least a day)
	// are the job's limits.
	StudioIdleLimit time.Duration
	VolumeMinAge    time.Duration
	// TaskCPU (units, 1024 = one vCPU) and TaskMemoryMiB size the task, a
	// Fargate combination; DefaultTaskCPU and DefaultTaskMemoryMiB when 0.
	TaskCPU       int
	TaskMemoryMiB int
	// ImagesKept is how many of the most recent images the repository
	// keeps; DefaultImagesKept when 0.
	ImagesKept int
}

// Defaults of the cleanup task: the job lists and deletes through AWS
// APIs, a quarter of a vCPU and half a GiB are plenty (the Lambda function
// it replaced had 512 MB).
const (
	DefaultTaskCPU       = 256
	DefaultTaskMemoryMiB = 512
	// DefaultImagesKept keeps the promoted digests and the ones before them
	// to roll back to, as the optimiser's repository does.
	DefaultImagesKept = 30
)

// Args configures the cost controls.
type Args struct {
	// Scope names resources and scopes every policy.
	scope.Scope
	// Placement is the private network the cleanup task runs in: no public
	// IP, HTTPS only to the VPC endpoints (SageMaker, EMR, EC2, SNS for its
	// calls; ECR, S3 and logs for its start).
	network.Placement
	// Teams are every team that owns resources in the stack, the platform
	// team included; each gets a budget and an anomaly monitor.
	Teams []Team
	// PlatformOwner receives the platform topic's messages (e-mail).
	PlatformOwner string
	// Publishers are the alarms and EventBridge rules of this account and
	// region that may publish to the platform topic (and encrypt to it
	// with its key) besides the cost alerts; none when empty.
	Publishers Publishers
	// AlertThresholdsPercent are shares of a budget (actual spend) that
	// alert; ForecastThresholdPercent alerts on the month's forecast.
	AlertThresholdsPercent   []float64
	ForecastThresholdPercent float64
	// AnomalyThresholdUSD is the least total impact of a reported anomaly.
	AnomalyThresholdUSD float64
	// ActivateCostAllocationTags activates CostAllocationTagKeys (the
	// required tags and the workload tag when empty) as cost-allocation tags.
	ActivateCostAllocationTags bool
	CostAllocationTagKeys      []string
	// LogsKeyArn encrypts the job's log group, kept LogRetentionDays.
	LogsKeyArn       pulumi.StringInput
	LogRetentionDays int
	// ImageKeyArn encrypts the cleanup image repository: the platform's
	// pipeline key, whose policy admits ECR.
	ImageKeyArn pulumi.StringInput
	// DeletionWindowDays is the alerts key's deletion window (7-30).
	DeletionWindowDays int
	// KeyAdministrators are the IAM role ARNs of this account that
	// administer the alerts key (the role the platform deploys as), at
	// least one. They manage the key but cannot use it.
	KeyAdministrators []string
	// Protect protects the alerts key and the cleanup image repository,
	// and never force-deletes its images (prod).
	Protect bool
	// Cleanup schedules the cleanup job.
	Cleanup Cleanup
}

var schedulePattern = regexp.MustCompile(`^(cron\([^()]+\)|rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\))$`)

func (a *Args) withDefaults() Args {
	out := *a
	if len(out.AlertThresholdsPercent) == 0 {
		out.AlertThresholdsPercent = []float64{80, 100}
	}
	if out.ForecastThresholdPercent == 0 {
		out.ForecastThresholdPercent = 100
	}
	if len(out.CostAllocationTagKeys) == 0 {
		out.CostAllocationTagKeys = tagkeys.CostAllocation()
	}
	if out.Cleanup.TaskCPU == 0 {
		out.Cleanup.TaskCPU = DefaultTaskCPU
	}
	if out.Cleanup.TaskMemoryMiB == 0 {
		out.Cleanup.TaskMemoryMiB = DefaultTaskMemoryMiB
	}
	if out.Cleanup.ImagesKept == 0 {
		out.Cleanup.ImagesKept = DefaultImagesKept
	}
	return out
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
	if len(a.Teams) == 0 {
		fail("Teams: list every team that owns resources, the platform team included; each needs a budget")
	}
	seen := map[string]bool{}
	for i, t := range a.Teams {
		where := fmt.Sprintf("Teams[%d] (%s)", i, t.Name)
		if err := scope.CheckTeamName("Name", t.Name); err != nil {
			fail("%s: %v", where, err)
		}
		if seen[t.Name] {
			fail("%s: team %q is listed twice", where, t.Name)
		}
		seen[t.Name] = true
		if _, err := mail.ParseAddress(t.Owner); err != nil {
			fail("%s: Owner %q is not an e-mail address; budget alerts go there", where, t.Owner)
		}
		if t.MonthlyBudgetUSD <= 0 {
			fail("%s: MonthlyBudgetUSD %v: set the team's monthly budget in USD, above zero", where, t.MonthlyBudgetUSD)
		}
		if err := t.Tags.Validate("Tags"); err != nil {
			fail("%s: %v", where, err)
		} else if t.Tags[tagkeys.Team] != t.Name {
			fail("%s: Tags: team tag %q must be the team's name, or its budget watches another team", where, t.Tags[tagkeys.Team])
		}
	}
	if err := a.Publishers.validate(a.Scope); err != nil {
		errs = append(errs, err)
	}
	if _, err := mail.ParseAddress(a.PlatformOwner); err != nil {
		fail("PlatformOwner %q is not an e-mail address; the platform topic's messages go there", a.PlatformOwner)
	}
	for _, th := range a.AlertThresholdsPercent {
		if th <= 0 || th > 1000 {
			fail("AlertThresholdsPercent: %v is not a share of a budget; use percentages such as 80 and 100", th)
		}
	}
	if a.ForecastThresholdPercent <= 0 || a.ForecastThresholdPercent > 1000 {
		fail("ForecastThresholdPercent %v: use a percentage such as 100", a.ForecastThresholdPercent)
	}
	if a.AnomalyThresholdUSD < 0 {
		fail("AnomalyThresholdUSD %v: use an amount in USD, 0 or more", a.AnomalyThresholdUSD)
	}
	if a.LogsKeyArn == nil {
		fail("LogsKeyArn is required: the job's log group is encrypted")
	}
	if a.LogRetentionDays <= 0 {
		fail("LogRetentionDays %d: set the environment's log retention", a.LogRetentionDays)
	}
	if a.ImageKeyArn == nil {
		fail("ImageKeyArn is required: the cleanup image repository is encrypted (pass the pipeline key)")
	}
	if a.DeletionWindowDays < 7 || a.DeletionWindowDays > 30 {
		fail("DeletionWindowDays %d: set 7-30 days", a.DeletionWindowDays)
	}
	if len(a.KeyAdministrators) == 0 {
		fail("KeyAdministrators: name the role the platform deploys as; a key nobody administers cannot be rotated, re-scoped or deleted")
	}
	for _, arn := range a.KeyAdministrators {
		if !scope.RoleInAccount(arn, a.AccountID) {
			fail("KeyAdministrators: %q is not an IAM role ARN of account %s", arn, a.AccountID)
		}
	}
	c := a.Cleanup
	if img, err := spec.ParseImage(c.Image); err != nil {
		fail("Cleanup.Image: %v", err)
	} else if want := RepositoryURL(a.Scope); img.Registry+"/"+img.Repository != want {
		fail("Cleanup.Image %q: the task pulls only from this stack's cleanup repository %s; push or copy the image there and reference it as %s@%s",
			c.Image, want, want, img.Digest)
	}
	if c.ClusterArn == nil {
		fail("Cleanup.ClusterArn is required: the job runs in the weekly pipeline's ECS cluster")
	}
	if err := spec.CheckTaskSize(c.TaskCPU, c.TaskMemoryMiB); err != nil {
		fail("Cleanup.TaskCPU/TaskMemoryMiB: %v", err)
	}
	if c.ImagesKept < 1 || c.ImagesKept > 1000 {
		fail("Cleanup.ImagesKept %d: keep 1-1000 images, or 0 for the default of %d", c.ImagesKept, DefaultImagesKept)
	}
	if !schedulePattern.MatchString(c.Schedule) {
		fail("Cleanup.Schedule %q: use an EventBridge Scheduler expression such as \"cron(0 19 * * ? *)\"", c.Schedule)
	}
	if c.Project == "" {
		fail("Cleanup.Project is empty: set the project tag value the job acts on")
	}
	if c.StudioIdleLimit < time.Hour {
		fail("Cleanup.StudioIdleLimit %s: set at least 1h", c.StudioIdleLimit)
	}
	if c.VolumeMinAge < 24*time.Hour {
		fail("Cleanup.VolumeMinAge %s: set at least 24h", c.VolumeMinAge)
	}
	return errors.Join(errs...)
}
