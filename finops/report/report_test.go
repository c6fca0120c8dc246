package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
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

// now is the report's fixed clock: early March, reporting February.
var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func recorded(t *testing.T, s *fakeaws.Server) {
	t.Helper()
	for _, f := range []string{"testdata/ce-2026-02-page1.json", "testdata/ce-2026-02-page2.json",
		"testdata/ce-2026-02-workload-page1.json", "testdata/ce-2026-02-workload-page2.json"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		s.CostAndUsage = append(s.CostAndUsage, string(b))
	}
}

// cleanupLog runs the cleanup job against a fake account in February and
// returns its action log: the report reads the job's real output.
func cleanupLog(t *testing.T) []cleanup.Decision {
	t.Helper()
	s := fakeaws.New(t)
	at := time.Date(2026, 2, 21, 0, 0, 0, 0, time.UTC) // a week before the month ends
	tags := func(team string) fakeaws.Tags {
		return fakeaws.Tags{"project": "aifactory", "environment": "dev", "team": team, "expires-at": "2026-02-20T00:00:00Z"}
	}
	s.Clusters = []*fakeaws.Cluster{{ID: "j-1", State: "WAITING", Created: at.Add(-48 * time.Hour), Tags: tags("jackpot-analytics"),
		Instances: []fakeaws.Instance{{Type: "m5.xlarge", Market: "ON_DEMAND"}, {Type: "m5.xlarge", Market: "ON_DEMAND"}, {Type: "r5.xlarge", Market: "SPOT"}}}}
	s.Volumes = []*fakeaws.Volume{{ID: "vol-1", AZ: "eu-west-1a", Type: "gp3", SizeGiB: 100, State: "available", Created: at.Add(-30 * 24 * time.Hour), Tags: tags("player-insights")}}
	s.Apps = []*fakeaws.App{{DomainID: "d-1", UserProfile: "player-insights", Type: "KernelGateway", Name: "k", Status: "InService",
		InstanceType: "ml.m5.xlarge", Created: at.Add(-30 * time.Hour), Tags: tags("player-insights")}}
	var log bytes.Buffer
	_, err := cleanup.Run(context.Background(), cleanup.Config{Project: "aifactory", Environment: "dev", StudioIdleLimit: 2 * time.Hour,
		VolumeMinAge: 7 * 24 * time.Hour, Now: func() time.Time { return at }, Log: &log}, cleanup.NewClients(s.Config()))
	require.NoError(t, err)
	actions, err := report.ReadActions(&log)
	require.NoError(t, err)
	return actions
}

func options(t *testing.T) report.Options {
	return report.Options{
		Month: time.Date(2026, 2, 14, 0, 0, 0, 0, time.UTC), Project: "aifactory", Environment: "dev",
		Budgets:          map[string]float64{"jackpot-analytics": 150, "player-insights": 60, "platform": 250},
		PipelineSchedule: "cron(0 6 ? * MON *)", PipelineTimezone: "Europe/Amsterdam",
		Actions: cleanupLog(t), Now: now,
	}
}

func build(t *testing.T) (*report.Report, *fakeaws.Server) {
	t.Helper()
	s := fakeaws.New(t)
	recorded(t, s)
	r, err := report.Build(context.Background(), costexplorer.NewFromConfig(s.Config()), options(t))
	require.NoError(t, err)
	return r, s
}

