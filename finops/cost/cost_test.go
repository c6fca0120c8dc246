package cost_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/aifactory/platform/finops/cost"
)

func tags(team string, extra ...string) map[string]any {
	t := map[string]any{"team": team, "project": "aifactory", "environment": "dev"}
	for i := 0; i+1 < len(extra); i += 2 {
		t[extra[i]] = extra[i+1]
	}
	return t
}

func idle(state string, minutes float64) map[string]any {
	return map[string]any{"appLifecycleManagement": map[string]any{"idleSettings": map[string]any{
		"lifecycleManagement": state, "idleTimeoutInMinutes": minutes, "maxIdleTimeoutInMinutes": 120.0}},
		"defaultResourceSpec": map[string]any{"instanceType": "ml.t3.medium"}}
}

func domain(jupyterLab map[string]any) cost.Resource {
	return cost.Resource{Type: "aws:sagemaker/domain:Domain", Name: "workspace", URN: "urn:domain", Inputs: map[string]any{
		"tags": tags("platform"),
		"defaultUserSettings": map[string]any{
			"jupyterLabAppSettings": jupyterLab,
			"spaceStorageSettings":  map[string]any{"defaultEbsStorageSettings": map[string]any{"defaultEbsVolumeSizeInGb": 5.0, "maximumEbsVolumeSizeInGb": 25.0}},
		},
	}}
}

func profile(team string) cost.Resource {
	return cost.Resource{Type: "aws:sagemaker/userProfile:UserProfile", Name: "workspace-" + team, Inputs: map[string]any{
		"domainId": cost.Unknown, "userProfileName": team, "tags": tags(team)}}
}

func fleetConfigs(types ...string) []any {
	var out []any
	for _, t := range types {
		out = append(out, map[string]any{"instanceType": t, "weightedCapacity": 1.0,
			"ebsConfigs": []any{map[string]any{"size": 64.0, "type": "gp3", "volumesPerInstance": 1.0}}})
	}
	return out
}

// cluster mirrors what the analytics component plans for a cluster spec.
func cluster(team string, idleSeconds any, expiresAt string) []cost.Resource {
	c := cost.Resource{Type: "aws:emr/cluster:Cluster", Name: "analytics-" + team + "-backfill", URN: "urn:cluster-" + team, Inputs: map[string]any{
		"tags": tags(team, "expires-at", expiresAt),
		"masterInstanceFleet": map[string]any{"targetOnDemandCapacity": 1.0, "targetSpotCapacity": 0.0,
			"instanceTypeConfigs": []any{map[string]any{"instanceType": "m5.xlarge"}, map[string]any{"instanceType": "m6i.xlarge"}}},
		"coreInstanceFleet": map[string]any{"targetOnDemandCapacity": 1.0, "targetSpotCapacity": 0.0,
			"instanceTypeConfigs": fleetConfigs("m5.xlarge", "m6i.xlarge")},
	}}
	if idleSeconds != nil {
		c.Inputs["autoTerminationPolicy"] = map[string]any{"idleTimeout": idleSeconds}
	}
	task := cost.Resource{Type: "aws:emr/instanceFleet:InstanceFleet", Name: c.Name + "-task", Inputs: map[string]any{
		"clusterId": cost.Unknown, "targetOnDemandCapacity": 0.0, "targetSpotCapacity": 4.0,
		"instanceTypeConfigs": fleetConfigs("m5.xlarge", "m5a.xlarge", "m6i.xlarge", "r5.xlarge")}}
	return []cost.Resource{c, task}
}

func approx(t *testing.T, want, got float64, msg ...any) {
	t.Helper()
	assert.InDelta(t, want, got, 0.005, msg...)
}

