package optimise

import (
	"fmt"
	"math"
	"sort"
)

// plan is the rollover horizon plan: a dynamic programme over the weeks
// after the decided one. Its state is the jackpot still owed from an unwon
// draw (0 after a win). An owed jackpot must be announced again (at least at
// the same level) and is subtracted in full at the end of the horizon, so
// leaving a jackpot unwon is never counted as a saving.
type plan struct {
	levels   []float64   // jackpot levels of the planning table, ascending
	value    [][]float64 // value[t][s], t = 1..H; s = 0: nothing owed, s = i+1: levels[i] owed
	policy   [][]int     // policy[t][s] = index into levels chosen in week t
	discount float64
	horizon  int
	evals    int
	// err is the first non-finite forecast met while planning.
	err error
}

// buildPlan solves the programme for weeks 1..H−1 (week 0 is decided by
// the search using the value of week 1).
func buildPlan(e *evaluator) *plan {
	c := e.cfg
	// The horizon is in weeks; with several draws a week the plan has that
	// many draws per week, each discounted by the weekly factor's share.
	perWeek := max(e.p.DrawsPerWeek, 1)
	pl := &plan{discount: math.Pow(c.Planning.WeeklyDiscount, 1/float64(perWeek)), horizon: c.Planning.HorizonWeeks * perWeek}
	lo, hi := c.Jackpot.Min, c.Jackpot.Max
	if r := e.p.ModelRange; r != nil {
		// Future weeks are planned only where the sales model is trusted.
		lo = c.Jackpot.Min + math.Ceil((math.Max(lo, r.From)-c.Jackpot.Min)/c.Jackpot.Step-1e-9)*c.Jackpot.Step
		hi = c.Jackpot.Min + math.Floor((math.Min(hi, r.To)-c.Jackpot.Min)/c.Jackpot.Step+1e-9)*c.Jackpot.Step
		if hi < lo {
			lo, hi = c.Jackpot.Min, c.Jackpot.Max
		}
	}
	pl.levels = planLevels(lo, hi, c.Jackpot.Step, c.Planning.StatePoints)
	n := len(pl.levels)
	H := pl.horizon
	pl.value = make([][]float64, H+1)
	pl.policy = make([][]int, H+1)
	// Terminal value: whatever is still owed when the horizon ends is paid.
	pl.value[H] = make([]float64, n+1)
	for i, l := range pl.levels {
		pl.value[H][i+1] = -l
	}
	delta := c.Constraints.MaxWeeklyChange
	for t := H - 1; t >= 1; t-- {
		reward := make([]float64, n)
		pWin := make([]float64, n)
		capOK := make([]bool, n)
		for j, J := range pl.levels {
			pl.evals++
			d := newLognormal(e.p.Sales.Forecast(t, J))
			pWin[j] = e.winChance(d)
			reward[j] = e.margin*d.mean() - J*pWin[j]
			if pl.err == nil {
				pl.err = firstNonFinite(J, quantity{fmt.Sprintf("expected tickets %d draws ahead in the rollover plan", t), d.mean()}, quantity{"planned net revenue", reward[j]})
			}
			capOK[j] = true
			if tc := c.Constraints.PerTicketCap; tc != nil {
				capOK[j] = J <= ticketCap(tc, c.TicketPrice*d.quantile(e.tail))
			}
		}
		next := pl.value[t+1]
		pl.value[t] = make([]float64, n+1)
		pl.policy[t] = make([]int, n+1)
		for s := 0; s <= n; s++ {
			owed := 0.0
			if s > 0 {
				owed = pl.levels[s-1]
			}
			best, arg := math.Inf(-1), -1
			for j, J := range pl.levels {
				carry := s > 0 && j == s-1
				if s > 0 && J < owed {
					continue
				}
				// The change limit does not apply after a win: the jackpot
				// resets. Announcing the carried amount itself is always allowed.
				if s > 0 && delta != nil && J > owed*(1+*delta) && !carry {
					continue
				}
				if !capOK[j] && !carry {
					continue
				}
				v := reward[j] + pl.discount*(pWin[j]*next[0]+(1-pWin[j])*next[j+1])
				if v > best {
					best, arg = v, j
				}
			}
			if arg < 0 {
				// Only reachable after a win when every level breaks the cap:
				// plan the smallest jackpot.
				arg = 0
				best = reward[0] + pl.discount*(pWin[0]*next[0]+(1-pWin[0])*next[1])
			}
			pl.value[t][s], pl.policy[t][s] = best, arg
		}
	}
	return pl
}

// planLevels spaces the table geometrically (jackpot effects are
// multiplicative) and snaps the levels to the announceable grid.
func planLevels(lo, hi, step float64, points int) []float64 {
	seen := map[float64]bool{}
	var out []float64
	ratio := math.Pow(hi/lo, 1/float64(points-1))
	for i := range points {
		v := lo * math.Pow(ratio, float64(i))
		v = lo + math.Round((v-lo)/step)*step
		v = math.Min(math.Max(v, lo), hi)
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Float64s(out)
	return out
}

// continuation returns the value of week 1 onwards if week 0's jackpot is
// won (nothing owed) and if it is not (the jackpot is owed).
func (pl *plan) continuation(jackpot float64) (won, unwon float64) {
	v := pl.value[1]
	return v[0], pl.interpolate(v, jackpot)
}

// interpolate reads a value row at an owed jackpot, linearly in the
// jackpot: the value of a carried liability is close to linear in its size
// (and exactly −J at the horizon's end).
func (pl *plan) interpolate(row []float64, jackpot float64) float64 {
	l := pl.levels
	// Week 0's jackpot lies within the bounds, which are the table's ends.
	if jackpot <= l[0] {
		return row[1]
	}
	if jackpot >= l[len(l)-1] {
		return row[len(l)]
	}
	i := sort.SearchFloat64s(l, jackpot)
	a, b := l[i-1], l[i]
	w := (jackpot - a) / (b - a)
	return row[i]*(1-w) + row[i+1]*w
}

// nextJackpots returns the plan's week-1 jackpot after a win and after
// week 0's jackpot goes unwon.
func (pl *plan) nextJackpots(jackpot float64) (afterWin, afterRollover float64) {
	if pl.horizon < 2 {
		return math.NaN(), math.NaN()
	}
	p := pl.policy[1]
	afterWin = pl.levels[p[0]]
	// The nearest table level at or above the owed jackpot.
	i := sort.SearchFloat64s(pl.levels, jackpot-1e-9)
	if i >= len(pl.levels) {
		i = len(pl.levels) - 1
	}
	afterRollover = math.Max(pl.levels[p[i+1]], jackpot)
	return afterWin, afterRollover
}
