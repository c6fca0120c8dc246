package report_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/finops/cleanup"
	"github.com/aifactory/platform/finops/cost"
	"github.com/aifactory/platform/finops/report"
	"github.com/aifactory/platform/internal/fakeaws"
)

// account is a dev account with one expired resource of each kind the job
// prices, and an expired space: an EMR cluster, a notebook instance in
// service, a Studio app idle past the limit inside an expired space, and an
// old unattached volume.
func account(t *testing.T) *fakeaws.Server {
	s := fakeaws.New(t)
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tags := func(team string, expires bool) fakeaws.Tags {
		tt := fakeaws.Tags{"project": "aifactory", "environment": "dev", "team": team}
		if expires {
			tt["expires-at"] = "2026-01-31T00:00:00Z"
		}
		return tt
	}
	s.Domains = []*fakeaws.Domain{{ID: "d-dev", Name: "aifactory-dev-studio", Tags: tags("platform", false)}}
	s.Clusters = []*fakeaws.Cluster{{ID: "j-1", State: "WAITING", Created: created, Tags: tags("jackpot-analytics", true),
		Instances: []fakeaws.Instance{{Type: "m5.xlarge", Market: "ON_DEMAND"}, {Type: "r5.xlarge", Market: "SPOT"}}}}
	s.Notebooks = []*fakeaws.Notebook{{Name: "legacy", Status: "InService", InstanceType: "ml.t3.medium", Created: created, Tags: tags("player-insights", true)}}
	s.Spaces = []*fakeaws.Space{{DomainID: "d-dev", Name: "old-experiment", Status: "InService", Created: created, Tags: tags("jackpot-analytics", true)}}
	s.Apps = []*fakeaws.App{{DomainID: "d-dev", Space: "old-experiment", Type: "JupyterLab", Name: "default", Status: "InService",
		InstanceType: "ml.m5.xlarge", Created: created, Tags: tags("jackpot-analytics", false)}}
	s.Volumes = []*fakeaws.Volume{{ID: "vol-1", AZ: "eu-west-1a", Type: "gp3", SizeGiB: 100, State: "available", Created: created, Tags: tags("player-insights", false)}}
	return s
}

// daily runs the cleanup job at 19:00 UTC on each day of February from
// first to last (inclusive), in dry run before dryUntil, and returns the
// concatenated action log.
func daily(t *testing.T, s *fakeaws.Server, first, last, actFrom int) []cleanup.Decision {
	t.Helper()
	var log bytes.Buffer
	for day := first; day <= last; day++ {
		at := time.Date(2026, 2, day, 19, 0, 0, 0, time.UTC)
		_, err := cleanup.Run(context.Background(), cleanup.Config{Project: "aifactory", Environment: "dev", DryRun: day < actFrom,
			StudioIdleLimit: 2 * time.Hour, VolumeMinAge: 7 * 24 * time.Hour, Now: func() time.Time { return at }, Log: &log},
			cleanup.NewClients(s.Config()))
		require.NoError(t, err)
	}
	actions, err := report.ReadActions(&log)
	require.NoError(t, err)
	return actions
}

func reportOf(t *testing.T, actions []cleanup.Decision) *report.Report {
	t.Helper()
	s := fakeaws.New(t)
	recorded(t, s)
	o := options(t)
	o.Actions = actions
	r, err := report.Build(context.Background(), costexplorer.NewFromConfig(s.Config()), o)
	require.NoError(t, err)
	return r
}

// hourly prices the account's four compute resources.
func hourly(t *testing.T) (cluster, notebook, app, volume float64) {
	p := cost.EUWest1()
	od, ok := p.EC2Hour("m5.xlarge", false, true)
	require.True(t, ok)
	spot, ok := p.EC2Hour("r5.xlarge", true, true)
	require.True(t, ok)
	return od + spot, p.SageMaker["ml.t3.medium"], p.SageMaker["ml.m5.xlarge"], 100 * p.EBSGBMonth["gp3"] / cost.HoursPerMonth
}