func TestStudioAppsCostTheirWorkPlusOneIdleTimeoutADay(t *testing.T) {
	p := cost.EUWest1()
	gp3 := 5 * p.EBSGBMonth["gp3"]
	for _, tc := range []struct {
		name     string
		settings map[string]any
		hours    float64
		basis    string
	}{
		{"idle shutdown after 60 min", idle("ENABLED", 60), 21 * 7, "60 min idle shutdown"},
		{"idle shutdown after 120 min", idle("ENABLED", 120), 21 * 8, "120 min idle shutdown"},
		{"idle shutdown off", idle("DISABLED", 60), 730, "no idle shutdown"},
		{"idle timeout unknown", idle("ENABLED", 0), 147, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "idle timeout unknown" {
				tc.settings = idle("ENABLED", 60)
				tc.settings["appLifecycleManagement"].(map[string]any)["idleSettings"].(map[string]any)["idleTimeoutInMinutes"] = cost.Unknown
				tc.hours, tc.basis = 730, "not known at preview"
			}
			rep := cost.Model(cost.Plan{Stack: "dev", Resources: []cost.Resource{domain(tc.settings), profile("team-a")}})
			require.Len(t, rep.Lines, 1)
			l := rep.Lines[0]
			assert.Equal(t, "team-a", l.Team)
			assert.Equal(t, cost.ServiceStudio, l.Service)
			assert.True(t, l.Compute)
			approx(t, tc.hours*0.053+gp3, l.Modelled)
			approx(t, 730*0.053+gp3, l.Baseline)
			assert.Contains(t, l.Basis, tc.basis)
		})
	}
}

func TestEMRClustersRunSpotTasksUntilAutoTermination(t *testing.T) {
	p := cost.EUWest1()
	od := func(typ string) float64 { h, _ := p.EC2Hour(typ, false, true); return h }
	spot := func(typ string) float64 { h, _ := p.EC2Hour(typ, true, true); return h }
	taskTypes := []string{"m5.xlarge", "m5a.xlarge", "m6i.xlarge", "r5.xlarge"}
	var meanSpot, meanOD float64
	for _, typ := range taskTypes {
		meanSpot += spot(typ) / 4
		meanOD += od(typ) / 4
	}
	// Primary and core on the cheapest listed type, on-demand; 64 GiB gp3
	// per core and task node.
	ebsHour := 5 * 64 * p.EBSGBMonth["gp3"] / 730
	hourModelled := 2*od("m5.xlarge") + 4*meanSpot + ebsHour
	hourBaseline := 2*od("m5.xlarge") + 4*meanOD + ebsHour

	rep := cost.Model(cost.Plan{Resources: cluster("team-a", 1800.0, "2026-12-18T18:00:00Z")})
	require.Len(t, rep.Lines, 1, rep.Unpriced)
	l := rep.Lines[0]
	approx(t, 21*4.5*hourModelled, l.Modelled)
	approx(t, 730*hourBaseline, l.Baseline)
	assert.Contains(t, l.Basis, "0 on-demand + 4 Spot")
	assert.Contains(t, l.Basis, "30 min auto-termination")
	assert.Equal(t, "team-a", rep.Team("team-a").Name)

	// Without auto-termination the cluster runs all month (still on Spot).
	rep = cost.Model(cost.Plan{Resources: cluster("team-a", nil, "2026-12-18T18:00:00Z")})
	approx(t, 730*hourModelled, rep.Lines[0].Modelled)

	// The time-to-live ends it within the month.
	from := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	rep = cost.ModelWith(cost.Plan{Resources: cluster("team-a", nil, "2026-12-03T00:00:00Z")}, cost.Options{From: from})
	approx(t, 48*hourModelled, rep.Lines[0].Modelled)
	assert.Contains(t, rep.Lines[0].Basis, "expires after 48 h (TTL)")
	approx(t, 730*hourBaseline, rep.Lines[0].Baseline, "the baseline never stops")
}

func TestTaskFleetsAreFoundByTheEnginesDependencies(t *testing.T) {
	rs := cluster("team-a", 1800.0, "2026-12-18T18:00:00Z")
	rs[1].Name = "unrelated-name"
	rs[1].Dependencies = map[string][]string{"clusterId": {"urn:cluster-team-a"}}
	withDeps := cost.Model(cost.Plan{Resources: rs})
	byName := cost.Model(cost.Plan{Resources: cluster("team-a", 1800.0, "2026-12-18T18:00:00Z")})
	approx(t, byName.Lines[0].Modelled, withDeps.Lines[0].Modelled)
}

