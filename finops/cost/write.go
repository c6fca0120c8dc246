package cost

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// HeadlineSaving is the platform's claim: Spot and lifecycle limits
// reclaim about 40% of ML compute spend.
const HeadlineSaving = 0.40

// Write prints the report for people: per team, per service and in total,
// the modelled monthly cost against the same resources on-demand and always
// on, the saving as a percentage, the assumptions and the price table's date.
func (r Report) Write(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("Modelled monthly cost of stack %s (%s, prices as of %s, %.0f-hour month)\n", r.Stack, r.Region, r.PricesAs, HoursPerMonth)
	u := r.Usage
	ew.printf("Assumptions: %.0f workdays; Studio apps work %.1f h/day, EMR clusters %.1f h/day; pipeline %.2f runs × %.0f tasks × %.1f h; scheduled jobs %.0f × %.0f s.\n",
		u.WorkdaysPerMonth, u.StudioHoursPerWorkday, u.ClusterHoursPerWorkday, u.PipelineRunsPerMonth, u.PipelineTasksPerRun, u.PipelineTaskHours,
		u.ScheduledRunsPerMonth, u.ScheduledRunSeconds)
	if r.From != "" {
		ew.printf("Month from %s: expires-at tags end resources within it.\n", r.From)
	}
	table := func(title string, totals []Total) {
		ew.printf("\n")
		tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\tMODELLED\tON-DEMAND, ALWAYS ON\tSAVING\t\n", title)
		for _, t := range totals {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", t.Name, usd(t.Modelled), usd(t.Baseline), pct(t.Saving()))
		}
		_ = tw.Flush()
	}
	table("TEAM", r.Teams)
	table("SERVICE", r.Services)
	table("", []Total{r.Compute, r.Total})
	ew.printf("\nSaving on ML compute: %s (headline claim: %s); on the whole stack: %s.\n",
		pct(r.Compute.Saving()), pct(HeadlineSaving), pct(r.Total.Saving()))
	if len(r.Unpriced) > 0 {
		ew.printf("\nNot priced (%d): the figures above leave them out.\n", len(r.Unpriced))
		for _, u := range r.Unpriced {
			ew.printf("  %s %s (%s): %s\n", u.Type, u.Resource, u.Team, u.Reason)
		}
	}
	ew.printf("\nStorage, requests and data transfer (S3, CloudWatch Logs, EFS) depend on use and are not modelled.\n")
	return ew.err
}

// WriteLines prints every costed resource with the basis of its figure.
func (r Report) WriteLines(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "TEAM\tSERVICE\tRESOURCE\tMODELLED\tALWAYS ON\tBASIS\n")
	for _, l := range r.Lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", l.Team, l.Service, l.Resource, usd(l.Modelled), usd(l.Baseline), l.Basis)
	}
	return tw.Flush()
}

// JSON is the report for machines.
func (r Report) JSON() ([]byte, error) {
	type withSavings struct {
		Report
		ComputeSaving float64 `json:"computeSaving"`
		TotalSaving   float64 `json:"totalSaving"`
	}
	return json.MarshalIndent(withSavings{r, r.Compute.Saving(), r.Total.Saving()}, "", "  ")
}

func usd(v float64) string { return fmt.Sprintf("$%s", thousands(v)) }

// thousands formats 12345.678 as 12,345.68.
func thousands(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	intPart, frac := s[:len(s)-3], s[len(s)-3:]
	var out []byte
	for i, c := range []byte(intPart) {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, c)
	}
	if neg {
		return "-" + string(out) + frac
	}
	return string(out) + frac
}

func pct(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
