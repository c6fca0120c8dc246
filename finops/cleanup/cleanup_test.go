package cleanup_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/finops/cleanup"
	"github.com/aifactory/platform/internal/fakeaws"
)

// now is the fixed clock of every test.
var now = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

func platformTags(team string, extra ...string) fakeaws.Tags {
	t := fakeaws.Tags{"project": "aifactory", "environment": "dev", "team": team, "owner": team + "@aifactory.example"}
	for i := 0; i+1 < len(extra); i += 2 {
		t[extra[i]] = extra[i+1]
	}
	return t
}

const (
	past   = "2026-03-01T00:00:00Z"
	future = "2026-12-31T00:00:00Z"
)

// world fills the fake with the platform's resources, expired and not,
// and with resources of other stacks and other owners that must never be
// touched whatever their age.
func world(t *testing.T) *fakeaws.Server {
	s := fakeaws.New(t)
	s.Domains = []*fakeaws.Domain{{ID: "d-dev", Name: "aifactory-dev-studio", Tags: platformTags("platform")}}
	s.Apps = []*fakeaws.App{
		// Idle JupyterLab past the 2 h limit: deleted.
		{DomainID: "d-dev", UserProfile: "jackpot-analytics", Type: "JupyterLab", Name: "default", Status: "InService", InstanceType: "ml.t3.medium",
			Created: now.Add(-48 * time.Hour), LastActivity: now.Add(-5 * time.Hour), Tags: platformTags("jackpot-analytics")},
		// A Studio Classic KernelGateway, which built-in idle shutdown does not cover, never used: deleted.
		{DomainID: "d-dev", UserProfile: "player-insights", Type: "KernelGateway", Name: "datascience-1", Status: "InService", InstanceType: "ml.m5.large",
			Created: now.Add(-30 * time.Hour), Tags: platformTags("player-insights")},
		// Active 20 minutes ago: kept.
		{DomainID: "d-dev", UserProfile: "player-insights", Type: "CodeEditor", Name: "default", Status: "InService", InstanceType: "ml.t3.large",
			Created: now.Add(-3 * time.Hour), LastActivity: now.Add(-20 * time.Minute), Tags: platformTags("player-insights")},
		// Another environment's idle app: ignored.
		{DomainID: "d-dev", UserProfile: "jackpot-analytics", Type: "JupyterServer", Name: "default", Status: "InService", InstanceType: "system",
			Created: now.Add(-400 * time.Hour), Tags: fakeaws.Tags{"project": "aifactory", "environment": "prod", "team": "jackpot-analytics"}},
		// An untagged app: ignored.
		{DomainID: "d-dev", UserProfile: "someone", Type: "JupyterLab", Name: "default", Status: "InService", InstanceType: "ml.m5.xlarge",
			Created: now.Add(-400 * time.Hour)},
		// The app of an expired space, active a minute ago: removed with its space.
		{DomainID: "d-dev", Space: "old-experiment", Type: "JupyterLab", Name: "default", Status: "InService", InstanceType: "ml.t3.medium",
			Created: now.Add(-10 * time.Hour), LastActivity: now.Add(-time.Minute), Tags: platformTags("jackpot-analytics")},
	}
	s.Spaces = []*fakeaws.Space{
		{DomainID: "d-dev", Name: "old-experiment", Status: "InService", Created: now.Add(-30 * 24 * time.Hour), Tags: platformTags("jackpot-analytics", "expires-at", past)},
		{DomainID: "d-dev", Name: "current-work", Status: "InService", Created: now.Add(-24 * time.Hour), Tags: platformTags("player-insights", "expires-at", future)},
		{DomainID: "d-dev", Name: "someone-elses", Status: "InService", Created: now.Add(-90 * 24 * time.Hour), Tags: fakeaws.Tags{"expires-at": past}},
	}
	s.Clusters = []*fakeaws.Cluster{
		{ID: "j-EXPIRED", Name: "aifactory-dev-jackpot-analytics-feature-backfill", State: "WAITING", Created: now.Add(-72 * time.Hour),
			Tags:      platformTags("jackpot-analytics", "expires-at", past),
			Instances: []fakeaws.Instance{{Type: "m5.xlarge", Market: "ON_DEMAND"}, {Type: "m5.xlarge", Market: "ON_DEMAND"}, {Type: "r5.xlarge", Market: "SPOT"}, {Type: "m5.xlarge", Market: "SPOT"}}},
		{ID: "j-CURRENT", Name: "aifactory-dev-player-insights-etl", State: "RUNNING", Created: now.Add(-2 * time.Hour),
			Tags: platformTags("player-insights", "expires-at", future)},
		{ID: "j-PROTECTED", Name: "aifactory-dev-jackpot-analytics-audit", State: "RUNNING", Created: now.Add(-72 * time.Hour), Protected: true,
			Tags: platformTags("jackpot-analytics", "expires-at", past)},
		{ID: "j-FOREIGN", Name: "finance-nightly", State: "RUNNING", Created: now.Add(-72 * time.Hour), Tags: fakeaws.Tags{"expires-at": past}},
		{ID: "j-GONE", Name: "aifactory-dev-old", State: "TERMINATED", Created: now.Add(-900 * time.Hour), Tags: platformTags("jackpot-analytics", "expires-at", past)},
	}
	s.Volumes = []*fakeaws.Volume{
		{ID: "vol-old", AZ: "eu-west-1a", Type: "gp3", SizeGiB: 100, State: "available", Created: now.Add(-10 * 24 * time.Hour), Tags: platformTags("player-insights")},
		{ID: "vol-keep", AZ: "eu-west-1a", Type: "gp3", SizeGiB: 50, State: "available", Created: now.Add(-10 * 24 * time.Hour), Tags: platformTags("jackpot-analytics", "keep-snapshot", "true")},
		{ID: "vol-young", AZ: "eu-west-1b", Type: "gp3", SizeGiB: 20, State: "available", Created: now.Add(-2 * time.Hour), Tags: platformTags("player-insights")},
		{ID: "vol-attached", AZ: "eu-west-1b", Type: "gp3", SizeGiB: 20, State: "in-use", Created: now.Add(-100 * 24 * time.Hour), Tags: platformTags("player-insights")},
		{ID: "vol-foreign", AZ: "eu-west-1b", Type: "gp2", SizeGiB: 500, State: "available", Created: now.Add(-100 * 24 * time.Hour), Tags: fakeaws.Tags{"project": "other"}},
		{ID: "vol-staging", AZ: "eu-west-1b", Type: "gp2", SizeGiB: 500, State: "available", Created: now.Add(-100 * 24 * time.Hour), Tags: fakeaws.Tags{"project": "aifactory", "environment": "staging"}},
	}
	s.Endpoints = []*fakeaws.Endpoint{
		{Name: "jackpot-forecast-canary", Status: "InService", ConfigName: "jackpot-forecast-canary-cfg", InstanceType: "ml.m5.large", InstanceCount: 2,
			Created: now.Add(-20 * 24 * time.Hour), Tags: platformTags("jackpot-analytics", "expires-at", "2026-03-10")},
		{Name: "player-churn", Status: "InService", ConfigName: "player-churn-cfg", InstanceType: "ml.m5.large", InstanceCount: 1,
			Created: now.Add(-20 * 24 * time.Hour), Tags: platformTags("player-insights", "expires-at", future)},
		{Name: "no-expiry", Status: "InService", ConfigName: "no-expiry-cfg", InstanceType: "ml.m5.large", InstanceCount: 1,
			Created: now.Add(-20 * 24 * time.Hour), Tags: platformTags("player-insights")},
		{Name: "partner-scoring", Status: "InService", ConfigName: "partner-cfg", InstanceType: "ml.c5.xlarge", InstanceCount: 4,
			Created: now.Add(-200 * 24 * time.Hour), Tags: fakeaws.Tags{"expires-at": past}},
	}
	s.Notebooks = []*fakeaws.Notebook{
		{Name: "legacy-notebook", Status: "InService", InstanceType: "ml.t3.medium", Created: now.Add(-60 * 24 * time.Hour), Tags: platformTags("player-insights", "expires-at", past)},
		{Name: "stopped-notebook", Status: "Stopped", InstanceType: "ml.t3.medium", Created: now.Add(-60 * 24 * time.Hour), Tags: platformTags("player-insights", "expires-at", past)},
		{Name: "someone-notebook", Status: "InService", InstanceType: "ml.t3.medium", Created: now.Add(-60 * 24 * time.Hour), Tags: fakeaws.Tags{"project": "aifactory"}},
	}
	return s
}

