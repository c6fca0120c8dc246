package sales

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
)

// Metrics summarise out-of-sample accuracy.
type Metrics struct {
	// MAPE is the mean absolute percentage error of the median forecast.
	MAPE float64 `json:"mape"`
	// R2 is 1 − SS_res/SS_tot of the median forecast on tickets sold.
	R2 float64 `json:"r2"`
	// CoverageP10P90 is the share of actuals inside the P10–P90 band
	// (0.8 when the spread is right).
	CoverageP10P90 float64 `json:"coverage_p10_p90"`
	Folds          int     `json:"folds"`
	Predictions    int     `json:"predictions"`
}

// Prediction is one out-of-sample forecast.
type Prediction struct {
	WeekStart time.Time `json:"week_start"`
	Actual    float64   `json:"actual"`
	Median    float64   `json:"median"`
	P10       float64   `json:"p10"`
	P90       float64   `json:"p90"`
}

// WalkForward trains on the past and predicts the following weeks, moving
// the origin forward fold by fold, so that every prediction is made without
// seeing its own week or anything later. The scheme is in weeks: a fold
// trains on every row (week or draw) before its origin and predicts every
// row in the horizon_weeks after it, so a draw-level history is validated on
// all of its draws.
func WalkForward(spec Spec, h *dataset.History, v config.Validation) (Metrics, []Prediction, error) {
	n := h.Len()
	first := h.Weeks[0].Start
	origin := first.AddDate(0, 0, 7*v.InitialWeeks)
	at := func(t time.Time) int { // first row on or after t
		return sort.Search(n, func(i int) bool { return !h.Weeks[i].Start.Before(t) })
	}
	if at(origin) >= n {
		return Metrics{}, nil, fmt.Errorf("walk-forward validation needs more than model.validation.initial_weeks = %d weeks of history, got %d rows over %.0f weeks; supply a longer history or lower initial_weeks",
			v.InitialWeeks, n, h.Last().Start.Sub(first).Hours()/24/7+1)
	}
	var preds []Prediction
	folds := 0
	for ; ; origin = origin.AddDate(0, 0, 7*v.StepWeeks) {
		start := at(origin)
		if start >= n {
			break
		}
		end := at(origin.AddDate(0, 0, 7*v.HorizonWeeks))
		if end == start {
			continue
		}
		m, err := Fit(spec, h.Slice(0, start))
		if err != nil {
			return Metrics{}, nil, fmt.Errorf("walk-forward fold ending %s: %w", h.Weeks[start-1].Start.Format(dataset.DateLayout), err)
		}
		folds++
		for t := start; t < end; t++ {
			w := h.Weeks[t]
			in := Inputs{WeekStart: w.Start, DrawDay: w.DrawDay, MarketingSpend: w.MarketingSpend}
			if m.CheckInputs(in) != nil {
				// A draw day never seen before cannot be predicted by this
				// fold; later folds will include it.
				continue
			}
			f := m.Forecast(in, w.JackpotAnnounced)
			preds = append(preds, Prediction{WeekStart: w.Start, Actual: w.TicketsSold, Median: f.Median(), P10: f.Quantile(0.1), P90: f.Quantile(0.9)})
		}
	}
	if len(preds) == 0 {
		return Metrics{}, nil, fmt.Errorf("walk-forward validation produced no predictions; lower model.validation.initial_weeks")
	}
	return Score(preds, folds), preds, nil
}

// Score computes accuracy metrics from predictions.
func Score(preds []Prediction, folds int) Metrics {
	n := float64(len(preds))
	mean := 0.0
	for _, p := range preds {
		mean += p.Actual
	}
	mean /= n
	var ape, ssRes, ssTot, inside float64
	for _, p := range preds {
		ape += math.Abs(p.Actual-p.Median) / p.Actual
		ssRes += (p.Actual - p.Median) * (p.Actual - p.Median)
		ssTot += (p.Actual - mean) * (p.Actual - mean)
		if p.Actual >= p.P10 && p.Actual <= p.P90 {
			inside++
		}
	}
	r2 := 0.0
	if ssTot > 0 {
		r2 = 1 - ssRes/ssTot
	}
	return Metrics{MAPE: ape / n, R2: r2, CoverageP10P90: inside / n, Folds: folds, Predictions: len(preds)}
}
