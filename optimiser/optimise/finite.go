package optimise

import (
	"fmt"
	"math"
)

// NonFiniteError is a quantity that came out infinite or NaN. It happens
// when the sales model is asked about jackpots far from those it was fitted
// on: a log-quadratic curve extrapolated far enough overflows. It is an error,
// never an output.
type NonFiniteError struct {
	Quantity string
	Jackpot  float64
	Value    float64
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("%s at jackpot %.6g is %v: the sales model gives no finite forecast there, because it extrapolates far beyond the jackpots of the history; "+
		"lower model.extrapolation_factor or jackpot.max, or check the history's jackpot_announced and tickets_sold columns", e.Quantity, e.Jackpot, e.Value)
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

type quantity struct {
	name  string
	value float64
}

func firstNonFinite(jackpot float64, qs ...quantity) error {
	for _, q := range qs {
		if !isFinite(q.value) {
			return &NonFiniteError{Quantity: q.name, Jackpot: jackpot, Value: q.value}
		}
	}
	return nil
}

// finite checks what the search compares and reports of one evaluation.
func (ev *Evaluation) finite() error {
	return firstNonFinite(ev.Jackpot,
		quantity{"expected tickets", ev.ExpectedTickets},
		quantity{"ticket forecast spread (log sd)", ev.TicketsLogSD},
		quantity{"win probability", ev.WinProbability},
		quantity{"expected net revenue", ev.NetRevenue},
		quantity{"objective", ev.Objective},
	)
}

// finite checks every number of a result that reaches an output.
func (r *Result) finite() error {
	b := r.Best
	if b == nil {
		return nil
	}
	if err := b.finite(); err != nil {
		return err
	}
	qs := []quantity{{"payout at risk", b.PayoutAtRisk}, {"required cash", b.RequiredCash}}
	for _, c := range b.Checks {
		if c.Enforced {
			qs = append(qs, quantity{"constraint " + c.Name, c.Value})
		}
	}
	if p := r.Payout; p != nil {
		qs = append(qs, quantity{"payout mean", p.Mean}, quantity{"payout P10", p.P10}, quantity{"payout P50", p.P50},
			quantity{"payout P90", p.P90}, quantity{"worst plausible payout", p.WorstPlausible})
	}
	return firstNonFinite(b.Jackpot, qs...)
}
