package report_test

import (
	"encoding/json"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/aifactory/platform/facts/buildinfo"
	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/report"
	"github.com/aifactory/platform/optimiser/weekly"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The pipeline and downstream consumers read these names: changing one is a
// contract change and needs a new SchemaVersion.
func TestOutputContract(t *testing.T) {
	cs, err := bundled.Countries()
	require.NoError(t, err)
	var se bundled.Country
	for _, c := range cs {
		if c.Config.Country == "SE" {
			se = c
		}
	}
	cash := 1e10
	now := time.Date(2025, 1, 2, 6, 0, 0, 0, time.UTC)
	out, err := weekly.Recommend(weekly.Input{Config: se.Config, History: se.History, Cash: &cash, Seed: 3, Now: now})
	require.NoError(t, err)

	b, err := report.Marshal(out.Recommendation)
	require.NoError(t, err)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(b, &rec))
	assert.Equal(t, []string{
		"cash", "constraints", "country", "currency", "draw_date", "draw_day", "expected_net_revenue", "expected_tickets",
		"feasible_ranges", "history", "mechanism", "model", "objective", "objective_curve", "payout", "plan", "recommended_jackpot",
		"schema_version", "search", "status", "unwon_jackpot", "week_start", "win_probability",
	}, keys(rec))
	assert.Equal(t, []string{"mean", "p10", "p50", "p90"}, keys(rec["expected_tickets"].(map[string]any)))
	constraint := rec["constraints"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "value", "limit", "slack", "binding", "bound", "unit", "enforced"} {
		assert.Contains(t, constraint, k)
	}
	curve := rec["objective_curve"].([]any)[0].(map[string]any)
	for _, k := range []string{"jackpot", "objective", "expected_net_revenue", "feasible"} {
		assert.Contains(t, curve, k)
	}
	model := rec["model"].(map[string]any)
	for _, k := range []string{"version", "features", "mape", "r2", "coverage_p10_p90", "gate_min_coverage", "gate_max_coverage", "gate_passed", "candidates", "jackpot_range"} {
		assert.Contains(t, model, k)
	}
	assert.Equal(t, "2024-12-28", rec["draw_date"])
	assert.Equal(t, "saturday", rec["draw_day"])
	assert.Equal(t, map[string]any{"granularity": "weekly", "last_draw": "2024-12-21", "staleness_days": 7.0}, rec["history"])
	cand := model["candidates"].([]any)[0].(map[string]any)
	assert.Equal(t, true, cand["chosen"])
	for _, k := range []string{"features", "terms", "mape", "r2", "coverage_p10_p90"} {
		assert.Contains(t, cand, k)
	}
	optima := 0
	for _, p := range rec["objective_curve"].([]any) {
		if p.(map[string]any)["optimum"] == true {
			optima++
			assert.Equal(t, rec["recommended_jackpot"], p.(map[string]any)["jackpot"])
		}
	}
	assert.Equal(t, 1, optima)

	buildinfo.Version, buildinfo.Commit = "v1.4.0", "0123abcd"
	defer func() { buildinfo.Version, buildinfo.Commit = "", "" }()
	mb, err := report.Marshal(report.BuildMetadata(report.MetadataInputs{
		Config: se.Config, DataSHA256: se.History.SHA256, DataSource: "bundled:data/se.csv", ConfigSource: "bundled:configs/se.yaml",
		ModelJSON: out.ModelJSON, ModelVersion: out.Model.ModelVersion, SyntheticData: true, Seed: 3, Now: now,
		ImageDigest: "sha256:feed", CashSource: "flag --cash",
	}))
	require.NoError(t, err)
	var meta map[string]any
	require.NoError(t, json.Unmarshal(mb, &meta))
	assert.Equal(t, []string{
		"cash_source", "code_version", "commit", "config_sha256", "config_source", "country", "data_sha256", "data_source",
		"generated_at", "go_version", "image_digest", "model_sha256", "model_version", "schema_version", "seed", "synthetic_data",
	}, keys(meta))
	assert.Equal(t, "v1.4.0", meta["code_version"], "link-time version wins")
	assert.Equal(t, "0123abcd", meta["commit"])
	assert.Equal(t, "2025-01-02T06:00:00Z", meta["generated_at"])
}

func TestCheckFiniteNamesTheField(t *testing.T) {
	rec := report.Recommendation{ExpectedTickets: &report.Quantiles{Mean: 1, P90: math.Inf(1)}}
	err := report.CheckFinite(rec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "expected_tickets.p90 is +Inf")
	rec.ExpectedTickets.P90 = 2
	rec.ObjectiveCurve = []report.CurvePoint{{Jackpot: 1}, {Jackpot: 2, Objective: math.NaN()}}
	assert.ErrorContains(t, report.CheckFinite(rec), "objective_curve[1].objective is NaN")
	rec.ObjectiveCurve[1].Objective = 0
	assert.NoError(t, report.CheckFinite(rec))
}
