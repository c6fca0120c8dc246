package report

import (
	"time"

	"github.com/aifactory/platform/internal/stackconfig"
)

// StackOptions are the options a stack file decides: the project and
// environment whose tagged costs the report covers, every team's budget
// (the platform team's too) and the weekly pipeline's schedule. The caller
// adds the month, the clock and the cleanup job's decisions.
func StackOptions(cfg *stackconfig.Config, month, now time.Time) Options {
	o := Options{Month: month, Project: cfg.Tags.Project, Environment: cfg.Environment, Budgets: map[string]float64{},
		PipelineSchedule: cfg.Pipeline.Schedule, PipelineTimezone: cfg.Pipeline.Timezone, Now: now}
	for _, t := range cfg.Teams {
		if t.Budget != nil {
			o.Budgets[t.Name] = t.Budget.MonthlyUSD
		}
	}
	if cfg.FinOps.PlatformBudget != nil {
		o.Budgets[cfg.Tags.Team] = cfg.FinOps.PlatformBudget.MonthlyUSD
	}
	return o
}
