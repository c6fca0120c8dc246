package pipeline_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/pipeline"
)

const (
	clusterArn        = "arn:aws:ecs:eu-west-1:123456789012:cluster/aifactory-dev-pipeline"
	taskDefinitionArn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-optimiser:7"
	resultsTopic      = "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-weekly-results"
	failureTopic      = "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-weekly-failures"
)

// testArgs are the dev stack's workflow arguments, resolved.
func testArgs() pipeline.WorkflowArgs {
	return pipeline.WorkflowArgs{
		ClusterArn:     clusterArn,
		TaskDefinition: taskDefinitionArn,
		ContainerName:  "optimiser",
		Subnets:        []string{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210"},
		SecurityGroups: []string{"sg-0123456789abcdef0"},
		Countries:      []string{"GB", "NL", "SE"},
		MaxConcurrency: 2,
		Storage: pipeline.Storage{
			Configs: pipeline.Location{Bucket: "aifactory-dev-data", Prefix: "optimiser/configs"},
			Data:    pipeline.Location{Bucket: "aifactory-dev-data", Prefix: "/optimiser/sales/"},
			Models:  pipeline.Location{Bucket: "aifactory-dev-models", Prefix: "optimiser/models"},
			Outputs: pipeline.Location{Bucket: "aifactory-dev-models", Prefix: "optimiser/recommendations"},
		},
		CashSecretID:    "aifactory-dev/optimiser/cash",
		ResultsTopicArn: resultsTopic,
		FailureTopicArn: failureTopic,
	}
}

// states returns the top-level states and the per-country states of a
// definition, parsed back from its JSON.
func states(t *testing.T, args pipeline.WorkflowArgs) (top, country map[string]map[string]any) {
	t.Helper()
	def := definitionOf(t, args)
	top = map[string]map[string]any{}
	for k, v := range def["States"].(map[string]any) {
		top[k] = v.(map[string]any)
	}
	proc := top["Countries"]["ItemProcessor"].(map[string]any)
	country = map[string]map[string]any{}
	for k, v := range proc["States"].(map[string]any) {
		country[k] = v.(map[string]any)
	}
	return top, country
}

func TestWorkflowIsAPureFunctionOfItsArguments(t *testing.T) {
	a, err := pipeline.Workflow(testArgs())
	require.NoError(t, err)
	b, err := pipeline.Workflow(testArgs())
	require.NoError(t, err)
	ja, err := a.JSON()
	require.NoError(t, err)
	jb, err := b.JSON()
	require.NoError(t, err)
	assert.Equal(t, ja, jb)
	assert.NoError(t, a.Validate())
}

func TestRunTaskStatesCarryTheGuardrails(t *testing.T) {
	_, country := states(t, testArgs())
	for _, name := range []string{"Train", "Recommend"} {
		t.Run(name, func(t *testing.T) {
			s := country[name]
			assert.Equal(t, "Task", s["Type"])
			assert.Equal(t, "arn:aws:states:::ecs:runTask.sync", s["Resource"], "Step Functions waits for the task (Run a Job)")
			assert.EqualValues(t, pipeline.DefaultTaskTimeoutSeconds, s["TimeoutSeconds"])
			p := s["Parameters"].(map[string]any)
			assert.Equal(t, clusterArn, p["Cluster"])
			assert.Equal(t, taskDefinitionArn, p["TaskDefinition"])
			assert.Equal(t, "$.capacity", p["CapacityProviderStrategy.$"])
			assert.NotContains(t, p, "LaunchType")
			assert.Equal(t, "DISABLED", p["NetworkConfiguration"].(map[string]any)["AwsvpcConfiguration"].(map[string]any)["AssignPublicIp"])

			retry := s["Retry"].([]any)
			require.Len(t, retry, 1)
			r := retry[0].(map[string]any)
			assert.ElementsMatch(t, []any{"ECS.AmazonECSException", "ECS.ServerException", "ECS.ThrottlingException",
				"ECS.LimitExceededException", "ECS.InvalidParameterException", "AmazonECS.Unknown"}, r["ErrorEquals"],
				"only transient ECS errors are retried; States.TaskFailed (an exit code) never is")
			assert.EqualValues(t, pipeline.DefaultRetry.IntervalSeconds, r["IntervalSeconds"])
			assert.EqualValues(t, pipeline.DefaultRetry.MaxAttempts, r["MaxAttempts"])
			assert.EqualValues(t, pipeline.DefaultRetry.BackoffRate, r["BackoffRate"])
			assert.EqualValues(t, pipeline.DefaultRetry.MaxDelaySeconds, r["MaxDelaySeconds"])
			assert.Equal(t, "FULL", r["JitterStrategy"])

			catch := s["Catch"].([]any)
			require.Len(t, catch, 1)
			assert.Equal(t, []any{"States.ALL"}, catch[0].(map[string]any)["ErrorEquals"], "every failure of a country is caught")
		})
	}
}

func TestRunIsPreparedFromTheArguments(t *testing.T) {
	args := testArgs()
	args.Restart = pipeline.Restart{MaxRestarts: 3, IntervalSeconds: 20, BackoffRate: 3, MaxDelaySeconds: 100}
	args.Capacity.Fallback = []pipeline.CapacityProvider{{CapacityProvider: pipeline.Fargate, Weight: 2, Base: 1}}
	top, country := states(t, args)
	p := top["Prepare run"]["Parameters"].(map[string]any)
	assert.Equal(t, []any{"GB", "NL", "SE"}, p["countries"])
	assert.Equal(t, "s3://aifactory-dev-data/optimiser/configs/", p["configs"])
	assert.Equal(t, "s3://aifactory-dev-data/optimiser/sales/", p["data"], "slashes around a prefix are normalised")
	assert.Equal(t, "s3://aifactory-dev-models/optimiser/models/", p["modelsRoot"])
	assert.Equal(t, "aifactory-dev/optimiser/cash", p["cashSecret"])
	// 20 s, 60 s, then 180 s capped at 100 s; halved for equal jitter.
	assert.Equal(t, []any{10.0, 30.0, 50.0}, p["restartDelays"])
	assert.Equal(t, map[string]any{
		"primary":  []any{map[string]any{"CapacityProvider": "FARGATE_SPOT", "Weight": 1.0}},
		"fallback": []any{map[string]any{"CapacityProvider": "FARGATE", "Weight": 2.0, "Base": 1.0}},
	}, p["capacity"])
	assert.EqualValues(t, 2, top["Countries"]["MaxConcurrency"])

	restart := country["Restart?"]["Choices"].([]any)[0].(map[string]any)
	assert.EqualValues(t, 3, restart["NumericLessThan"])
}

func TestExitCodesMapToOutcomes(t *testing.T) {
	_, country := states(t, testArgs())
	choices := country["Classify exit code"]["Choices"].([]any)
	got := map[float64]string{}
	for _, c := range choices {
		rule := c.(map[string]any)
		got[rule["NumericEquals"].(float64)] = rule["Next"].(string)
	}
	assert.Equal(t, map[float64]string{3: "Infeasible", 4: "Below quality gate"}, got)
	assert.Equal(t, "Failed", country["Classify exit code"]["Default"])
	for state, outcome := range map[string]string{"Infeasible": pipeline.OutcomeInfeasible, "Below quality gate": pipeline.OutcomeQualityGate, "Failed": pipeline.OutcomeFailed} {
		assert.Equal(t, outcome, country[state]["Parameters"].(map[string]any)["outcome"], state)
		assert.Equal(t, true, country[state]["End"], state)
	}
}

func TestWorkflowRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name   string
		change func(*pipeline.WorkflowArgs)
		want   []string
	}{
		{"cluster name instead of ARN", func(a *pipeline.WorkflowArgs) { a.ClusterArn = "aifactory-dev" }, []string{"ClusterArn", "cluster's ARN"}},
		{"task definition with a space", func(a *pipeline.WorkflowArgs) { a.TaskDefinition = "my task" }, []string{"TaskDefinition"}},
		{"no container", func(a *pipeline.WorkflowArgs) { a.ContainerName = "" }, []string{"ContainerName"}},
		{"no subnets", func(a *pipeline.WorkflowArgs) { a.Subnets = nil }, []string{"Subnets: give at least one"}},
		{"bad subnet", func(a *pipeline.WorkflowArgs) { a.Subnets = []string{"10.0.0.0/24"} }, []string{"Subnets[0]"}},
		{"bad security group", func(a *pipeline.WorkflowArgs) { a.SecurityGroups = []string{"default"} }, []string{"SecurityGroups[0]"}},
		{"no countries", func(a *pipeline.WorkflowArgs) { a.Countries = nil }, []string{"Countries: list at least one"}},
		{"lower-case country", func(a *pipeline.WorkflowArgs) { a.Countries = []string{"nl"} }, []string{`Countries[0] "nl"`, "upper-case"}},
		{"country twice", func(a *pipeline.WorkflowArgs) { a.Countries = []string{"NL", "NL"} }, []string{"Countries[1]", "twice"}},
		{"unbounded concurrency", func(a *pipeline.WorkflowArgs) { a.MaxConcurrency = 0 }, []string{"MaxConcurrency 0", "between 1 and 40"}},
		{"too much concurrency", func(a *pipeline.WorkflowArgs) { a.MaxConcurrency = 41 }, []string{"MaxConcurrency 41"}},
		{"bucket with upper case", func(a *pipeline.WorkflowArgs) { a.Storage.Data.Bucket = "Data" }, []string{"Storage.Data.Bucket"}},
		{"prefix with a quote", func(a *pipeline.WorkflowArgs) { a.Storage.Configs.Prefix = `a"b` }, []string{"Storage.Configs.Prefix"}},
		{"prefix with a space", func(a *pipeline.WorkflowArgs) { a.Storage.Outputs.Prefix = "out put" }, []string{"Storage.Outputs.Prefix"}},
		{"models where outputs go", func(a *pipeline.WorkflowArgs) { a.Storage.Models = a.Storage.Outputs }, []string{"Storage.Models and Storage.Outputs"}},
		{"no cash secret", func(a *pipeline.WorkflowArgs) { a.CashSecretID = "" }, []string{"CashSecretID"}},
		{"topic name instead of ARN", func(a *pipeline.WorkflowArgs) { a.ResultsTopicArn = "results" }, []string{"ResultsTopicArn"}},
		{"one topic for both", func(a *pipeline.WorkflowArgs) { a.FailureTopicArn = a.ResultsTopicArn }, []string{"FailureTopicArn equals ResultsTopicArn"}},
		{"EC2 capacity provider", func(a *pipeline.WorkflowArgs) {
			a.Capacity.Primary = []pipeline.CapacityProvider{{CapacityProvider: "my-asg", Weight: 1}}
		}, []string{"Capacity.Primary[0].CapacityProvider"}},
		{"strategy without weight", func(a *pipeline.WorkflowArgs) {
			a.Capacity.Fallback = []pipeline.CapacityProvider{{CapacityProvider: pipeline.Fargate}}
		}, []string{"Capacity.Fallback: give at least one provider a Weight"}},
		{"backoff below 1", func(a *pipeline.WorkflowArgs) { a.Retry.BackoffRate = 0.5 }, []string{"Retry.BackoffRate"}},
		{"cap below interval", func(a *pipeline.WorkflowArgs) { a.Retry.IntervalSeconds = 60; a.Retry.MaxDelaySeconds = 10 }, []string{"Retry.MaxDelaySeconds"}},
		{"too many restarts", func(a *pipeline.WorkflowArgs) { a.Restart.MaxRestarts = 11 }, []string{"Restart.MaxRestarts 11"}},
		{"timeout too short", func(a *pipeline.WorkflowArgs) { a.TaskTimeoutSeconds = 5 }, []string{"TaskTimeoutSeconds 5"}},
		{"unknown partition", func(a *pipeline.WorkflowArgs) { a.Partition = "azure" }, []string{"Partition"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := testArgs()
			tt.change(&args)
			_, err := pipeline.Workflow(args)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	t.Run("every problem is reported at once", func(t *testing.T) {
		_, err := pipeline.Workflow(pipeline.WorkflowArgs{})
		require.Error(t, err)
		for _, field := range []string{"ClusterArn", "TaskDefinition", "ContainerName", "Subnets", "SecurityGroups", "Countries",
			"MaxConcurrency", "Storage.Configs.Bucket", "CashSecretID", "ResultsTopicArn", "FailureTopicArn"} {
			assert.Contains(t, err.Error(), field)
		}
	})
}

func TestLocationURI(t *testing.T) {
	for prefix, want := range map[string]string{"": "s3://b/", "/": "s3://b/", "a/b": "s3://b/a/b/", "/a/b/": "s3://b/a/b/"} {
		assert.Equal(t, want, pipeline.Location{Bucket: "b", Prefix: prefix}.URI(), "prefix %q", prefix)
	}
}

func TestDefinitionJSONUsesTheLanguagesNames(t *testing.T) {
	m, err := pipeline.Workflow(testArgs())
	require.NoError(t, err)
	s, err := m.JSON()
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &raw))
	assert.Equal(t, "Prepare run", raw["StartAt"])
	assert.EqualValues(t, 86400, raw["TimeoutSeconds"])
	top := raw["States"].(map[string]any)
	publish := top["Publish results"].(map[string]any)
	assert.Nil(t, publish["ResultPath"], "ResultPath null keeps the state's input")
	assert.Equal(t, "$.summary", publish["Parameters"].(map[string]any)["Message.$"],
		"the message is an object, which Step Functions sends as its JSON text")
	assert.Contains(t, publish, "ResultPath")
	assert.Equal(t, "Succeed", top["Done"].(map[string]any)["Type"])
	fail := top["Run failed"].(map[string]any)
	assert.Equal(t, map[string]any{"Type": "Fail", "Error": "WeeklyRun.Failed",
		"Cause": "A country failed or the run could not finish; the message on the failure topic names it."}, fail)
	assert.False(t, strings.Contains(s, `"Next":""`), "no empty transitions are written")
}
