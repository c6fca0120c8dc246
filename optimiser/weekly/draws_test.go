package weekly_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/aifactory/platform/optimiser/report"
	"github.com/aifactory/platform/optimiser/synthetic"
	"github.com/aifactory/platform/optimiser/weekly"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// twiceWeekly is a EuroMillions-like game: a rolling lotto drawn on Tuesdays
// and Fridays, with a two-sided payout window in weeks.
const twiceWeekly = `
country: EM
currency: EUR
ticket_price: 2.50
draw_days: [tuesday, friday]
mechanism:
  type: lotto
  lotto: {win_probability: 7.15e-9, unwon: rollover}
secondary_prize_share: 0.3
cost_share: 0.2
jackpot: {min: 17000000, max: 250000000, step: 500000}
constraints:
  payout_ratio: {window_weeks: 26, min: 0.25, max: 0.65}
  max_weekly_change: 0.5
model:
  features: [log_jackpot, log_jackpot_squared, draw_day, trend, seasonality]
  validation: {initial_weeks: 104, horizon_weeks: 4, step_weeks: 4}
  quality_gate: {max_mape: 0.06, min_r2: 0.5}
planning: {horizon_weeks: 4, weekly_discount: 0.999, state_points: 24}
`

func drawLevelHistory(t *testing.T, c *config.Country, weeks int) *dataset.History {
	t.Helper()
	s := synthetic.Scenario{
		Country: "EM", Start: time.Date(2021, 1, 5, 0, 0, 0, 0, time.UTC), Weeks: weeks, DrawLevel: true,
		BaseTickets: 8e6, ReferenceJackpot: 60e6, Elasticity: 0.35, Convexity: 0.08,
		MainDrawDay: time.Friday, OtherDrawDays: []synthetic.DayEffect{{Day: time.Tuesday, LogEffect: -0.2}},
		TrendPerYear: -0.02, SeasonAmplitude: 0.03, NoiseSD: 0.03,
		PolicyLevel: 17e6, RolloverShare: 0.12,
	}
	data, err := synthetic.Generate(c, s, 11)
	require.NoError(t, err)
	h, err := dataset.Parse(data, "em.csv")
	require.NoError(t, err)
	return h
}

func emConfig(t *testing.T) *config.Country {
	t.Helper()
	c, err := config.Parse([]byte(twiceWeekly), "em.yaml")
	require.NoError(t, err)
	return c
}

func TestDrawLevelHistoryDecidesTheNextDraw(t *testing.T) {
	c := emConfig(t)
	h := drawLevelHistory(t, c, 160)
	require.True(t, h.DrawLevel)
	last := h.Last().Start
	out, err := weekly.Recommend(weekly.Input{Config: c, History: h, Seed: 1, Now: now})
	require.NoError(t, err)
	rec := out.Recommendation
	want := last.AddDate(0, 0, 3)
	if last.Weekday() == time.Friday {
		want = last.AddDate(0, 0, 4)
	}
	assert.Equal(t, want.Format(dataset.DateLayout), rec.DrawDate, "the draw after the history's last")
	assert.Equal(t, strings.ToLower(want.Weekday().String()), rec.DrawDay)
	assert.Equal(t, "draw", rec.History.Granularity)
	require.NotNil(t, rec.RecommendedJackpot)
	require.NotNil(t, rec.Plan)
	assert.Equal(t, 8, rec.Plan.HorizonDraws, "4 weeks of two draws")
	if !h.Last().JackpotWon {
		assert.GreaterOrEqual(t, *rec.RecommendedJackpot, h.Last().JackpotAnnounced, "rolled over from the last draw")
	}
	lo, hi := out.Model.Model.Range(c.Model.ExtrapolationFactor)
	assert.GreaterOrEqual(t, *rec.RecommendedJackpot, lo)
	assert.LessOrEqual(t, *rec.RecommendedJackpot, hi)
	t.Logf("draw %s: jackpot %.0f, model %v, MAPE %.2f%%", rec.DrawDate, *rec.RecommendedJackpot, rec.Model.Features, 100*rec.Model.MAPE)
}

