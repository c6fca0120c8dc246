package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGeneratesTheBundledSampleData(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run([]string{"-config-dir", "../../bundled/configs", "-out", out}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Contains(t, stdout.String(), "SYNTHETIC")
	for _, name := range []string{"nl.csv", "gb.csv", "se.csv"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		want, err := fs.ReadFile(bundled.Data(), name)
		require.NoError(t, err)
		assert.Equal(t, want, got, name)
	}
}

func TestRejectsACountryWithoutAScenario(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"-config-dir", "../../bundled/configs", "-out", t.TempDir(), "-country", "FR"}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "nothing generated")
	assert.Equal(t, 2, run([]string{"-bogus"}, &stdout, &stderr))
}