func TestFargateSpotAndAlwaysOnBaseline(t *testing.T) {
	task := cost.Resource{Type: "aws:ecs/taskDefinition:TaskDefinition", Name: "optimiser", Inputs: map[string]any{
		"cpu": "1024", "memory": "4096", "tags": tags("platform")}}
	strategy := cost.Resource{Type: "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", Name: "pipeline", Inputs: map[string]any{
		"defaultCapacityProviderStrategies": []any{map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 1.0}}}}
	p := cost.EUWest1()
	hour := 1*p.FargateVCPUHour + 4*p.FargateGBHour
	runs := 52.0 / 12 * 3

	onDemand := cost.Model(cost.Plan{Resources: []cost.Resource{task}})
	approx(t, runs*hour, onDemand.Lines[0].Modelled)
	approx(t, 730*hour, onDemand.Lines[0].Baseline)

	spot := cost.Model(cost.Plan{Resources: []cost.Resource{task, strategy}})
	approx(t, runs*hour*0.3, spot.Lines[0].Modelled)
	assert.Contains(t, spot.Lines[0].Basis, "Fargate Spot")
}

// TestScheduledTasksArePricedByTheirRuns: a task definition that a
// schedule starts (the cleanup job) costs its scheduled runs, on the
// schedule's capacity, whether the schedule is linked by the engine's
// dependencies, by the task group naming the family or by the ARN; it is
// not ML compute and not the pipeline's, and the pipeline's strategy does
// not price it.
func TestScheduledTasksArePricedByTheirRuns(t *testing.T) {
	p := cost.EUWest1()
	hour := 0.25*p.FargateVCPUHour + 0.5*p.FargateGBHour
	runs := 365.0 / 12 * 120 / 3600
	task := func() cost.Resource {
		return cost.Resource{Type: "aws:ecs/taskDefinition:TaskDefinition", Name: "finops-cleanup", URN: "urn:cleanup-task", Inputs: map[string]any{
			"family": "aifactory-dev-cleanup", "cpu": "256", "memory": "512", "tags": tags("platform")}}
	}
	schedule := func(ecs map[string]any, deps []string) cost.Resource {
		return cost.Resource{Type: "aws:scheduler/schedule:Schedule", Name: "finops-cleanup",
			Inputs:       map[string]any{"target": map[string]any{"arn": cost.Unknown, "ecsParameters": ecs}},
			Dependencies: map[string][]string{"target": deps}}
	}
	spot := []any{map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 1.0}}
	for _, tc := range []struct {
		name     string
		schedule cost.Resource
		spot     bool
	}{
		{"task group", schedule(map[string]any{"taskDefinitionArn": cost.Unknown, "group": "family:aifactory-dev-cleanup", "capacityProviderStrategies": spot}, nil), true},
		{"dependencies", schedule(map[string]any{"taskDefinitionArn": cost.Unknown, "capacityProviderStrategies": spot}, []string{"urn:cleanup-task"}), true},
		{"ARN after up, on-demand", schedule(map[string]any{"taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-cleanup:3"}, nil), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pipelineSpot := cost.Resource{Type: "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", Name: "pipeline", Inputs: map[string]any{
				"defaultCapacityProviderStrategies": spot}}
			rep := cost.Model(cost.Plan{Resources: []cost.Resource{task(), tc.schedule, pipelineSpot}})
			require.Len(t, rep.Lines, 1)
			l := rep.Lines[0]
			assert.Equal(t, cost.ServiceFargate, l.Service)
			assert.False(t, l.Compute, "the cleanup job is not ML compute")
			approx(t, runs*hour, l.Baseline, "the same runs on-demand: a scheduled job is never always on")
			if tc.spot {
				approx(t, runs*hour*0.3, l.Modelled)
				assert.Contains(t, l.Basis, "Fargate Spot, scheduled: 30 runs × 120 s")
			} else {
				approx(t, runs*hour, l.Modelled)
				assert.Contains(t, l.Basis, "on-demand, scheduled")
			}
		})
	}

	// A schedule of another family leaves the task to the pipeline's
	// pricing, and the schedule's Spot strategy is not the pipeline's.
	other := schedule(map[string]any{"group": "family:aifactory-dev-other", "capacityProviderStrategies": spot}, nil)
	rep := cost.Model(cost.Plan{Resources: []cost.Resource{task(), other}})
	require.Len(t, rep.Lines, 1)
	assert.True(t, rep.Lines[0].Compute)
	assert.Contains(t, rep.Lines[0].Basis, "on-demand, 4.33 runs × 3 tasks")
}

