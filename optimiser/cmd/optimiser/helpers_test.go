package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aifactory/platform/optimiser/awsio"
	"github.com/aifactory/platform/optimiser/awsio/s3fake"
	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/cash"
	"github.com/aifactory/platform/optimiser/storage"
	"github.com/stretchr/testify/require"
)

type result struct {
	code           int
	stdout, stderr string
}

// testClock is the fixed "now" of the command-line tests: a Thursday
// after the bundled histories end (2024-12-21).
var testClock = time.Date(2025, 1, 2, 6, 0, 0, 0, time.UTC)

func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runCLIEnv(t, cliEnv{vars: env}, args...)
}

// cliEnv is the process environment of one in-process run.
type cliEnv struct {
	vars map[string]string
	now  time.Time // zero: testClock
	s3   *s3fake.Server
	// secrets are the Secrets Manager secrets by id, as their JSON text.
	secrets map[string]string
}

// secretStore answers GetSecretValue from a map, as Secrets Manager would.
type secretStore map[string]string

func (s secretStore) SecretString(_ context.Context, id string) (string, error) {
	v, ok := s[id]
	if !ok {
		return "", fmt.Errorf("ResourceNotFoundException: Secrets Manager can't find the specified secret %s", id)
	}
	return v, nil
}

func runCLIEnv(t *testing.T, e cliEnv, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	now := e.now
	if now.IsZero() {
		now = testClock
	}
	env := environment{
		stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return e.vars[k] },
		now:    func() time.Time { return now },
	}
	if e.s3 != nil {
		env.s3 = func(context.Context) (storage.ObjectStore, error) { return awsio.ObjectStoreFor(e.s3.Client), nil }
	}
	if e.secrets != nil {
		env.secrets = func(context.Context) (cash.SecretFetcher, error) { return secretStore(e.secrets), nil }
	}
	code := run(context.Background(), args, env)
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

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
