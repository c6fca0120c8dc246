package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/finops/report"
	"github.com/aifactory/platform/internal/fakeaws"
)

func TestWritesTheReportWithTheStacksBudgets(t *testing.T) {
	s := fakeaws.New(t)
	for _, f := range []string{"ce-2026-02-page1.json", "ce-2026-02-page2.json", "ce-2026-02-workload-page1.json", "ce-2026-02-workload-page2.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "report", "testdata", f))
		require.NoError(t, err)
		s.CostAndUsage = append(s.CostAndUsage, string(b))
	}
	ce := func(context.Context) (report.CostExplorerAPI, error) {
		return costexplorer.NewFromConfig(s.Config()), nil
	}
	clock := func() time.Time { return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) }
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-stack", "dev", "-stack-file", "../../../Pulumi.dev.yaml", "-month", "2026-02", "-out", out}, &stdout, &stderr, ce, clock)
	require.Equal(t, 0, code, stderr.String())
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	// The dev stack file's budgets: platform 400, jackpot-analytics 250, player-insights 100.
	assert.Contains(t, string(md), "| platform | $275.66 | $68.92 | $400.00 | 69% |")
	assert.Contains(t, string(md), "| jackpot-analytics | $113.54 | $28.39 | $250.00 | 45% |")
	assert.Contains(t, stdout.String(), "wrote "+filepath.ToSlash(filepath.Join(out, "report.md")))

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-stack", "dev", "-out", out}, "-month YYYY-MM and -out DIR are required"},
		{[]string{"-stack", "dev", "-month", "February", "-out", out}, "-month YYYY-MM"},
		{[]string{"-stack", "qa", "-month", "2026-02", "-out", out}, "reading the stack file"},
		{[]string{"-stack", "dev", "-stack-file", "../../../Pulumi.dev.yaml", "-month", "2026-02", "-out", out, "-actions", "missing.jsonl"}, "missing.jsonl"},
	} {
		stderr.Reset()
		assert.Equal(t, 2, run(context.Background(), tc.args, &stdout, &stderr, ce, clock), tc.args)
		assert.Contains(t, stderr.String(), tc.want)
	}
}
