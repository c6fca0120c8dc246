package weekly_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/dataset"
	"github.com/aifactory/platform/optimiser/optimise"
	"github.com/aifactory/platform/optimiser/report"
	"github.com/aifactory/platform/optimiser/sales"
	"github.com/aifactory/platform/optimiser/weekly"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var now = time.Date(2025, 1, 2, 6, 0, 0, 0, time.UTC)

func countries(t testing.TB) []bundled.Country {
	t.Helper()
	cs, err := bundled.Countries()
	require.NoError(t, err)
	require.Len(t, cs, 3)
	return cs
}

func TestWeeklyRunOnBundledData(t *testing.T) {
	for _, c := range countries(t) {
		t.Run(c.Config.Country, func(t *testing.T) {
			// Without a cash figure the safety net is reported, not enforced.
			out, err := weekly.Recommend(weekly.Input{Config: c.Config, History: c.History, Seed: 1, Now: now})
			require.NoError(t, err)
			rec := out.Recommendation
			assert.Equal(t, optimise.StatusCashUnchecked, rec.Status)
			require.NotNil(t, rec.RecommendedJackpot)
			assert.Equal(t, c.History.NextWeekStart().Format(dataset.DateLayout), rec.WeekStart)
			assert.False(t, rec.Cash.Checked)

			// With exactly the required cash the same jackpot is optimal;
			// with one unit less it is not affordable.
			required := rec.Cash.Required
			out2, err := weekly.Recommend(weekly.Input{Config: c.Config, History: c.History, Model: out.Model, Cash: &required, Seed: 1, Now: now})
			require.NoError(t, err)
			assert.Equal(t, optimise.StatusOptimal, out2.Recommendation.Status)
			assert.Equal(t, *rec.RecommendedJackpot, *out2.Recommendation.RecommendedJackpot)
			for _, ct := range out2.Recommendation.Constraints {
				require.NotNil(t, ct.Slack, ct.Name)
				assert.GreaterOrEqual(t, *ct.Slack, -1e-9, "%s violated", ct.Name)
			}

			less := required * 0.5
			out3, err := weekly.Recommend(weekly.Input{Config: c.Config, History: c.History, Model: out.Model, Cash: &less, Seed: 1, Now: now})
			require.NoError(t, err)
			if out3.Recommendation.RecommendedJackpot != nil {
				assert.Less(t, *out3.Recommendation.RecommendedJackpot, *rec.RecommendedJackpot, "less cash, smaller prize")
			} else {
				assert.Contains(t, out3.Recommendation.InfeasibleBecause, optimise.NameCashSafetyNet)
			}
		})
	}
}

func TestRecommendationCarriesModelMetricsAndCurve(t *testing.T) {
	c := countries(t)[0]
	out, err := weekly.Recommend(weekly.Input{Config: c.Config, History: c.History, Seed: 1, Now: now})
	require.NoError(t, err)
	rec := out.Recommendation
	assert.Equal(t, report.SchemaVersion, rec.SchemaVersion)
	assert.Equal(t, out.Model.ModelVersion, rec.Model.Version)
	assert.Equal(t, out.Model.WalkForward.MAPE, rec.Model.MAPE)
	assert.True(t, rec.Model.GatePassed)
	assert.GreaterOrEqual(t, len(rec.ObjectiveCurve), 10)
	t10, t90 := rec.ExpectedTickets.P10, rec.ExpectedTickets.P90
	assert.Less(t, t10, rec.ExpectedTickets.P50)
	assert.Less(t, rec.ExpectedTickets.P50, t90)
	assert.LessOrEqual(t, rec.Payout.P90, rec.Payout.WorstPlausible)
	assert.Positive(t, rec.Search.Evaluations)
}

func TestQualityGateStopsTheRun(t *testing.T) {
	c := countries(t)[1]
	strict := *c.Config
	strict.Model.QualityGate.MaxMAPE = 0.0001
	_, err := weekly.Recommend(weekly.Input{Config: &strict, History: c.History, Seed: 1, Now: now})
	var ge *sales.GateError
	require.ErrorAs(t, err, &ge)
}

