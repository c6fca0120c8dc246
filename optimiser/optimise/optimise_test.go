package optimise_test

import (
	"math"
	"sort"
	"testing"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnalyticOptimumOfTheDesignNotes(t *testing.T) {
	// a = 1 keeps p·N below 1e-4, where 1 − e^(−pN) ≈ pN as the analytic
	// formula assumes.
	p := &optimise.Problem{Config: lapseConfig(), Sales: powerSales{b: 0.5, sd: 1e-9}, Cash: ptr(1e12)}
	res, err := optimise.Optimise(p)
	require.NoError(t, err)
	require.Equal(t, optimise.StatusOptimal, res.Status)

	want := 0.5 / (1 + 0.5) * 1.875 / 2.2e-8 // b/(1+b) · m/p ≈ 28.4 million
	t.Logf("J* analytic %.0f, recommended %.0f after %d evaluations of %d grid points", want, res.Best.Jackpot, res.SearchEvaluations, res.GridPoints)
	assert.InDelta(t, 28.4e6, want, 0.05e6)
	assert.InDelta(t, want, res.Best.Jackpot, 2*p.Config.Jackpot.Step, "within two grid steps of the analytic optimum")
	for _, c := range res.Constraints {
		assert.False(t, c.Binding, "no constraint binds in the analytic case, but %s does", c.Name)
	}
}

func TestObjectiveCurvePeaksAtTheRecommendation(t *testing.T) {
	p := &optimise.Problem{Config: lapseConfig(), Sales: powerSales{b: 0.5, sd: 0.05}, Cash: ptr(1e12)}
	res, err := optimise.Optimise(p)
	require.NoError(t, err)
	require.NotEmpty(t, res.Curve)
	require.True(t, sort.SliceIsSorted(res.Curve, func(i, j int) bool { return res.Curve[i].Jackpot < res.Curve[j].Jackpot }))
	assert.Less(t, res.Curve[0].Jackpot, res.Best.Jackpot)
	assert.Greater(t, res.Curve[len(res.Curve)-1].Jackpot, res.Best.Jackpot)
	optima := 0
	for _, pt := range res.Curve {
		assert.LessOrEqual(t, pt.Objective, res.Best.Objective+1e-6, "curve point %.0f beats the optimum", pt.Jackpot)
		if pt.Optimum {
			optima++
			assert.Equal(t, res.Best.Jackpot, pt.Jackpot)
		}
	}
	assert.Equal(t, 1, optima, "the optimum is marked once")
	// The curve spans the whole feasible range, not a band around the answer.
	c := p.Config.Jackpot
	assert.Equal(t, c.Min, res.Curve[0].Jackpot)
	assert.Equal(t, c.Value(c.Points()-1), res.Curve[len(res.Curve)-1].Jackpot)
	assert.Equal(t, []optimise.Range{{From: c.Min, To: c.Value(c.Points() - 1)}}, res.FeasibleRanges)
}

func TestBundledRecommendationsAreTheDenseGridOptimum(t *testing.T) {
	problems := bundledProblems(t, nil)
	problems["analytic"] = &optimise.Problem{Config: lapseConfig(), Sales: powerSales{b: 0.5, sd: 0.05}, Cash: ptr(1e12)}
	names := make([]string, 0, len(problems))
	for n := range problems {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			p := problems[name]
			res, err := optimise.Optimise(p)
			require.NoError(t, err)
			require.NotNil(t, res.Best, "status %s", res.Status)
			grid, gridEvals, err := optimise.BruteForce(p)
			require.NoError(t, err)
			require.NotNil(t, grid)
			t.Logf("dense scan %d evaluations of %d grid points; recommended %.0f", res.SearchEvaluations, gridEvals, res.Best.Jackpot)
			assert.Equal(t, grid.Jackpot, res.Best.Jackpot)
			assert.Equal(t, grid.Objective, res.Best.Objective)
			assert.LessOrEqual(t, res.SearchEvaluations, gridEvals, "the interval constraints are applied before the scan")
		})
	}
}