func TestDrawLevelHistoryMustHoldEveryScheduledDraw(t *testing.T) {
	c := emConfig(t)
	h := drawLevelHistory(t, c, 160)
	gap := h.Slice(0, h.Len())
	gap.Weeks = append(append([]dataset.Week(nil), h.Weeks[:40]...), h.Weeks[41:]...)
	err := weekly.CheckHistory(c, gap)
	var de *dataset.Error
	require.ErrorAs(t, err, &de)
	assert.Contains(t, err.Error(), fmt.Sprintf("row %d", h.Weeks[41].Row))
	assert.Contains(t, err.Error(), "the draw of "+h.Weeks[40].Start.Format(dataset.DateLayout)+" is missing")

	weeklyRows := *h
	weeklyRows.DrawLevel = false
	assert.ErrorContains(t, weekly.CheckColumns(c, &weeklyRows), "use a draw_date column")
}

// The rolling window is in weeks and covers every draw inside it.
func TestWindowsCoverEveryDrawOfTheirWeeks(t *testing.T) {
	c := emConfig(t)
	h := drawLevelHistory(t, c, 160)
	d, err := weekly.Decide(c, h, time.Time{})
	require.NoError(t, err)
	p := weekly.ProblemAt(c, h, flat{}, nil, 1, d, nil)
	window := 0
	for _, pw := range p.Recent {
		if d.DrawDate.Sub(pw.Date) < 26*7*24*time.Hour {
			window++
		}
	}
	assert.Equal(t, 2*26-1, window, "26 weeks of two draws, less the one being decided")

	ev, err := optimise.EvaluateAt(p, c.Jackpot.Min)
	require.NoError(t, err)
	ch, ok := ev.Check(optimise.NamePayoutRatioMin)
	require.True(t, ok)
	var rev, prizes float64
	for _, w := range h.Weeks[h.Len()-window:] {
		rev += w.TicketsSold * c.TicketPrice
		prizes += w.PrizesPaid
	}
	sales := 1e6 // flat forecast, no spread
	unwon := (prizes + c.SecondaryPrizeShare*c.TicketPrice*sales) / (rev + c.TicketPrice*sales)
	assert.InDelta(t, unwon, ch.Value, 1e-9, "the window's history is exactly its %d draws", window)
}

// flat sells a million tickets whatever the jackpot, with no spread.
type flat struct{}

func (flat) Forecast(int, float64) (float64, float64) { return 13.815510557964274, 0 }

func TestStalenessIsMeasuredFromTheDrawBeingDecided(t *testing.T) {
	for _, c := range countries(t) {
		last := c.History.Last().Start
		d, err := weekly.Decide(c.Config, c.History, time.Time{})
		require.NoError(t, err, "by default the draw after the history: never stale, whatever today's date")
		assert.Equal(t, last.AddDate(0, 0, 7), d.DrawDate)
		assert.Equal(t, 7, d.StalenessDays)

		_, err = weekly.Decide(c.Config, c.History, last.AddDate(0, 0, 21))
		var stale *weekly.StaleError
		require.ErrorAs(t, err, &stale, c.Config.Country)
		assert.Contains(t, err.Error(), "21 days before the draw being decided")
		assert.Contains(t, err.Error(), "history.max_staleness_days is 14")

		_, err = weekly.Decide(c.Config, c.History, last.AddDate(0, 0, 8))
		assert.ErrorContains(t, err, "not a draw day")
		_, err = weekly.Decide(c.Config, c.History, last)
		assert.ErrorContains(t, err, "not after the history's last draw")

		_, err = weekly.Decide(c.Config, c.History, last.AddDate(0, 0, 14))
		if c.Config.IsRollover() {
			assert.ErrorContains(t, err, "2 draws after the history's last", "rollover needs every outcome")
		} else {
			assert.NoError(t, err, "a lapse or postcode draw may skip a draw within the limit")
		}

		// In the pipeline the draw is the next one after today.
		today := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
		next := weekly.NextDrawAfter(c.Config, today)
		assert.Equal(t, time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC), next)
		_, err = weekly.Recommend(weekly.Input{Config: c.Config, History: c.History, Seed: 1, Now: today, DrawDate: next})
		require.ErrorAs(t, err, &stale, "a history that ended in 2024 is refused for a 2026 draw")
	}
}

