package optimise_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/aifactory/platform/optimiser/sales"
	"github.com/aifactory/platform/optimiser/synthetic"
	"github.com/aifactory/platform/optimiser/weekly"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"
)

// randomProblem draws a valid configuration, sales curve and history.
func randomProblem(rng *rand.Rand) *optimise.Problem {
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
	c := &config.Country{
		Country: "ZZ", Currency: "EUR", DrawDay: "saturday",
		TicketPrice:         u(1, 10),
		SecondaryPrizeShare: u(0, 0.3),
		CostShare:           u(0.05, 0.3),
		Planning:            config.Planning{HorizonWeeks: 1 + rng.IntN(6), WeeklyDiscount: u(0.95, 1), StatePoints: 8 + rng.IntN(40)},
		Model:               lapseConfig().Model,
	}
	jmin := math.Exp(u(math.Log(1e3), math.Log(1e7)))
	jmax := jmin * u(3, 100)
	points := 50 + rng.IntN(3000)
	c.Jackpot = config.JackpotGrid{Min: jmin, Max: jmax, Step: (jmax - jmin) / float64(points)}

	if rng.IntN(2) == 0 {
		unwon := config.UnwonLapse
		if rng.IntN(2) == 0 {
			unwon = config.UnwonRollover
		}
		c.Mechanism = config.Mechanism{Type: config.MechanismLotto, Lotto: &config.Lotto{WinProbability: math.Exp(u(math.Log(1e-9), math.Log(1e-5))), Unwon: unwon}}
	} else {
		n := 1 + rng.IntN(7)
		seen := map[int]bool{}
		var pts []config.TicketsProbability
		total := 0.0
		for len(pts) < n {
			k := 1 + rng.IntN(100)
			if seen[k] {
				continue
			}
			seen[k] = true
			w := u(0.01, 1)
			total += w
			pts = append(pts, config.TicketsProbability{Tickets: k, Probability: w})
		}
		for i := range pts {
			pts[i].Probability /= total
		}
		c.Mechanism = config.Mechanism{Type: config.MechanismPostcode, Postcode: &config.Postcode{TicketsInDrawnPostcode: pts}}
	}

	cs := &c.Constraints
	cs.SalesTail = u(0.001, 0.2)
	cs.Cash = config.CashSafety{Reserve: u(0, 1) * jmax, Epsilon: 0}
	if rng.IntN(2) == 0 {
		cs.Cash.Epsilon = u(0.001, 0.2)
	}
	if rng.IntN(2) == 0 {
		cs.MaxWeeklyChange = ptr(u(0.05, 1))
	}
	if rng.IntN(2) == 0 {
		cs.PerTicketCap = &config.TicketCap{Floor: u(0, 0.5) * jmax, ShareOfProceeds: u(0, 0.3), Ceiling: u(0.3, 1.5) * jmax}
		cs.PerTicketCap.Floor = math.Min(cs.PerTicketCap.Floor, cs.PerTicketCap.Ceiling)
	}
	ratio := func() *config.RatioWindow {
		w := &config.RatioWindow{WindowWeeks: 1 + rng.IntN(60)}
		lo, hi := u(0, 0.6), u(0.3, 1)
		switch rng.IntN(3) {
		case 0:
			w.Min = ptr(lo)
		case 1:
			w.Max = ptr(hi)
		default:
			w.Min, w.Max = ptr(math.Min(lo, hi)), ptr(math.Max(lo, hi))
		}
		return w
	}
	if rng.IntN(2) == 0 {
		cs.PayoutRatio = ratio()
	}
	if rng.IntN(3) == 0 {
		cs.CharityShare = ratio()
	}

	c.ApplyDefaults()
	centre := math.Log(jmin * 3)
	tickets := math.Exp(u(math.Log(1e4), math.Log(1e7)))
	s := powerSales{b: u(0.02, 1.2), c: u(-0.03, 0.08), centre: centre, sd: u(0.005, 0.3)}
	s.logA = math.Log(tickets) - s.b*centre

	p := &optimise.Problem{Config: c, Sales: s, Seed: rng.Int64()}
	weeks := rng.IntN(80)
	if cs.PayoutRatio != nil || cs.CharityShare != nil {
		weeks++
	}
	for range weeks {
		rev := tickets * c.TicketPrice * u(0.7, 1.3)
		p.Recent = append(p.Recent, optimise.PastWeek{Revenue: rev, Prizes: rev * u(0.1, 0.7)})
	}
	if rng.IntN(5) > 0 {
		p.Previous = &optimise.PreviousDraw{Jackpot: u(jmin*0.5, jmax*1.2), Won: rng.IntN(2) == 0, WonKnown: true}
		if c.Mechanism.Type == config.MechanismPostcode {
			p.Previous.Won = true
		}
	}
	if rng.IntN(6) > 0 {
		winners := 1.0
		if pc := c.Mechanism.Postcode; pc != nil {
			for _, pt := range pc.TicketsInDrawnPostcode {
				winners = math.Max(winners, float64(pt.Tickets))
			}
		}
		p.Cash = ptr(cs.Cash.Reserve + u(0.05, 1.5)*jmax*winners)
	}
	return p
}

