package bundle_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/finops/cleanup/bundle"
)

func TestBundleIsReproducibleAndRunsAsBootstrap(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the cleanup command")
	}
	root, err := bundle.FindRoot()
	require.NoError(t, err)
	a, err := bundle.Build(context.Background(), root, filepath.Join(t.TempDir(), "a"))
	require.NoError(t, err)
	b, err := bundle.Build(context.Background(), root, filepath.Join(t.TempDir(), "b"))
	require.NoError(t, err)
	za, err := os.ReadFile(a)
	require.NoError(t, err)
	zb, err := os.ReadFile(b)
	require.NoError(t, err)
	assert.Equal(t, za, zb, "two builds give the same bytes")

	r, err := zip.NewReader(bytes.NewReader(za), int64(len(za)))
	require.NoError(t, err)
	require.Len(t, r.File, 1)
	f := r.File[0]
	assert.Equal(t, bundle.Handler, f.Name)
	assert.Equal(t, os.FileMode(0o755), f.Mode().Perm(), "Lambda runs bootstrap only if it is executable")
	rc, err := f.Open()
	require.NoError(t, err)
	head := make([]byte, 4)
	_, err = rc.Read(head)
	require.NoError(t, err)
	rc.Close()
	assert.Equal(t, []byte{0x7f, 'E', 'L', 'F'}, head, "a Linux executable")
}