func TestImplausibleRowsAreRefusedNamingRowAndColumn(t *testing.T) {
	nl := countries(t)[1]
	require.Equal(t, "NL", nl.Config.Country)
	edit := func(i int, f func(*dataset.Week)) *dataset.History {
		h := nl.History.Slice(0, nl.History.Len())
		h.Weeks = append([]dataset.Week(nil), h.Weeks...)
		f(&h.Weeks[i])
		return h
	}
	t.Run("prizes beyond the mechanism", func(t *testing.T) {
		h := edit(60, func(w *dataset.Week) { w.PrizesPaid = 1e12 })
		_, err := weekly.Recommend(weekly.Input{Config: nl.Config, History: h, Seed: 1, Now: now})
		var de *dataset.Error
		require.ErrorAs(t, err, &de, "a data error, not an infeasible problem")
		assert.Contains(t, err.Error(), "row 62, column prizes_paid")
		assert.Contains(t, err.Error(), "more than the")
	})
	t.Run("tickets a thousand times the neighbours", func(t *testing.T) {
		h := edit(80, func(w *dataset.Week) { w.TicketsSold *= 1000 })
		_, err := weekly.Recommend(weekly.Input{Config: nl.Config, History: h, Seed: 1, Now: now})
		var de *dataset.Error
		require.ErrorAs(t, err, &de)
		assert.Contains(t, err.Error(), "row 82, column tickets_sold")
		assert.Contains(t, err.Error(), "history.outlier_z")
		_, err = weekly.Train(nl.Config, h, now)
		assert.ErrorAs(t, err, &de, "train refuses it too")
	})
	t.Run("a clean history passes", func(t *testing.T) {
		for _, c := range countries(t) {
			require.NoError(t, weekly.CheckHistory(c.Config, c.History))
		}
	})
}

// A model pushed to extrapolate (here: a steep quadratic term and a wide
// extrapolation factor) must fail with the country, the quantity and the
// cause, never produce Inf or NaN; within the default factor the
// recommendation stays inside the jackpots the history has seen, widened.
func TestNonFiniteForecastsAreErrorsNamingCountryAndQuantity(t *testing.T) {
	se := countries(t)[2]
	require.Equal(t, "SE", se.Config.Country)
	out, err := weekly.Recommend(weekly.Input{Config: se.Config, History: se.History, Seed: 1, Now: now})
	require.NoError(t, err)
	require.NoError(t, report.CheckFinite(out.Recommendation))

	a := *out.Model
	m := *a.Model
	m.Coefficients = append([]float64(nil), m.Coefficients...)
	for i, term := range m.Terms {
		if term == config.FeatureLogJackpotSquared {
			m.Coefficients[i] = 400
		}
	}
	a.Model = &m
	wide := *se.Config
	wide.Model.ExtrapolationFactor = 100
	_, err = weekly.Recommend(weekly.Input{Config: &wide, History: se.History, Model: &a, Seed: 1, Now: now})
	var nf *optimise.NonFiniteError
	require.ErrorAs(t, err, &nf)
	assert.Contains(t, err.Error(), "SE: ")
	assert.Contains(t, err.Error(), "expected tickets")
	assert.Contains(t, err.Error(), "extrapolates")
	assert.True(t, errors.As(err, &nf))
}
