package sales_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/config"
	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/sales"
	"github.com/aifactory/platform/optimiser/synthetic"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bundledCountry(t testing.TB, code string) bundled.Country {
	t.Helper()
	cs, err := bundled.Countries()
	require.NoError(t, err)
	for _, c := range cs {
		if c.Config.Country == code {
			return c
		}
	}
	t.Fatalf("no bundled country %s", code)
	return bundled.Country{}
}

func TestFitRecoversTheTrueSalesCurve(t *testing.T) {
	nl := bundledCountry(t, "NL")
	truth := synthetic.Scenarios["NL"]
	truth.NoiseSD = 0.004
	truth.Weeks = 300
	data, err := synthetic.Generate(nl.Config, truth, 42)
	require.NoError(t, err)
	h, err := dataset.Parse(data, "truth.csv")
	require.NoError(t, err)

	m, err := sales.Fit(sales.SpecFor(nl.Config), h)
	require.NoError(t, err)
	for _, j := range []float64{60000, 250000, 900000} {
		want := truth.Elasticity + 2*truth.Convexity*math.Log(j/truth.ReferenceJackpot)
		assert.InDelta(t, want, m.Elasticity(j), 0.01, "elasticity at %.0f", j)
	}
	trend, _ := m.Coefficient(config.FeatureTrend)
	assert.InDelta(t, truth.TrendPerYear, trend, 0.003, "jackpot fatigue per year")
	sunday, ok := m.Coefficient("draw_day:Sunday")
	require.True(t, ok)
	assert.InDelta(t, truth.OtherDrawDays[0].LogEffect, sunday, 0.01)
	marketing, _ := m.Coefficient(config.FeatureMarketingSpend)
	assert.InDelta(t, truth.MarketingElasticity, marketing, 0.01)
	assert.InDelta(t, truth.NoiseSD, m.ResidualSD, 0.001)
}

func TestSingleLogLineMissesTheConvexity(t *testing.T) {
	// The log-quadratic model exists because a log-log line cannot be both
	// flat at small and steep at large jackpots.
	nl := bundledCountry(t, "NL")
	quad, err := sales.Fit(sales.SpecFor(nl.Config), nl.History)
	require.NoError(t, err)
	spec := sales.SpecFor(nl.Config)
	spec.Features = []string{config.FeatureLogJackpot, config.FeatureDrawDay, config.FeatureTrend, config.FeatureSeasonality, config.FeatureMarketingSpend}
	line, err := sales.Fit(spec, nl.History)
	require.NoError(t, err)
	assert.Less(t, quad.ResidualSD, line.ResidualSD)
	assert.Greater(t, quad.Elasticity(800000), quad.Elasticity(50000)+0.1, "steeper near record jackpots")
	assert.InDelta(t, line.Elasticity(800000), line.Elasticity(50000), 1e-12)
}

func TestForecastQuantilesAreOrdered(t *testing.T) {
	se := bundledCountry(t, "SE")
	m, err := sales.Fit(sales.SpecFor(se.Config), se.History)
	require.NoError(t, err)
	in := sales.Inputs{WeekStart: se.History.NextWeekStart(), DrawDay: time.Saturday}
	for _, j := range []float64{5e6, 30e6, 150e6} {
		f := m.Forecast(in, j)
		assert.Less(t, f.Quantile(0.1), f.Median())
		assert.Less(t, f.Median(), f.Quantile(0.9))
		assert.Greater(t, f.Mean(), f.Median(), "lognormal mean exceeds median")
	}
	// Parameter uncertainty widens forecasts far outside the training range.
	assert.Greater(t, m.Forecast(in, 200e6).LogSD, m.Forecast(in, 20e6).LogSD)
}

func TestFitExplainsUnidentifiableModels(t *testing.T) {
	nl := bundledCountry(t, "NL")
	constant := nl.History.Slice(0, nl.History.Len())
	constant.Weeks = append([]dataset.Week(nil), constant.Weeks...)
	for i := range constant.Weeks {
		constant.Weeks[i].JackpotAnnounced = 100000
	}
	_, err := sales.Fit(sales.SpecFor(nl.Config), constant)
	require.ErrorIs(t, err, sales.ErrNotIdentifiable)
	assert.Contains(t, err.Error(), "jackpot_announced")

	_, err = sales.Fit(sales.SpecFor(nl.Config), nl.History.Slice(0, 10))
	require.ErrorIs(t, err, sales.ErrNotIdentifiable)
	assert.Contains(t, err.Error(), "supply at least")

	noMarketing := nl.History.Slice(0, nl.History.Len())
	noMarketing.Columns.MarketingSpend = false
	_, err = sales.Fit(sales.SpecFor(nl.Config), noMarketing)
	assert.ErrorContains(t, err, "column marketing_spend")
}

