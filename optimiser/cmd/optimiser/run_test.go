package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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
		"summary.json",
	}, files(t, root))
	var sum Summary
	readJSON(t, filepath.Join(root, SummaryFile), &sum)
	assert.Equal(t, exitOK, sum.ExitCode)
	require.Len(t, sum.Countries, 3)
	for _, c := range sum.Countries {
		assert.Equal(t, "written", c.Status, c.Country)
		assert.Equal(t, "cash_unchecked", c.Outcome)
		assert.Equal(t, "2024-12-28", c.DrawDate, "the draw after the history, whatever today's date")
		assert.Len(t, c.Files, 2)
	}

	var rec report.Recommendation
	readJSON(t, filepath.Join(root, "NL", "recommendation.json"), &rec)
	assert.Equal(t, "cash_unchecked", rec.Status)
	require.NotNil(t, rec.RecommendedJackpot)
	var meta report.Metadata
	readJSON(t, filepath.Join(root, "NL", "metadata.json"), &meta)
	csv, err := fs.ReadFile(bundled.Data(), "nl.csv")
	require.NoError(t, err)
	assert.Equal(t, sha256Hex(csv), meta.DataSHA256)
	assert.True(t, meta.SyntheticData)
	assert.Equal(t, "not supplied", meta.CashSource)
	assert.Len(t, meta.ConfigSHA256, 64)
	assert.Len(t, meta.ModelSHA256, 64)
	assert.Equal(t, int64(1), meta.Seed)
}

