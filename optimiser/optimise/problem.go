// Package optimise chooses the jackpot of the next draw for one country: the
// announceable jackpot (on the configured grid) with the highest expected net
// revenue such that every hard constraint holds — the jackpot bounds, the
// week-on-week change limit, the per-ticket prize cap, the two-sided
// rolling-window payout and charity-share rules (checked on the real history
// plus the candidate week, in the won and the unwon outcome), and the cash
// safety net as a chance constraint. With rollover it plans over a horizon,
// so an unwon jackpot is carried as a liability rather than counted as a
// saving.
//
// The search is a dense scan: the interval constraints (bounds, change
// limit, carry, the sales model's range) are applied analytically and every
// grid point inside them is evaluated, so the recommendation is the best
// feasible point of the grid whatever the shape of the sales curve or of the
// feasible set, and "infeasible" means that no grid point satisfies every
// constraint. No output carries a non-finite number: such a value is an
// error naming the quantity and the jackpot.
package optimise

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/aifactory/platform/optimiser/config"
)

// Forecaster predicts log tickets sold. ahead is the number of weeks after
// the week being decided (0 = that week); the rollover plan asks for later
// weeks.
type Forecaster interface {
	Forecast(ahead int, jackpot float64) (logMean, logSD float64)
}

// PastWeek is the revenue and prizes of one week (or one draw) of real
// history.
type PastWeek struct {
	Revenue float64
	Prizes  float64
	// Date is the draw's date. When the problem has a Date, the
	// rolling windows take every past draw within window_weeks of it;
	// otherwise each entry counts as one week.
	Date time.Time
}

// PreviousDraw is last week's announced jackpot and its outcome.
type PreviousDraw struct {
	Jackpot float64
	// Won is whether the jackpot was won; WonKnown is false when the history
	// does not record it.
	Won, WonKnown bool
}

// Problem is one week's decision for one country.
type Problem struct {
	Config *config.Country
	Sales  Forecaster
	// Recent holds the weeks (or draws) before the decided one, oldest
	// first; the rolling-window constraints use those of the window.
	Recent []PastWeek
	// Date is the date of the draw being decided. With it, a window of W
	// weeks covers every past draw less than 7·W days before it; without
	// it, the last W−1 entries of Recent.
	Date time.Time
	// DrawsPerWeek is how many draws the rollover plan schedules per week
	// (0 = 1): its horizon is planning.horizon_weeks weeks of draws.
	DrawsPerWeek int
	// Previous is last week's draw; nil when there is no history.
	Previous *PreviousDraw
	// Cash is the cash available to pay prizes; nil when it was not supplied,
	// in which case the cash safety net is reported but not enforced.
	Cash *float64
	// Seed drives the Monte Carlo cross-check of the cash chance constraint.
	Seed int64
	// ModelRange bounds the jackpots the sales model may be asked about:
	// the range of jackpots the history has seen, widened by the configured
	// extrapolation factor. Outside it a fitted curve is extrapolation and
	// may be wildly wrong (or overflow), so it is a hard constraint. Nil
	// means no bound.
	ModelRange *Range
}

func (p *Problem) check() error {
	if p.Config == nil {
		return errors.New("optimise: problem has no config")
	}
	if p.Sales == nil {
		return errors.New("optimise: problem has no sales forecaster")
	}
	if r := p.ModelRange; r != nil && !(r.From > 0 && r.To >= r.From && isFinite(r.To)) {
		return fmt.Errorf("optimise: model range [%v, %v] is not a positive interval", r.From, r.To)
	}
	if p.Cash != nil && (math.IsNaN(*p.Cash) || math.IsInf(*p.Cash, 0) || *p.Cash < 0) {
		return fmt.Errorf("available cash must be a finite amount ≥ 0, got %v", *p.Cash)
	}
	if p.Config.IsRollover() && p.Previous != nil && !p.Previous.WonKnown {
		return errors.New("rollover needs to know whether last week's jackpot was won: add the jackpot_won column to the sales history")
	}
	for _, w := range []*config.RatioWindow{p.Config.Constraints.PayoutRatio, p.Config.Constraints.CharityShare} {
		if w != nil && len(p.Recent) == 0 && w.WindowWeeks > 1 {
			return errors.New("rolling-window constraints need history: the sales history has no past weeks")
		}
	}
	return nil
}

// Status of a result.
const (
	// StatusOptimal: every constraint was checked and holds.
	StatusOptimal = "optimal"
	// StatusInfeasible: no announceable jackpot satisfies the constraints.
	StatusInfeasible = "infeasible"
	// StatusCashUnchecked: the best jackpot under every other constraint;
	// the cash safety net could not be checked because no available cash
	// was supplied. The required cash is reported instead.
	StatusCashUnchecked = "cash_unchecked"
)

// Constraint names, stable across versions: they appear in outputs.
const (
	NameJackpotMin      = "jackpot_min"
	NameJackpotMax      = "jackpot_max"
	NameWeeklyIncrease  = "weekly_change_up"
	NameWeeklyDecrease  = "weekly_change_down"
	NameRolloverCarry   = "rollover_carry"
	NamePerTicketCap    = "per_ticket_cap"
	NamePayoutRatioMin  = "payout_ratio_min"
	NamePayoutRatioMax  = "payout_ratio_max"
	NameCharityShareMin = "charity_share_min"
	NameCharityShareMax = "charity_share_max"
	NameCashSafetyNet   = "cash_safety_net"
	NameModelRangeMin   = "model_range_min"
	NameModelRangeMax   = "model_range_max"
)

// Bound says which side of the limit is allowed.
type Bound string

// Bound kinds.
const (
	AtLeast Bound = "min"
	AtMost  Bound = "max"
)

// Check is one constraint evaluated at one jackpot.
type Check struct {
	Name  string
	Bound Bound
	Value float64
	Limit float64
	// Unit is "currency" or "ratio".
	Unit string
	// Scenario describes the outcome in which Value was measured (the worst
	// one for this constraint).
	Scenario string
	// Enforced is false for a constraint that could not be checked (the cash
	// safety net without an available-cash figure).
	Enforced bool
}

// Slack is how far the value is inside the limit (negative = violated).
func (c Check) Slack() float64 {
	if c.Bound == AtMost {
		return c.Limit - c.Value
	}
	return c.Value - c.Limit
}

// tolerance absorbs floating-point noise in slack comparisons.
func (c Check) tolerance() float64 { return 1e-9 * math.Max(1, math.Abs(c.Limit)) }

// Holds reports whether the constraint is satisfied (or not enforced).
func (c Check) Holds() bool { return !c.Enforced || c.Slack() >= -c.tolerance() }

// violation is a scale-free measure of how badly the constraint fails.
func (c Check) violation() float64 {
	if c.Holds() {
		return 0
	}
	return -c.Slack() / math.Max(math.Abs(c.Limit), 1e-3)
}