func TestWalkForwardOnBundledDataMeetsEachCountrysGate(t *testing.T) {
	cs, err := bundled.Countries()
	require.NoError(t, err)
	for _, c := range cs {
		t.Run(c.Config.Country, func(t *testing.T) {
			m, preds, err := sales.WalkForward(sales.SpecFor(c.Config), c.History, c.Config.Model.Validation)
			require.NoError(t, err)
			g := c.Config.Model.QualityGate
			t.Logf("%s walk-forward: MAPE %.2f%% (gate ≤ %.2f%%), R² %.3f (gate ≥ %.2f), P10–P90 coverage %.0f%%, %d folds, %d predictions",
				c.Config.Country, 100*m.MAPE, 100*g.MaxMAPE, m.R2, g.MinR2, 100*m.CoverageP10P90, m.Folds, m.Predictions)
			assert.LessOrEqual(t, m.MAPE, g.MaxMAPE)
			assert.GreaterOrEqual(t, m.R2, g.MinR2)
			assert.InDelta(t, 0.8, m.CoverageP10P90, 0.12, "the P10–P90 band should hold about 80%% of weeks")
			assert.Len(t, preds, m.Predictions)
		})
	}
}

func TestWalkForwardNeverSeesTheWeekItPredicts(t *testing.T) {
	gb := bundledCountry(t, "GB")
	v := gb.Config.Model.Validation
	_, base, err := sales.WalkForward(sales.SpecFor(gb.Config), gb.History, v)
	require.NoError(t, err)

	// Triple the sales of the last 20 weeks: predictions made before those
	// weeks must not change.
	n := gb.History.Len()
	changed := gb.History.Slice(0, n)
	changed.Weeks = append([]dataset.Week(nil), changed.Weeks...)
	for i := n - 20; i < n; i++ {
		changed.Weeks[i].TicketsSold *= 3
	}
	_, after, err := sales.WalkForward(sales.SpecFor(gb.Config), changed, v)
	require.NoError(t, err)
	require.Equal(t, len(base), len(after))
	cut := gb.History.Weeks[n-20].Start
	for i := range base {
		if base[i].WeekStart.Before(cut) {
			assert.Equal(t, base[i].Median, after[i].Median, "week %s", base[i].WeekStart)
		}
	}
	assert.NotEqual(t, base[len(base)-1].Median, after[len(after)-1].Median, "later folds do learn from new data")
}

func TestArtefactRoundTripAndChecks(t *testing.T) {
	se := bundledCountry(t, "SE")
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	a, err := sales.Train(se.Config, se.History, now)
	require.NoError(t, err)
	require.NoError(t, a.Check())
	assert.Equal(t, se.History.SHA256, a.TrainingDataSHA256)
	assert.Equal(t, se.Config.SHA256, a.ConfigSHA256)
	assert.True(t, strings.HasPrefix(a.ModelVersion, "SE-2024-12-21-"), a.ModelVersion)

	b, err := a.Marshal()
	require.NoError(t, err)
	back, err := sales.LoadArtefact(b, "model.json", se.Config)
	require.NoError(t, err)
	in := sales.Inputs{WeekStart: se.History.NextWeekStart(), DrawDay: time.Saturday}
	assert.Equal(t, a.Model.Forecast(in, 25e6), back.Model.Forecast(in, 25e6))
	assert.Equal(t, a.ModelVersion, back.ModelVersion)

	// Retraining on different data changes the version.
	shorter, err := sales.Train(se.Config, se.History.Slice(0, se.History.Len()-1), now)
	require.NoError(t, err)
	assert.NotEqual(t, a.ModelVersion, shorter.ModelVersion)

	nl := bundledCountry(t, "NL")
	_, err = sales.LoadArtefact(b, "model.json", nl.Config)
	assert.ErrorContains(t, err, "trained for SE, not NL")

	var raw map[string]any
	require.NoError(t, json.Unmarshal(b, &raw))
	raw["format_version"] = 99
	b99, _ := json.Marshal(raw)
	_, err = sales.LoadArtefact(b99, "model.json", se.Config)
	assert.ErrorContains(t, err, "format_version 99")

	raw["format_version"] = 1
	raw["surprise"] = true
	bx, _ := json.Marshal(raw)
	_, err = sales.LoadArtefact(bx, "model.json", se.Config)
	assert.ErrorContains(t, err, "surprise")

	changed := *se.Config
	changed.Model.Features = []string{config.FeatureLogJackpot, config.FeatureTrend}
	_, err = sales.LoadArtefact(b, "model.json", &changed)
	assert.ErrorContains(t, err, "retrain")
}

func TestQualityGateRefusesAWorseModel(t *testing.T) {
	gb := bundledCountry(t, "GB")
	strict := *gb.Config
	strict.Model.QualityGate = config.QualityGate{MaxMAPE: 0.001, MinR2: 0.999}
	a, err := sales.Train(&strict, gb.History, time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.False(t, a.QualityGate.Passed)
	err = a.Check()
	var ge *sales.GateError
	require.ErrorAs(t, err, &ge)
	assert.Contains(t, err.Error(), "model.quality_gate.max_mape")
	assert.Contains(t, err.Error(), "model.quality_gate.min_r2")
}