func TestHistoryMustHaveTheColumnsTheConfigNeeds(t *testing.T) {
	for _, c := range countries(t) {
		h := c.History.Slice(0, c.History.Len())
		h.Columns = dataset.Columns{DrawDay: true}
		err := weekly.CheckColumns(c.Config, h)
		require.Error(t, err, c.Config.Country)
		assert.Contains(t, err.Error(), "missing column prizes_paid")
		if c.Config.IsRollover() {
			assert.Contains(t, err.Error(), "missing column jackpot_won")
		} else {
			assert.Contains(t, err.Error(), "missing column marketing_spend")
		}
	}
}

func TestReplayRecommendsFromThePastOnly(t *testing.T) {
	for _, c := range countries(t) {
		weeks, err := weekly.Replay(c.Config, c.History, 4, 1)
		require.NoError(t, err)
		require.Len(t, weeks, 4)
		for i, w := range weeks {
			assert.Equal(t, c.History.Weeks[c.History.Len()-4+i].Start, w.WeekStart)
			if w.Recommended != nil && w.AnnouncedFeasible {
				assert.GreaterOrEqual(t, *w.ObjectiveRecommended, w.ObjectiveAnnounced-1e-6*abs(w.ObjectiveAnnounced),
					"%s %s: the recommendation is at least as good as any feasible announcement", c.Config.Country, w.WeekStart)
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// BenchmarkWeeklyRun is the whole weekly job for every bundled country
// (parse configs and histories, check the data, choose the model's features
// by walk-forward validation, train, optimise by dense scan, explain, build
// both JSON outputs) and, per country, the job against its own dense scan
// measured in the same run: the ratio says how much of the job the scan is.
//
//	go test ./optimiser/weekly -run '^$' -bench WeeklyRun
func BenchmarkWeeklyRun(b *testing.B) {
	b.Run("all-countries", func(b *testing.B) {
		for b.Loop() {
			cs, err := bundled.Countries()
			if err != nil {
				b.Fatal(err)
			}
			for _, c := range cs {
				runOnce(b, c)
			}
		}
	})
	for _, c := range countries(b) {
		b.Run(c.Config.Country, func(b *testing.B) {
			var job, scan time.Duration
			for b.Loop() {
				t0 := time.Now()
				out := runOnce(b, c)
				t1 := time.Now()
				f, err := weekly.ForecasterAt(out.Model.Model, c.Config, c.History, out.Decision)
				if err != nil {
					b.Fatal(err)
				}
				lo, hi := out.Model.Model.Range(c.Config.Model.ExtrapolationFactor)
				if _, err := optimise.Optimise(weekly.ProblemAt(c.Config, c.History, f, nil, 1, out.Decision, &optimise.Range{From: lo, To: hi})); err != nil {
					b.Fatal(err)
				}
				job, scan = job+t1.Sub(t0), scan+time.Since(t1)
			}
			n := float64(b.N)
			b.ReportMetric(float64(job.Microseconds())/1e3/n, "job-ms/op")
			b.ReportMetric(float64(scan.Microseconds())/1e3/n, "dense-scan-ms/op")
			b.ReportMetric(float64(job)/float64(scan), "job/scan-x")
		})
	}
}

func runOnce(b *testing.B, c bundled.Country) *weekly.Output {
	out, err := weekly.Recommend(weekly.Input{Config: c.Config, History: c.History, Seed: 1, Now: now})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := report.Marshal(out.Recommendation); err != nil {
		b.Fatal(err)
	}
	if _, err := report.Marshal(report.BuildMetadata(report.MetadataInputs{Config: c.Config, ModelJSON: out.ModelJSON, Now: now})); err != nil {
		b.Fatal(err)
	}
	return out
}

func TestStaleHistoryIsFlagged(t *testing.T) {
	c := countries(t)[0]
	fresh, err := weekly.Recommend(weekly.Input{Config: c.Config, History: c.History, Seed: 1, Now: c.History.NextWeekStart()})
	require.NoError(t, err)
	for _, n := range fresh.Recommendation.Notes {
		assert.NotContains(t, n, "days before this run")
	}
	stale, err := weekly.Recommend(weekly.Input{Config: c.Config, History: c.History, Seed: 1, Now: c.History.NextWeekStart().AddDate(0, 2, 0)})
	require.NoError(t, err)
	assert.Contains(t, strings.Join(stale.Recommendation.Notes, "\n"), "days before this run")
}
