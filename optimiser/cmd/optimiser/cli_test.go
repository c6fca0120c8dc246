package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/report"
	"github.com/aifactory/platform/optimiser/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, environment{
		stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return env[k] },
		now:    func() time.Time { return time.Date(2025, 1, 2, 6, 0, 0, 0, time.UTC) },
	})
	return result{code, out.String(), errOut.String()}
}

func files(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}

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

// inputs copies the bundled configs and data into temporary directories,
// applying edits, and returns the directories.
func inputs(t *testing.T, editConfig map[string]func(string) string, editData map[string]func(string) string) (string, string) {
	t.Helper()
	cfgDir, dataDir := t.TempDir(), t.TempDir()
	copyAll := func(src fs.FS, dst string, edits map[string]func(string) string) {
		entries, err := fs.ReadDir(src, ".")
		require.NoError(t, err)
		for _, e := range entries {
			b, err := fs.ReadFile(src, e.Name())
			require.NoError(t, err)
			s := string(b)
			if f, ok := edits[e.Name()]; ok {
				s = f(s)
			}
			require.NoError(t, os.WriteFile(filepath.Join(dst, e.Name()), []byte(s), 0o644))
		}
	}
	copyAll(bundled.Configs(), cfgDir, editConfig)
	copyAll(bundled.Data(), dataDir, editData)
	return cfgDir, dataDir
}

func replaceLine(n int, from, to string) func(string) string {
	return func(s string) string {
		lines := strings.Split(s, "\n")
		lines[n-1] = strings.Replace(lines[n-1], from, to, 1)
		return strings.Join(lines, "\n")
	}
}

func dropColumn(name string) func(string) string {
	return func(s string) string {
		lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
		idx := -1
		for i, h := range strings.Split(lines[0], ",") {
			if h == name {
				idx = i
			}
		}
		for i, l := range lines {
			f := strings.Split(l, ",")
			lines[i] = strings.Join(append(f[:idx], f[idx+1:]...), ",")
		}
		return strings.Join(lines, "\n") + "\n"
	}
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

func TestSingleCountryUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"recommend"},
		{"train", "--country"},
		{"predict", "--country", "NL"},
		{"predict", "--country", "NL", "--jackpot", "-5"},
		{"recommend", "--country", "NL", "extra"},
		{"explode"},
		{},
	} {
		r := runCLI(t, nil, args...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", args, r.stderr)
		assert.NotEmpty(t, r.stderr)
	}
	r := runCLI(t, nil, "recommend", "--country", "FR", "--out", t.TempDir())
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "configured: GB, NL, SE")
	assert.Equal(t, exitOK, runCLI(t, nil, "help").code)
	assert.Contains(t, runCLI(t, nil, "version").stdout, "optimiser")
}

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

func TestBacktestReportsAccuracyAndReplay(t *testing.T) {
	r := runCLI(t, nil, "backtest", "--country", "SE", "--replay", "3")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "SE walk-forward")
	assert.Contains(t, r.stdout, "replay of the last 3 weeks")
}

func TestOutputsGoToS3WhenConfigured(t *testing.T) {
	mem := &memoryStore{objects: map[string][]byte{}}
	for _, name := range []string{"nl.csv", "gb.csv", "se.csv"} {
		b, err := fs.ReadFile(bundled.Data(), name)
		require.NoError(t, err)
		mem.objects["data/history/"+name] = b
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"run", "--data-dir", "s3://data/history", "--out", "s3://data/out/2025-01-04", "--cash", "NL=1e9,GB=1e9,SE=1e10"}, environment{
		stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }, now: func() time.Time { return time.Date(2025, 1, 2, 6, 0, 0, 0, time.UTC) },
		s3: func(context.Context) (storage.ObjectStore, error) { return mem, nil },
	})
	require.Equal(t, exitOK, code, errOut.String())
	for _, cc := range []string{"NL", "GB", "SE"} {
		assert.Contains(t, mem.objects, "data/out/2025-01-04/"+cc+"/recommendation.json")
		assert.Contains(t, mem.objects, "data/out/2025-01-04/"+cc+"/metadata.json")
	}
	var meta report.Metadata
	require.NoError(t, json.Unmarshal(mem.objects["data/out/2025-01-04/NL/metadata.json"], &meta))
	assert.Equal(t, "s3://data/history/nl.csv", meta.DataSource)
	assert.False(t, meta.SyntheticData, "data from a data directory is not labelled as the bundled sample")
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

type memoryStore struct{ objects map[string][]byte }

func (m *memoryStore) Get(_ context.Context, bucket, key string) ([]byte, error) {
	if b, ok := m.objects[bucket+"/"+key]; ok {
		return b, nil
	}
	return nil, errors.New("NoSuchKey")
}

func (m *memoryStore) Put(_ context.Context, bucket, key string, data []byte) error {
	m.objects[bucket+"/"+key] = data
	return nil
}

func (m *memoryStore) Delete(_ context.Context, bucket, key string) error {
	delete(m.objects, bucket+"/"+key)
	return nil
}

func (m *memoryStore) List(_ context.Context, bucket, prefix string) ([]string, error) {
	var out []string
	for k := range m.objects {
		if rest, ok := strings.CutPrefix(k, bucket+"/"); ok && strings.HasPrefix(rest, prefix) {
			out = append(out, rest)
		}
	}
	return out, nil
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
