package optimise

import (
	"math"
	"math/rand/v2"
	"sort"
)

// ConstraintReport is one constraint at the recommended jackpot.
type ConstraintReport struct {
	Check
	Slack float64
	// Binding is true when a neighbouring jackpot would earn more but breaks
	// this constraint: it is what holds the recommendation where it is.
	Binding bool
}

// Range is a closed jackpot interval.
type Range struct{ From, To float64 }

// Conflict explains an infeasible problem: a constraint and the jackpots
// on which it holds (empty when it holds nowhere).
type Conflict struct {
	Name    string
	Bound   Bound
	HoldsOn []Range
}

// CurvePoint is the objective at a jackpot near the optimum.
type CurvePoint struct {
	Jackpot         float64
	Objective       float64
	NetRevenue      float64
	ExpectedTickets float64
	Feasible        bool
	Violated        []string
	// Optimum marks the recommended jackpot.
	Optimum bool
}

// PayoutSummary describes the week's total prize payout (jackpot plus
// secondary prizes) at the recommended jackpot.
type PayoutSummary struct {
	Mean, P10, P50, P90 float64
	// AtRisk is what the cash safety net covers (its (1 − ε) quantile, or
	// the worst plausible payout when ε = 0).
	AtRisk float64
	// WorstPlausible: jackpot won (by the fullest postcode), sales at the
	// upper plausible quantile.
	WorstPlausible float64
	// WinnersMean, WinnersMax: tickets sharing a postcode prize.
	WinnersMean, WinnersMax float64
}

// PlanSummary describes the rollover plan behind a recommendation.
type PlanSummary struct {
	HorizonWeeks int
	// HorizonDraws is the number of draws planned (weeks × draws a week).
	HorizonDraws int
	Levels       int
	// NextIfWon, NextIfUnwon are the plan's jackpots for next week.
	NextIfWon, NextIfUnwon float64
	Evaluations            int
}

// CashSimulation cross-checks the cash chance constraint by Monte Carlo.
type CashSimulation struct {
	Samples int
	Seed    int64
	// ExceedanceShare is the simulated share of weeks whose payout exceeds
	// the payout at risk: at most about ε when the analysis is right.
	ExceedanceShare float64
}

// Result is the outcome of one optimisation.
type Result struct {
	Status string
	Best   *Evaluation
	// Closest is, for an infeasible problem, the evaluated jackpot that
	// violates the constraints least; Constraints then describe it.
	Closest           *Evaluation
	Constraints       []ConstraintReport
	InfeasibleBecause []string
	Conflicts         []Conflict
	// Curve samples the objective over the whole allowed interval.
	Curve []CurvePoint
	// FeasibleRanges are the runs of grid jackpots on which every
	// constraint holds.
	FeasibleRanges []Range
	Payout         *PayoutSummary
	Plan           *PlanSummary
	Simulation     *CashSimulation
	GridPoints     int
	// SearchEvaluations counts objective evaluations made to find the
	// optimum (every grid point of the allowed interval); ExplainEvaluations
	// those made afterwards for the binding analysis.
	SearchEvaluations  int
	ExplainEvaluations int
}

// simulationSamples is enough to resolve ε = 0.01 to about ±0.002.
const simulationSamples = 20000

// Optimise finds the best announceable jackpot for the problem.
func Optimise(p *Problem) (*Result, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	e := newEvaluator(p)
	res := &Result{}
	if p.Config.IsRollover() {
		e.plan = buildPlan(e)
		if e.plan.err != nil {
			return nil, e.plan.err
		}
		res.Plan = &PlanSummary{HorizonWeeks: p.Config.Planning.HorizonWeeks, HorizonDraws: e.plan.horizon, Levels: len(e.plan.levels), Evaluations: e.plan.evals}
	}
	c := p.Config
	g := jackpotGrid{min: c.Jackpot.Min, step: c.Jackpot.Step, n: c.Jackpot.Points()}
	res.GridPoints = g.n

	loJ, hiJ, loName, hiName := e.interval()
	lo := max(0, int(math.Ceil((loJ-g.min)/g.step-1e-9)))
	hi := min(g.n-1, int(math.Floor((hiJ-g.min)/g.step+1e-9)))
	if lo > hi {
		res.Status = StatusInfeasible
		res.InfeasibleBecause = []string{loName, hiName}
		res.Conflicts = []Conflict{
			{Name: loName, Bound: AtLeast, HoldsOn: clip(Range{loJ, math.Inf(1)}, g)},
			{Name: hiName, Bound: AtMost, HoldsOn: clip(Range{math.Inf(-1), hiJ}, g)},
		}
		return res, nil
	}

	s, err := runScan(e, g, lo, hi)
	if err != nil {
		return nil, err
	}
	res.SearchEvaluations = e.count
	res.Curve = s.curve()
	res.FeasibleRanges = s.feasibleRanges()
	best := s.best
	if best == nil {
		res.Status = StatusInfeasible
		res.InfeasibleBecause, res.Conflicts = s.explainInfeasible()
		closest := s.closest
		e.complete(closest)
		res.Closest = closest
		for _, ch := range closest.Checks {
			res.Constraints = append(res.Constraints, ConstraintReport{Check: ch, Slack: ch.Slack()})
		}
		return res, nil
	}
	e.complete(best)
	res.Best = best
	res.Status = StatusOptimal
	if p.Cash == nil {
		res.Status = StatusCashUnchecked
	}
	explain(res, e, g)
	res.ExplainEvaluations = e.count - res.SearchEvaluations
	res.Payout = summarisePayout(e, best)
	res.Simulation = simulateCash(e, best, p.Seed)
	if e.plan != nil {
		res.Plan.NextIfWon, res.Plan.NextIfUnwon = e.plan.nextJackpots(best.Jackpot)
	}
	if err := res.finite(); err != nil {
		return nil, err
	}
	return res, nil
}

