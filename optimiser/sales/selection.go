package sales

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
)

// Candidate is one subset of the configured features and its walk-forward
// accuracy.
type Candidate struct {
	Features []string `json:"features"`
	// Terms is the number of coefficients of the model fitted on the whole
	// history (0 when it could not be validated).
	Terms          int     `json:"terms"`
	MAPE           float64 `json:"mape"`
	R2             float64 `json:"r2"`
	CoverageP10P90 float64 `json:"coverage_p10_p90"`
	Chosen         bool    `json:"chosen"`
	// Refused says why the candidate was not validated.
	Refused string `json:"refused,omitempty"`
}

// seasonalCycle is one year; seasonality needs two of them.
const seasonalCycle = 365.25 * 24 * time.Hour

// MinSeasonalSpan is the shortest history on which seasonal terms are
// considered: two full cycles, so that a seasonal pattern is seen twice and
// not confused with a one-off.
const MinSeasonalSpan = 2 * seasonalCycle

// Select validates, walk-forward, every subset of the configured features
// that keeps log_jackpot, and returns the specification with the lowest
// out-of-sample MAPE. Candidates within selection_tolerance of the best are
// tied; among them the one with the fewest terms wins, then the lower MAPE,
// then the earlier in the candidate order. Seasonality is refused (and
// recorded as such) on a history shorter than two full seasonal cycles.
func Select(c *config.Country, h *dataset.History) (Spec, Metrics, []Candidate, error) {
	full := SpecFor(c)
	var optional []string
	for _, f := range full.Features {
		if f != config.FeatureLogJackpot {
			optional = append(optional, f)
		}
	}
	span := h.Last().Start.Sub(h.Weeks[0].Start) + 7*24*time.Hour
	seasonRefusal := ""
	if full.has(config.FeatureSeasonality) && span < MinSeasonalSpan {
		seasonRefusal = fmt.Sprintf("seasonality needs two full seasonal cycles (104 weeks) of history, the history spans %.0f weeks", span.Hours()/24/7)
	}
	type scored struct {
		c       Candidate
		spec    Spec
		metrics Metrics
	}
	var all []scored
	var errs []string
	for mask := 0; mask < 1<<len(optional); mask++ {
		features := []string{config.FeatureLogJackpot}
		for i, f := range optional {
			if mask&(1<<i) != 0 {
				features = append(features, f)
			}
		}
		features = ordered(features)
		spec := Spec{Features: features}
		if spec.has(config.FeatureSeasonality) {
			spec.Harmonics = full.Harmonics
		}
		cand := Candidate{Features: features}
		if spec.has(config.FeatureSeasonality) && seasonRefusal != "" {
			cand.Refused = seasonRefusal
			all = append(all, scored{c: cand, spec: spec})
			continue
		}
		metrics, _, err := WalkForward(spec, h, c.Model.Validation)
		if err == nil {
			var m *Model
			if m, err = Fit(spec, h); err == nil {
				cand.Terms = len(m.Terms)
			}
		}
		if err != nil {
			cand.Refused = err.Error()
			errs = append(errs, fmt.Sprintf("%v: %v", features, err))
			all = append(all, scored{c: cand, spec: spec})
			continue
		}
		cand.MAPE, cand.R2, cand.CoverageP10P90 = metrics.MAPE, metrics.R2, metrics.CoverageP10P90
		all = append(all, scored{c: cand, spec: spec, metrics: metrics})
	}
	best := -1
	bestMAPE := math.Inf(1)
	for _, s := range all {
		if s.c.Refused == "" && s.c.MAPE < bestMAPE {
			bestMAPE = s.c.MAPE
		}
	}
	for i, s := range all {
		if s.c.Refused != "" || s.c.MAPE > bestMAPE+c.Model.SelectionTolerance {
			continue
		}
		if best < 0 || s.c.Terms < all[best].c.Terms || (s.c.Terms == all[best].c.Terms && s.c.MAPE < all[best].c.MAPE) {
			best = i
		}
	}
	cands := make([]Candidate, len(all))
	for i, s := range all {
		cands[i] = s.c
	}
	if best < 0 {
		return Spec{}, Metrics{}, cands, fmt.Errorf("no candidate sales model could be validated: %s", strings.Join(errs, "; "))
	}
	cands[best].Chosen = true
	// Best first, so that reports read as a ranking.
	sort.SliceStable(cands, func(i, j int) bool { return rank(cands[i]) < rank(cands[j]) })
	return all[best].spec, all[best].metrics, cands, nil
}

func rank(c Candidate) float64 {
	switch {
	case c.Chosen:
		return -1
	case c.Refused != "":
		return math.Inf(1)
	}
	return c.MAPE
}

// ordered puts features in the order of config.KnownFeatures.
func ordered(fs []string) []string {
	var out []string
	for _, k := range config.KnownFeatures {
		for _, f := range fs {
			if f == k {
				out = append(out, f)
			}
		}
	}
	return out
}
