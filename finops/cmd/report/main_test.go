package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/finops/report/reporttest"
	"github.com/aifactory/platform/internal/fakeaws"
)

var clock = func() time.Time { return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) }

// account is the report's fake AWS (reporttest.February).
func account(t *testing.T) *fakeaws.Server { return reporttest.February(t) }

func TestWritesTheReportWithTheStacksBudgets(t *testing.T) {
	s := account(t)
	loadAWS := func(context.Context) (aws.Config, error) { return s.Config(), nil }
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-stack", "dev", "-stack-file", "../../../Pulumi.dev.yaml", "-month", "2026-02", "-out", out}, &stdout, &stderr, loadAWS, clock)
	require.Equal(t, 0, code, stderr.String())
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	// The dev stack file's budgets: platform 400, jackpot-analytics 250, player-insights 100.
	assert.Contains(t, string(md), "| platform | $275.66 | $68.92 | $400.00 | 69% |")
	assert.Contains(t, string(md), "| jackpot-analytics | $113.54 | $28.39 | $250.00 | 45% |")
	// Its pipeline schedule: Mondays at 06:00 in Europe/Amsterdam.
	assert.Contains(t, string(md), "4 scheduled runs (`cron(0 6 ? * MON *)` in Europe/Amsterdam)")
	assert.Contains(t, string(md), "0 resources removed by the job", "no decisions were given")
	assert.Contains(t, stdout.String(), "wrote "+filepath.ToSlash(filepath.Join(out, "report.md")))
	assert.Zero(t, s.Count("FilterLogEvents"))

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-stack", "dev", "-out", out}, "-month YYYY-MM and -out DIR are required"},
		{[]string{"-stack", "dev", "-month", "February", "-out", out}, "-month YYYY-MM"},
		{[]string{"-stack", "qa", "-month", "2026-02", "-out", out}, "reading the stack file"},
		{[]string{"-stack", "dev", "-stack-file", "../../../Pulumi.dev.yaml", "-month", "2026-02", "-out", out, "-actions", "missing.jsonl"}, "missing.jsonl"},
		{[]string{"-stack", "dev", "-stack-file", "../../../Pulumi.dev.yaml", "-month", "2026-02", "-out", out, "-actions", "a.jsonl", "-from-logs"}, "use one"},
	} {
		stderr.Reset()
		assert.Equal(t, 2, run(context.Background(), tc.args, &stdout, &stderr, loadAWS, clock), tc.args)
		assert.Contains(t, stderr.String(), tc.want)
	}
}

func TestReadsTheDecisionsFromTheJobsLogGroup(t *testing.T) {
	s := account(t)
	loadAWS := func(context.Context) (aws.Config, error) { return s.Config(), nil }
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-stack", "dev", "-stack-file", "../../../Pulumi.dev.yaml", "-month", "2026-02", "-out", out, "-from-logs"},
		&stdout, &stderr, loadAWS, clock)
	require.Equal(t, 0, code, stderr.String())
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "Dry runs found 1 resource that the job would have removed")
	assert.Equal(t, 1, s.Count("FilterLogEvents"))

	// Without the log group, the report is not written.
	delete(s.LogEvents, "/aws/ecs/aifactory-dev-cleanup")
	out = t.TempDir()
	stderr.Reset()
	code = run(context.Background(), []string{"-stack", "dev", "-stack-file", "../../../Pulumi.dev.yaml", "-month", "2026-02", "-out", out, "-from-logs"},
		&stdout, &stderr, loadAWS, clock)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "log group /aws/ecs/aifactory-dev-cleanup")
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Empty(t, entries)
}