func TestCostPerTeamAndServiceFromCostExplorer(t *testing.T) {
	r, s := build(t)

	// Both recorded pages of both queries were read, with the stack's
	// filter and grouping: by team and service, then by workload and service.
	require.Len(t, s.CostRequests, 4)
	var req map[string]any
	require.NoError(t, json.Unmarshal([]byte(s.CostRequests[0]), &req))
	assert.Equal(t, map[string]any{"Start": "2026-02-01", "End": "2026-03-01"}, req["TimePeriod"])
	assert.Equal(t, "MONTHLY", req["Granularity"])
	assert.Equal(t, []any{"UnblendedCost"}, req["Metrics"])
	assert.JSONEq(t, `[{"Type":"TAG","Key":"team"},{"Type":"DIMENSION","Key":"SERVICE"}]`, jsonOf(req["GroupBy"]))
	assert.JSONEq(t, `{"And":[{"Tags":{"Key":"project","Values":["aifactory"],"MatchOptions":["EQUALS"]}},{"Tags":{"Key":"environment","Values":["dev"],"MatchOptions":["EQUALS"]}}]}`, jsonOf(req["Filter"]))
	assert.Contains(t, s.CostRequests[1], "AAMA-EXAMPLE-PAGE-2")
	var wreq map[string]any
	require.NoError(t, json.Unmarshal([]byte(s.CostRequests[2]), &wreq))
	assert.JSONEq(t, `[{"Type":"TAG","Key":"workload"},{"Type":"DIMENSION","Key":"SERVICE"}]`, jsonOf(wreq["GroupBy"]))
	assert.Equal(t, req["Filter"], wreq["Filter"])
	assert.Equal(t, req["TimePeriod"], wreq["TimePeriod"])
	assert.Contains(t, s.CostRequests[3], "AAMA-EXAMPLE-WORKLOAD-PAGE-2")

	assert.Equal(t, "2026-02", r.Month)
	assert.InDelta(t, 403.8666, r.Total, 1e-9)
	teams := map[string]report.TeamCost{}
	for _, tc := range r.Teams {
		teams[tc.Team] = tc
	}
	assert.Len(t, teams, 4)
	assert.InDelta(t, 113.544, teams["jackpot-analytics"].Cost, 1e-9)
	assert.InDelta(t, 14.571, teams["player-insights"].Cost, 1e-9)
	assert.InDelta(t, 275.6645, teams["platform"].Cost, 1e-9)
	assert.InDelta(t, 0.0871, teams[report.Untagged].Cost, 1e-9)
	assert.Equal(t, "platform", r.Teams[0].Team, "sorted by cost")

	// Budget burn and team-weeks (February 2026 has exactly four weeks).
	assert.InDelta(t, 113.544/150, teams["jackpot-analytics"].Burn, 1e-9)
	assert.InDelta(t, 275.6645/250, teams["platform"].Burn, 1e-9)
	assert.Zero(t, teams[report.Untagged].Budget)
	assert.InDelta(t, 4.0, r.Unit.Weeks, 1e-9)
	assert.InDelta(t, 113.544/4, teams["jackpot-analytics"].PerWeek, 1e-9)

	// Four Mondays; the resources tagged workload=weekly-pipeline, not the
	// cleanup job's tasks and images in the same cluster.
	assert.Equal(t, 4, r.Unit.PipelineRuns)
	assert.InDelta(t, 1.6950+0.0410+0.1680, r.Unit.PipelineCost, 1e-9)
	assert.InDelta(t, (1.6950+0.0410+0.1680)/4, r.Unit.PerPipelineRun, 1e-9)
	assert.Equal(t, []string{"AWS Step Functions", "Amazon EC2 Container Registry (ECR)", "Amazon Elastic Container Service"}, r.Unit.PipelineServices)
	require.Len(t, r.Unit.Workloads, 2, "costs without the workload tag are left out")
	assert.Equal(t, "lifecycle-cleanup", r.Unit.Workloads[0].Workload)
	assert.InDelta(t, 0.0414+0.0150, r.Unit.Workloads[0].Cost, 1e-9)
	assert.Equal(t, "weekly-pipeline", r.Unit.Workloads[1].Workload)
	assert.Equal(t, "Amazon Virtual Private Cloud", r.Services[0].Service)
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestReclaimedWasteIsPricedFromTheCleanupLog(t *testing.T) {
	r, _ := build(t)
	p := cost.EUWest1()
	week := 8 * 24.0 // from the run (21 Feb) to the end of February
	od, _ := p.EC2Hour("m5.xlarge", false, true)
	spot, _ := p.EC2Hour("r5.xlarge", true, true)
	cluster := (2*od + spot) * week
	volume := 100 * p.EBSGBMonth["gp3"] / cost.HoursPerMonth * week
	app := p.SageMaker["ml.m5.xlarge"] * week

	assert.Equal(t, 3, r.Reclaimed.Actions)
	assert.InDelta(t, cluster+volume+app, r.Reclaimed.Total, 1e-9)
	assert.Equal(t, []report.ReclaimedTeam{{Team: "jackpot-analytics", Amount: cluster}, {Team: "player-insights", Amount: volume + app}},
		roundTeams(r.Reclaimed.ByTeam))
	assert.Zero(t, r.Reclaimed.DryRunActions)
}

func roundTeams(ts []report.ReclaimedTeam) []report.ReclaimedTeam {
	return ts // amounts compare exactly: same arithmetic
}

func TestDryRunAndOtherMonthsAreNotReclaimed(t *testing.T) {
	at := time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC)
	d := cleanup.Decision{Rule: cleanup.RuleEBSVolumeUnattached, Kind: "ebs-volume", Team: "a", Action: "delete", SizeGiB: 730, VolumeType: "gp3", At: at}
	done, dry, march, kept := d, d, d, d
	done.Outcome = cleanup.OutcomeDone
	dry.Outcome, dry.DryRun = cleanup.OutcomeDryRun, true
	march.Outcome, march.At = cleanup.OutcomeDone, at.AddDate(0, 1, 0)
	kept.Outcome = cleanup.OutcomeKept
	s := fakeaws.New(t)
	recorded(t, s)
	o := options(t)
	o.Actions = []cleanup.Decision{done, dry, march, kept}
	r, err := report.Build(context.Background(), costexplorer.NewFromConfig(s.Config()), o)
	require.NoError(t, err)
	perHour := 730 * 0.088 / 730
	assert.InDelta(t, 48*perHour, r.Reclaimed.Total, 1e-9)
	assert.InDelta(t, 48*perHour, r.Reclaimed.DryRun, 1e-9)
	assert.Equal(t, 1, r.Reclaimed.Actions)
	assert.Equal(t, 1, r.Reclaimed.DryRunActions)
}