func clip(r Range, g jackpotGrid) []Range {
	lo, hi := math.Max(r.From, g.min), math.Min(r.To, g.value(g.n-1))
	if lo > hi {
		return nil
	}
	return []Range{{lo, hi}}
}

// explain fills in the binding analysis.
func explain(res *Result, e *evaluator, g jackpotGrid) {
	best := res.Best
	// Neighbours one step either way, even beyond the grid, show which
	// constraint stops the jackpot moving in the direction that pays more.
	var better []*Evaluation
	for _, j := range []float64{best.Jackpot - g.step, best.Jackpot + g.step} {
		if j <= 0 {
			continue
		}
		ev := e.evaluate(j)
		if ev.Objective > best.Objective {
			better = append(better, ev)
		}
	}
	for _, ch := range best.Checks {
		r := ConstraintReport{Check: ch, Slack: ch.Slack()}
		if ch.Enforced {
			for _, nb := range better {
				if c, ok := nb.Check(ch.Name); ok && !c.Holds() {
					r.Binding = true
				}
			}
		}
		res.Constraints = append(res.Constraints, r)
	}
}

func summarisePayout(e *evaluator, best *Evaluation) *PayoutSummary {
	d := newLognormal(best.TicketsLogMean, best.TicketsLogSD)
	pm := e.payout(best.Jackpot, d)
	s := &PayoutSummary{
		Mean:           best.ExpectedJackpotPayout + e.perTicket*d.mean(),
		P10:            pm.quantile(0.1),
		P50:            pm.quantile(0.5),
		P90:            pm.quantile(0.9),
		AtRisk:         best.PayoutAtRisk,
		WorstPlausible: pm.worst(e.tail),
		WinnersMax:     pm.maxWinners(),
	}
	if e.lotto {
		s.WinnersMean = best.WinProbability
	} else {
		for i, k := range e.kValues {
			s.WinnersMean += k * e.kProbs[i]
		}
	}
	return s
}

// simulateCash draws weeks of sales and payouts at the recommended jackpot
// and counts how often the payout exceeds the payout at risk.
func simulateCash(e *evaluator, best *Evaluation, seed int64) *CashSimulation {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	d := newLognormal(best.TicketsLogMean, best.TicketsLogSD)
	var cum []float64
	acc := 0.0
	for _, p := range e.kProbs {
		acc += p
		cum = append(cum, acc)
	}
	exceed := 0
	for range simulationSamples {
		n := math.Exp(d.mu + d.sd*rng.NormFloat64())
		payout := e.perTicket * n
		if e.lotto {
			if rng.Float64() < winProbability(e.pWin, n) {
				payout += best.Jackpot
			}
		} else {
			u := rng.Float64() * acc
			k := sort.SearchFloat64s(cum, u)
			payout += best.Jackpot * e.kValues[min(k, len(e.kValues)-1)]
		}
		if payout > best.PayoutAtRisk*(1+1e-12) {
			exceed++
		}
	}
	return &CashSimulation{Samples: simulationSamples, Seed: seed, ExceedanceShare: float64(exceed) / simulationSamples}
}

// DenseGrid evaluates every point of the configured grid, with no
// interval shortcut, and returns the evaluations in jackpot order. It is
// the reference the optimiser is tested against.
func DenseGrid(p *Problem) ([]*Evaluation, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	e := newEvaluator(p)
	if p.Config.IsRollover() {
		e.plan = buildPlan(e)
	}
	c := p.Config
	out := make([]*Evaluation, c.Jackpot.Points())
	for i := range out {
		out[i] = e.evaluate(c.Jackpot.Value(i))
	}
	return out, nil
}

// BruteForce returns the best feasible point of DenseGrid (nil if none; ties
// go to the smaller jackpot) and the number of evaluations.
func BruteForce(p *Problem) (*Evaluation, int, error) {
	evals, err := DenseGrid(p)
	if err != nil {
		return nil, 0, err
	}
	var best *Evaluation
	for _, ev := range evals {
		if ev.Feasible && (best == nil || ev.Objective > best.Objective) {
			best = ev
		}
	}
	return best, len(evals), nil
}

// EvaluateAt evaluates one jackpot (on or off the grid) under the problem's
// objective and constraints, e.g. to compare a past announcement with the
// recommendation.
func EvaluateAt(p *Problem, jackpot float64) (*Evaluation, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	e := newEvaluator(p)
	if p.Config.IsRollover() {
		e.plan = buildPlan(e)
	}
	ev := e.evaluate(jackpot)
	e.complete(ev)
	return ev, nil
}
