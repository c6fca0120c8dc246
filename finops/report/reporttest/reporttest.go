// Package reporttest is the fake AWS account the monthly report's tests
// read: February 2026's recorded Cost Explorer answers and the dev stack's
// cleanup log group holding one dry run that found an expired EMR cluster.
// Both the report command and the platform tool's report test it.
package reporttest

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/finops/cleanup"
	"github.com/aifactory/platform/internal/fakeaws"
)

// LogGroup is the dev stack's cleanup log group, which holds the dry run.
const LogGroup = "/aws/ecs/aifactory-dev-cleanup"

// February returns the fake account. The dry run is the cleanup job's own
// output, so the report reads what the job really writes.
func February(t testing.TB) *fakeaws.Server {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	require.True(t, ok, "locating the report's recorded answers")
	s := fakeaws.New(t)
	for _, f := range []string{"ce-2026-02-page1.json", "ce-2026-02-page2.json", "ce-2026-02-workload-page1.json", "ce-2026-02-workload-page2.json"} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(self), "..", "testdata", f))
		require.NoError(t, err)
		s.CostAndUsage = append(s.CostAndUsage, string(b))
	}
	at := time.Date(2026, 2, 21, 19, 0, 0, 0, time.UTC)
	s.Clusters = []*fakeaws.Cluster{{ID: "j-1", State: "WAITING", Created: at.Add(-48 * time.Hour),
		Tags:      fakeaws.Tags{"project": "aifactory", "environment": "dev", "team": "jackpot-analytics", "expires-at": "2026-02-20T00:00:00Z"},
		Instances: []fakeaws.Instance{{Type: "m5.xlarge", Market: "ON_DEMAND"}}}}
	var log bytes.Buffer
	_, err := cleanup.Run(context.Background(), cleanup.Config{Project: "aifactory", Environment: "dev", DryRun: true,
		StudioIdleLimit: 2 * time.Hour, VolumeMinAge: 7 * 24 * time.Hour, Now: func() time.Time { return at }, Log: &log}, cleanup.NewClients(s.Config()))
	require.NoError(t, err)
	s.LogEvents = map[string][]fakeaws.LogEvent{}
	sc := bufio.NewScanner(&log)
	for sc.Scan() {
		s.LogEvents[LogGroup] = append(s.LogEvents[LogGroup], fakeaws.LogEvent{Stream: "cleanup/cleanup/1", Time: at.Add(time.Second), Message: sc.Text()})
	}
	return s
}