// violations re-derives every hard constraint at a jackpot from the raw
// inputs, independently of the optimiser's own evaluation, and lists those
// that fail. The cash chance constraint with ε > 0 is checked by Monte
// Carlo simulation.
func violations(p *optimise.Problem, j float64, rng *rand.Rand) []string {
	c := p.Config
	cs := c.Constraints
	var out []string
	tol := func(x float64) float64 { return 1e-7 * math.Max(1, math.Abs(x)) }

	steps := (j - c.Jackpot.Min) / c.Jackpot.Step
	if math.Abs(steps-math.Round(steps)) > 1e-6 || j < c.Jackpot.Min-tol(j) || j > c.Jackpot.Max+tol(j) {
		out = append(out, "grid/bounds")
	}
	lotto := c.Mechanism.Type == config.MechanismLotto
	if prev := p.Previous; prev != nil {
		if d := cs.MaxWeeklyChange; d != nil && !(lotto && prev.Won) && math.Abs(j-prev.Jackpot) > *d*prev.Jackpot+tol(j) {
			out = append(out, "weekly change")
		}
		if c.IsRollover() && !prev.Won && j < prev.Jackpot-tol(j) {
			out = append(out, "rollover carry")
		}
	}
	mu, sd := p.Sales.Forecast(0, j)
	lowS := math.Exp(mu + sd*distuv.UnitNormal.Quantile(cs.SalesTail))
	highS := math.Exp(mu + sd*distuv.UnitNormal.Quantile(1-cs.SalesTail))
	if t := cs.PerTicketCap; t != nil {
		limit := t.Ceiling
		if t.ShareOfProceeds > 0 {
			limit = math.Min(t.Ceiling, math.Max(t.Floor, t.ShareOfProceeds*c.TicketPrice*lowS))
		}
		if j > limit+tol(limit) {
			out = append(out, "per-ticket cap")
		}
	}
	var ks []float64
	if lotto {
		ks = []float64{0, 1}
	} else {
		for _, pt := range c.Mechanism.Postcode.TicketsInDrawnPostcode {
			ks = append(ks, float64(pt.Tickets))
		}
		sort.Float64s(ks)
		ks = []float64{ks[0], ks[len(ks)-1]}
	}
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
		for _, s := range []float64{lowS, highS} {
			for _, k := range ks {
				rev := c.TicketPrice * s
				r := (hp + c.SecondaryPrizeShare*rev + j*k) / (hr + rev)
				v := r
				if w.charity {
					v = 1 - c.CostShare - r
				}
				if (w.cfg.Min != nil && v < *w.cfg.Min-1e-9) || (w.cfg.Max != nil && v > *w.cfg.Max+1e-9) {
					out = append(out, fmt.Sprintf("window (charity=%v) %.4f", w.charity, v))
				}
			}
		}
	}
	if p.Cash != nil {
		free := *p.Cash - cs.Cash.Reserve
		perTicket := c.SecondaryPrizeShare * c.TicketPrice
		if cs.Cash.Epsilon == 0 {
			worst := j*ks[len(ks)-1] + perTicket*highS
			if worst > free+tol(free) {
				out = append(out, "cash worst case")
			}
		} else {
			const samples = 40000
			short := 0
			for range samples {
				n := math.Exp(mu + sd*rng.NormFloat64())
				pay := perTicket * n
				if lotto {
					if rng.Float64() < -math.Expm1(-c.Mechanism.Lotto.WinProbability*n) {
						pay += j
					}
				} else {
					x := rng.Float64()
					for _, pt := range c.Mechanism.Postcode.TicketsInDrawnPostcode {
						if x < pt.Probability {
							pay += j * float64(pt.Tickets)
							break
						}
						x -= pt.Probability
					}
				}
				if pay > free {
					short++
				}
			}
			eps := cs.Cash.Epsilon
			if float64(short)/samples > eps+5*math.Sqrt(eps*(1-eps)/samples)+2e-4 {
				out = append(out, fmt.Sprintf("cash chance %.4f > ε %.4f", float64(short)/samples, eps))
			}
		}
	}
	return out
}

