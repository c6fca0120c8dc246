package factory_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory"
	"github.com/aifactory/platform/internal/offline"
)

// The figures the README quotes for the shipped dev and prod stacks are
// what `aifactory cost <stack> --offline` prints for them today: a change
// to a stack or the price table that moves them fails here until the
// README shows the new ones.
func TestEngineREADMEQuotesTheToolsCostFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("engine-level test")
	}
	repo, err := offline.FindRoot()
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(repo, "README.md"))
	require.NoError(t, err)
	f := newFactory(t, checkout(t), nil)
	for _, stack := range []string{"dev", "prod"} {
		res, err := f.Cost(context.Background(), stack, factory.CostOptions{})
		require.NoError(t, err)
		require.NotNil(t, res.Cost)
		var out bytes.Buffer
		require.NoError(t, res.Cost.Write(&out))
		assert.Contains(t, string(readme), out.String(),
			"README.md quotes other cost figures for %s than `go run ./cmd/aifactory cost %s --offline` prints; paste its output", stack, stack)
	}
}
