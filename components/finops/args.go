package finops

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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

// Cleanup configures the scheduled lifecycle cleanup job.
type Cleanup struct {
	// Code is the function's deployment package (finops/cleanup/bundle).
	Code pulumi.Archive
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
}

// Args configures the cost controls.
type Args struct {
	// Scope names resources and scopes every policy.
	scope.Scope
	// Teams are every team that owns resources in the stack, the platform
	// team included; each gets a budget and an anomaly monitor.
	Teams []Team
	// PlatformOwner receives the platform topic's messages (e-mail).
	PlatformOwner string
	// AlertThresholdsPercent are shares of a budget (actual spend) that
	// alert; ForecastThresholdPercent alerts on the month's forecast.
	AlertThresholdsPercent   []float64
	ForecastThresholdPercent float64
	// AnomalyThresholdUSD is the least total impact of a reported anomaly.
	AnomalyThresholdUSD float64
	// ActivateCostAllocationTags activates CostAllocationTagKeys (the
	// required tags when empty) as cost-allocation tags.
	ActivateCostAllocationTags bool
	CostAllocationTagKeys      []string
	// LogsKeyArn encrypts the job's log group, kept LogRetentionDays.
	LogsKeyArn       pulumi.StringInput
	LogRetentionDays int
	// DeletionWindowDays is the alerts key's deletion window (7-30).
	DeletionWindowDays int
	// Protect protects the alerts key and topic (prod).
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
		out.CostAllocationTagKeys = tagkeys.Required()
	}
	return out
}

func (a *Args) validate() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := a.Scope.Validate(); err != nil {
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
	if a.DeletionWindowDays < 7 || a.DeletionWindowDays > 30 {
		fail("DeletionWindowDays %d: set 7-30 days", a.DeletionWindowDays)
	}
	c := a.Cleanup
	if c.Code == nil {
		fail("Cleanup.Code is required: build it with finops/cleanup/bundle")
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