const topic = "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-finops"

func config(log *bytes.Buffer, dryRun bool) cleanup.Config {
	return cleanup.Config{
		Project: "aifactory", Environment: "dev", DryRun: dryRun,
		StudioIdleLimit: 2 * time.Hour, VolumeMinAge: 7 * 24 * time.Hour,
		TopicArn: topic, Now: func() time.Time { return now }, Log: log,
	}
}

const (
	appIdle       = "DeleteApp d-dev/jackpot-analytics/JupyterLab/default"
	appClassic    = "DeleteApp d-dev/player-insights/KernelGateway/datascience-1"
	appOfSpace    = "DeleteApp d-dev/old-experiment/JupyterLab/default"
	spaceDeletion = "DeleteSpace d-dev/old-experiment"
	clusterEnd    = "TerminateJobFlows j-EXPIRED"
	volumeDelete  = "DeleteVolume vol-old"
	keepSnapshot  = "CreateSnapshot vol-keep"
	keepDelete    = "DeleteVolume vol-keep"
	endpointEnd   = "DeleteEndpoint jackpot-forecast-canary"
	notebookStop  = "StopNotebookInstance legacy-notebook"
	notebookGone  = "DeleteNotebookInstance stopped-notebook"
	notebookLater = "DeleteNotebookInstance legacy-notebook"
	published     = "Publish " + topic
)

