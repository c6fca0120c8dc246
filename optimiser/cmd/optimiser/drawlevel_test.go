package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/report"
	"github.com/aifactory/platform/optimiser/synthetic"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// emYAML is the draw-level example of optimiser/README.md: a rolling lotto
// drawn on Tuesdays and Fridays.
const emYAML = `country: EM
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

func TestRecommendFromADrawLevelHistory(t *testing.T) {
	cfgDir, dataDir := t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(cfgDir, "em.yaml"), []byte(emYAML), 0o644))
	c, err := config.Parse([]byte(emYAML), "em.yaml")
	require.NoError(t, err)
	data, err := synthetic.Generate(c, synthetic.Scenario{
		Country: "EM", Start: time.Date(2021, 1, 5, 0, 0, 0, 0, time.UTC), Weeks: 160, DrawLevel: true,
		BaseTickets: 8e6, ReferenceJackpot: 60e6, Elasticity: 0.35, Convexity: 0.08,
		MainDrawDay: time.Friday, OtherDrawDays: []synthetic.DayEffect{{Day: time.Tuesday, LogEffect: -0.2}},
		TrendPerYear: -0.02, SeasonAmplitude: 0.03, NoiseSD: 0.03, PolicyLevel: 17e6, RolloverShare: 0.12,
	}, 11)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "draw_date,tickets_sold,jackpot_announced,"))
	csv := filepath.Join(dataDir, "em.csv")
	require.NoError(t, os.WriteFile(csv, data, 0o644))

	out := t.TempDir()
	r := runCLI(t, map[string]string{"OPTIMISER_CASH_EM": "5e9"}, "recommend", "--country", "EM", "--config-dir", cfgDir, "--data", csv, "--out", out)
	require.Equal(t, exitOK, r.code, r.stderr)
	var rec report.Recommendation
	readJSON(t, filepath.Join(out, "EM", "recommendation.json"), &rec)
	assert.Equal(t, "draw", rec.History.Granularity)
	assert.Equal(t, "2024-01-30", rec.DrawDate, "the Tuesday after the last draw (Friday 2024-01-26)")
	assert.Equal(t, "tuesday", rec.DrawDay)
	assert.Equal(t, "optimal", rec.Status)
	assert.Contains(t, r.stdout, "2024-01-30")

	// A named draw that is not the next one is refused for a rolling jackpot.
	r = runCLI(t, map[string]string{"OPTIMISER_CASH_EM": "5e9"}, "recommend", "--country", "EM", "--config-dir", cfgDir, "--data", csv, "--out", t.TempDir(), "--draw", "2024-02-02")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "2 draws after the history's last")
}
