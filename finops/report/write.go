package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/aifactory/platform/facts/tagkeys"
)

// Markdown returns the report as Markdown, referring to the charts by
// their file names.
func (r *Report) Markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	est := ""
	if r.Estimated {
		est = " (Cost Explorer still estimates this month)"
	}
	p("# FinOps report %s: %s-%s\n\n", r.Month, r.Project, r.Environment)
	p("Unblended cost of the resources tagged project=%s, environment=%s, %s to %s (exclusive)%s. Total: **%s**.\n\n",
		r.Project, r.Environment, r.Start, r.End, est, money(r.Total, r.Currency))
	p("## Cost per team\n\n![Cost by team](cost-by-team.png)\n\n")
	p("| team | cost | per team-week | budget | burn |\n|---|---:|---:|---:|---:|\n")
	for _, t := range r.Teams {
		budget, burn := "—", "—"
		if t.Budget > 0 {
			budget = money(t.Budget, r.Currency)
			burn = fmt.Sprintf("%.0f%%", t.Burn*100)
			if t.Burn > 1 {
				burn += " ⚠ over budget"
			}
		}
		p("| %s | %s | %s | %s | %s |\n", t.Team, money(t.Cost, r.Currency), money(t.PerWeek, r.Currency), budget, burn)
	}
	p("\n## Cost per service\n\n![Cost by service](cost-by-service.png)\n\n| service | cost |\n|---|---:|\n")
	for _, s := range r.Services {
		p("| %s | %s |\n", s.Service, money(s.Cost, r.Currency))
	}
	p("\n## Budget burn\n\n![Budget burn](budget-burn.png)\n\n")
	p("Each team's cost as a share of its monthly budget (the dashed line is 100%%).\n")
	p("\n## Waste reclaimed by the cleanup job\n\n")
	rc := r.Reclaimed
	p("%s removed by the job would have cost **%s** by the end of the month had they run on (reclaimed).",
		count(rc.Actions, "resource", "resources"), money(rc.Total, r.Currency))
	if rc.DryRunActions > 0 {
		p(" Dry runs found %s that the job would have removed: **%s** it would reclaim with dry run off.",
			count(rc.DryRunActions, "resource", "resources"), money(rc.DryRun, r.Currency))
	}
	p(" Each resource counts once, from the first run that removed it (or would have).")
	if rc.Repeated > 0 {
		p(" %s on resources already counted this month (daily runs finding them again, a notebook instance stopped then deleted) are not counted again.",
			count(rc.Repeated, "later decision", "later decisions"))
	}
	if rc.NoCompute > 0 {
		p(" Not priced, as they removed no compute: %s (Studio spaces, whose apps count on their own; notebook instances deleted once stopped).",
			count(rc.NoCompute, "removal", "removals"))
	}
	if rc.Unpriced > 0 {
		p(" Not priced, as the price table lacks their instance types: %s.", count(rc.Unpriced, "removal", "removals"))
	}
	p("\n\n")
	if len(rc.ByTeam) > 0 || len(rc.DryRunByTeam) > 0 {
		acted, dry := map[string]float64{}, map[string]float64{}
		var teams []string
		for _, t := range rc.ByTeam {
			acted[t.Team] = t.Amount
			teams = append(teams, t.Team)
		}
		for _, t := range rc.DryRunByTeam {
			if _, ok := acted[t.Team]; !ok {
				teams = append(teams, t.Team)
			}
			dry[t.Team] = t.Amount
		}
		sort.Strings(teams)
		// A column only for a mode the month had.
		var heads []string
		var cols []map[string]float64
		if len(rc.ByTeam) > 0 {
			heads, cols = append(heads, "reclaimed"), append(cols, acted)
		}
		if len(rc.DryRunByTeam) > 0 {
			heads, cols = append(heads, "would reclaim (dry run)"), append(cols, dry)
		}
		p("| team | %s |\n|---|%s\n", strings.Join(heads, " | "), strings.Repeat("---:|", len(heads)))
		for _, t := range teams {
			p("| %s |", t)
			for _, c := range cols {
				p(" %s |", money(c[t], r.Currency))
			}
			p("\n")
		}
		p("\n")
	}
	p("## Unit economics\n\n")
	p("- Cost per team-week: the team's cost over the month's %.2f weeks (table above).\n", r.Unit.Weeks)
	u := r.Unit
	services := ""
	if len(u.PipelineServices) > 0 {
		services = ": " + strings.Join(u.PipelineServices, ", ")
	}
	p("- Weekly pipeline: %s (`%s` in %s) cost %s (resources tagged %s=%s%s) — **%s per run**.\n",
		count(u.PipelineRuns, "scheduled run", "scheduled runs"), u.PipelineSchedule, u.PipelineTimezone,
		money(u.PipelineCost, r.Currency), tagkeys.Workload, PipelineWorkload, services, money(u.PerPipelineRun, r.Currency))
	for _, w := range u.Workloads {
		if w.Workload == PipelineWorkload {
			continue
		}
		p("- Workload %s: %s for the month (%s).\n", w.Workload, money(w.Cost, r.Currency), strings.Join(w.Services, ", "))
	}
	return b.String()
}

// Text is a short plain summary for a terminal.
func (r *Report) Text() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "TEAM\tCOST\tBUDGET\tBURN\n")
	for _, t := range r.Teams {
		burn := "-"
		if t.Budget > 0 {
			burn = fmt.Sprintf("%.0f%%", t.Burn*100)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Team, money(t.Cost, r.Currency), money(t.Budget, r.Currency), burn)
	}
	_ = tw.Flush()
	fmt.Fprintf(&b, "total %s; reclaimed %s (dry run: would reclaim %s); %s per pipeline run\n", money(r.Total, r.Currency),
		money(r.Reclaimed.Total, r.Currency), money(r.Reclaimed.DryRun, r.Currency), money(r.Unit.PerPipelineRun, r.Currency))
	return b.String()
}

// count writes n with the noun's singular or plural.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func money(v float64, currency string) string {
	if currency == "USD" || currency == "" {
		return fmt.Sprintf("$%.2f", v)
	}
	return fmt.Sprintf("%.2f %s", v, currency)
}

// ReportFile is the Markdown file's name in the output directory.
const ReportFile = "report.md"

// JSONFile is the JSON file's name in the output directory.
const JSONFile = "report.json"

// Write writes the report into dir: the charts, then report.md (or, with
// asJSON, report.json alone). Every file is written to a temporary file in
// dir and renamed into place, so a reader never sees a half-written file,
// and the Markdown appears only once its charts are there. It returns the
// paths written.
func (r *Report) Write(dir string, asJSON bool) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the report directory: %w", err)
	}
	if asJSON {
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, JSONFile)
		return []string{path}, writeAtomic(path, append(b, '\n'))
	}
	var written []string
	for _, c := range r.Charts() {
		png, err := c.PNG()
		if err != nil {
			return written, err
		}
		path := filepath.Join(dir, c.File)
		if err := writeAtomic(path, png); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	path := filepath.Join(dir, ReportFile)
	if err := writeAtomic(path, []byte(r.Markdown())); err != nil {
		return written, err
	}
	return append(written, path), nil
}

// writeAtomic writes data to path through a temporary file in the same
// directory and a rename.
func writeAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return errors.Join(os.Rename(f.Name(), path))
}