func TestFixedCostsAreTheSameInBothColumns(t *testing.T) {
	plan := cost.Plan{Resources: []cost.Resource{
		{Type: "aws:kms/key:Key", Name: "data", Inputs: map[string]any{"tags": tags("platform")}},
		{Type: "aws:ec2/subnet:Subnet", Name: "a", Inputs: map[string]any{}},
		{Type: "aws:ec2/subnet:Subnet", Name: "b", Inputs: map[string]any{}},
		{Type: "aws:ec2/subnet:Subnet", Name: "public", Inputs: map[string]any{"mapPublicIpOnLaunch": true}},
		{Type: "aws:ec2/vpcEndpoint:VpcEndpoint", Name: "sts", Inputs: map[string]any{"vpcEndpointType": "Interface", "subnetIds": cost.Unknown, "tags": tags("platform")}},
		{Type: "aws:ec2/vpcEndpoint:VpcEndpoint", Name: "kms", Inputs: map[string]any{"vpcEndpointType": "Interface", "subnetIds": []any{"x", "y", "z"}, "tags": tags("platform")}},
		{Type: "aws:ec2/vpcEndpoint:VpcEndpoint", Name: "s3", Inputs: map[string]any{"vpcEndpointType": "Gateway", "tags": tags("platform")}},
		{Type: "aws:lambda/function:Function", Name: "cleanup", Inputs: map[string]any{"memorySize": 512.0, "tags": tags("platform")}},
	}}
	rep := cost.Model(plan)
	require.Len(t, rep.Lines, 4)
	for _, l := range rep.Lines {
		assert.Equal(t, l.Modelled, l.Baseline, l.Resource)
		assert.False(t, l.Compute)
	}
	lambda := 0.0
	for _, l := range rep.Lines {
		if l.Service == cost.ServiceLambda {
			lambda = l.Modelled
		}
	}
	approx(t, 30.42*120*0.5*0.0000166667, lambda)
	approx(t, 1+5*0.011*730+lambda, rep.Total.Modelled, "2 private subnets for the unknown list, 3 listed, gateway free")
	assert.Equal(t, 0.0, rep.Compute.Baseline)
	assert.Equal(t, 0.0, rep.Total.Saving())
}

func TestUnpricedResourcesAreListedNotGuessed(t *testing.T) {
	rs := cluster("team-a", 1800.0, "2026-12-18T18:00:00Z")
	rs[0].Inputs["masterInstanceFleet"].(map[string]any)["instanceTypeConfigs"] = []any{map[string]any{"instanceType": "x2iedn.32xlarge"}}
	nb := cost.Resource{Type: "aws:sagemaker/notebookInstance:NotebookInstance", Name: "nb", Inputs: map[string]any{"instanceType": cost.Unknown, "tags": tags("team-b")}}
	rep := cost.Model(cost.Plan{Resources: append(rs, nb)})
	assert.Empty(t, rep.Lines)
	require.Len(t, rep.Unpriced, 2)
	assert.Contains(t, rep.Unpriced[0].Reason, "x2iedn.32xlarge is not known or not in the price table")
	assert.Equal(t, "team-b", rep.Unpriced[1].Team)
	assert.Contains(t, rep.Unpriced[1].Reason, "(unknown)")
	assert.Len(t, rep.UnpricedFor("team-a"), 1)
}

func TestTeamsComeFromTagsThenTagsAll(t *testing.T) {
	key := func(inputs map[string]any) string {
		inputs["instanceType"] = "ml.t3.medium"
		rep := cost.Model(cost.Plan{Resources: []cost.Resource{{Type: "aws:sagemaker/notebookInstance:NotebookInstance", Name: "nb", Inputs: inputs}}})
		return rep.Lines[0].Team
	}
	assert.Equal(t, "a", key(map[string]any{"tags": map[string]any{"team": "a"}, "tagsAll": map[string]any{"team": "b"}}))
	assert.Equal(t, "b", key(map[string]any{"tagsAll": map[string]any{"team": "b"}}))
	assert.Equal(t, cost.UnknownTeam, key(map[string]any{"tags": map[string]any{"team": cost.Unknown}}))
	assert.Equal(t, cost.Untagged, key(map[string]any{}))
}

