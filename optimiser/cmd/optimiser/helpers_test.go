package main

import (
	"bytes"
	"context"
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
