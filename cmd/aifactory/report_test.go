package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory"
	"github.com/aifactory/platform/finops/report/reporttest"
	"github.com/aifactory/platform/internal/fakeaws"
)

// fakeReportAWS points the report command at the report's fake AWS
// (reporttest.February).
func fakeReportAWS(t *testing.T) (*fakeaws.Server, *string) {
	s := reporttest.February(t)
	region := new(string)
	oldAWS, oldClock := reportAWS, reportClock
	reportAWS = func(_ context.Context, r string) (aws.Config, error) { *region = r; return s.Config(), nil }
	reportClock = func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { reportAWS, reportClock = oldAWS, oldClock })
	return s, region
}

func TestReportWritesTheStacksMonthlyReport(t *testing.T) {
	s, region := fakeReportAWS(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"report", "dev", "--month", "2026-02", "--out", out, "--root", root}, &stdout, &stderr)
	require.Equal(t, factory.ExitOK, code, stderr.String())
	assert.Equal(t, "eu-west-1", *region, "the stack file's region")
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	for _, want := range []string{
		"# FinOps report 2026-02: aifactory-dev",
		"| platform | $275.66 | $68.92 | $400.00 | 69% |", // the dev stack file's budgets
		"4 scheduled runs (`cron(0 6 ? * MON *)` in Europe/Amsterdam)",
		"Dry runs found 1 resource that the job would have removed", // from the job's log group
	} {
		assert.Contains(t, string(md), want)
	}
	for _, chart := range []string{"cost-by-team.png", "cost-by-service.png", "budget-burn.png"} {
		assert.FileExists(t, filepath.Join(out, chart))
	}
	assert.Equal(t, 1, s.Count("FilterLogEvents"))
	assert.Contains(t, stdout.String(), "wrote "+filepath.ToSlash(filepath.Join(out, "report.md")))

	// --json writes report.json; the default directory is out/finops/<stack>/<month>.
	t.Chdir(t.TempDir())
	stdout.Reset()
	code = run(context.Background(), []string{"report", "--month", "2026-02", "--json", "--root", root, "dev"}, &stdout, &stderr)
	require.Equal(t, factory.ExitOK, code, stderr.String())
	b, err := os.ReadFile(filepath.Join("out", "finops", "dev", "2026-02", "report.json"))
	require.NoError(t, err)
	var back map[string]any
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, "2026-02", back["month"])
	assert.NoFileExists(t, filepath.Join("out", "finops", "dev", "2026-02", "report.md"))
}

func TestReportReadsAnActionLogInsteadOfTheLogGroup(t *testing.T) {
	s, _ := fakeReportAWS(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	var log bytes.Buffer
	for _, e := range s.LogEvents["/aws/ecs/aifactory-dev-cleanup"] {
		log.WriteString(e.Message + "\n")
	}
	file := filepath.Join(t.TempDir(), "cleanup.jsonl")
	require.NoError(t, os.WriteFile(file, log.Bytes(), 0o600))
	delete(s.LogEvents, "/aws/ecs/aifactory-dev-cleanup")
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"report", "dev", "--month", "2026-02", "--out", out, "--root", root, "--actions", file}, &stdout, &stderr)
	require.Equal(t, factory.ExitOK, code, stderr.String())
	assert.Zero(t, s.Count("FilterLogEvents"))
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "Dry runs found 1 resource")

	// Without --actions the missing log group fails the report, which is not written.
	out = t.TempDir()
	stderr.Reset()
	code = run(context.Background(), []string{"report", "dev", "--month", "2026-02", "--out", out, "--root", root}, &stdout, &stderr)
	assert.Equal(t, factory.ExitFailure, code)
	assert.Contains(t, stderr.String(), "log group /aws/ecs/aifactory-dev-cleanup")
	assert.Contains(t, stderr.String(), "--actions")
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestReportRefusesBadInput(t *testing.T) {
	fakeReportAWS(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--month", "2026-02"}, "name the stack"},
		{[]string{"report", "dev", "--root", root}, "--month is required"},
		{[]string{"report", "dev", "--month", "Feb", "--root", root}, `--month "Feb"`},
		{[]string{"report", "qa", "--month", "2026-02", "--root", root}, "Pulumi.qa.yaml"},
		{[]string{"report", "dev", "extra", "--month", "2026-02", "--root", root}, "unexpected arguments extra"},
		{[]string{"report", "dev", "--month", "2026-02", "--root", root, "--actions", "missing.jsonl"}, "--actions"},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, factory.ExitBadInput, run(context.Background(), tc.args, &stdout, &stderr), tc.args)
		assert.Contains(t, stderr.String(), tc.want, tc.args)
	}
}
