package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aifactory/platform/optimiser/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTrainThenPredictAndRecommendWithTheSavedModel(t *testing.T) {
	out := t.TempDir()
	r := runCLI(t, nil, "train", "--country", "GB", "--out", out)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "walk-forward: MAPE")
	modelPath := filepath.Join(out, "GB", "model.json")
	model, err := os.ReadFile(modelPath)
	require.NoError(t, err)

	r = runCLI(t, nil, "predict", "--country", "GB", "--model", modelPath, "--jackpot", "50000,200000", "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var pred struct {
		Forecasts []struct{ Jackpot, Mean, P10, P90 float64 }
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &pred))
	require.Len(t, pred.Forecasts, 2)
	assert.Greater(t, pred.Forecasts[1].Mean, pred.Forecasts[0].Mean, "a bigger prize sells more tickets")
	assert.Less(t, pred.Forecasts[0].P10, pred.Forecasts[0].P90)

	recOut := t.TempDir()
	r = runCLI(t, nil, "recommend", "--country", "GB", "--model", modelPath, "--out", recOut, "--cash", "1e8")
	require.Equal(t, exitOK, r.code, r.stderr)
	var meta report.Metadata
	readJSON(t, filepath.Join(recOut, "GB", "metadata.json"), &meta)
	sum := sha256.Sum256(model)
	assert.Equal(t, hex.EncodeToString(sum[:]), meta.ModelSHA256, "metadata names the model file that was used")

	r = runCLI(t, nil, "recommend", "--country", "NL", "--model", modelPath, "--out", t.TempDir())
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "trained for GB, not NL")
}

func TestTrainRefusesAModelBelowItsGate(t *testing.T) {
	cfgDir, _ := inputs(t, map[string]func(string) string{"nl.yaml": func(s string) string { return strings.Replace(s, "min_r2: 0.8", "min_r2: 0.999", 1) }}, nil)
	out := filepath.Join(t.TempDir(), "models")
	r := runCLI(t, nil, "train", "--country", "NL", "--config-dir", cfgDir, "--out", out)
	assert.Equal(t, exitGate, r.code)
	assert.Contains(t, r.stderr, "model.quality_gate.min_r2")
	assert.Contains(t, r.stdout, "walk-forward: MAPE", "the failing metrics are still shown")
	_, err := os.Stat(out)
	assert.True(t, errors.Is(err, fs.ErrNotExist), "no model is saved")
}
