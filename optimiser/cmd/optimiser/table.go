package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/aifactory/platform/optimiser/sales"
)

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// printTable is the human summary of a run: one line per country, failed
// countries included.
func printTable(w io.Writer, results []*countryResult) {
	tw := newTable(w)
	fmt.Fprintln(tw, "COUNTRY\tDRAW\tSTATUS\tJACKPOT\tTICKETS P10–P90\tWIN P\tNET REVENUE\tREQUIRED CASH\tBINDING\tMODEL MAPE / R²")
	var notes []string
	synthetic := false
	for _, res := range results {
		if res.run == nil {
			fmt.Fprintf(tw, "%s\t—\tfailed: %s\t—\t—\t—\t—\t—\t%s\t—\n", res.country, res.outcome, shortError(res.err))
			continue
		}
		r := res.run
		rec := r.out.Recommendation
		c := r.out.Config
		model := fmt.Sprintf("%.1f%% / %.2f", 100*rec.Model.MAPE, rec.Model.R2)
		if rec.RecommendedJackpot == nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t—\t—\t—\t—\t—\t%s\t%s\n", c.Country, rec.DrawDate, rec.Status, strings.Join(rec.InfeasibleBecause, ", "), model)
			continue
		}
		status := rec.Status
		if res.failed() {
			status = "failed: " + shortError(res.err)
		}
		var binding []string
		for _, ct := range rec.Constraints {
			if ct.Binding {
				binding = append(binding, ct.Name)
			}
		}
		if len(binding) == 0 {
			binding = []string{"none (interior optimum)"}
		}
		t := rec.ExpectedTickets
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t%s–%s\t%.2f\t%s %s\t%s %s\t%s\t%s\n",
			c.Country, rec.DrawDate, status, c.Currency, money(*rec.RecommendedJackpot),
			count(t.P10), count(t.P90), *rec.WinProbability, c.Currency, money(*rec.ExpectedNetRevenue),
			c.Currency, money(rec.Cash.Required), strings.Join(binding, ", "), model)
		if rec.Status == optimise.StatusCashUnchecked {
			notes = append(notes, c.Country)
		}
		for _, n := range rec.Notes {
			if strings.Contains(n, "SYNTHETIC") {
				synthetic = true
			}
		}
	}
	tw.Flush()
	if len(notes) > 0 {
		fmt.Fprintf(w, "\ncash not supplied for %s: the cash safety net is not enforced; pass --cash CC=AMOUNT,… or set OPTIMISER_CASH_<CC>.\n", strings.Join(notes, ", "))
	}
	if synthetic {
		fmt.Fprintln(w, "data: bundled SYNTHETIC sample histories — for demonstration only, not real sales.")
	}
}

// shortError is the first line of an error, cut to fit a table cell.
func shortError(err error) string {
	if err == nil {
		return ""
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	if len([]rune(s)) > 90 {
		s = string([]rune(s)[:89]) + "…"
	}
	return s
}

func printModel(w io.Writer, a *sales.Artefact) {
	m := a.WalkForward
	fmt.Fprintf(w, "%s model %s: trained on %d weeks (%s … %s)\n", a.Country, a.ModelVersion, a.TrainingWeeks.Count, a.TrainingWeeks.First, a.TrainingWeeks.Last)
	fmt.Fprintf(w, "walk-forward: MAPE %.2f%% (gate ≤ %.2f%%), R² %.3f (gate ≥ %.3f), P10–P90 coverage %.0f%% (gate %.0f–%.0f%%), %d folds\n",
		100*m.MAPE, 100*a.QualityGate.MaxMAPE, m.R2, a.QualityGate.MinR2, 100*m.CoverageP10P90, 100*a.QualityGate.MinCoverage, 100*a.QualityGate.MaxCoverage, m.Folds)
	tw := newTable(w)
	fmt.Fprintln(tw, "TERM\tCOEFFICIENT")
	for i, t := range a.Model.Terms {
		fmt.Fprintf(tw, "%s\t%.5f\n", t, a.Model.Coefficients[i])
	}
	fmt.Fprintf(tw, "residual sd (log)\t%.5f\n", a.Model.ResidualSD)
	tw.Flush()
	if len(a.Candidates) > 0 {
		fmt.Fprintf(w, "feature selection (walk-forward; ties within %.2f points of MAPE go to fewer terms):\n", 100*a.SelectionTolerance)
		tw := newTable(w)
		fmt.Fprintln(tw, "\tFEATURES\tTERMS\tMAPE\tR²\tP10–P90 COVERAGE")
		for _, k := range a.Candidates {
			mark := ""
			if k.Chosen {
				mark = "chosen"
			}
			if k.Refused != "" {
				fmt.Fprintf(tw, "%s\t%s\t—\t—\t—\trefused: %s\n", mark, strings.Join(k.Features, "+"), k.Refused)
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.2f%%\t%.3f\t%.0f%%\n", mark, strings.Join(k.Features, "+"), k.Terms, 100*k.MAPE, k.R2, 100*k.CoverageP10P90)
		}
		tw.Flush()
	}
}

// money renders an amount with thousands separators, e.g. 1,250,000.
func money(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	neg := v < 0
	s := strconv.FormatFloat(math.Abs(math.Round(v)), 'f', 0, 64)
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// count renders a ticket count compactly, e.g. 2.71M or 640k.
func count(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