// untilMonthEnd is the hours from 19:00 on the day to the end of February.
func untilMonthEnd(day int) float64 {
	return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Sub(time.Date(2026, 2, day, 19, 0, 0, 0, time.UTC)).Hours()
}

func TestDailyDryRunsCountEachResourceOnce(t *testing.T) {
	actions := daily(t, account(t), 1, 28, 99)
	// Every day the job finds the same five resources again (the app twice:
	// idle, and in the expired space).
	require.Len(t, actions, 28*6)

	rep := reportOf(t, actions)
	r := rep.Reclaimed
	cluster, notebook, app, volume := hourly(t)
	assert.Zero(t, r.Actions, "nothing was removed")
	assert.Zero(t, r.Total)
	assert.Empty(t, r.ByTeam)
	assert.Equal(t, 4, r.DryRunActions, "cluster, notebook, app and volume, once each")
	assert.Equal(t, 1, r.NoCompute, "the space removes no compute of its own")
	assert.Equal(t, 28*6-5, r.Repeated)
	assert.Zero(t, r.Unpriced)
	// Priced from the first run (1 February, 19:00) to the month's end, not
	// 28 times.
	h := untilMonthEnd(1)
	assert.InDelta(t, (cluster+notebook+app+volume)*h, r.DryRun, 1e-9)
	assert.Equal(t, roundAmounts([]report.ReclaimedTeam{
		{Team: "jackpot-analytics", Amount: (cluster + app) * h},
		{Team: "player-insights", Amount: (notebook + volume) * h},
	}), roundAmounts(r.DryRunByTeam))

	md := rep.Markdown()
	assert.Contains(t, md, "0 resources removed by the job would have cost **$0.00**")
	assert.Contains(t, md, "Dry runs found 4 resources that the job would have removed")
	assert.Contains(t, md, "163 later decisions on resources already counted this month")
	assert.Contains(t, md, "Not priced, as they removed no compute: 1 removal (Studio spaces")
	assert.Contains(t, md, "| team | would reclaim (dry run) |")
}

func TestDryRunSwitchedOffMidMonthReportsBothFromTheirFirstDecision(t *testing.T) {
	s := account(t)
	actions := daily(t, s, 1, 28, 10)
	// The job acted from 10 February: the notebook was stopped that day
	// and deleted the next, the app and then the space deleted.
	assert.Contains(t, s.Mutations(), "StopNotebookInstance legacy")
	assert.Contains(t, s.Mutations(), "DeleteNotebookInstance legacy")
	assert.Contains(t, s.Mutations(), "DeleteSpace d-dev/old-experiment")

	r := reportOf(t, actions).Reclaimed
	cluster, notebook, app, volume := hourly(t)
	all := cluster + notebook + app + volume
	assert.Equal(t, 4, r.Actions, "the notebook's stop and delete count once")
	assert.InDelta(t, all*untilMonthEnd(10), r.Total, 1e-9)
	assert.Equal(t, 4, r.DryRunActions)
	assert.InDelta(t, all*untilMonthEnd(1), r.DryRun, 1e-9)
	assert.Equal(t, 2, r.NoCompute, "the space, once in dry run and once deleted")
	assert.Equal(t, roundAmounts([]report.ReclaimedTeam{
		{Team: "jackpot-analytics", Amount: (cluster + app) * untilMonthEnd(10)},
		{Team: "player-insights", Amount: (notebook + volume) * untilMonthEnd(10)},
	}), roundAmounts(r.ByTeam))
}

// round rounds amounts to a millionth of a cent, so that sums taken in
// another order compare equal.
func roundAmounts(ts []report.ReclaimedTeam) []report.ReclaimedTeam {
	out := make([]report.ReclaimedTeam, len(ts))
	for i, t := range ts {
		out[i] = report.ReclaimedTeam{Team: t.Team, Amount: float64(int64(t.Amount*1e8+0.5)) / 1e8}
	}
	return out
}
