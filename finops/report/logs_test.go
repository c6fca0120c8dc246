package report_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/finops/cleanup"
	"github.com/aifactory/platform/finops/report"
	"github.com/aifactory/platform/internal/fakeaws"
)

const logGroup = "/aws/ecs/aifactory-dev-cleanup"

// logRun runs the cleanup job in dry run at the given time against the
// account and ships its output to the log group as the awslogs driver
// does: one event per line, in the run's own stream, stamped a little
// after the run started.
func logRun(t *testing.T, account, logs *fakeaws.Server, at time.Time) {
	t.Helper()
	var out bytes.Buffer
	_, err := cleanup.Run(context.Background(), cleanup.Config{Project: "aifactory", Environment: "dev", DryRun: true,
		StudioIdleLimit: 2 * time.Hour, VolumeMinAge: 7 * 24 * time.Hour, Now: func() time.Time { return at }, Log: &out},
		cleanup.NewClients(account.Config()))
	require.NoError(t, err)
	stream := fmt.Sprintf("cleanup/cleanup/%d", at.Unix())
	sc := bufio.NewScanner(&out)
	for i := 0; sc.Scan(); i++ {
		logs.LogEvents[logGroup] = append(logs.LogEvents[logGroup], fakeaws.LogEvent{Stream: stream, Time: at.Add(time.Duration(i+1) * 100 * time.Millisecond), Message: sc.Text()})
	}
	// The run's last line is not a decision.
	logs.LogEvents[logGroup] = append(logs.LogEvents[logGroup], fakeaws.LogEvent{Stream: stream, Time: at.Add(time.Minute), Message: "aifactory-dev cleanup: 5 dry-run (dry run)"})
}

func TestDecisionsAreReadFromTheJobsLogGroup(t *testing.T) {
	acct := account(t)
	logs := fakeaws.New(t)
	logs.LogEvents = map[string][]fakeaws.LogEvent{logGroup: nil, "/aws/ecs/aifactory-dev-optimiser": {{Stream: "x", Time: now, Message: `{"msg":"decision","rule":"not-the-cleanup-job"}`}}}
	logs.LogsPageSize = 4                                                // many pages
	logRun(t, acct, logs, time.Date(2026, 1, 31, 19, 0, 0, 0, time.UTC)) // January's
	for day := 1; day <= 28; day++ {
		logRun(t, acct, logs, time.Date(2026, 2, day, 19, 0, 0, 0, time.UTC))
	}
	// A run that starts just before the month ends logs into March: its
	// decisions are February's.
	lastRun := time.Date(2026, 2, 28, 23, 59, 59, 0, time.UTC)
	logRun(t, acct, logs, lastRun)
	logRun(t, acct, logs, time.Date(2026, 3, 1, 19, 0, 0, 0, time.UTC)) // March's

	logs.Throttle("FilterLogEvents", 2)
	actions, err := report.ReadActionsFromLogs(context.Background(), cloudwatchlogs.NewFromConfig(logs.Config()), logGroup, time.Date(2026, 2, 14, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)

	require.Len(t, actions, 29*6, "six decisions of each of February's 29 runs, nothing else")
	first, last := actions[0].At, actions[0].At
	for _, d := range actions {
		if d.At.Before(first) {
			first = d.At
		}
		if d.At.After(last) {
			last = d.At
		}
		assert.Equal(t, cleanup.OutcomeDryRun, d.Outcome)
	}
	assert.Equal(t, time.Date(2026, 2, 1, 19, 0, 0, 0, time.UTC), first)
	assert.Equal(t, lastRun, last)
	calls := logs.Count("FilterLogEvents")
	assert.Greater(t, calls, 2+29*6/4, "every page was read, after the throttled attempts were retried")

	// The same decisions as the file the job's output would make.
	r := reportOf(t, actions).Reclaimed
	assert.Equal(t, 4, r.DryRunActions)
	assert.Equal(t, 29*6-5, r.Repeated)
}

func TestAMissingLogGroupIsNamed(t *testing.T) {
	logs := fakeaws.New(t)
	logs.LogEvents = map[string][]fakeaws.LogEvent{}
	api := cloudwatchlogs.NewFromConfig(logs.Config())
	_, err := report.ReadActionsFromLogs(context.Background(), api, logGroup, now)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "log group "+logGroup)
	assert.Contains(t, err.Error(), "ResourceNotFoundException")

	_, err = report.ReadActionsFromLogs(context.Background(), api, "", now)
	assert.ErrorContains(t, err, "/aws/ecs/<project>-<environment>-cleanup")

	logs.LogEvents[logGroup] = []fakeaws.LogEvent{{Stream: "s", Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Message: `{"msg":"decision","time":"yesterday"}`}}
	_, err = report.ReadActionsFromLogs(context.Background(), api, logGroup, now)
	assert.ErrorContains(t, err, "stream s")
}
