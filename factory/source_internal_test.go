package factory

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFindLanguageHost(t *testing.T) {
	executable := func(t *testing.T, path string) {
		t.Helper()
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755))
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, cli, home, path string)
		ok    bool
	}{
		{name: "bundled beside the CLI", ok: true, setup: func(t *testing.T, cli, _, _ string) {
			executable(t, filepath.Join(filepath.Dir(cli), "pulumi-language-go"))
		}},
		{name: "on PATH", ok: true, setup: func(t *testing.T, _, _, path string) {
			executable(t, filepath.Join(path, "pulumi-language-go"))
		}},
		{name: "installed as a plugin", ok: true, setup: func(t *testing.T, _, home, _ string) {
			executable(t, filepath.Join(home, "plugins", "language-go-v3.259.0", "pulumi-language-go"))
		}},
		{name: "nowhere", setup: func(*testing.T, string, string, string) {}},
	} {
		t.Run(tc.name+": the engine's environment counts", func(t *testing.T) {
			dir := t.TempDir()
			cli := filepath.Join(dir, "cli", "bin", "pulumi")
			executable(t, cli)
			home, path := filepath.Join(dir, "home"), filepath.Join(dir, "path")
			require.NoError(t, os.MkdirAll(path, 0o755))
			t.Setenv("PULUMI_HOME", t.TempDir())
			t.Setenv("PATH", t.TempDir())
			tc.setup(t, cli, home, path)
			assert.Equal(t, tc.ok, findLanguageHost(cli, map[string]string{"PULUMI_HOME": home, "PATH": path}) == nil)
		})
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cli := filepath.Join(dir, "cli", "bin", "pulumi")
			executable(t, cli)
			home, path := filepath.Join(dir, "home"), filepath.Join(dir, "path")
			require.NoError(t, os.MkdirAll(path, 0o755))
			t.Setenv("PULUMI_HOME", home)
			t.Setenv("PATH", path)
			tc.setup(t, cli, home, path)
			err := findLanguageHost(cli, nil)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "no Go language host")
			assert.Contains(t, err.Error(), "--source inline", "the error names the fix")
		})
	}
}