// A country with bad input fails on its own: a clear error naming the file,
// row, column or field, nothing of it written, and the other countries
// written; the exit code and summary.json say which failed. A usage error
// stops the run before anything is written.
func TestBadInputFailsItsCountryClearlyAndWritesNothingOfIt(t *testing.T) {
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
		// failed lists the countries that fail; with none the run is a usage
		// error and nothing at all is written.
		failed []string
	}{
		{
			name: "missing column", data: map[string]func(string) string{"nl.csv": dropColumn("prizes_paid")},
			wantCode: exitError, wantStderr: []string{"missing column prizes_paid", "charity_share", "add the column"}, failed: []string{"NL"},
		},
		{
			name: "NaN", data: map[string]func(string) string{"nl.csv": replaceLine(10, ","+field(nl, 10, 1)+",", ",NaN,")},
			wantCode: exitError, wantStderr: []string{"row 10", "tickets_sold", "not a finite number"}, failed: []string{"NL"},
		},
		{
			name: "negative", data: map[string]func(string) string{"nl.csv": replaceLine(11, ","+field(nl, 11, 2)+",", ",-5,")},
			wantCode: exitError, wantStderr: []string{"row 11", "jackpot_announced", "not positive"}, failed: []string{"NL"},
		},
		{
			name: "duplicate week", data: map[string]func(string) string{"nl.csv": replaceLine(12, field(nl, 12, 0), field(nl, 11, 0))},
			wantCode: exitError, wantStderr: []string{"row 12", "duplicates row 11"}, failed: []string{"NL"},
		},
		{
			name: "gap", data: map[string]func(string) string{"nl.csv": func(s string) string {
				lines := strings.Split(s, "\n")
				return strings.Join(append(lines[:20:20], lines[21:]...), "\n")
			}},
			wantCode: exitError, wantStderr: []string{"row 21", "gap of 1 missing week"}, failed: []string{"NL"},
		},
		{
			name: "empty history", data: map[string]func(string) string{"nl.csv": func(s string) string { return strings.SplitN(s, "\n", 2)[0] + "\n" }},
			wantCode: exitError, wantStderr: []string{"history is empty"}, failed: []string{"NL"},
		},
		{
			name: "unknown YAML field", cfg: map[string]func(string) string{"nl.yaml": func(s string) string {
				return strings.Replace(s, "cost_share: 0.14", "cost_share: 0.14\ncost_shares: 0.2", 1)
			}},
			wantCode: exitError, wantStderr: []string{"nl.yaml", "cost_shares"}, failed: []string{"NL"},
		},
		{
			name: "infeasible constraints", env: map[string]string{"OPTIMISER_CASH": "NL=1000,GB=1e9,SE=1e12"},
			wantCode: exitInfeasible, wantStderr: []string{"no feasible jackpot for NL"}, wantStdout: []string{"infeasible_because", "cash_safety_net"}, failed: []string{"NL"},
		},
		{
			name: "model below its quality gate", cfg: map[string]func(string) string{"gb.yaml": func(s string) string { return strings.Replace(s, "max_mape: 0.04", "max_mape: 0.001", 1) }},
			wantCode: exitGate, wantStderr: []string{"GB", "quality gate", "model.quality_gate.max_mape"}, failed: []string{"GB"},
		},
		{
			name: "missing history file", data: map[string]func(string) string{}, args: []string{"--data-dir", "/nonexistent"},
			wantCode: exitError, wantStderr: []string{"/nonexistent"}, failed: []string{"GB", "NL", "SE"},
		},
		{
			name: "fractional tickets", data: map[string]func(string) string{"nl.csv": replaceLine(15, ","+field(nl, 15, 1)+",", ","+field(nl, 15, 1)+".5,")},
			wantCode: exitError, wantStderr: []string{"row 15", "tickets_sold", "not a whole number"}, failed: []string{"NL"},
		},
		{
			name: "ticket count a thousand times its neighbours", data: map[string]func(string) string{"nl.csv": replaceLine(50, ","+field(nl, 50, 1)+",", ","+field(nl, 50, 1)+"000,")},
			wantCode: exitError, wantStderr: []string{"nl.csv", "row 50", "tickets_sold", "history.outlier_z"}, failed: []string{"NL"},
		},
		{
			name: "implausible prizes_paid", data: map[string]func(string) string{"nl.csv": replaceLine(40, ","+field(nl, 40, 5)+",", ",999999999999,")},
			wantCode: exitError, wantStderr: []string{"nl.csv", "row 40", "prizes_paid", "more than the"}, failed: []string{"NL"},
		},
		{
			name: "history too old for the draw named", args: []string{"--draw", "2025-02-01"},
			wantCode: exitError, wantStderr: []string{"ends with the draw of 2024-12-21, 42 days before the draw being decided (2025-02-01)", "max_staleness_days"}, failed: []string{"GB", "NL", "SE"},
		},
		{name: "bad --draw", args: []string{"--draw", "tomorrow"}, wantCode: exitUsage, wantStderr: []string{"--draw"}},
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
			if len(tc.failed) == 0 {
				_, err := os.Stat(out)
				assert.True(t, errors.Is(err, fs.ErrNotExist), "nothing may be written, found %v", files(t, out))
				return
			}
			var sum Summary
			readJSON(t, filepath.Join(out, SummaryFile), &sum)
			assert.Equal(t, tc.wantCode, sum.ExitCode)
			got := files(t, out)
			for _, c := range sum.Countries {
				if slices.Contains(tc.failed, c.Country) {
					assert.Equal(t, "failed", c.Status, c.Country)
					assert.NotEmpty(t, c.Error)
					assert.Empty(t, c.Files)
					for _, f := range got {
						assert.False(t, strings.HasPrefix(f, c.Country+"/"), "%s failed, yet %s was written", c.Country, f)
					}
					assert.Regexp(t, "(?m)^"+c.Country+" .*(failed: |infeasible)", r.stdout, "the table shows the failure")
				} else {
					assert.Equal(t, "written", c.Status, c.Country)
					assert.Contains(t, got, c.Country+"/recommendation.json")
					assert.Contains(t, got, c.Country+"/metadata.json")
				}
			}
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

// The bundled run decides the draw after each history, so it keeps working
// however far the calendar moves; only a named draw (or --draw next, as in
// the pipeline) is held to the staleness limit.
func TestBundledRunDoesNotGoStaleAsTheCalendarMoves(t *testing.T) {
	later := time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC)
	r := runCLIEnv(t, cliEnv{now: later}, "run", "--out", t.TempDir())
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "2024-12-28")

	r = runCLIEnv(t, cliEnv{now: later}, "run", "--out", t.TempDir(), "--draw", "next")
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "2031-06-07", "the next Saturday after that day")
	assert.Contains(t, r.stderr, "max_staleness_days")
}