// firstRun is what the first live run changes: exactly the expired and
// idle resources that carry the platform's tags.
var firstRun = []string{appClassic, appOfSpace, appIdle, keepSnapshot, notebookGone, notebookStop, published, clusterEnd, endpointEnd, volumeDelete}

func run(t *testing.T, s *fakeaws.Server, cfg cleanup.Config) *cleanup.Summary {
	t.Helper()
	sum, err := cleanup.Run(context.Background(), cfg, cleanup.NewClients(s.Config()))
	require.NoError(t, err)
	return sum
}

func sorted(xs ...string) []string {
	out := append([]string(nil), xs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestActsOnExactlyTheExpiredTaggedResources(t *testing.T) {
	s := world(t)
	var log bytes.Buffer
	sum := run(t, s, config(&log, false))

	assert.Equal(t, sorted(firstRun...), s.Mutations())
	assert.True(t, sum.OK(), "%+v", sum)
	assert.Equal(t, 0, sum.Failed)
	// Deferred: the space waits for its app, the snapshot for completion.
	assert.Equal(t, 2, sum.Count(cleanup.OutcomeDeferred))
	assert.Equal(t, 1, sum.Counts[cleanup.RuleEMRClusterExpired][cleanup.OutcomeSkipped], "the protected cluster is reported, not forced")

	// The snapshot keeps the volume's tags and names its source.
	require.Len(t, s.Snapshots, 1)
	assert.Equal(t, "vol-keep", s.Snapshots[0].Tags[cleanup.SourceVolumeTag])
	assert.Equal(t, "jackpot-analytics", s.Snapshots[0].Tags["team"])
	assert.NotContains(t, s.Snapshots[0].Tags, cleanup.KeepSnapshotTag)

	// What the terminated cluster ran is recorded for costing.
	var cluster cleanup.Decision
	for _, d := range sum.Actions {
		if d.Rule == cleanup.RuleEMRClusterExpired && d.Outcome == cleanup.OutcomeDone {
			cluster = d
		}
	}
	assert.Equal(t, []cleanup.Instance{{Type: "m5.xlarge", Market: "on-demand", Count: 2}, {Type: "m5.xlarge", Market: "spot", Count: 1}, {Type: "r5.xlarge", Market: "spot", Count: 1}}, cluster.Instances)
	assert.Equal(t, "jackpot-analytics", cluster.Team)

	// The summary reaches the platform topic.
	require.Len(t, s.Messages, 1)
	assert.Equal(t, topic, s.Messages[0].TopicArn)
	assert.Equal(t, "aifactory-dev cleanup: 8 done, 2 deferred", s.Messages[0].Subject)
	var got cleanup.Summary
	require.NoError(t, json.Unmarshal([]byte(s.Messages[0].Body), &got))
	assert.Equal(t, sum.Counts, got.Counts)
	assert.Len(t, got.Actions, len(sum.Actions))
}

func TestEveryDecisionIsAStructuredLogLine(t *testing.T) {
	s := world(t)
	var log bytes.Buffer
	sum := run(t, s, config(&log, false))

	decisions := 0
	resources := map[string]string{}
	sc := bufio.NewScanner(&log)
	for sc.Scan() {
		var line map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line), sc.Text())
		assert.Equal(t, now.Format(time.RFC3339), line["time"])
		if line["msg"] != "decision" {
			continue
		}
		decisions++
		for _, k := range []string{"rule", "kind", "resource", "action", "outcome", "reason"} {
			assert.NotEmpty(t, line[k], "%s missing in %s", k, sc.Text())
		}
		resources[line["resource"].(string)] = line["outcome"].(string)
	}
	total := 0
	for _, byOutcome := range sum.Counts {
		for _, n := range byOutcome {
			total += n
		}
	}
	assert.Equal(t, total, decisions)
	// Resources of others are logged as ignored, never acted on.
	assert.Equal(t, cleanup.OutcomeIgnored, resources["arn:aws:sagemaker:eu-west-1:123456789012:app/d-dev/someone/jupyterlab/default"])
	assert.Equal(t, cleanup.OutcomeIgnored, resources["arn:aws:elasticmapreduce:eu-west-1:123456789012:cluster/j-FOREIGN"])
	assert.Equal(t, cleanup.OutcomeKept, resources["arn:aws:sagemaker:eu-west-1:123456789012:endpoint/no-expiry"], "no expires-at: kept")
}

