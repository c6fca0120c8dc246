// Package weekly is the weekly job for one country: check the history
// against the configuration, decide which draw is being decided (and that the
// history is recent enough for it), train (or load) the sales model and
// enforce its quality gate, forecast the draw, optimise the jackpot and
// assemble the recommendation. It does no I/O, so the same code runs in the container, on
// a laptop and in tests.
package weekly

import (
	"fmt"
	"math"
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

// Input is one country's run.
type Input struct {
	Config  *config.Country
	History *dataset.History
	// Model is a previously trained artefact; nil trains one now.
	Model *sales.Artefact
	// Cash is the available cash; nil when it was not supplied.
	Cash *float64
	Seed int64
	Now  time.Time
	// DrawDate is the draw to decide; zero decides the first scheduled draw
	// after the history.
	DrawDate time.Time
}

// Output is the result of one country's run.
type Output struct {
	Config         *config.Country
	History        *dataset.History
	Model          *sales.Artefact
	ModelJSON      []byte
	Decision       Decision
	Result         *optimise.Result
	Recommendation report.Recommendation
}

// Train checks the history and trains the sales model, choosing its
// features by walk-forward validation. The artefact records whether it
// passed its quality gate; call Check to enforce it.
func Train(c *config.Country, h *dataset.History, now time.Time) (*sales.Artefact, error) {
	if err := CheckHistory(c, h); err != nil {
		return nil, err
	}
	if err := sales.CheckOutliers(c, h); err != nil {
		return nil, err
	}
	return sales.Train(c, h, now)
}

// forecaster adapts the fitted model to the optimiser: draw `ahead` is the
// decided draw plus `ahead` scheduled draws.
type forecaster struct{ draws []sales.Week }

func (f forecaster) Forecast(ahead int, jackpot float64) (float64, float64) {
	fc := f.draws[min(ahead, len(f.draws)-1)].Forecast(jackpot)
	return fc.LogMean, fc.LogSD
}

// Forecaster builds the optimiser's sales forecaster for the first
// scheduled draw after the history and the ones after it.
func Forecaster(m *sales.Model, c *config.Country, h *dataset.History) (optimise.Forecaster, error) {
	d, err := nextDecision(c, h)
	if err != nil {
		return nil, err
	}
	return ForecasterAt(m, c, h, d)
}

// nextDecision is the first scheduled draw after the history, whatever the
// staleness limit.
func nextDecision(c *config.Country, h *dataset.History) (Decision, error) {
	lenient := *c
	lenient.History.MaxStalenessDays = math.MaxInt32
	return Decide(&lenient, h, time.Time{})
}

// ForecasterAt builds the forecaster for a decided draw and the draws the
// rollover plan looks ahead to.
func ForecasterAt(m *sales.Model, c *config.Country, h *dataset.History, d Decision) (optimise.Forecaster, error) {
	f := forecaster{}
	for _, in := range upcoming(c, h, d, c.Planning.HorizonWeeks*c.DrawsPerWeek()) {
		if err := m.CheckInputs(in); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Country, err)
		}
		f.draws = append(f.draws, m.ForWeek(in))
	}
	return f, nil
}

// Problem assembles the optimisation problem for the first scheduled draw
// after the history.
func Problem(c *config.Country, h *dataset.History, f optimise.Forecaster, cash *float64, seed int64) *optimise.Problem {
	d, err := nextDecision(c, h)
	if err != nil {
		d = Decision{}
	}
	return ProblemAt(c, h, f, cash, seed, d, nil)
}

// ProblemAt assembles the optimisation problem for a decided draw: the
// history's revenue and prizes by draw date for the rolling windows, the
// last draw's jackpot and outcome, and the jackpots the model may be used
// for.
func ProblemAt(c *config.Country, h *dataset.History, f optimise.Forecaster, cash *float64, seed int64, d Decision, modelRange *optimise.Range) *optimise.Problem {
	recent := make([]optimise.PastWeek, h.Len())
	for i, w := range h.Weeks {
		recent[i] = optimise.PastWeek{Revenue: w.TicketsSold * c.TicketPrice, Prizes: w.PrizesPaid, Date: drawDateOf(c, h, w)}
	}
	last := h.Last()
	won := last.JackpotWon
	if c.Mechanism.Type == config.MechanismPostcode {
		won = true // a postcode draw is always won
	}
	return &optimise.Problem{
		Config: c, Sales: f, Recent: recent, Cash: cash, Seed: seed, Date: d.DrawDate, DrawsPerWeek: c.DrawsPerWeek(), ModelRange: modelRange,
		Previous: &optimise.PreviousDraw{Jackpot: last.JackpotAnnounced, Won: won, WonKnown: h.Columns.JackpotWon || c.Mechanism.Type == config.MechanismPostcode},
	}
}

// Recommend runs one country's job for one draw: check the history, decide
// which draw, train or load the model and enforce its gate, optimise within
// the jackpots the model may be used for, and build the recommendation.
// Any non-finite number is an error naming the country and the quantity.
func Recommend(in Input) (*Output, error) {
	c, h := in.Config, in.History
	if err := CheckHistory(c, h); err != nil {
		return nil, err
	}
	d, err := Decide(c, h, in.DrawDate)
	if err != nil {
		return nil, err
	}
	if err := sales.CheckOutliers(c, h); err != nil {
		return nil, err
	}
	a := in.Model
	if a == nil {
		if a, err = sales.Train(c, h, in.Now); err != nil {
			return nil, err
		}
	}
	if err := a.Check(); err != nil {
		return nil, err
	}
	f, err := ForecasterAt(a.Model, c, h, d)
	if err != nil {
		return nil, err
	}
	lo, hi := a.Model.Range(c.Model.ExtrapolationFactor)
	res, err := optimise.Optimise(ProblemAt(c, h, f, in.Cash, in.Seed, d, &optimise.Range{From: lo, To: hi}))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Country, err)
	}
	modelJSON, err := a.Marshal()
	if err != nil {
		return nil, err
	}
	out := &Output{Config: c, History: h, Model: a, ModelJSON: modelJSON, Decision: d, Result: res}
	out.Recommendation = report.BuildRecommendation(report.Inputs{
		Config: c, WeekStart: d.WeekStart, DrawDate: d.DrawDate, DrawLevel: h.DrawLevel, Model: a, Result: res, Cash: in.Cash,
		HistoryLast: drawDateOf(c, h, h.Last()), StalenessDays: d.StalenessDays,
	})
	if behind := in.Now.Sub(d.DrawDate); behind > staleAfter {
		out.Recommendation.Notes = append(out.Recommendation.Notes, fmt.Sprintf(
			"the draw decided (%s) is %d days before this run; the recommendation is for the draw after the history, not the current one",
			d.DrawDate.Format(dataset.DateLayout), int(behind.Hours()/24)))
	}
	if err := report.CheckFinite(out.Recommendation); err != nil {
		return nil, fmt.Errorf("%s: %w", c.Country, err)
	}
	return out, nil
}
