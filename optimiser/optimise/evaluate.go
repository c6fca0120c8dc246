package optimise

import (
	"fmt"
	"math"

	"github.com/aifactory/platform/optimiser/config"
)

// Evaluation is everything known about one candidate jackpot.
type Evaluation struct {
	Jackpot float64
	// Objective is what the search maximises: the week's expected net
	// revenue, plus (with rollover) the discounted value of the rest of the
	// horizon, in which an unwon jackpot is still owed.
	Objective float64
	// NetRevenue is the week's expected revenue − costs − prizes.
	NetRevenue float64
	// Tickets is the lognormal sales forecast.
	TicketsLogMean, TicketsLogSD float64
	ExpectedTickets              float64
	// WinProbability is the chance the jackpot is won (1 for postcode draws).
	WinProbability        float64
	ExpectedJackpotPayout float64
	// PayoutAtRisk is the payout the cash safety net must cover: its
	// (1 − ε) quantile, or the worst plausible payout when ε = 0. It and
	// RequiredCash (reserve + PayoutAtRisk) are filled in for the
	// recommendation only (NaN elsewhere).
	PayoutAtRisk float64
	RequiredCash float64
	Checks       []Check
	Feasible     bool
	Violation    float64
}

// Check returns the named check.
func (e *Evaluation) Check(name string) (Check, bool) {
	for _, c := range e.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// Violated lists the names of the constraints that fail.
func (e *Evaluation) Violated() []string {
	var out []string
	for _, c := range e.Checks {
		if !c.Holds() {
			out = append(out, c.Name)
		}
	}
	return out
}

type limit struct {
	name  string
	value float64
}

type window struct {
	cfg             *config.RatioWindow
	revenue, prizes float64 // sums over the last window−1 real weeks
	charity         bool
}

// evaluator computes objective and constraints for week 0 and counts its
// evaluations.
type evaluator struct {
	p                 *Problem
	cfg               *config.Country
	margin, perTicket float64
	tail              float64
	lotto             bool
	pWin              float64
	kValues, kProbs   []float64
	lower, upper      []limit
	windows           []window
	plan              *plan
	count             int
}

func newEvaluator(p *Problem) *evaluator {
	c := p.Config
	e := &evaluator{
		p:         p,
		cfg:       c,
		margin:    c.TicketPrice * (1 - c.SecondaryPrizeShare - c.CostShare),
		perTicket: c.TicketPrice * c.SecondaryPrizeShare,
		tail:      c.Constraints.SalesTail,
		lotto:     c.Mechanism.Type == config.MechanismLotto,
	}
	if e.lotto {
		e.pWin = c.Mechanism.Lotto.WinProbability
	} else {
		for _, pt := range sortedPostcode(c.Mechanism.Postcode.TicketsInDrawnPostcode) {
			e.kValues = append(e.kValues, float64(pt.Tickets))
			e.kProbs = append(e.kProbs, pt.Probability)
		}
	}
	e.lower = []limit{{NameJackpotMin, c.Jackpot.Min}}
	e.upper = []limit{{NameJackpotMax, c.Jackpot.Max}}
	if r := p.ModelRange; r != nil {
		e.lower = append(e.lower, limit{NameModelRangeMin, r.From})
		e.upper = append(e.upper, limit{NameModelRangeMax, r.To})
	}
	if prev := p.Previous; prev != nil {
		resetAfterWin := e.lotto && prev.WonKnown && prev.Won
		if d := c.Constraints.MaxWeeklyChange; d != nil && !resetAfterWin {
			e.upper = append(e.upper, limit{NameWeeklyIncrease, prev.Jackpot * (1 + *d)})
			e.lower = append(e.lower, limit{NameWeeklyDecrease, prev.Jackpot * (1 - *d)})
		}
		if c.IsRollover() && !prev.Won {
			e.lower = append(e.lower, limit{NameRolloverCarry, prev.Jackpot})
		}
	}
	for _, w := range []struct {
		cfg     *config.RatioWindow
		charity bool
	}{{c.Constraints.PayoutRatio, false}, {c.Constraints.CharityShare, true}} {
		if w.cfg == nil {
			continue
		}
		win := window{cfg: w.cfg, charity: w.charity}
		for _, pw := range windowOf(p, w.cfg.WindowWeeks) {
			win.revenue += pw.Revenue
			win.prizes += pw.Prizes
		}
		e.windows = append(e.windows, win)
	}
	return e
}

// windowOf returns the past draws a rolling window of weeks covers besides
// the decided one: by date when the problem has one, else the last
// weeks−1 entries.
func windowOf(p *Problem, weeks int) []PastWeek {
	if p.Date.IsZero() {
		return p.Recent[max(0, len(p.Recent)-(weeks-1)):]
	}
	from := p.Date.AddDate(0, 0, -7*weeks)
	i := len(p.Recent)
	for i > 0 && p.Recent[i-1].Date.After(from) {
		i--
	}
	return p.Recent[i:]
}

func sortedPostcode(pts []config.TicketsProbability) []config.TicketsProbability {
	out := append([]config.TicketsProbability(nil), pts...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Tickets < out[j-1].Tickets; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// interval returns the jackpot range allowed by the plain bounds, and the
// names of the bounds that set each end.
func (e *evaluator) interval() (lo, hi float64, loName, hiName string) {
	lo, hi = math.Inf(-1), math.Inf(1)
	for _, l := range e.lower {
		if l.value > lo {
			lo, loName = l.value, l.name
		}
	}
	for _, u := range e.upper {
		if u.value < hi {
			hi, hiName = u.value, u.name
		}
	}
	return lo, hi, loName, hiName
}

func (e *evaluator) payout(jackpot float64, tickets lognormal) payoutModel {
	return payoutModel{
		jackpot: jackpot, perTicket: e.perTicket, tickets: tickets,
		lotto: e.lotto, p: e.pWin, kValues: e.kValues, kProbs: e.kProbs,
	}
}

// ticketCap is the largest prize a single ticket may win given the draw's
// proceeds.
func ticketCap(t *config.TicketCap, proceeds float64) float64 {
	if t.ShareOfProceeds == 0 {
		return t.Ceiling
	}
	return math.Min(t.Ceiling, math.Max(t.Floor, t.ShareOfProceeds*proceeds))
}

// winChance is the expected probability that the jackpot is won.
func (e *evaluator) winChance(d lognormal) float64 {
	if !e.lotto {
		return 1
	}
	return d.expect(func(n float64) float64 { return winProbability(e.pWin, n) })
}

// evaluate computes the objective and every constraint at a jackpot.
func (e *evaluator) evaluate(jackpot float64) *Evaluation {
	e.count++
	c := e.cfg
	d := newLognormal(e.p.Sales.Forecast(0, jackpot))
	ev := &Evaluation{Jackpot: jackpot, TicketsLogMean: d.mu, TicketsLogSD: d.sd, ExpectedTickets: d.mean()}
	ev.WinProbability = e.winChance(d)
	pm := e.payout(jackpot, d)
	ev.ExpectedJackpotPayout = pm.expectedJackpotPayout(ev.WinProbability)
	ev.NetRevenue = e.margin*ev.ExpectedTickets - ev.ExpectedJackpotPayout
	ev.Objective = ev.NetRevenue
	if e.plan != nil {
		won, unwon := e.plan.continuation(jackpot)
		ev.Objective += e.plan.discount * (ev.WinProbability*won + (1-ev.WinProbability)*unwon)
	}

	for _, l := range e.lower {
		ev.Checks = append(ev.Checks, Check{Name: l.name, Bound: AtLeast, Value: jackpot, Limit: l.value, Unit: "currency", Enforced: true})
	}
	for _, u := range e.upper {
		ev.Checks = append(ev.Checks, Check{Name: u.name, Bound: AtMost, Value: jackpot, Limit: u.value, Unit: "currency", Enforced: true})
	}

	lowSales, highSales := d.quantile(e.tail), d.quantile(1-e.tail)
	if t := c.Constraints.PerTicketCap; t != nil {
		ev.Checks = append(ev.Checks, Check{
			Name: NamePerTicketCap, Bound: AtMost, Value: jackpot,
			Limit: ticketCap(t, c.TicketPrice*lowSales), Unit: "currency", Enforced: true,
			Scenario: fmt.Sprintf("proceeds at sales P%s", pct(e.tail)),
		})
	}
	for _, w := range e.windows {
		ev.Checks = append(ev.Checks, e.windowChecks(w, jackpot, lowSales, highSales)...)
	}

	ev.Checks = append(ev.Checks, e.cashCheck(pm))
	ev.PayoutAtRisk, ev.RequiredCash = math.NaN(), math.NaN()

	ev.Feasible = true
	for _, ch := range ev.Checks {
		if !ch.Holds() {
			ev.Feasible = false
			ev.Violation += ch.violation()
		}
	}
	return ev
}

// cashCheck is the cash safety net. With ε = 0 it is the worst case in
// currency: cash − worst plausible payout ≥ reserve. With ε > 0 it is the
// chance constraint in its probability form, P(payout > cash − reserve) ≤ ε,
// which costs one evaluation of the payout distribution; the matching cash
// amounts are added for the recommendation by complete.
func (e *evaluator) cashCheck(pm payoutModel) Check {
	cs := e.cfg.Constraints.Cash
	ch := Check{Name: NameCashSafetyNet, Value: math.NaN()}
	if cs.Epsilon == 0 {
		ch.Bound, ch.Limit, ch.Unit = AtLeast, cs.Reserve, "currency"
		ch.Scenario = fmt.Sprintf("worst plausible week: jackpot won%s, sales at P%s", e.fullestPostcode(), pct(1-e.tail))
		if e.p.Cash != nil {
			ch.Value = *e.p.Cash - pm.worst(e.tail)
		}
	} else {
		ch.Bound, ch.Limit, ch.Unit = AtMost, cs.Epsilon, "probability"
		ch.Scenario = "chance that paying prizes takes cash below the reserve"
		if e.p.Cash != nil {
			ch.Value = 1 - pm.cdf(*e.p.Cash-cs.Reserve)
		}
	}
	ch.Enforced = e.p.Cash != nil
	return ch
}

// complete adds to an evaluation the payout the safety net must cover (its
// (1 − ε) quantile, or the worst plausible payout when ε = 0) and the cash
// that requires.
func (e *evaluator) complete(ev *Evaluation) {
	pm := e.payout(ev.Jackpot, newLognormal(ev.TicketsLogMean, ev.TicketsLogSD))
	cs := e.cfg.Constraints.Cash
	if cs.Epsilon == 0 {
		ev.PayoutAtRisk = pm.worst(e.tail)
	} else {
		ev.PayoutAtRisk = pm.quantile(1 - cs.Epsilon)
	}
	ev.RequiredCash = cs.Reserve + ev.PayoutAtRisk
}

func (e *evaluator) fullestPostcode() string {
	if e.lotto {
		return ""
	}
	return fmt.Sprintf(" in a postcode holding %g tickets", e.kValues[len(e.kValues)-1])
}

// windowChecks evaluates a rolling-window ratio on the real history plus the
// candidate week, in each combination of low/high sales and smallest/largest
// jackpot payout (unwon/won for lotto), keeping the worst case for each side.
func (e *evaluator) windowChecks(w window, jackpot, lowSales, highSales float64) []Check {
	c := e.cfg
	type scenario struct {
		sales, jackpotPaid float64
		label              string
	}
	var small, large float64
	var smallLabel, largeLabel string
	if e.lotto {
		small, large = 0, jackpot
		smallLabel, largeLabel = "jackpot unwon", "jackpot won"
	} else {
		kMin, kMax := e.kValues[0], e.kValues[len(e.kValues)-1]
		small, large = jackpot*kMin, jackpot*kMax
		smallLabel = fmt.Sprintf("%g winning tickets", kMin)
		largeLabel = fmt.Sprintf("%g winning tickets", kMax)
	}
	scenarios := []scenario{
		{lowSales, small, smallLabel + ", sales at P" + pct(e.tail)},
		{lowSales, large, largeLabel + ", sales at P" + pct(e.tail)},
		{highSales, small, smallLabel + ", sales at P" + pct(1-e.tail)},
		{highSales, large, largeLabel + ", sales at P" + pct(1-e.tail)},
	}
	minRatio, maxRatio := math.Inf(1), math.Inf(-1)
	var minLabel, maxLabel string
	for _, s := range scenarios {
		revenue := c.TicketPrice * s.sales
		prizes := c.SecondaryPrizeShare*revenue + s.jackpotPaid
		r := (w.prizes + prizes) / (w.revenue + revenue)
		if r < minRatio {
			minRatio, minLabel = r, s.label
		}
		if r > maxRatio {
			maxRatio, maxLabel = r, s.label
		}
	}
	var out []Check
	if !w.charity {
		if w.cfg.Min != nil {
			out = append(out, Check{Name: NamePayoutRatioMin, Bound: AtLeast, Value: minRatio, Limit: *w.cfg.Min, Unit: "ratio", Scenario: minLabel, Enforced: true})
		}
		if w.cfg.Max != nil {
			out = append(out, Check{Name: NamePayoutRatioMax, Bound: AtMost, Value: maxRatio, Limit: *w.cfg.Max, Unit: "ratio", Scenario: maxLabel, Enforced: true})
		}
		return out
	}
	// The charity share is what is left after prizes and costs, so it is
	// smallest when the payout ratio is largest.
	if w.cfg.Min != nil {
		out = append(out, Check{Name: NameCharityShareMin, Bound: AtLeast, Value: 1 - c.CostShare - maxRatio, Limit: *w.cfg.Min, Unit: "ratio", Scenario: maxLabel, Enforced: true})
	}
	if w.cfg.Max != nil {
		out = append(out, Check{Name: NameCharityShareMax, Bound: AtMost, Value: 1 - c.CostShare - minRatio, Limit: *w.cfg.Max, Unit: "ratio", Scenario: minLabel, Enforced: true})
	}
	return out
}

// pct formats a probability as a percentile label, e.g. 0.99 → "99".
func pct(q float64) string {
	return fmt.Sprintf("%g", math.Round(q*1e6)/1e4)
}