func TestDryRunChangesNothing(t *testing.T) {
	s := world(t)
	var log bytes.Buffer
	sum := run(t, s, config(&log, true))

	assert.Equal(t, []string{published}, s.Mutations(), "a dry run only publishes its summary")
	assert.True(t, sum.DryRun)
	// It would have acted on the same resources as a live run (the space's
	// app and the space itself, the volume with its snapshot as one step).
	assert.Equal(t, 10, sum.Count(cleanup.OutcomeDryRun))
	assert.Contains(t, s.Messages[0].Subject, "(dry run)")
	for _, d := range sum.Actions {
		assert.True(t, d.DryRun)
	}
}

func TestSafeToRunAgain(t *testing.T) {
	s := world(t)
	var log bytes.Buffer
	run(t, s, config(&log, false))
	s.FinishSnapshots()
	// The second run finishes what the first started, and only that.
	sum := run(t, s, config(&log, false))
	second := s.Mutations()
	for _, m := range firstRun {
		second = remove(second, m)
	}
	assert.Equal(t, sorted(keepDelete, notebookLater, published, spaceDeletion), second)
	assert.True(t, sum.OK())
	// A third run has nothing left to do.
	before := len(s.Mutations())
	sum = run(t, s, config(&log, false))
	assert.Equal(t, before+1, len(s.Mutations()), "only the summary is published")
	assert.Equal(t, "aifactory-dev cleanup: nothing to do", sum.Subject())
}

func remove(xs []string, x string) []string {
	for i, e := range xs {
		if e == x {
			return append(xs[:i:i], xs[i+1:]...)
		}
	}
	return xs
}

func TestSurvivesThrottlingWithRetries(t *testing.T) {
	s := world(t)
	// Every protocol's throttling error, on list, describe and mutating calls.
	s.Throttle("ListApps", 2)
	s.Throttle("DeleteApp", 1)
	s.Throttle("ListTags", 3)
	s.Throttle("DescribeCluster", 1)
	s.Throttle("TerminateJobFlows", 2)
	s.Throttle("DescribeVolumes", 2)
	s.Throttle("CreateSnapshot", 1)
	s.Throttle("DeleteEndpoint", 1)
	s.Throttle("Publish", 1)
	var log bytes.Buffer
	sum := run(t, s, config(&log, false))

	assert.Equal(t, sorted(firstRun...), s.Mutations(), "the same outcome as without throttling")
	assert.True(t, sum.OK(), "%+v", sum)
	assert.Equal(t, 3, s.Count("TerminateJobFlows"), "two throttled attempts, then success")
	assert.Equal(t, 2, s.Count("Publish"))
	throttled := 0
	for _, c := range s.Calls() {
		if c.Error != "" {
			assert.Contains(t, []string{"ThrottlingException", "RequestLimitExceeded", "Throttling"}, c.Error)
			throttled++
		}
	}
	assert.Equal(t, 14, throttled)
}

