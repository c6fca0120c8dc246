// Package weekly is the weekly job for one country: check the history
// against the configuration, train (or load) the sales model and enforce its
// quality gate, forecast next week, optimise the jackpot and assemble the
// recommendation. It does no I/O, so the same code runs in the container, on
// a laptop and in tests.
package weekly

import (
	"errors"
	"fmt"
	"time"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/aifactory/platform/optimiser/report"
	"github.com/aifactory/platform/optimiser/sales"
)

// staleAfter is how far the decided week may lie in the past before the
// recommendation warns that the history is out of date.
const staleAfter = 14 * 24 * time.Hour

// Input is one country's weekly run.
type Input struct {
	Config  *config.Country
	History *dataset.History
	// Model is a previously trained artefact; nil trains one now.
	Model *sales.Artefact
	// Cash is the available cash; nil when it was not supplied.
	Cash *float64
	Seed int64
	Now  time.Time
}

// Output is the result of one country's run.
type Output struct {
	Config         *config.Country
	History        *dataset.History
	Model          *sales.Artefact
	ModelJSON      []byte
	WeekStart      time.Time
	Result         *optimise.Result
	Recommendation report.Recommendation
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
	return errors.Join(errs...)
}

// Train checks the history and trains the sales model. The artefact records
// whether it passed its quality gate; call Check to enforce it.
func Train(c *config.Country, h *dataset.History, now time.Time) (*sales.Artefact, error) {
	if err := CheckColumns(c, h); err != nil {
		return nil, err
	}
	return sales.Train(c, h, now)
}

// forecaster adapts the fitted model to the optimiser: week `ahead` is the
// decided week plus `ahead` weeks, drawn on the configured day, with
// marketing spend held at its last observed level.
type forecaster struct{ weeks []sales.Week }

func (f forecaster) Forecast(ahead int, jackpot float64) (float64, float64) {
	fc := f.weeks[min(ahead, len(f.weeks)-1)].Forecast(jackpot)
	return fc.LogMean, fc.LogSD
}

// Forecaster builds the optimiser's sales forecaster for the weeks after the
// history.
func Forecaster(m *sales.Model, c *config.Country, h *dataset.History) (optimise.Forecaster, error) {
	start := h.NextWeekStart()
	f := forecaster{}
	for a := range c.Planning.HorizonWeeks {
		in := sales.Inputs{WeekStart: start.AddDate(0, 0, 7*a), DrawDay: c.Weekday(), MarketingSpend: h.Last().MarketingSpend}
		if err := m.CheckInputs(in); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Country, err)
		}
		f.weeks = append(f.weeks, m.ForWeek(in))
	}
	return f, nil
}

// Problem assembles the optimisation problem for the week after the history.
func Problem(c *config.Country, h *dataset.History, f optimise.Forecaster, cash *float64, seed int64) *optimise.Problem {
	recent := make([]optimise.PastWeek, h.Len())
	for i, w := range h.Weeks {
		recent[i] = optimise.PastWeek{Revenue: w.TicketsSold * c.TicketPrice, Prizes: w.PrizesPaid}
	}
	last := h.Last()
	won := last.JackpotWon
	if c.Mechanism.Type == config.MechanismPostcode {
		won = true // a postcode draw is always won
	}
	return &optimise.Problem{
		Config: c, Sales: f, Recent: recent, Cash: cash, Seed: seed,
		Previous: &optimise.PreviousDraw{Jackpot: last.JackpotAnnounced, Won: won, WonKnown: h.Columns.JackpotWon || c.Mechanism.Type == config.MechanismPostcode},
	}
}

// Recommend runs one country's weekly job.
func Recommend(in Input) (*Output, error) {
	c, h := in.Config, in.History
	if err := CheckColumns(c, h); err != nil {
		return nil, err
	}
	a := in.Model
	if a == nil {
		var err error
		if a, err = sales.Train(c, h, in.Now); err != nil {
			return nil, err
		}
	}
	if err := a.Check(); err != nil {
		return nil, err
	}
	f, err := Forecaster(a.Model, c, h)
	if err != nil {
		return nil, err
	}
	res, err := optimise.Optimise(Problem(c, h, f, in.Cash, in.Seed))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Country, err)
	}
	modelJSON, err := a.Marshal()
	if err != nil {
		return nil, err
	}
	out := &Output{Config: c, History: h, Model: a, ModelJSON: modelJSON, WeekStart: h.NextWeekStart(), Result: res}
	out.Recommendation = report.BuildRecommendation(report.Inputs{Config: c, WeekStart: out.WeekStart, Model: a, Result: res, Cash: in.Cash})
	if behind := in.Now.Sub(out.WeekStart); behind > staleAfter {
		out.Recommendation.Notes = append(out.Recommendation.Notes, fmt.Sprintf(
			"the sales history ends on %s, %d days before this run; the recommendation is for the week after the history, not the current week",
			h.Last().Start.Format(dataset.DateLayout), int(in.Now.Sub(h.Last().Start).Hours()/24)))
	}
	return out, nil
}
