package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPredictFlagsExtrapolatedJackpots(t *testing.T) {
	r := runCLI(t, nil, "predict", "--country", "GB", "--jackpot", "50000,200000,90000000", "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var pred struct {
		DrawDate     string     `json:"draw_date"`
		JackpotRange [2]float64 `json:"jackpot_range"`
		Forecasts    []struct {
			Jackpot      float64
			Extrapolated bool
		}
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &pred))
	assert.Equal(t, "2024-12-28", pred.DrawDate)
	require.Len(t, pred.Forecasts, 3)
	assert.False(t, pred.Forecasts[0].Extrapolated)
	assert.False(t, pred.Forecasts[1].Extrapolated)
	assert.True(t, pred.Forecasts[2].Extrapolated, "far above the range %v", pred.JackpotRange)

	r = runCLI(t, nil, "predict", "--country", "GB", "--jackpot", "200000,90000000")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "EXTRAPOLATED")
	assert.Contains(t, r.stdout, "1 jackpot(s) outside")
}

// A model that overflows outside its data gives an error naming the
// country, the quantity and the cause, never "+InfM".
func TestPredictRefusesNonFiniteForecasts(t *testing.T) {
	out := t.TempDir()
	require.Equal(t, exitOK, runCLI(t, nil, "train", "--country", "SE", "--out", out).code)
	path := filepath.Join(out, "SE", "model.json")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var art map[string]any
	require.NoError(t, json.Unmarshal(b, &art))
	m := art["model"].(map[string]any)
	terms := m["terms"].([]any)
	coef := m["coefficients"].([]any)
	found := false
	for i, term := range terms {
		if term == "log_jackpot_squared" {
			coef[i], found = 400.0, true
		}
	}
	require.True(t, found, "the SE model keeps its quadratic term")
	b, err = json.Marshal(art)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))

	r := runCLI(t, nil, "predict", "--country", "SE", "--model", path, "--jackpot", "1e14")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "SE: expected tickets at jackpot 100,000,000,000,000 is +Inf")
	assert.Contains(t, r.stderr, "extrapolates")
	assert.NotContains(t, r.stdout, "Inf")
}
