package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A rename failing after the first file of the set was moved into place
// must restore the previous set.
func TestLocalSinkRollsBackAPartialCommit(t *testing.T) {
	root := t.TempDir()
	for _, n := range []string{"recommendation.json", "metadata.json"} {
		require.NoError(t, os.WriteFile(filepath.Join(root, n), []byte("old "+n), 0o644))
	}
	calls := 0
	rename = func(from, to string) error {
		calls++
		if calls == 4 { // backup 1, commit 1, backup 2, commit 2 ← fails
			return errors.New("disk full")
		}
		return os.Rename(from, to)
	}
	defer func() { rename = os.Rename }()

	err := LocalSink(root).WriteAll(context.Background(), []File{
		{Name: "recommendation.json", Data: []byte("new")},
		{Name: "metadata.json", Data: []byte("new")},
	})
	require.ErrorContains(t, err, "disk full")
	for _, n := range []string{"recommendation.json", "metadata.json"} {
		b, err := os.ReadFile(filepath.Join(root, n))
		require.NoError(t, err)
		assert.Equal(t, "old "+n, string(b))
	}
	entries, _ := os.ReadDir(root)
	assert.Len(t, entries, 2, "no temporary or backup files left")
}
