package sales_test

import (
	"math"
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

func TestSelectionOnBundledDataShowsEveryCandidate(t *testing.T) {
	cs, err := bundled.Countries()
	require.NoError(t, err)
	for _, c := range cs {
		t.Run(c.Config.Country, func(t *testing.T) {
			spec, metrics, cands, err := sales.Select(c.Config, c.History)
			require.NoError(t, err)
			optional := len(c.Config.Model.Features) - 1
			require.Len(t, cands, 1<<optional, "every subset that keeps log_jackpot")
			require.True(t, cands[0].Chosen, "the chosen candidate is listed first")
			assert.Equal(t, spec.Features, cands[0].Features)
			assert.Equal(t, metrics.MAPE, cands[0].MAPE)
			best := math.Inf(1)
			for _, k := range cands {
				assert.Contains(t, k.Features, config.FeatureLogJackpot)
				if k.Refused == "" {
					best = math.Min(best, k.MAPE)
					assert.Positive(t, k.CoverageP10P90)
				}
			}
			assert.LessOrEqual(t, cands[0].MAPE, best+c.Config.Model.SelectionTolerance, "within the tie tolerance of the lowest error")
			for _, k := range cands[1:] {
				if k.Refused == "" && k.MAPE <= best+c.Config.Model.SelectionTolerance {
					assert.GreaterOrEqual(t, k.Terms, cands[0].Terms, "ties go to fewer terms")
				}
			}
			t.Logf("%s chose %v: MAPE %.2f%%, coverage %.0f%% (%d candidates)", c.Config.Country, spec.Features, 100*metrics.MAPE, 100*metrics.CoverageP10P90, len(cands))
		})
	}
}

// A trend the data does not have only adds noise out of sample; on less
// than two years seasonality cannot be told from a one-off and is refused.
func TestSelectionDropsUnhelpfulTermsAndRefusesShortSeasonality(t *testing.T) {
	gb := bundledCountry(t, "GB")
	world := synthetic.Scenarios["GB"]
	world.TrendPerYear = 0
	world.SeasonAmplitude = 0
	world.Weeks = 90
	data, err := synthetic.Generate(gb.Config, world, 7)
	require.NoError(t, err)
	h, err := dataset.Parse(data, "short.csv")
	require.NoError(t, err)
	c := *gb.Config
	c.Model.Validation = config.Validation{InitialWeeks: 40, HorizonWeeks: 2, StepWeeks: 2}
	spec, _, cands, err := sales.Select(&c, h)
	require.NoError(t, err)
	assert.NotContains(t, spec.Features, config.FeatureSeasonality)
	refused := 0
	for _, k := range cands {
		if contains(k.Features, config.FeatureSeasonality) {
			assert.Contains(t, k.Refused, "two full seasonal cycles")
			refused++
		}
	}
	assert.Equal(t, len(cands)/2, refused)
	assert.NotContains(t, spec.Features, config.FeatureTrend, "no trend in the data: the tie rule keeps the model without it")
	t.Logf("chose %v", spec.Features)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestQualityGateIncludesIntervalCoverage(t *testing.T) {
	gb := bundledCountry(t, "GB")
	strict := *gb.Config
	strict.Model.QualityGate.MinCoverage = 0.8
	strict.Model.QualityGate.MaxCoverage = 0.8
	a, err := sales.Train(&strict, gb.History, time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	err = a.Check()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "coverage")
	assert.Contains(t, err.Error(), "model.quality_gate.m")
}
