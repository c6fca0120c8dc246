package main

import (
	"path/filepath"
	"testing"

	"github.com/aifactory/platform/optimiser/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecommendWithCashFromTheEnvironment(t *testing.T) {
	out := t.TempDir()
	env := map[string]string{"OPTIMISER_CASH_SE": "500000000", EnvImageDigest: "sha256:abc123"}
	r := runCLI(t, env, "recommend", "--country", "se", "--out", out, "--seed", "7")
	require.Equal(t, exitOK, r.code, r.stderr)
	var rec report.Recommendation
	readJSON(t, filepath.Join(out, "SE", "recommendation.json"), &rec)
	assert.Equal(t, "optimal", rec.Status)
	assert.True(t, rec.Cash.Checked)
	assert.Equal(t, 5e8, *rec.Cash.Available)
	require.NotNil(t, rec.Plan, "rollover recommendations carry their horizon plan")
	var meta report.Metadata
	readJSON(t, filepath.Join(out, "SE", "metadata.json"), &meta)
	assert.Equal(t, "sha256:abc123", meta.ImageDigest)
	assert.Equal(t, "environment OPTIMISER_CASH_SE", meta.CashSource)
	assert.Equal(t, int64(7), meta.Seed)
}