func TestReportForPeopleAndMachines(t *testing.T) {
	rep := cost.Model(cost.Plan{Stack: "dev", Resources: append(cluster("team-a", 1800.0, "2026-12-18T18:00:00Z"), domain(idle("ENABLED", 60)), profile("team-b"))})
	var out bytes.Buffer
	require.NoError(t, rep.Write(&out))
	text := out.String()
	for _, want := range []string{"Modelled monthly cost of stack dev (eu-west-1, prices as of 2025-06-01", "team-a", "team-b", "EMR", "SageMaker Studio",
		"Saving on ML compute:", "(headline claim: 40.0%)"} {
		assert.Contains(t, text, want)
	}
	assert.Regexp(t, regexp.MustCompile(`ML compute +\$[0-9,.]+ +\$[0-9,.]+ +[0-9.]+%`), text)

	b, err := rep.JSON()
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(b, &got))
	approx(t, rep.Compute.Saving(), got["computeSaving"].(float64))
	assert.Equal(t, "2025-06-01", got["pricesAsOf"])
	assert.False(t, math.IsNaN(rep.Total.Saving()))
}

func TestPlanFromDeployment(t *testing.T) {
	deployment := `{"manifest":{},"resources":[
	 {"urn":"urn:pulumi:dev::aifactory::pulumi:pulumi:Stack::aifactory-dev","type":"pulumi:pulumi:Stack"},
	 {"urn":"urn:pulumi:dev::aifactory::aws:kms/key:Key::keys-data","type":"aws:kms/key:Key","inputs":{"tags":{"team":"platform"}}},
	 {"urn":"urn:pulumi:dev::aifactory::aws:kms/key:Key::old","type":"aws:kms/key:Key","delete":true,"inputs":{}},
	 {"urn":"urn:pulumi:dev::aifactory::aws:emr/instanceFleet:InstanceFleet::x","type":"aws:emr/instanceFleet:InstanceFleet","inputs":{},"propertyDependencies":{"clusterId":["urn:c"]}}]}`
	p, err := cost.PlanFromDeployment("dev", []byte(deployment))
	require.NoError(t, err)
	require.Len(t, p.Resources, 3)
	assert.Equal(t, "keys-data", p.Resources[1].Name)
	assert.Equal(t, []string{"urn:c"}, p.Resources[2].Dependencies["clusterId"])
	rep := cost.Model(p)
	approx(t, 1, rep.Team("platform").Modelled)

	_, err = cost.PlanFromDeployment("dev", []byte("not json"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pulumi stack export")
}

func TestPriceTableIsDatedSourcedAndComplete(t *testing.T) {
	p := cost.EUWest1()
	_, err := time.Parse("2006-01-02", p.AsOf)
	require.NoError(t, err, "AsOf is a date")
	require.NotEmpty(t, p.Sources)
	for _, s := range p.Sources {
		assert.True(t, strings.HasPrefix(s.URL, "https://aws.amazon.com/"), s.URL)
	}
	for typ := range p.EC2 {
		_, ok := p.EC2Hour(typ, true, true)
		assert.True(t, ok, "%s needs an EMR fee and a Spot discount for its family", typ)
	}
	for fam, d := range p.SpotDiscount {
		assert.True(t, d > 0 && d < 1, fam)
	}

	// Every instance type a stack file allows has a price, so no team's
	// choice is left out of its budget check.
	files, err := filepath.Glob("../../Pulumi.*.yaml")
	require.NoError(t, err)
	require.Len(t, files, 3)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var stack struct {
			Config struct {
				Workspace struct {
					Types []string `yaml:"allowedInstanceTypes"`
				} `yaml:"aifactory:workspace"`
				Analytics struct {
					Types []string `yaml:"allowedInstanceTypes"`
				} `yaml:"aifactory:analytics"`
			} `yaml:"config"`
		}
		require.NoError(t, yaml.Unmarshal(b, &stack))
		for _, typ := range stack.Config.Workspace.Types {
			_, ok := p.SageMakerHour(typ)
			assert.True(t, ok, "%s: %s has no SageMaker price", f, typ)
		}
		for _, typ := range stack.Config.Analytics.Types {
			_, ok := p.EC2Hour(typ, true, true)
			assert.True(t, ok, "%s: %s has no EC2/EMR/Spot price", f, typ)
		}
	}
}
