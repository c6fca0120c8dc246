package sales

import (
	"fmt"
	"math"
	"sort"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
)

// madScale turns a median absolute deviation into a standard deviation for
// normal data.
const madScale = 1.4826

// CheckOutliers fits the model with every configured feature on the whole
// history and refuses rows whose log residual lies more than
// history.outlier_z robust standard deviations (median and MAD of the
// residuals, which one wild row cannot drag along) from the median residual:
// a ticket count 1000× its neighbours is a data error to fix, not a week to
// learn from. A history the full model cannot be fitted on is left to the
// model's own checks.
func CheckOutliers(c *config.Country, h *dataset.History) error {
	m, err := Fit(SpecFor(c), h)
	if err != nil {
		return nil
	}
	n := h.Len()
	res := make([]float64, n)
	for i, w := range h.Weeks {
		f := m.Forecast(Inputs{WeekStart: w.Start, DrawDay: w.DrawDay, MarketingSpend: w.MarketingSpend}, w.JackpotAnnounced)
		res[i] = math.Log(w.TicketsSold) - f.LogMean
	}
	med := median(res)
	dev := make([]float64, n)
	for i, r := range res {
		dev[i] = math.Abs(r - med)
	}
	sd := madScale * median(dev)
	if !(sd > 0) {
		return nil
	}
	limit := c.History.OutlierZ
	var problems []dataset.Problem
	for i, w := range h.Weeks {
		z := (res[i] - med) / sd
		if math.Abs(z) <= limit {
			continue
		}
		expected := w.TicketsSold / math.Exp(res[i]-med)
		if len(problems) < 12 {
			problems = append(problems, dataset.Problem{Row: w.Row, Column: dataset.ColTicketsSold,
				Detail: fmt.Sprintf("%.0f is %.3g× what the rest of the history implies for that row (about %.0f): robust z-score %.1f beyond history.outlier_z %g",
					w.TicketsSold, w.TicketsSold/expected, expected, z, limit),
				Fix: "check the value (a misplaced digit or unit?) and correct it; raise history.outlier_z only if the week really sold that"})
		}
	}
	if len(problems) > 0 {
		return &dataset.Error{Source: h.Source, Problems: problems}
	}
	return nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
