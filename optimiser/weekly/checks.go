package weekly

import (
	"errors"
	"fmt"
	"math"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
)

// CheckHistory verifies, before the history is trusted, that it has the
// columns the configuration needs, that a draw-level history holds every
// scheduled draw, and that every prizes_paid is within what the mechanism
// can pay. Errors name the file, the row and the column.
func CheckHistory(c *config.Country, h *dataset.History) error {
	if err := CheckColumns(c, h); err != nil {
		return err
	}
	if err := checkSchedule(c, h); err != nil {
		return err
	}
	return checkPrizes(c, h)
}

// CheckColumns verifies that the history has the columns the configuration
// needs, naming the column and why.
func CheckColumns(c *config.Country, h *dataset.History) error {
	var errs []error
	need := func(has bool, col, why string) {
		if !has {
			errs = append(errs, fmt.Errorf("sales history %s: missing column %s, needed because %s; add the column", h.Source, col, why))
		}
	}
	if c.IsRollover() {
		need(h.Columns.JackpotWon, dataset.ColJackpotWon, "mechanism.lotto.unwon is rollover (an unwon jackpot is still owed)")
	}
	if c.Constraints.PayoutRatio != nil {
		need(h.Columns.PrizesPaid, dataset.ColPrizesPaid, "constraints.payout_ratio is checked on the real history")
	}
	if c.Constraints.CharityShare != nil {
		need(h.Columns.PrizesPaid, dataset.ColPrizesPaid, "constraints.charity_share is checked on the real history")
	}
	if c.HasFeature(config.FeatureMarketingSpend) {
		need(h.Columns.MarketingSpend, dataset.ColMarketingSpend, "model.features includes marketing_spend")
	}
	if c.DrawsPerWeek() > 1 && !h.DrawLevel {
		errs = append(errs, fmt.Errorf("sales history %s: draw_days lists %d draws a week, so the history needs one row per draw: use a draw_date column instead of week_start", h.Source, c.DrawsPerWeek()))
	}
	return errors.Join(errs...)
}

// checkSchedule requires a draw-level history to hold exactly the
// scheduled draws between its first and last row.
func checkSchedule(c *config.Country, h *dataset.History) error {
	if !h.DrawLevel {
		return nil
	}
	var problems []dataset.Problem
	add := func(row int, format string, args ...any) {
		if len(problems) < 12 {
			problems = append(problems, dataset.Problem{Row: row, Column: dataset.ColDrawDate, Detail: fmt.Sprintf(format, args...),
				Fix: "the history needs one row for every draw on the configured draw days (" + c.DrawDaysLabel() + ")"})
		}
	}
	for i, w := range h.Weeks {
		if !isDrawDay(c, w.Start) {
			add(w.Row, "%s is a %s, not a configured draw day", w.Start.Format(dataset.DateLayout), w.Start.Weekday())
			continue
		}
		if i > 0 {
			if want := nextScheduled(c, h.Weeks[i-1].Start); want.Before(w.Start) {
				add(w.Row, "the draw of %s is missing between rows %d and %d", want.Format(dataset.DateLayout), h.Weeks[i-1].Row, w.Row)
			}
		}
	}
	if len(problems) > 0 {
		return &dataset.Error{Source: h.Source, Problems: problems}
	}
	return nil
}

// checkPrizes bounds every prizes_paid by what the draw could pay:
// secondary prizes (secondary_prize_share of the row's revenue, with
// history.prize_tolerance of margin) plus the jackpot payout the mechanism
// allows — the jackpot if a lotto jackpot was (or may have been) won, the
// prize times the fullest postcode for a postcode draw — and, from below,
// by the jackpot payout that certainly happened.
func checkPrizes(c *config.Country, h *dataset.History) error {
	if !h.Columns.PrizesPaid {
		return nil
	}
	tol := c.History.PrizeTolerance
	var kMin, kMax float64 = 1, 1
	if p := c.Mechanism.Postcode; p != nil {
		kMin, kMax = math.Inf(1), 0
		for _, pt := range p.TicketsInDrawnPostcode {
			kMin, kMax = math.Min(kMin, float64(pt.Tickets)), math.Max(kMax, float64(pt.Tickets))
		}
	}
	lotto := c.Mechanism.Type == config.MechanismLotto
	var problems []dataset.Problem
	for _, w := range h.Weeks {
		secondary := c.SecondaryPrizeShare * c.TicketPrice * w.TicketsSold
		var jackpotMin, jackpotMax float64
		var why string
		switch {
		case !lotto:
			jackpotMin, jackpotMax = w.JackpotAnnounced*kMin, w.JackpotAnnounced*kMax
			why = fmt.Sprintf("the prize %.0f times %g to %g tickets in the drawn postcode", w.JackpotAnnounced, kMin, kMax)
		case h.Columns.JackpotWon && !w.JackpotWon:
			why = "the jackpot was not won"
		case h.Columns.JackpotWon:
			jackpotMin, jackpotMax = w.JackpotAnnounced, w.JackpotAnnounced
			why = fmt.Sprintf("the jackpot of %.0f was won", w.JackpotAnnounced)
		default:
			jackpotMax = w.JackpotAnnounced
			why = fmt.Sprintf("at most the jackpot of %.0f", w.JackpotAnnounced)
		}
		hi := secondary*(1+tol) + jackpotMax
		lo := jackpotMin
		if w.PrizesPaid > hi || w.PrizesPaid < lo {
			side, bound := "more than the", hi
			if w.PrizesPaid < lo {
				side, bound = "less than the", lo
			}
			if len(problems) < 12 {
				problems = append(problems, dataset.Problem{Row: w.Row, Column: dataset.ColPrizesPaid,
					Detail: fmt.Sprintf("%.0f is %s %.0f the %s mechanism can pay that draw (secondary prizes ≈ %.0f = secondary_prize_share × revenue, %s)",
						w.PrizesPaid, side, bound, c.Mechanism.Type, secondary, why),
					Fix: "check the value (all prizes paid for that draw, in " + c.Currency + "), the row's tickets_sold, jackpot_announced and jackpot_won, or history.prize_tolerance"})
			}
		}
	}
	if len(problems) > 0 {
		return &dataset.Error{Source: h.Source, Problems: problems}
	}
	return nil
}
