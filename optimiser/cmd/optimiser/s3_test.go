package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"testing"
	"time"

	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/report"
	"github.com/aifactory/platform/optimiser/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