func TestRolloverCountsAnUnwonJackpotAsOwed(t *testing.T) {
	c := lapseConfig()
	c.Mechanism.Lotto.Unwon = config.UnwonRollover
	c.Mechanism.Lotto.WinProbability = 1e-7
	sales := powerSales{logA: math.Log(1e6) - 0.6*math.Log(1e7), b: 0.6, sd: 0.05}
	prev := &optimise.PreviousDraw{Jackpot: 5e6, Won: true, WonKnown: true}

	// With a one-week horizon whatever is still owed is paid at the end, so
	// the objective of J must be this week's net revenue minus (1 − P)·J.
	p := &optimise.Problem{Config: c, Sales: sales, Previous: prev, Cash: ptr(1e12)}
	for _, j := range []float64{2e6, 20e6, 80e6} {
		ev, err := optimise.EvaluateAt(p, j)
		require.NoError(t, err)
		assert.InDelta(t, ev.NetRevenue-(1-ev.WinProbability)*j, ev.Objective, 1e-6*math.Abs(ev.Objective))
	}

	// Counting the carried jackpot as a liability must never recommend a
	// larger jackpot than treating an unwon jackpot as a saving (lapse).
	for _, h := range []int{1, 4, 8} {
		c.Planning.HorizonWeeks = h
		roll, err := optimise.Optimise(p)
		require.NoError(t, err)
		lc := *c
		lotto := *c.Mechanism.Lotto
		lotto.Unwon = config.UnwonLapse
		lc.Mechanism.Lotto = &lotto
		lapse, err := optimise.Optimise(&optimise.Problem{Config: &lc, Sales: sales, Previous: prev, Cash: ptr(1e12)})
		require.NoError(t, err)
		t.Logf("horizon %d: rollover %.0f, lapse %.0f", h, roll.Best.Jackpot, lapse.Best.Jackpot)
		assert.Less(t, roll.Best.Jackpot, lapse.Best.Jackpot)
		require.NotNil(t, roll.Plan)
		if h > 1 {
			assert.GreaterOrEqual(t, roll.Plan.NextIfUnwon, roll.Best.Jackpot, "an unwon jackpot is announced again")
		}
	}

	// After an unwon draw the carried jackpot is the floor.
	p.Previous = &optimise.PreviousDraw{Jackpot: 40e6, Won: false, WonKnown: true}
	res, err := optimise.Optimise(p)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, res.Best.Jackpot, 40e6)
}

func TestBindingConstraintIsNamedWithItsSlack(t *testing.T) {
	// A postcode draw whose per-ticket prize is capped at 10% of proceeds,
	// with sales elastic enough that the cap is what stops a larger prize.
	c := &config.Country{
		Country: "GB", Currency: "GBP", TicketPrice: 3, DrawDay: "saturday",
		Mechanism:           config.Mechanism{Type: config.MechanismPostcode, Postcode: &config.Postcode{TicketsInDrawnPostcode: []config.TicketsProbability{{Tickets: 1, Probability: 0.5}, {Tickets: 3, Probability: 0.5}}}},
		SecondaryPrizeShare: 0.1, CostShare: 0.3,
		Jackpot: config.JackpotGrid{Min: 5000, Max: 500000, Step: 250},
		Constraints: config.Constraints{
			Cash:         config.CashSafety{Reserve: 1e6, Epsilon: 0.01},
			PerTicketCap: &config.TicketCap{Floor: 25000, ShareOfProceeds: 0.1, Ceiling: 500000},
			SalesTail:    0.01,
		},
		Planning: config.Planning{HorizonWeeks: 1, WeeklyDiscount: 1, StatePoints: 16},
	}
	sales := powerSales{logA: math.Log(300000) - 0.8*math.Log(100000), b: 0.8, sd: 0.03}
	res, err := optimise.Optimise(&optimise.Problem{Config: c, Sales: sales, Cash: ptr(1e9)})
	require.NoError(t, err)
	require.Equal(t, optimise.StatusOptimal, res.Status)

	var capReport *optimise.ConstraintReport
	for i := range res.Constraints {
		if res.Constraints[i].Name == optimise.NamePerTicketCap {
			capReport = &res.Constraints[i]
		}
	}
	require.NotNil(t, capReport)
	assert.True(t, capReport.Binding)
	assert.GreaterOrEqual(t, capReport.Slack, 0.0)
	assert.Less(t, capReport.Slack, c.Jackpot.Step, "the recommendation sits on the cap, within one grid step")
	for _, r := range res.Constraints {
		if r.Name != optimise.NamePerTicketCap {
			assert.False(t, r.Binding, "%s should not bind", r.Name)
		}
	}
	above := 0
	for _, pt := range res.Curve {
		if pt.Jackpot > res.Best.Jackpot {
			above++
			assert.False(t, pt.Feasible)
			assert.Contains(t, pt.Violated, optimise.NamePerTicketCap)
			assert.Greater(t, pt.Objective, res.Best.Objective, "the cap costs revenue")
		}
	}
	assert.Positive(t, above)
}

