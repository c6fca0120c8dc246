// Package report builds the platform's monthly FinOps report: cost per team
// and per service for a month from Cost Explorer, grouped by the team tag;
// the waste the cleanup job reclaimed, priced from its decisions (read from
// its CloudWatch Logs group or an exported action log), each resource once
// a month; unit economics (cost per team-week, cost of one weekly pipeline
// run from the workload tag and the pipeline's schedule); and each team's
// budget burn. It writes Markdown with PNG charts (gonum plot), or
// JSON for machines, atomically.
package report

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/aifactory/platform/facts/tagkeys"
	"github.com/aifactory/platform/finops/cleanup"
	"github.com/aifactory/platform/finops/cost"
)

// CostExplorerAPI is the call the report makes.
type CostExplorerAPI interface {
	GetCostAndUsage(context.Context, *costexplorer.GetCostAndUsageInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error)
}

// Metric is the cost metric the report sums: unblended cost, what the
// invoice shows for the account before credits.
const Metric = "UnblendedCost"

// PipelineWorkload is the workload tag value of the weekly pipeline's
// resources (its tasks, image repository and state machine): the cost of
// its runs. The cleanup job runs in the same cluster under its own value.
const PipelineWorkload = tagkeys.WorkloadWeeklyPipeline

// Options say which month and which stack's resources the report covers.
type Options struct {
	// Month is any time within the month reported (UTC).
	Month time.Time
	// Project and Environment filter the costs on the platform's tags.
	Project     string
	Environment string
	// Budgets maps team to its monthly budget in USD (the stack config's
	// teams[].budget); teams without one show no burn.
	Budgets map[string]float64
	// PipelineSchedule is the weekly pipeline's schedule expression, e.g.
	// "cron(0 6 ? * MON *)", read in PipelineTimezone (IANA, e.g.
	// Europe/Amsterdam): the stack file's pipeline.schedule and
	// pipeline.timezone. The runs of the month are counted from them.
	PipelineSchedule string
	PipelineTimezone string
	// Actions are the cleanup job's decisions (its action log); those of
	// the month are priced as reclaimed waste.
	Actions []cleanup.Decision
	// Prices price the reclaimed waste; cost.EUWest1 when nil.
	Prices *cost.Prices
	// Now stamps the report; required (pass the clock explicitly).
	Now time.Time
}

// Validate names every missing or malformed option.
func (o Options) Validate() error {
	var errs []error
	if o.Month.IsZero() {
		errs = append(errs, errors.New("Month is not set: give a time within the month to report, e.g. 2026-02-01"))
	}
	if o.Project == "" || o.Environment == "" {
		errs = append(errs, errors.New("Project and Environment are required: the report covers one stack's tagged resources"))
	}
	if o.Now.IsZero() {
		errs = append(errs, errors.New("Now is not set: pass the time the report is made"))
	}
	if _, err := o.pipelineSchedule(); err != nil {
		errs = append(errs, err)
	}
	for team, b := range o.Budgets {
		if b <= 0 {
			errs = append(errs, fmt.Errorf("Budgets[%s] is %.2f: a budget is a positive amount in USD", team, b))
		}
	}
	return errors.Join(errs...)
}

// Report is one month's FinOps report.
type Report struct {
	Project     string    `json:"project"`
	Environment string    `json:"environment"`
	Month       string    `json:"month"` // YYYY-MM
	Start       string    `json:"start"`
	End         string    `json:"end"` // exclusive
	Generated   time.Time `json:"generated"`
	// Estimated is true while Cost Explorer still estimates the month.
	Estimated bool    `json:"estimated"`
	Currency  string  `json:"currency"`
	Total     float64 `json:"total"`
	// Teams and Services are sorted by cost, highest first.
	Teams    []TeamCost    `json:"teams"`
	Services []ServiceCost `json:"services"`
	// Cells are cost by team and service.
	Cells     []Cell    `json:"cells"`
	Reclaimed Reclaimed `json:"reclaimed"`
	Unit      Unit      `json:"unitEconomics"`
}

// TeamCost is a team's month.
type TeamCost struct {
	Team string  `json:"team"`
	Cost float64 `json:"cost"`
	// Budget is the team's monthly budget (0: none); Burn is Cost/Budget.
	Budget float64 `json:"budget,omitempty"`
	Burn   float64 `json:"burn,omitempty"`
	// PerWeek is the cost of one team-week (the month's cost over its weeks).
	PerWeek float64 `json:"perWeek"`
}

// ServiceCost is a service's month.
type ServiceCost struct {
	Service string  `json:"service"`
	Cost    float64 `json:"cost"`
}