func TestPartialFailuresAreReportedAndTheRestIsDone(t *testing.T) {
	s := world(t)
	s.Fail("DeleteEndpoint", "jackpot-forecast-canary", fakeaws.Fault{Code: "ValidationException", Message: "endpoint is being updated"})
	s.Fail("DeleteVolume", "vol-old", fakeaws.Fault{Code: "UnauthorizedOperation", Message: "not authorized"})
	var log bytes.Buffer
	sum := run(t, s, config(&log, false))

	want := sorted(firstRun...)
	want = remove(want, endpointEnd)
	want = remove(want, volumeDelete)
	assert.Equal(t, want, s.Mutations())
	assert.Equal(t, 2, sum.Failed)
	assert.False(t, sum.OK())
	assert.Contains(t, s.Messages[0].Subject, "2 failed")
	var failed []string
	for _, d := range sum.Actions {
		if d.Outcome == cleanup.OutcomeFailed {
			failed = append(failed, d.Resource)
			assert.Contains(t, d.Reason, "api error")
		}
	}
	assert.Equal(t, []string{"arn:aws:sagemaker:eu-west-1:123456789012:endpoint/jackpot-forecast-canary", "vol-old"}, failed)
	assert.Equal(t, 1, s.Count("DeleteEndpoint"), "a non-retryable error is not retried")
}

func TestARuleThatCannotListIsReportedAndTheOthersRun(t *testing.T) {
	s := world(t)
	s.Throttle("ListClusters", 100) // more than the retryer's attempts
	var log bytes.Buffer
	sum := run(t, s, config(&log, false))

	assert.NotContains(t, s.Mutations(), clusterEnd)
	assert.Contains(t, s.Mutations(), volumeDelete)
	require.Len(t, sum.RuleErrors, 1)
	assert.Equal(t, cleanup.RuleEMRClusterExpired, sum.RuleErrors[0].Rule)
	assert.False(t, sum.OK())
}

func TestInterruptedRunIsFinishedByTheNext(t *testing.T) {
	s := world(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.OnCall = func(c fakeaws.Call) {
		if c.Op == "TerminateJobFlows" {
			cancel() // interrupted in the middle of the run
		}
	}
	var log bytes.Buffer
	sum, err := cleanup.Run(ctx, config(&log, false), cleanup.NewClients(s.Config()))
	require.ErrorIs(t, err, cleanup.ErrInterrupted)
	assert.True(t, sum.Interrupted)
	assert.Contains(t, s.Messages[len(s.Messages)-1].Subject, "(interrupted)", "the partial run is still reported")
	assert.NotContains(t, s.Mutations(), endpointEnd, "nothing after the interruption")

	s.OnCall = nil
	run(t, s, config(&log, false))
	assert.Subset(t, s.Mutations(), firstRun, "the next run does what the interrupted one did not")
}

func TestConfigErrorsNameTheFieldAndTheFix(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*cleanup.Config)
		want   string
	}{
		{"no project", func(c *cleanup.Config) { c.Project = "" }, "Project is empty"},
		{"no environment", func(c *cleanup.Config) { c.Environment = " " }, "Environment is empty"},
		{"idle limit too short", func(c *cleanup.Config) { c.StudioIdleLimit = 10 * time.Minute }, "StudioIdleLimit 10m0s: set at least 1h0m0s"},
		{"volume age too short", func(c *cleanup.Config) { c.VolumeMinAge = 0 }, "VolumeMinAge 0s"},
		{"topic not an ARN", func(c *cleanup.Config) { c.TopicArn = "finops" }, `TopicArn "finops"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(nil, true)
			tc.mutate(&cfg)
			_, err := cleanup.Run(context.Background(), cfg, cleanup.Clients{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := cleanup.Run(context.Background(), config(nil, true), cleanup.Clients{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "NewClients")
	assert.False(t, errors.Is(err, cleanup.ErrInterrupted))
}