func TestNoRecommendationEverViolatesAHardConstraint(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	checkRng := rand.New(rand.NewPCG(13, 17))
	const cases = 300
	counts := map[string]int{}
	for i := range cases {
		p := randomProblem(rng)
		require.NoError(t, p.Config.Validate(), "case %d: generator made an invalid config", i)
		res, err := optimise.Optimise(p)
		require.NoError(t, err, "case %d", i)
		counts[res.Status]++
		switch res.Status {
		case optimise.StatusOptimal, optimise.StatusCashUnchecked:
			require.NotNil(t, res.Best)
			assert.Empty(t, violations(p, res.Best.Jackpot, checkRng), "case %d: recommended %.2f (%s)", i, res.Best.Jackpot, p.Config.Mechanism.Type)
			assert.Equal(t, p.Cash == nil, res.Status == optimise.StatusCashUnchecked, "case %d", i)
		case optimise.StatusInfeasible:
			assert.Nil(t, res.Best)
			assert.NotEmpty(t, res.InfeasibleBecause, "case %d: infeasible without a reason", i)
			grid, _, err := optimise.BruteForce(p)
			require.NoError(t, err)
			assert.Nil(t, grid, "case %d: reported infeasible but the dense grid found %v", i, grid)
		default:
			t.Fatalf("case %d: unknown status %q", i, res.Status)
		}
	}
	t.Logf("statuses over %d random problems: %v", cases, counts)
	assert.Greater(t, counts[optimise.StatusOptimal], cases/5, "the generator must exercise feasible problems")
	assert.Greater(t, counts[optimise.StatusInfeasible], cases/20, "and infeasible ones")
}

// Random histories through the real pipeline: a synthetic history from a
// randomly perturbed world, the fitted sales model, randomly tightened
// constraints and random cash; the recommendation must still satisfy every
// hard constraint.
func TestNoViolationOnRandomHistoriesWithFittedModels(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 5))
	checkRng := rand.New(rand.NewPCG(3, 4))
	cs, err := bundled.Countries()
	require.NoError(t, err)
	counts := map[string]int{}
	const cases = 45
	for i := range cases {
		base := cs[i%len(cs)].Config
		c := *base
		u := func(lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
		c.Constraints.MaxWeeklyChange = ptr(u(0.05, 0.8))
		c.Constraints.SalesTail = u(0.001, 0.1)
		c.Constraints.Cash.Epsilon = []float64{0, 0.001, 0.01, 0.05}[rng.IntN(4)]
		if c.Constraints.CharityShare != nil {
			w := *c.Constraints.CharityShare
			w.Min = ptr(u(0.2, 0.6))
			c.Constraints.CharityShare = &w
		}
		if c.Constraints.PayoutRatio != nil {
			w := *c.Constraints.PayoutRatio
			w.Min, w.Max = ptr(u(0.25, 0.42)), ptr(u(0.42, 0.6))
			c.Constraints.PayoutRatio = &w
		}
		s := synthetic.Scenarios[c.Country]
		s.Weeks = 110 + rng.IntN(150)
		s.Elasticity *= u(0.5, 1.5)
		s.Convexity *= u(0, 1.5)
		s.NoiseSD *= u(0.5, 2)
		s.PolicyLevel *= u(0.6, 1.6)
		data, err := synthetic.Generate(&c, s, rng.Uint64())
		require.NoError(t, err)
		h, err := dataset.Parse(data, "random.csv")
		require.NoError(t, err)
		m, err := sales.Fit(sales.SpecFor(&c), h)
		require.NoError(t, err, "case %d", i)
		f, err := weekly.Forecaster(m, &c, h)
		require.NoError(t, err)
		var cash *float64
		if rng.IntN(5) > 0 {
			cash = ptr(c.Constraints.Cash.Reserve + u(0, 2)*c.Jackpot.Max*20)
		}
		p := weekly.Problem(&c, h, f, cash, int64(i))
		res, err := optimise.Optimise(p)
		require.NoError(t, err)
		counts[res.Status]++
		if res.Best != nil {
			assert.Empty(t, violations(p, res.Best.Jackpot, checkRng), "case %d (%s): recommended %.0f", i, c.Country, res.Best.Jackpot)
		} else {
			assert.NotEmpty(t, res.InfeasibleBecause)
		}
	}
	t.Logf("statuses over %d random histories: %v", cases, counts)
	assert.Greater(t, counts[optimise.StatusOptimal], cases/4)
}