// bars counts the bars of a chart: runs of the bar colour along the row
// that crosses most of them.
func bars(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	b := img.Bounds()
	isBar := func(x, y int) bool {
		r, g, bl, a := img.At(x, y).RGBA()
		want := report.BarColor
		return r>>8 == uint32(want.R) && g>>8 == uint32(want.G) && bl>>8 == uint32(want.B) && a>>8 == 0xff
	}
	// Every bar starts at zero: the lowest row holding the bar colour
	// crosses all of them, below any budget mark drawn over them.
	base := -1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if isBar(x, y) {
				base = y
				break
			}
		}
	}
	require.GreaterOrEqual(t, base, 0, "%s has no bars", path)
	runs, in := 0, false
	for x := b.Min.X; x < b.Max.X; x++ {
		if isBar(x, base) {
			if !in {
				runs++
			}
			in = true
		} else {
			in = false
		}
	}
	return runs
}

func TestMarkdownAndChartsAreWrittenAtomically(t *testing.T) {
	r, _ := build(t)
	dir := filepath.Join(t.TempDir(), "report")
	written, err := r.Write(dir, false)
	require.NoError(t, err)
	require.Len(t, written, 4)
	assert.Equal(t, filepath.Join(dir, report.ReportFile), written[3], "the Markdown comes last, after its charts")

	for _, tc := range []struct {
		file string
		bars int
	}{
		{"cost-by-team.png", 4},    // three teams and the untagged costs
		{"cost-by-service.png", 8}, // seven services of at least 1%, and the four others as one bar
		{"budget-burn.png", 3},     // the budgeted teams
	} {
		path := filepath.Join(dir, tc.file)
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Greater(t, info.Size(), int64(1000), tc.file)
		f, err := os.Open(path)
		require.NoError(t, err)
		cfg, format, err := image.DecodeConfig(f)
		f.Close()
		require.NoError(t, err)
		assert.Equal(t, "png", format)
		assert.Greater(t, cfg.Width, 500)
		assert.Equal(t, tc.bars, bars(t, path), tc.file)
	}
	chart := r.ChartServices()
	require.Len(t, chart, 8)
	assert.Equal(t, "other services (4)", chart[7].Service)
	assert.InDelta(t, 1.9302+0.0871+1.7364+0.0410+0.1830, chart[7].Cost, 1e-9)

	md, err := os.ReadFile(filepath.Join(dir, report.ReportFile))
	require.NoError(t, err)
	text := string(md)
	for _, want := range []string{
		"# FinOps report 2026-02: aifactory-dev", "Total: **$403.87**",
		"![Cost by team](cost-by-team.png)", "![Cost by service](cost-by-service.png)", "![Budget burn](budget-burn.png)",
		"| jackpot-analytics | $113.54 | $28.39 | $150.00 | 76% |",
		"| platform | $275.66 | $68.92 | $250.00 | 110% ⚠ over budget |",
		"3 resources removed by the job would have cost **$181.69**", "**$0.48 per run**", "- Workload lifecycle-cleanup: $0.06 for the month",
	} {
		assert.Contains(t, text, want)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.Contains(e.Name(), ".tmp-"), "no temporary file is left: %s", e.Name())
	}

	// --json writes the same report for machines.
	written, err = r.Write(dir, true)
	require.NoError(t, err)
	b, err := os.ReadFile(written[0])
	require.NoError(t, err)
	var back report.Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.InDelta(t, r.Total, back.Total, 1e-9)
	assert.Len(t, back.Teams, 4)
}

func TestOptionsAndCostExplorerErrors(t *testing.T) {
	s := fakeaws.New(t)
	ce := costexplorer.NewFromConfig(s.Config())
	_, err := report.Build(context.Background(), ce, report.Options{Budgets: map[string]float64{"a": -1}})
	require.Error(t, err)
	for _, want := range []string{"Month is not set", "Project and Environment are required", "Now is not set", "Budgets[a] is -1.00",
		`PipelineSchedule "" in PipelineTimezone ""`} {
		assert.Contains(t, err.Error(), want)
	}
	// No recorded response: Cost Explorer's DataUnavailableException.
	o := options(t)
	_, err = report.Build(context.Background(), ce, o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "querying Cost Explorer for 2026-02 by team tag")
	assert.Contains(t, err.Error(), "DataUnavailableException")

	// Throttled calls are retried.
	recorded(t, s)
	s.Throttle("GetCostAndUsage", 2)
	r, err := report.Build(context.Background(), ce, o)
	require.NoError(t, err)
	assert.InDelta(t, 403.8666, r.Total, 1e-9)
}
