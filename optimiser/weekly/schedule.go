package weekly

import (
	"fmt"
	"time"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/sales"
)

// A history row is a week (week_start) or a draw (draw_date). Either way
// the decision is for one draw: its date, and for a weekly history the
// start of its week, which is what the sales model's trend and season are
// measured from.

// drawDateOf is the date of a row's draw: the row's date for a draw-level
// history, else the first day on or after week_start that is the row's
// draw day (or the configured one when the history has no draw_day).
func drawDateOf(c *config.Country, h *dataset.History, w dataset.Week) time.Time {
	if h.DrawLevel {
		return w.Start
	}
	day := c.Weekday()
	if h.Columns.DrawDay {
		day = w.DrawDay
	}
	return onOrAfter(w.Start, day)
}

func onOrAfter(t time.Time, day time.Weekday) time.Time {
	return t.AddDate(0, 0, (int(day)-int(t.Weekday())+7)%7)
}

// isDrawDay reports whether a date is one of the configured draw days.
func isDrawDay(c *config.Country, t time.Time) bool {
	for _, d := range c.Weekdays() {
		if t.Weekday() == d {
			return true
		}
	}
	return false
}

// nextScheduled is the first configured draw day strictly after t.
func nextScheduled(c *config.Country, t time.Time) time.Time {
	for d := 1; ; d++ {
		if next := t.AddDate(0, 0, d); isDrawDay(c, next) {
			return next
		}
	}
}

// Decision is the draw being decided.
type Decision struct {
	// DrawDate is the date of the draw.
	DrawDate time.Time
	// WeekStart is the start of its week in a weekly history (the date the
	// sales model measures trend and season from); the draw date in a
	// draw-level history.
	WeekStart time.Time
	// DrawsAfterHistory counts the scheduled draws from the history's last
	// one to this one (1 = the next draw).
	DrawsAfterHistory int
	// StalenessDays is the time from the history's last draw to this one.
	StalenessDays int
}

// StaleError is a history that ends too long before the draw being decided.
type StaleError struct {
	Country, Source   string
	LastDraw, Decided time.Time
	Days, Max         int
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("%s: sales history %s ends with the draw of %s, %d days before the draw being decided (%s); history.max_staleness_days is %d: "+
		"add the missing draws to the history, or decide an earlier draw (--draw)", e.Country, e.Source,
		e.LastDraw.Format(dataset.DateLayout), e.Days, e.Decided.Format(dataset.DateLayout), e.Max)
}

// Decide returns the draw to decide: the one on `draw` (zero = the first
// scheduled draw after the history) after checking that it is a scheduled
// draw after the history, that the history is recent enough for it
// (history.max_staleness_days) and, with rollover, that it is the very next
// draw (the outcome of every draw in between would be needed).
func Decide(c *config.Country, h *dataset.History, draw time.Time) (Decision, error) {
	last := drawDateOf(c, h, h.Last())
	if draw.IsZero() {
		draw = nextScheduled(c, last)
	}
	draw = time.Date(draw.Year(), draw.Month(), draw.Day(), 0, 0, 0, 0, time.UTC)
	if !draw.After(last) {
		return Decision{}, fmt.Errorf("%s: the draw to decide (%s) is not after the history's last draw (%s); name a later draw",
			c.Country, draw.Format(dataset.DateLayout), last.Format(dataset.DateLayout))
	}
	if !isDrawDay(c, draw) {
		return Decision{}, fmt.Errorf("%s: %s is a %s, not a draw day (draw days: %s); name a scheduled draw",
			c.Country, draw.Format(dataset.DateLayout), draw.Weekday(), c.DrawDaysLabel())
	}
	d := Decision{DrawDate: draw, WeekStart: draw, StalenessDays: int(draw.Sub(last).Hours() / 24)}
	for t := last; t.Before(draw); t = nextScheduled(c, t) {
		d.DrawsAfterHistory++
	}
	if !h.DrawLevel {
		// The week whose draw this is, counted in whole weeks from the
		// history's last week_start.
		weeks := int(draw.Sub(h.Last().Start).Hours()/24) / 7
		d.WeekStart = h.Last().Start.AddDate(0, 0, 7*weeks)
		if onOrAfter(d.WeekStart, c.Weekday()).Before(draw) {
			d.WeekStart = d.WeekStart.AddDate(0, 0, 7)
		}
	}
	if d.StalenessDays > c.History.MaxStalenessDays {
		return Decision{}, &StaleError{Country: c.Country, Source: h.Source, LastDraw: last, Decided: draw, Days: d.StalenessDays, Max: c.History.MaxStalenessDays}
	}
	if c.IsRollover() && d.DrawsAfterHistory > 1 {
		return Decision{}, fmt.Errorf("%s: the draw of %s is %d draws after the history's last (%s), and with rollover the outcome of every draw in between decides what is owed; add those draws to the history",
			c.Country, draw.Format(dataset.DateLayout), d.DrawsAfterHistory, last.Format(dataset.DateLayout))
	}
	return d, nil
}

// NextDrawAfter is the first scheduled draw strictly after the day of t,
// e.g. the pipeline's "next draw after today".
func NextDrawAfter(c *config.Country, t time.Time) time.Time {
	return nextScheduled(c, time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
}

// upcoming returns the sales-model inputs of the decided draw and the n−1
// scheduled draws after it, with marketing spend at its last observed level.
func upcoming(c *config.Country, h *dataset.History, d Decision, n int) []sales.Inputs {
	out := make([]sales.Inputs, 0, n)
	spend := h.Last().MarketingSpend
	if !h.DrawLevel {
		for a := range n {
			out = append(out, sales.Inputs{WeekStart: d.WeekStart.AddDate(0, 0, 7*a), DrawDay: c.Weekday(), MarketingSpend: spend})
		}
		return out
	}
	t := d.DrawDate
	for range n {
		out = append(out, sales.Inputs{WeekStart: t, DrawDay: t.Weekday(), MarketingSpend: spend})
		t = nextScheduled(c, t)
	}
	return out
}

// InputsFor returns the sales-model inputs of a decided draw.
func InputsFor(c *config.Country, h *dataset.History, d Decision) sales.Inputs {
	return upcoming(c, h, d, 1)[0]
}