func TestInfeasibleProblemsNameTheirConstraints(t *testing.T) {
	postcode := func() *config.Country {
		c := lapseConfig()
		c.Mechanism = config.Mechanism{Type: config.MechanismPostcode, Postcode: &config.Postcode{TicketsInDrawnPostcode: []config.TicketsProbability{{Tickets: 2, Probability: 0.9}, {Tickets: 50, Probability: 0.1}}}}
		c.Jackpot = config.JackpotGrid{Min: 10000, Max: 1e6, Step: 1000}
		return c
	}
	history := func(weeks int, revenue, prizes float64) []optimise.PastWeek {
		out := make([]optimise.PastWeek, weeks)
		for i := range out {
			out[i] = optimise.PastWeek{Revenue: revenue, Prizes: prizes}
		}
		return out
	}
	sales := powerSales{logA: math.Log(1e5), b: 0.2, sd: 0.05}
	cases := []struct {
		name  string
		setup func() *optimise.Problem
		want  []string
	}{
		{
			name: "cash cannot cover the smallest prize in the fullest postcode",
			setup: func() *optimise.Problem {
				c := postcode()
				c.Constraints.Cash = config.CashSafety{Reserve: 1e6, Epsilon: 0}
				return &optimise.Problem{Config: c, Sales: sales, Cash: ptr(1.2e6)}
			},
			want: []string{optimise.NameCashSafetyNet},
		},
		{
			name: "carried jackpot exceeds the maximum",
			setup: func() *optimise.Problem {
				c := lapseConfig()
				c.Mechanism.Lotto.Unwon = config.UnwonRollover
				return &optimise.Problem{Config: c, Sales: sales, Cash: ptr(1e12), Previous: &optimise.PreviousDraw{Jackpot: 150e6, Won: false, WonKnown: true}}
			},
			want: []string{optimise.NameRolloverCarry, optimise.NameJackpotMax},
		},
		{
			name: "charity share already below its minimum over the window",
			setup: func() *optimise.Problem {
				c := postcode()
				c.Constraints.CharityShare = &config.RatioWindow{WindowWeeks: 4, Min: ptr(0.40)}
				return &optimise.Problem{Config: c, Sales: sales, Cash: ptr(1e12), Recent: history(3, 1e6, 0.7e6)}
			},
			want: []string{optimise.NameCharityShareMin},
		},
		{
			name: "payout floor fails in the unwon outcome whatever the jackpot",
			setup: func() *optimise.Problem {
				c := lapseConfig()
				c.Constraints.PayoutRatio = &config.RatioWindow{WindowWeeks: 2, Min: ptr(0.35), Max: ptr(0.9)}
				return &optimise.Problem{Config: c, Sales: sales, Cash: ptr(1e12), Recent: history(1, 1e5, 0.2e5)}
			},
			want: []string{optimise.NamePayoutRatioMin},
		},
		{
			name: "change limit keeps the prize above what cash allows",
			setup: func() *optimise.Problem {
				c := postcode()
				c.Constraints.MaxWeeklyChange = ptr(0.1)
				c.Constraints.Cash = config.CashSafety{Reserve: 0, Epsilon: 0}
				return &optimise.Problem{Config: c, Sales: sales, Cash: ptr(20e6), Previous: &optimise.PreviousDraw{Jackpot: 800000, Won: true, WonKnown: true}}
			},
			want: []string{optimise.NameCashSafetyNet},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.setup()
			res, err := optimise.Optimise(p)
			require.NoError(t, err)
			assert.Equal(t, optimise.StatusInfeasible, res.Status)
			assert.Nil(t, res.Best, "an infeasible problem has no recommendation")
			assert.ElementsMatch(t, tc.want, res.InfeasibleBecause)
			grid, _, err := optimise.BruteForce(p)
			require.NoError(t, err)
			assert.Nil(t, grid, "the dense grid agrees that nothing is feasible")
		})
	}
}

func TestCashUncheckedWithoutAvailableCash(t *testing.T) {
	c := lapseConfig()
	c.Constraints.Cash = config.CashSafety{Reserve: 5e6, Epsilon: 0}
	res, err := optimise.Optimise(&optimise.Problem{Config: c, Sales: powerSales{b: 0.5, sd: 0.05}})
	require.NoError(t, err)
	require.Equal(t, optimise.StatusCashUnchecked, res.Status)
	cash, ok := res.Best.Check(optimise.NameCashSafetyNet)
	require.True(t, ok)
	assert.False(t, cash.Enforced)
	assert.InDelta(t, 5e6+res.Best.PayoutAtRisk, res.Best.RequiredCash, 1e-6)
	assert.GreaterOrEqual(t, res.Best.PayoutAtRisk, res.Best.Jackpot, "worst case includes the jackpot being won")

	// Supplying exactly the required cash makes the same jackpot feasible.
	withCash, err := optimise.Optimise(&optimise.Problem{Config: c, Sales: powerSales{b: 0.5, sd: 0.05}, Cash: ptr(res.Best.RequiredCash)})
	require.NoError(t, err)
	assert.Equal(t, optimise.StatusOptimal, withCash.Status)
	assert.Equal(t, res.Best.Jackpot, withCash.Best.Jackpot)
}