// Cell is one team's cost of one service.
type Cell struct {
	Team    string  `json:"team"`
	Service string  `json:"service"`
	Cost    float64 `json:"cost"`
}

// Unit holds the unit economics.
type Unit struct {
	// Weeks is the month's length in weeks (days/7).
	Weeks float64 `json:"weeks"`
	// PipelineSchedule and PipelineTimezone are the schedule the runs
	// were counted from; PipelineRuns is how many scheduled runs fell in
	// the month (UTC, as Cost Explorer's months are); PipelineCost what
	// the resources tagged workload=weekly-pipeline cost, PipelineServices
	// the services it was spent on; PerPipelineRun their quotient.
	PipelineSchedule string   `json:"pipelineSchedule"`
	PipelineTimezone string   `json:"pipelineTimezone"`
	PipelineRuns     int      `json:"pipelineRuns"`
	PipelineCost     float64  `json:"pipelineCost"`
	PipelineServices []string `json:"pipelineServices"`
	PerPipelineRun   float64  `json:"perPipelineRun"`
	// Workloads is the month's cost of every workload tag value (the
	// scheduled jobs), sorted by name; costs without the tag are left out.
	Workloads []WorkloadCost `json:"workloads"`
}

// WorkloadCost is one workload's month.
type WorkloadCost struct {
	Workload string   `json:"workload"`
	Cost     float64  `json:"cost"`
	Services []string `json:"services"`
}

// Untagged names costs without a team tag (Cost Explorer's "team$").
const Untagged = "(untagged)"

// Build queries Cost Explorer for the month and assembles the report.
func Build(ctx context.Context, ce CostExplorerAPI, o Options) (*Report, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("report options: %w", err)
	}
	if o.Prices == nil {
		o.Prices = cost.EUWest1()
	}
	start := time.Date(o.Month.Year(), o.Month.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	r := &Report{Project: o.Project, Environment: o.Environment, Month: start.Format("2006-01"),
		Start: start.Format("2006-01-02"), End: end.Format("2006-01-02"), Generated: o.Now.UTC(), Currency: "USD"}

	cells, estimated, currency, err := costBy(ctx, ce, o, tagkeys.Team, start, end)
	if err != nil {
		return nil, err
	}
	workloadCells, wEstimated, wCurrency, err := costBy(ctx, ce, o, tagkeys.Workload, start, end)
	if err != nil {
		return nil, err
	}
	if currency != "" && wCurrency != "" && currency != wCurrency {
		return nil, fmt.Errorf("Cost Explorer returned costs in %s and %s; the report needs one currency", currency, wCurrency)
	}
	estimated = estimated || wEstimated
	r.Estimated = estimated
	if currency != "" {
		r.Currency = currency
	}
	r.Cells = cells
	teams, services := map[string]float64{}, map[string]float64{}
	for _, c := range cells {
		teams[c.Team] += c.Cost
		services[c.Service] += c.Cost
		r.Total += c.Cost
	}
	for team := range o.Budgets {
		if _, ok := teams[team]; !ok {
			teams[team] = 0 // a budgeted team with no cost still shows
		}
	}
	days := end.Sub(start).Hours() / 24
	r.Unit.Weeks = days / 7
	for team, c := range teams {
		tc := TeamCost{Team: team, Cost: c, PerWeek: c / r.Unit.Weeks}
		if b := o.Budgets[team]; b > 0 {
			tc.Budget, tc.Burn = b, c/b
		}
		r.Teams = append(r.Teams, tc)
	}
	sort.Slice(r.Teams, func(i, j int) bool {
		if r.Teams[i].Cost != r.Teams[j].Cost {
			return r.Teams[i].Cost > r.Teams[j].Cost
		}
		return r.Teams[i].Team < r.Teams[j].Team
	})
	for svc, c := range services {
		r.Services = append(r.Services, ServiceCost{Service: svc, Cost: c})
	}
	sort.Slice(r.Services, func(i, j int) bool {
		if r.Services[i].Cost != r.Services[j].Cost {
			return r.Services[i].Cost > r.Services[j].Cost
		}
		return r.Services[i].Service < r.Services[j].Service
	})

	sched, _ := o.pipelineSchedule() // validated above
	r.Unit.PipelineSchedule, r.Unit.PipelineTimezone = o.PipelineSchedule, o.PipelineTimezone
	r.Unit.PipelineRuns = sched.RunsIn(start, end)
	r.Unit.Workloads = workloads(workloadCells)
	for _, w := range r.Unit.Workloads {
		if w.Workload == PipelineWorkload {
			r.Unit.PipelineCost, r.Unit.PipelineServices = w.Cost, w.Services
		}
	}
	if r.Unit.PipelineRuns > 0 {
		r.Unit.PerPipelineRun = r.Unit.PipelineCost / float64(r.Unit.PipelineRuns)
	}
	r.Reclaimed = reclaimed(o.Actions, o.Prices, start, end)
	return r, nil
}

