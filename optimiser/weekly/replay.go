package weekly

import (
	"fmt"
	"time"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/aifactory/platform/optimiser/sales"
)

// ReplayWeek compares, for one past week, the jackpot that was announced
// with the one the optimiser would have recommended from the data available
// at the time.
type ReplayWeek struct {
	WeekStart   time.Time `json:"week_start"`
	Announced   float64   `json:"announced_jackpot"`
	Recommended *float64  `json:"recommended_jackpot"`
	Status      string    `json:"status"`
	// ActualTickets and PredictedTickets (median at the announced jackpot)
	// show the forecast error for that week.
	ActualTickets    float64 `json:"actual_tickets"`
	PredictedTickets float64 `json:"predicted_tickets"`
	// Model-expected objective at each jackpot, so the two can be compared
	// on the same footing.
	ObjectiveAnnounced   float64  `json:"objective_announced"`
	ObjectiveRecommended *float64 `json:"objective_recommended"`
	AnnouncedFeasible    bool     `json:"announced_feasible"`
	AnnouncedViolates    []string `json:"announced_violates,omitempty"`
}

// Replay re-runs the weekly decision for each of the last `weeks` weeks of
// the history, training only on the weeks before it. Cash is not known for
// past weeks, so the cash safety net is reported but not enforced.
func Replay(c *config.Country, h *dataset.History, weeks int, seed int64) ([]ReplayWeek, error) {
	if err := CheckColumns(c, h); err != nil {
		return nil, err
	}
	n := h.Len()
	if weeks < 1 || weeks >= n {
		return nil, fmt.Errorf("replay needs between 1 and %d weeks, got %d", n-1, weeks)
	}
	spec := sales.SpecFor(c)
	var out []ReplayWeek
	for t := n - weeks; t < n; t++ {
		past := h.Slice(0, t)
		m, err := sales.Fit(spec, past)
		if err != nil {
			return nil, fmt.Errorf("replay of week %s: %w", h.Weeks[t].Start.Format(dataset.DateLayout), err)
		}
		f, err := Forecaster(m, c, past)
		if err != nil {
			return nil, err
		}
		p := Problem(c, past, f, nil, seed)
		res, err := optimise.Optimise(p)
		if err != nil {
			return nil, err
		}
		actual := h.Weeks[t]
		at, err := optimise.EvaluateAt(p, actual.JackpotAnnounced)
		if err != nil {
			return nil, err
		}
		w := ReplayWeek{
			WeekStart: actual.Start, Announced: actual.JackpotAnnounced, Status: res.Status,
			ActualTickets:      actual.TicketsSold,
			PredictedTickets:   m.Forecast(sales.Inputs{WeekStart: actual.Start, DrawDay: c.Weekday(), MarketingSpend: past.Last().MarketingSpend}, actual.JackpotAnnounced).Median(),
			ObjectiveAnnounced: at.Objective, AnnouncedFeasible: at.Feasible, AnnouncedViolates: at.Violated(),
		}
		if res.Best != nil {
			j, o := res.Best.Jackpot, res.Best.Objective
			w.Recommended, w.ObjectiveRecommended = &j, &o
		}
		out = append(out, w)
	}
	return out, nil
}
