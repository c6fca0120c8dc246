package optimise_test

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"
)

// oracle re-derives, independently of the optimiser, whether a jackpot is
// feasible and (for lapse and postcode draws) its objective. It shares no
// code with the package: its own normal quantiles and CDF (gonum), Simpson
// integration instead of Gauss quadrature, and the chance constraint
// computed from the tails of the sales distribution instead of a payout
// CDF. borderline is true when some constraint holds or fails by less than
// a relative 1e-6, where the two implementations may round differently.
type oracle struct {
	p *optimise.Problem
}

type verdict struct {
	feasible, borderline bool
	objective            float64 // NaN for rollover draws: the plan is not re-derived
}

func phi(z float64) float64 { return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) }

// simpson integrates f over [a, b] with n (even) intervals.
func simpson(f func(float64) float64, a, b float64, n int) float64 {
	if b <= a {
		return 0
	}
	h := (b - a) / float64(n)
	s := f(a) + f(b)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		s += w * f(a+float64(i)*h)
	}
	return s * h / 3
}

func (o oracle) judge(j float64) verdict {
	p := o.p
	c := p.Config
	cs := c.Constraints
	lotto := c.Mechanism.Type == config.MechanismLotto
	slacks := []float64{}
	// atLeast/atMost record a relative slack (negative = violated).
	atLeast := func(v, lim float64) { slacks = append(slacks, (v-lim)/math.Max(math.Abs(lim), 1e-3)) }
	atMost := func(v, lim float64) { slacks = append(slacks, (lim-v)/math.Max(math.Abs(lim), 1e-3)) }

	atLeast(j, c.Jackpot.Min)
	atMost(j, c.Jackpot.Max)
	if r := p.ModelRange; r != nil {
		atLeast(j, r.From)
		atMost(j, r.To)
	}
	if prev := p.Previous; prev != nil {
		if d := cs.MaxWeeklyChange; d != nil && !(lotto && prev.Won) {
			atMost(j, prev.Jackpot*(1+*d))
			atLeast(j, prev.Jackpot*(1-*d))
		}
		if c.IsRollover() && !prev.Won {
			atLeast(j, prev.Jackpot)
		}
	}
	mu, sd := p.Sales.Forecast(0, j)
	sd = math.Max(sd, 1e-12)
	q := func(x float64) float64 { return math.Exp(mu + sd*distuv.UnitNormal.Quantile(x)) }
	lowS, highS := q(cs.SalesTail), q(1-cs.SalesTail)
	if t := cs.PerTicketCap; t != nil {
		limit := t.Ceiling
		if t.ShareOfProceeds > 0 {
			limit = math.Min(t.Ceiling, math.Max(t.Floor, t.ShareOfProceeds*c.TicketPrice*lowS))
		}
		atMost(j, limit)
	}
	var ks, kp []float64
	if lotto {
		ks = []float64{0, 1}
	} else {
		pts := append([]config.TicketsProbability(nil), c.Mechanism.Postcode.TicketsInDrawnPostcode...)
		sort.Slice(pts, func(a, b int) bool { return pts[a].Tickets < pts[b].Tickets })
		for _, pt := range pts {
			ks = append(ks, float64(pt.Tickets))
			kp = append(kp, pt.Probability)
		}
	}
	kMin, kMax := ks[0], ks[len(ks)-1]
	for _, w := range []struct {
		cfg     *config.RatioWindow
		charity bool
	}{{cs.PayoutRatio, false}, {cs.CharityShare, true}} {
		if w.cfg == nil {
			continue
		}
		var hr, hp float64
		for _, pw := range p.Recent[max(0, len(p.Recent)-(w.cfg.WindowWeeks-1)):] {
			hr += pw.Revenue
			hp += pw.Prizes
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, s := range []float64{lowS, highS} {
			for _, k := range []float64{kMin, kMax} {
				rev := c.TicketPrice * s
				r := (hp + c.SecondaryPrizeShare*rev + j*k) / (hr + rev)
				lo, hi = math.Min(lo, r), math.Max(hi, r)
			}
		}
		if w.charity {
			lo, hi = 1-c.CostShare-hi, 1-c.CostShare-lo
		}
		if w.cfg.Min != nil {
			atLeast(lo, *w.cfg.Min)
		}
		if w.cfg.Max != nil {
			atMost(hi, *w.cfg.Max)
		}
	}
	a := c.SecondaryPrizeShare * c.TicketPrice // secondary prizes per ticket
	win := func(n float64) float64 {
		if !lotto {
			return 1
		}
		return -math.Expm1(-c.Mechanism.Lotto.WinProbability * n)
	}
	zOf := func(n float64) float64 {
		if n <= 0 {
			return math.Inf(-1)
		}
		return (math.Log(n) - mu) / sd
	}
	if p.Cash != nil {
		free := *p.Cash - cs.Cash.Reserve
		if cs.Cash.Epsilon == 0 {
			atLeast(*p.Cash-(j*kMax+a*highS), cs.Cash.Reserve)
		} else {
			// P(secondary + jackpot payout > free).
			tail := func(x float64) float64 { // P(a·N > x)
				if x < 0 {
					return 1
				}
				if a == 0 {
					return 0
				}
				return 1 - distuv.UnitNormal.CDF(zOf(x/a))
			}
			var short float64
			if lotto {
				za, zb := zOf(free/a), zOf((free-j)/a)
				if a == 0 {
					za, zb = math.Inf(1), math.Inf(-1)
					if free >= j {
						zb = math.Inf(1)
					}
				}
				short = tail(free) + simpson(func(z float64) float64 { return win(math.Exp(mu+sd*z)) * phi(z) },
					math.Max(zb, -12), math.Min(za, 12), 1200)
				if free < 0 {
					short = 1
				}
			} else {
				for i, k := range ks {
					short += kp[i] * tail(free-j*k)
				}
			}
			atMost(short, cs.Cash.Epsilon)
		}
	}
	v := verdict{feasible: true, objective: math.NaN()}
	for _, s := range slacks {
		if s < -1e-9 {
			v.feasible = false
		}
		if math.Abs(s) < 1e-6 {
			v.borderline = true
		}
	}
	if !c.IsRollover() {
		margin := c.TicketPrice * (1 - c.SecondaryPrizeShare - c.CostShare)
		meanN := math.Exp(mu + sd*sd/2)
		var jackpotPaid float64
		if lotto {
			jackpotPaid = j * simpson(func(z float64) float64 { return win(math.Exp(mu+sd*z)) * phi(z) }, -12, 12, 1200)
		} else {
			for i, k := range ks {
				jackpotPaid += j * k * kp[i]
			}
		}
		v.objective = margin*meanN - jackpotPaid
	}
	return v
}

// uShaped turns a random problem's sales curve into one with a minimum
// inside the grid: sales high for small and for large jackpots, the shape a
// fitted log-quadratic takes when the data says so. The objective then has
// two peaks, one near each end.
func uShaped(p *optimise.Problem, rng *rand.Rand) {
	s := p.Sales.(powerSales)
	g := p.Config.Jackpot
	lo, hi := math.Log(g.Min), math.Log(g.Max)
	s.centre = lo + (0.3+0.4*rng.Float64())*(hi-lo)
	s.c = 0.05 + 0.4*rng.Float64()
	s.b = -0.2 + 0.4*rng.Float64()
	tickets := math.Exp(math.Log(1e4) + rng.Float64()*math.Log(1e3))
	s.logA = math.Log(tickets) - s.b*s.centre
	p.Sales = s
}

// splitFeasible adds a per-ticket cap proportional to the low sales
// quantile to a U-shaped problem: J ≤ share · price · N_low(J) then holds
// on two separate intervals when sales dip in the middle.
func splitFeasible(p *optimise.Problem, rng *rand.Rand) {
	uShaped(p, rng)
	s := p.Sales.(powerSales)
	s.c = 0.4 + 0.6*rng.Float64()
	p.Sales = s
	c := p.Config
	c.Constraints.PayoutRatio, c.Constraints.CharityShare = nil, nil
	g := c.Jackpot
	// Choose the share so that the cap is just reached at the dip.
	dip := math.Exp(s.centre)
	mu, sd := s.Forecast(0, dip)
	nLow := math.Exp(mu + sd*distuv.UnitNormal.Quantile(c.Constraints.SalesTail))
	share := math.Min(1, dip/(c.TicketPrice*nLow)*(0.6+0.3*rng.Float64()))
	c.Constraints.PerTicketCap = &config.TicketCap{Floor: 0, ShareOfProceeds: share, Ceiling: g.Max * 2}
	c.Constraints.MaxWeeklyChange = nil
	p.Previous = nil
	p.Cash = nil
}

// The recommendation is the best feasible point of the grid, whatever the
// mechanism, the shape of the sales curve or of the feasible set: it equals
// the optimiser's own dense grid (DenseGrid, no interval shortcut), every
// point's feasibility agrees with an independent re-derivation, and no point
// the independent check finds feasible earns more.
func TestRecommendationIsTheDenseGridOptimum(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 12))
	type kind struct {
		name  string
		n     int
		shape func(*optimise.Problem, *rand.Rand)
	}
	kinds := []kind{
		{"random", 200, nil},
		{"u-shaped", 150, uShaped},
		{"split feasible set", 150, splitFeasible},
	}
	stats := map[string]map[string]int{}
	worstGap := map[string]float64{}
	for _, k := range kinds {
		st := map[string]int{}
		stats[k.name] = st
		for i := range k.n {
			p := randomProblem(rng)
			// Keep the grids small enough for an exhaustive check of every point.
			g := &p.Config.Jackpot
			g.Step = (g.Max - g.Min) / float64(50+rng.IntN(450))
			if k.shape != nil {
				k.shape(p, rng)
			}
			if rng.IntN(4) == 0 {
				lo, hi := g.Min*(1+rng.Float64()), g.Max*(0.5+0.6*rng.Float64())
				p.ModelRange = &optimise.Range{From: lo, To: math.Max(lo, hi)}
			}
			require.NoError(t, p.Config.Validate(), "%s %d", k.name, i)
			mech := p.Config.Mechanism.Type
			if p.Config.IsRollover() {
				mech += "/rollover"
			} else if p.Config.Mechanism.Lotto != nil {
				mech += "/lapse"
			}
			st[mech]++

			res, err := optimise.Optimise(p)
			require.NoError(t, err, "%s %d", k.name, i)
			dense, err := optimise.DenseGrid(p)
			require.NoError(t, err)
			o := oracle{p: p}
			var want *optimise.Evaluation
			bestIndep := math.Inf(-1)
			feasibleRuns, inRun := 0, false
			for _, ev := range dense {
				v := o.judge(ev.Jackpot)
				if !v.borderline {
					require.Equal(t, v.feasible, ev.Feasible, "%s %d (%s): feasibility of %.6g disagrees with the independent check (violated %v)", k.name, i, mech, ev.Jackpot, ev.Violated())
				}
				if ev.Feasible && !inRun {
					feasibleRuns++
				}
				inRun = ev.Feasible
				if !math.IsNaN(v.objective) {
					require.InDelta(t, v.objective, ev.Objective, 1e-7*math.Max(1, math.Abs(v.objective)), "%s %d: objective at %.6g", k.name, i, ev.Jackpot)
					if v.feasible && !v.borderline {
						bestIndep = math.Max(bestIndep, v.objective)
					}
				}
				if ev.Feasible && (want == nil || ev.Objective > want.Objective) {
					want = ev
				}
			}
			if want == nil {
				st["infeasible"]++
				assert.Equal(t, optimise.StatusInfeasible, res.Status, "%s %d: the dense grid finds nothing feasible", k.name, i)
				assert.NotEmpty(t, res.InfeasibleBecause)
				continue
			}
			require.NotNil(t, res.Best, "%s %d (%s): reported %s but %.6g is feasible", k.name, i, mech, res.Status, want.Jackpot)
			require.Equal(t, want.Jackpot, res.Best.Jackpot, "%s %d (%s): not the dense grid's optimum", k.name, i, mech)
			require.Equal(t, want.Objective, res.Best.Objective)
			if !math.IsInf(bestIndep, -1) {
				assert.LessOrEqual(t, bestIndep, res.Best.Objective+1e-7*math.Max(1, math.Abs(bestIndep)), "%s %d: an independently feasible jackpot earns more", k.name, i)
			}
			assert.Len(t, res.FeasibleRanges, feasibleRuns)
			if old, _, err := optimise.LegacyOptimum(p); err == nil && (old == nil || old.Objective < want.Objective-1e-9*math.Abs(want.Objective)) {
				// What the bracketing search this replaced would have lost, in
				// share of the week's net revenue.
				st["missed by the bracketing search"]++
				if old != nil && want.NetRevenue > 0 {
					gap := (want.Objective - old.Objective) / want.NetRevenue
					worstGap[k.name] = math.Max(worstGap[k.name], gap)
				}
			}
			if feasibleRuns > 1 {
				st["several feasible intervals"]++
			}
			st["feasible"]++
		}
		t.Logf("%s: %d scenarios: %v; largest loss of the bracketing search %.1f%% of net revenue", k.name, k.n, st, 100*worstGap[k.name])
	}
	assert.Greater(t, stats["split feasible set"]["several feasible intervals"], 20, "the generator must produce split feasible sets")
	assert.Positive(t, stats["u-shaped"]["missed by the bracketing search"]+stats["split feasible set"]["missed by the bracketing search"],
		"the scenarios include problems a single-peak search gets wrong")
	for _, k := range kinds {
		for _, m := range []string{"lotto/lapse", "lotto/rollover", "postcode"} {
			assert.Positive(t, stats[k.name][m], "%s: no %s scenario", k.name, m)
		}
	}
}