// workloads sums the cells of the workload query by workload, leaving out
// costs without the tag.
func workloads(cells []Cell) []WorkloadCost {
	by := map[string]*WorkloadCost{}
	var names []string
	for _, c := range cells {
		if c.Team == Untagged {
			continue
		}
		w := by[c.Team]
		if w == nil {
			w = &WorkloadCost{Workload: c.Team}
			by[c.Team] = w
			names = append(names, c.Team)
		}
		w.Cost += c.Cost
		w.Services = append(w.Services, c.Service)
	}
	sort.Strings(names)
	out := make([]WorkloadCost, 0, len(names))
	for _, n := range names {
		sort.Strings(by[n].Services)
		out = append(out, *by[n])
	}
	return out
}

// costBy asks Cost Explorer for the month's unblended cost of the stack's
// resources (project and environment tags), grouped by a tag and the
// service, following every page. The cells' Team holds the tag's value.
func costBy(ctx context.Context, ce CostExplorerAPI, o Options, tag string, start, end time.Time) ([]Cell, bool, string, error) {
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String(start.Format("2006-01-02")), End: aws.String(end.Format("2006-01-02"))},
		Granularity: cetypes.GranularityMonthly,
		Metrics:     []string{Metric},
		Filter: &cetypes.Expression{And: []cetypes.Expression{
			{Tags: &cetypes.TagValues{Key: aws.String(tagkeys.Project), Values: []string{o.Project}, MatchOptions: []cetypes.MatchOption{cetypes.MatchOptionEquals}}},
			{Tags: &cetypes.TagValues{Key: aws.String(tagkeys.Environment), Values: []string{o.Environment}, MatchOptions: []cetypes.MatchOption{cetypes.MatchOptionEquals}}},
		}},
		GroupBy: []cetypes.GroupDefinition{
			{Type: cetypes.GroupDefinitionTypeTag, Key: aws.String(tag)},
			{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")},
		},
	}
	sums := map[[2]string]float64{}
	estimated := false
	currency := ""
	for {
		out, err := ce.GetCostAndUsage(ctx, in)
		if err != nil {
			return nil, false, "", fmt.Errorf("querying Cost Explorer for %s by %s tag: %w", start.Format("2006-01"), tag, err)
		}
		for _, rbt := range out.ResultsByTime {
			estimated = estimated || rbt.Estimated
			for _, g := range rbt.Groups {
				if len(g.Keys) != 2 {
					return nil, false, "", fmt.Errorf("Cost Explorer returned a group with keys %v; expected [%s tag, service]", g.Keys, tag)
				}
				m, ok := g.Metrics[Metric]
				if !ok {
					continue
				}
				amount, err := strconv.ParseFloat(aws.ToString(m.Amount), 64)
				if err != nil {
					return nil, false, "", fmt.Errorf("Cost Explorer returned amount %q for %v: %w", aws.ToString(m.Amount), g.Keys, err)
				}
				if u := aws.ToString(m.Unit); u != "" {
					if currency != "" && currency != u {
						return nil, false, "", fmt.Errorf("Cost Explorer returned costs in %s and %s; the report needs one currency", currency, u)
					}
					currency = u
				}
				sums[[2]string{teamOf(g.Keys[0]), g.Keys[1]}] += amount
			}
		}
		if aws.ToString(out.NextPageToken) == "" {
			break
		}
		in.NextPageToken = out.NextPageToken
	}
	cells := make([]Cell, 0, len(sums))
	for k, v := range sums {
		cells = append(cells, Cell{Team: k[0], Service: k[1], Cost: v})
	}
	sort.Slice(cells, func(i, j int) bool {
		if cells[i].Team != cells[j].Team {
			return cells[i].Team < cells[j].Team
		}
		return cells[i].Service < cells[j].Service
	})
	return cells, estimated, currency, nil
}

// teamOf reads a tag group key: Cost Explorer writes "team$<value>", and
// "team$" for costs without the tag.
func teamOf(key string) string {
	_, v, ok := strings.Cut(key, "$")
	if !ok || v == "" {
		return Untagged
	}
	return v
}
