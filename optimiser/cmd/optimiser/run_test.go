package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/report"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunWithNoArgumentsUsesTheBundledDefaults(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	r := runCLI(t, nil, "run")
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, cc := range []string{"NL", "GB", "SE"} {
		assert.Contains(t, r.stdout, cc+" ")
	}
	assert.Contains(t, r.stdout, "SYNTHETIC")
	assert.Contains(t, r.stdout, "cash not supplied")
	root := filepath.Join(dir, "out", "optimiser")
	assert.Equal(t, []string{
		"GB/metadata.json", "GB/recommendation.json",
		"NL/metadata.json", "NL/recommendation.json",
		"SE/metadata.json", "SE/recommendation.json",
	}, files(t, root))

	var rec report.Recommendation
	readJSON(t, filepath.Join(root, "NL", "recommendation.json"), &rec)
	assert.Equal(t, "cash_unchecked", rec.Status)
	require.NotNil(t, rec.RecommendedJackpot)
	var meta report.Metadata
	readJSON(t, filepath.Join(root, "NL", "metadata.json"), &meta)
	csv, err := fs.ReadFile(bundled.Data(), "nl.csv")
	require.NoError(t, err)
	sum := sha256.Sum256(csv)
	assert.Equal(t, hex.EncodeToString(sum[:]), meta.DataSHA256)
	assert.True(t, meta.SyntheticData)
	assert.Equal(t, "not supplied", meta.CashSource)
	assert.Len(t, meta.ConfigSHA256, 64)
	assert.Len(t, meta.ModelSHA256, 64)
	assert.Equal(t, int64(1), meta.Seed)
}

func TestBadInputFailsClearlyAndWritesNothing(t *testing.T) {
	field := func(s string, row, col int) string {
		return strings.Split(strings.Split(s, "\n")[row-1], ",")[col]
	}
	nlCSV, err := fs.ReadFile(bundled.Data(), "nl.csv")
	require.NoError(t, err)
	nl := string(nlCSV)
	cases := []struct {
		name       string
		cfg, data  map[string]func(string) string
		args       []string
		env        map[string]string
		wantCode   int
		wantStderr []string
		wantStdout []string
	}{
		{
			name: "missing column", data: map[string]func(string) string{"nl.csv": dropColumn("prizes_paid")},
			wantCode: exitError, wantStderr: []string{"missing column prizes_paid", "charity_share", "add the column"},
		},
		{
			name: "NaN", data: map[string]func(string) string{"nl.csv": replaceLine(10, ","+field(nl, 10, 1)+",", ",NaN,")},
			wantCode: exitError, wantStderr: []string{"row 10", "tickets_sold", "not a finite number"},
		},
		{
			name: "negative", data: map[string]func(string) string{"nl.csv": replaceLine(11, ","+field(nl, 11, 2)+",", ",-5,")},
			wantCode: exitError, wantStderr: []string{"row 11", "jackpot_announced", "not positive"},
		},
		{
			name: "duplicate week", data: map[string]func(string) string{"nl.csv": replaceLine(12, field(nl, 12, 0), field(nl, 11, 0))},
			wantCode: exitError, wantStderr: []string{"row 12", "duplicates row 11"},
		},
		{
			name: "gap", data: map[string]func(string) string{"nl.csv": func(s string) string {
				lines := strings.Split(s, "\n")
				return strings.Join(append(lines[:20:20], lines[21:]...), "\n")
			}},
			wantCode: exitError, wantStderr: []string{"row 21", "gap of 1 missing week"},
		},
		{
			name: "empty history", data: map[string]func(string) string{"nl.csv": func(s string) string { return strings.SplitN(s, "\n", 2)[0] + "\n" }},
			wantCode: exitError, wantStderr: []string{"history is empty"},
		},
		{
			name: "unknown YAML field", cfg: map[string]func(string) string{"nl.yaml": func(s string) string {
				return strings.Replace(s, "cost_share: 0.14", "cost_share: 0.14\ncost_shares: 0.2", 1)
			}},
			wantCode: exitError, wantStderr: []string{"nl.yaml", "cost_shares"},
		},
		{
			name: "infeasible constraints", env: map[string]string{"OPTIMISER_CASH": "NL=1000,GB=1e9,SE=1e12"},
			wantCode: exitInfeasible, wantStderr: []string{"no feasible jackpot for NL"}, wantStdout: []string{"infeasible_because", "cash_safety_net"},
		},
		{
			name: "model below its quality gate", cfg: map[string]func(string) string{"gb.yaml": func(s string) string { return strings.Replace(s, "max_mape: 0.04", "max_mape: 0.001", 1) }},
			wantCode: exitGate, wantStderr: []string{"GB", "quality gate", "model.quality_gate.max_mape"},
		},
		{
			name: "missing history file", data: map[string]func(string) string{}, args: []string{"--data-dir", "/nonexistent"},
			wantCode: exitError, wantStderr: []string{"/nonexistent"},
		},
		{name: "unknown flag", args: []string{"--frobnicate"}, wantCode: exitUsage, wantStderr: []string{"frobnicate"}},
		{name: "ambiguous cash", args: []string{"--cash", "5e7"}, wantCode: exitUsage, wantStderr: []string{"CC=amount"}},
		{name: "mistyped country in --cash", args: []string{"--cash", "NK=5e7,GB=1e7,SE=3e8"}, wantCode: exitUsage, wantStderr: []string{"NK not a configured country"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfgDir, dataDir := inputs(t, tc.cfg, tc.data)
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"run", "--config-dir", cfgDir, "--data-dir", dataDir, "--out", out}, tc.args...)
			r := runCLI(t, tc.env, args...)
			assert.Equal(t, tc.wantCode, r.code, "stderr: %s", r.stderr)
			for _, w := range tc.wantStderr {
				assert.Contains(t, r.stderr, w)
			}
			for _, w := range tc.wantStdout {
				assert.Contains(t, r.stdout, w)
			}
			_, err := os.Stat(out)
			assert.True(t, errors.Is(err, fs.ErrNotExist), "nothing may be written, found %v", files(t, out))
		})
	}
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.WriteFile(blocker, []byte("not a directory"), 0o644))
	r := runCLI(t, nil, "run", "--out", blocker)
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "nothing was written")
	b, _ := os.ReadFile(blocker)
	assert.Equal(t, "not a directory", string(b))
}
