package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/finops/cleanup"
	"github.com/aifactory/platform/internal/fakeaws"
)

var clock = func() time.Time { return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) }

// account is a fake AWS with February's recorded Cost Explorer answers and
// the cleanup job's log group, holding the output of one run that found an
// expired EMR cluster.
func account(t *testing.T) *fakeaws.Server {
	s := fakeaws.New(t)
	for _, f := range []string{"ce-2026-02-page1.json", "ce-2026-02-page2.json", "ce-2026-02-workload-page1.json", "ce-2026-02-workload-page2.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "report", "testdata", f))
		require.NoError(t, err)
		s.CostAndUsage = append(s.CostAndUsage, string(b))
	}
	at := time.Date(2026, 2, 21, 19, 0, 0, 0, time.UTC)
	s.Clusters = []*fakeaws.Cluster{{ID: "j-1", State: "WAITING", Created: at.Add(-48 * time.Hour),
		Tags:      fakeaws.Tags{"project": "aifactory", "environment": "dev", "team": "jackpot-analytics", "expires-at": "2026-02-20T00:00:00Z"},
		Instances: []fakeaws.Instance{{Type: "m5.xlarge", Market: "ON_DEMAND"}}}}
	var out bytes.Buffer
	_, err := cleanup.Run(context.Background(), cleanup.Config{Project: "aifactory", Environment: "dev", DryRun: true,
		StudioIdleLimit: 2 * time.Hour, VolumeMinAge: 7 * 24 * time.Hour, Now: func() time.Time { return at }, Log: &out}, cleanup.NewClients(s.Config()))
	require.NoError(t, err)
	s.LogEvents = map[string][]fakeaws.LogEvent{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		s.LogEvents["/aws/ecs/aifactory-dev-cleanup"] = append(s.LogEvents["/aws/ecs/aifactory-dev-cleanup"], fakeaws.LogEvent{Stream: "cleanup/cleanup/1", Time: at.Add(time.Second), Message: sc.Text()})
	}
	return s
}

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
