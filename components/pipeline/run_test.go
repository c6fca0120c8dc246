package pipeline_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/pipeline"
)

// The workflow's definition checked by asl-validator and executed by
// aws-local-stepfunctions, with the ECS and SNS integrations answered by
// stubs (testdata/asl/run.mjs) that record every call.

func definitionOf(t *testing.T, args pipeline.WorkflowArgs) map[string]any {
	t.Helper()
	m, err := pipeline.Workflow(args)
	require.NoError(t, err)
	s, err := m.JSON()
	require.NoError(t, err)
	var def map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &def))
	return def
}

type validation struct {
	Valid  bool     `json:"valid"`
	Errors []string `json:"errors"`
}

func TestDefinitionPassesTheStatesLanguageValidator(t *testing.T) {
	single := testArgs()
	single.Countries = []string{"SE"}
	single.MaxConcurrency = 1
	noRestart := testArgs()
	noRestart.Restart.MaxRestarts = -1
	for name, args := range map[string]pipeline.WorkflowArgs{"three countries": testArgs(), "one country": single, "restarts off": noRestart} {
		t.Run(name, func(t *testing.T) {
			var v validation
			runNode(t, "validate.mjs", definitionOf(t, args), &v)
			assert.True(t, v.Valid, "asl-validator: %v", v.Errors)
		})
	}
	t.Run("the validator rejects a broken definition", func(t *testing.T) {
		def := definitionOf(t, testArgs())
		states := def["States"].(map[string]any)
		delete(states, "Summarise")
		var v validation
		runNode(t, "validate.mjs", def, &v)
		assert.False(t, v.Valid, "a definition whose Map goes to a missing state must not validate")
	})
}

// Answers of the stubbed ECS integration (see run.mjs).
type ecsAnswer struct {
	Exit     *int   `json:"exit,omitempty"`
	Reported string `json:"reported,omitempty"`
	Stop     string `json:"stop,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Error    string `json:"error,omitempty"`
	Cause    string `json:"cause,omitempty"`
}

func exit(code int) ecsAnswer { return ecsAnswer{Exit: &code} }

type snsAnswer struct {
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
}

type scenario struct {
	Definition map[string]any                    `json:"definition"`
	Input      map[string]any                    `json:"input"`
	Clock      string                            `json:"clock"`
	Context    map[string]any                    `json:"context"`
	Container  string                            `json:"container"`
	ECS        map[string]map[string][]ecsAnswer `json:"ecs"`
	SNS        map[string][]snsAnswer            `json:"sns"`
}

type ecsCall struct {
	State    string                      `json:"state"`
	Country  string                      `json:"country"`
	Step     string                      `json:"step"`
	Attempt  int                         `json:"attempt"`
	Command  []string                    `json:"command"`
	Capacity []pipeline.CapacityProvider `json:"capacity"`
	Params   map[string]any              `json:"params"`
}

type snsCall struct {
	State      string                       `json:"state"`
	Attempt    int                          `json:"attempt"`
	Topic      string                       `json:"topic"`
	Subject    string                       `json:"subject"`
	RawMessage string                       `json:"rawMessage"`
	Attributes map[string]map[string]string `json:"attributes"`
}

type runResult struct {
	Status string `json:"status"`
	Error  *struct {
		Name  string `json:"name"`
		Cause string `json:"cause"`
	} `json:"error"`
	ECSCalls []ecsCall `json:"ecsCalls"`
	SNSCalls []snsCall `json:"snsCalls"`
	Waits    []struct {
		State string         `json:"state"`
		Index int            `json:"index"`
		Input map[string]any `json:"input"`
	} `json:"waits"`
	Retries []struct {
		State string `json:"state"`
		Index int    `json:"index"`
	} `json:"retries"`
}

// Run facts of every scenario: the execution starts on a fixed clock.
const (
	clock         = "2025-01-06T06:00:00.000Z"
	executionName = "weekly-20250106"
	executionArn  = "arn:aws:states:eu-west-1:123456789012:execution:aifactory-dev-weekly:" + executionName
	runModels     = "s3://aifactory-dev-models/optimiser/models/2025-01-06/" + executionName + "/"
	runOutputs    = "s3://aifactory-dev-models/optimiser/recommendations/2025-01-06/" + executionName + "/"
)

func execute(t *testing.T, args pipeline.WorkflowArgs, ecs map[string]map[string][]ecsAnswer, sns map[string][]snsAnswer) runResult {
	t.Helper()
	var res runResult
	runNode(t, "run.mjs", scenario{
		Definition: definitionOf(t, args),
		Input:      map[string]any{"source": "scheduler"},
		Clock:      clock,
		Context: map[string]any{
			"Execution":    map[string]any{"Name": executionName, "Id": executionArn},
			"StateMachine": map[string]any{"Name": "aifactory-dev-weekly", "Id": "arn:aws:states:eu-west-1:123456789012:stateMachine:aifactory-dev-weekly"},
		},
		Container: args.ContainerName,
		ECS:       ecs,
		SNS:       sns,
	}, &res)
	return res
}

// decodeStrict decodes a published message, refusing fields the message
// types do not document.
func decodeStrict(t *testing.T, raw string, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v), "message: %s", raw)
}

func (r runResult) published(t *testing.T) (summary *pipeline.Summary, alert *pipeline.Alert) {
	t.Helper()
	for _, c := range r.SNSCalls {
		switch c.Topic {
		case resultsTopic:
			summary = &pipeline.Summary{}
			decodeStrict(t, c.RawMessage, summary)
			assert.Equal(t, "Weekly jackpot run "+summary.Status, c.Subject)
			assert.Equal(t, map[string]string{"DataType": "String", "StringValue": summary.Status}, c.Attributes["status"])
		case failureTopic:
			alert = &pipeline.Alert{}
			decodeStrict(t, c.RawMessage, alert)
			assert.Equal(t, "Weekly jackpot run failed", c.Subject)
			assert.Equal(t, map[string]string{"DataType": "String", "StringValue": alert.Reason}, c.Attributes["reason"])
		default:
			t.Fatalf("published to unknown topic %s", c.Topic)
		}
	}
	return summary, alert
}

// calls returns the commands run for a country's step, in order.
func (r runResult) calls(country, step string) []ecsCall {
	var out []ecsCall
	for _, c := range r.ECSCalls {
		if c.Country == country && c.Step == step {
			out = append(out, c)
		}
	}
	return out
}

func trainCommand(country string) []string {
	return []string{"train", "--country", country,
		"--config-dir", "s3://aifactory-dev-data/optimiser/configs/",
		"--data-dir", "s3://aifactory-dev-data/optimiser/sales/",
		"--out", runModels}
}

func recommendCommand(country string) []string {
	return []string{"recommend", "--country", country,
		"--config-dir", "s3://aifactory-dev-data/optimiser/configs/",
		"--data-dir", "s3://aifactory-dev-data/optimiser/sales/",
		"--model", runModels + country + "/model.json",
		"--out", runOutputs,
		"--cash-secret", "aifactory-dev/optimiser/cash",
		"--draw", "next", "--require-cash"}
}

func succeeded(country string, restarts int) pipeline.CountryOutcome {
	return pipeline.CountryOutcome{
		Country: country, Outcome: pipeline.OutcomeSucceeded, Step: pipeline.StepRecommend, Restarts: restarts,
		Model:          runModels + country + "/model.json",
		Recommendation: runOutputs + country + "/recommendation.json",
		Metadata:       runOutputs + country + "/metadata.json",
	}
}

func exitProblem(country, step string, attempt, code int) *pipeline.Problem {
	return &pipeline.Problem{
		Error: pipeline.ErrorTaskFailed, ExitCode: &code, StopCode: "EssentialContainerExited",
		StoppedReason: "Essential container in task exited",
		TaskArn:       fmt.Sprintf("arn:aws:ecs:eu-west-1:123456789012:task/aifactory-dev-pipeline/%s-%s-%d", country, step, attempt),
	}
}

func spot() []pipeline.CapacityProvider {
	return []pipeline.CapacityProvider{{CapacityProvider: pipeline.FargateSpot, Weight: 1}}
}

func onDemand() []pipeline.CapacityProvider {
	return []pipeline.CapacityProvider{{CapacityProvider: pipeline.Fargate, Weight: 1}}
}

// assertSummary checks the run's summary and the commands of every call.
func assertSummary(t *testing.T, res runResult, status string, want ...pipeline.CountryOutcome) *pipeline.Summary {
	t.Helper()
	summary, _ := res.published(t)
	require.NotNil(t, summary, "the run must publish its summary to the results topic")
	assert.Equal(t, pipeline.Summary{
		Run: executionName, Execution: executionArn, StartedAt: clock,
		Models: runModels, Outputs: runOutputs, Status: status, Countries: want,
	}, *summary)
	for _, c := range res.ECSCalls {
		switch c.Step {
		case pipeline.StepTrain:
			assert.Equal(t, trainCommand(c.Country), c.Command, "train command of %s", c.Country)
		case pipeline.StepRecommend:
			assert.Equal(t, recommendCommand(c.Country), c.Command, "recommend command of %s", c.Country)
		default:
			t.Errorf("unexpected optimiser subcommand %q", c.Step)
		}
	}
	return summary
}

func TestWeeklyRun(t *testing.T) {
	tests := []struct {
		name  string
		args  func(*pipeline.WorkflowArgs)
		ecs   map[string]map[string][]ecsAnswer
		sns   map[string][]snsAnswer
		check func(t *testing.T, res runResult)
	}{
		{
			name: "every country succeeds",
			check: func(t *testing.T, res runResult) {
				assert.Equal(t, "SUCCEEDED", res.Status)
				assertSummary(t, res, pipeline.StatusSucceeded, succeeded("GB", 0), succeeded("NL", 0), succeeded("SE", 0))
				_, alert := res.published(t)
				assert.Nil(t, alert, "nothing goes to the failure topic")
				require.Len(t, res.ECSCalls, 6)
				for _, country := range []string{"GB", "NL", "SE"} {
					for _, step := range []string{pipeline.StepTrain, pipeline.StepRecommend} {
						calls := res.calls(country, step)
						require.Len(t, calls, 1, "%s %s", country, step)
						assert.Equal(t, spot(), calls[0].Capacity, "first starts run on Fargate Spot")
					}
				}
				// The RunTask request as ECS receives it.
				p := res.ECSCalls[0].Params
				assert.Equal(t, clusterArn, p["Cluster"])
				assert.Equal(t, taskDefinitionArn, p["TaskDefinition"])
				assert.Equal(t, "TASK_DEFINITION", p["PropagateTags"])
				assert.NotContains(t, p, "LaunchType", "a capacity provider strategy excludes a launch type")
				assert.Equal(t, map[string]any{"AwsvpcConfiguration": map[string]any{
					"Subnets":        []any{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210"},
					"SecurityGroups": []any{"sg-0123456789abcdef0"},
					"AssignPublicIp": "DISABLED",
				}}, p["NetworkConfiguration"])
				assert.Equal(t, "optimiser", p["Overrides"].(map[string]any)["ContainerOverrides"].([]any)[0].(map[string]any)["Name"])
			},
		},
		{
			name: "an infeasible country is reported and the others still publish",
			ecs:  map[string]map[string][]ecsAnswer{"NL": {pipeline.StepRecommend: {exit(pipeline.ExitInfeasible)}}},
			check: func(t *testing.T, res runResult) {
				assert.Equal(t, "SUCCEEDED", res.Status, "an infeasible country is an outcome, not a failure")
				assertSummary(t, res, pipeline.StatusSucceeded,
					succeeded("GB", 0),
					pipeline.CountryOutcome{Country: "NL", Outcome: pipeline.OutcomeInfeasible, Step: pipeline.StepRecommend,
						Problem: exitProblem("NL", pipeline.StepRecommend, 0, pipeline.ExitInfeasible)},
					succeeded("SE", 0))
				_, alert := res.published(t)
				assert.Nil(t, alert)
				assert.Len(t, res.calls("NL", pipeline.StepRecommend), 1, "an infeasible country is not run again")
			},
		},
		{
			name: "a model below its quality gate stops that country before recommend",
			ecs:  map[string]map[string][]ecsAnswer{"GB": {pipeline.StepTrain: {exit(pipeline.ExitQualityGate)}}},
			check: func(t *testing.T, res runResult) {
				assert.Equal(t, "SUCCEEDED", res.Status)
				assertSummary(t, res, pipeline.StatusSucceeded,
					pipeline.CountryOutcome{Country: "GB", Outcome: pipeline.OutcomeQualityGate, Step: pipeline.StepTrain,
						Problem: exitProblem("GB", pipeline.StepTrain, 0, pipeline.ExitQualityGate)},
					succeeded("NL", 0), succeeded("SE", 0))
				assert.Empty(t, res.calls("GB", pipeline.StepRecommend), "no recommendation from a model that failed its gate")
			},
		},
		{
			name: "an exit code reported in a successful state's output is classified the same",
			ecs: map[string]map[string][]ecsAnswer{
				"NL": {pipeline.StepRecommend: {{Exit: ptr(pipeline.ExitInfeasible), Reported: "output"}}},
				"SE": {pipeline.StepTrain: {{Exit: ptr(1), Reported: "output"}}},
			},
			check: func(t *testing.T, res runResult) {
				assert.Equal(t, "FAILED", res.Status)
				assertSummary(t, res, pipeline.StatusFailed,
					succeeded("GB", 0),
					pipeline.CountryOutcome{Country: "NL", Outcome: pipeline.OutcomeInfeasible, Step: pipeline.StepRecommend,
						Problem: exitProblem("NL", pipeline.StepRecommend, 0, pipeline.ExitInfeasible)},
					pipeline.CountryOutcome{Country: "SE", Outcome: pipeline.OutcomeFailed, Step: pipeline.StepTrain,
						Problem: exitProblem("SE", pipeline.StepTrain, 0, 1)})
			},
		},
		{
			name: "transient ECS errors and a task that failed to start succeed on retry",
			args: func(a *pipeline.WorkflowArgs) { a.Retry.MaxAttempts = 2 },
			ecs: map[string]map[string][]ecsAnswer{
				// Throttled once: the Task state's own retrier.
				"NL": {pipeline.StepTrain: {{Error: "ECS.AmazonECSException", Cause: "Rate exceeded (Service: AmazonECS; Status Code: 400; Error Code: ThrottlingException)"}, exit(0)}},
				// The image could not be pulled: started again, on demand.
				"GB": {pipeline.StepRecommend: {{Stop: "TaskFailedToStart", Reason: "CannotPullContainerError: pull image manifest has been retried 5 time(s)"}, exit(0)}},
				// No Spot capacity through every retry: started again on demand.
				"SE": {pipeline.StepTrain: {
					{Error: "AmazonECS.Unknown", Cause: "RESOURCE:FARGATE"}, {Error: "AmazonECS.Unknown", Cause: "RESOURCE:FARGATE"},
					{Error: "AmazonECS.Unknown", Cause: "RESOURCE:FARGATE"}, exit(0)}},
			},
			check: func(t *testing.T, res runResult) {
				assert.Equal(t, "SUCCEEDED", res.Status)
				assertSummary(t, res, pipeline.StatusSucceeded, succeeded("GB", 1), succeeded("NL", 0), succeeded("SE", 1))
				_, alert := res.published(t)
				assert.Nil(t, alert)

				nl := res.calls("NL", pipeline.StepTrain)
				require.Len(t, nl, 2)
				assert.Equal(t, spot(), nl[1].Capacity, "a retried API call keeps its capacity")

				gb := res.calls("GB", pipeline.StepRecommend)
				require.Len(t, gb, 2)
				assert.Equal(t, spot(), gb[0].Capacity)
				assert.Equal(t, onDemand(), gb[1].Capacity, "a country started again falls back to on-demand Fargate")
				assert.Len(t, res.calls("GB", pipeline.StepTrain), 1, "a restart repeats only the step that failed")

				se := res.calls("SE", pipeline.StepTrain)
				require.Len(t, se, 4, "one call and two retries on Spot, then a restart")
				assert.Equal(t, spot(), se[2].Capacity)
				assert.Equal(t, onDemand(), se[3].Capacity)

				// Two restarts waited the first backoff (60 s) with
				// jitter: 30 s plus a random share of up to 30 s more.
				require.Len(t, res.Waits, 2)
				for _, w := range res.Waits {
					wait := w.Input["restart"].(map[string]any)["wait"].(float64)
					assert.GreaterOrEqual(t, wait, 30.0)
					assert.LessOrEqual(t, wait, 60.0)
				}
				retried := map[string]int{}
				for _, r := range res.Retries {
					retried[r.State]++
				}
				assert.Equal(t, map[string]int{"Train": 3}, retried, "NL once, SE twice")
			},
		},
		{
			name: "a permanent failure reaches the failure topic and fails the run",
			ecs:  map[string]map[string][]ecsAnswer{"NL": {pipeline.StepTrain: {exit(1)}}},
			check: func(t *testing.T, res runResult) {
				assert.Equal(t, "FAILED", res.Status)
				require.NotNil(t, res.Error)
				assert.Equal(t, "WeeklyRun.Failed", res.Error.Name)
				nl := pipeline.CountryOutcome{Country: "NL", Outcome: pipeline.OutcomeFailed, Step: pipeline.StepTrain,
					Problem: exitProblem("NL", pipeline.StepTrain, 0, 1)}
				summary := assertSummary(t, res, pipeline.StatusFailed, succeeded("GB", 0), nl, succeeded("SE", 0))
				_, alert := res.published(t)
				require.NotNil(t, alert, "a failed country must reach the failure topic")
				assert.Equal(t, pipeline.Alert{
					Status: pipeline.StatusFailed, Reason: pipeline.ReasonCountriesFailed,
					Run: executionName, Execution: executionArn, StartedAt: clock, Countries: summary.Countries,
				}, *alert)
				assert.Len(t, res.calls("NL", pipeline.StepTrain), 1, "an exit code is never retried")
				assert.Empty(t, res.calls("NL", pipeline.StepRecommend))
				require.Len(t, res.SNSCalls, 2)
				assert.Equal(t, resultsTopic, res.SNSCalls[0].Topic, "the summary goes out before the alert")
			},
		},
		{
			name: "Spot interruptions beyond the restart budget fail the country",
			ecs: map[string]map[string][]ecsAnswer{"SE": {pipeline.StepRecommend: {
				{Stop: "SpotInterruption", Reason: "Your Spot Task was interrupted.", Exit: ptr(143)},
			}}},
			check: func(t *testing.T, res runResult) {
				assert.Equal(t, "FAILED", res.Status)
				calls := res.calls("SE", pipeline.StepRecommend)
				require.Len(t, calls, 3, "the first start and two restarts")
				assert.Equal(t, onDemand(), calls[2].Capacity)
				assertSummary(t, res, pipeline.StatusFailed, succeeded("GB", 0), succeeded("NL", 0),
					pipeline.CountryOutcome{Country: "SE", Outcome: pipeline.OutcomeFailed, Step: pipeline.StepRecommend, Restarts: 2,
						Problem: &pipeline.Problem{Error: pipeline.ErrorTaskFailed, StopCode: "SpotInterruption",
							StoppedReason: "Your Spot Task was interrupted.",
							TaskArn:       "arn:aws:ecs:eu-west-1:123456789012:task/aifactory-dev-pipeline/SE-recommend-2"}})
				// Restart waits grow: 30-60 s, then 60-120 s (the bounds of
				// States.MathRandom are inclusive in this implementation).
				require.Len(t, res.Waits, 2)
				first := res.Waits[0].Input["restart"].(map[string]any)["wait"].(float64)
				second := res.Waits[1].Input["restart"].(map[string]any)["wait"].(float64)
				assert.True(t, first >= 30 && first <= 60, "first wait %v", first)
				assert.True(t, second >= 60 && second <= 120, "second wait %v", second)
			},
		},
		{
			name: "an error that is not a task description fails the country without a restart",
			ecs: map[string]map[string][]ecsAnswer{"GB": {pipeline.StepTrain: {
				{Error: "ECS.AccessDeniedException", Cause: "not authorized to perform: ecs:RunTask"},
			}}},
			check: func(t *testing.T, res runResult) {
				assert.Equal(t, "FAILED", res.Status)
				assert.Len(t, res.calls("GB", pipeline.StepTrain), 1)
				assertSummary(t, res, pipeline.StatusFailed,
					pipeline.CountryOutcome{Country: "GB", Outcome: pipeline.OutcomeFailed, Step: pipeline.StepTrain,
						Problem: &pipeline.Problem{Error: "ECS.AccessDeniedException", Cause: "not authorized to perform: ecs:RunTask"}},
					succeeded("NL", 0), succeeded("SE", 0))
			},
		},
		{
			name: "a task failure whose cause is not a whole task description is reported as text",
			ecs: map[string]map[string][]ecsAnswer{"SE": {pipeline.StepTrain: {
				{Error: pipeline.ErrorTaskFailed, Cause: `{"TaskArn":"arn:aws:ecs:eu-west-1:123456789012:task/aifactory-dev-pipeline/cut-sh`},
			}}},
			check: func(t *testing.T, res runResult) {
				assert.Equal(t, "FAILED", res.Status, "the run ends through its own Fail state, not a runtime error")
				require.NotNil(t, res.Error)
				assert.Equal(t, "WeeklyRun.Failed", res.Error.Name)
				assertSummary(t, res, pipeline.StatusFailed, succeeded("GB", 0), succeeded("NL", 0),
					pipeline.CountryOutcome{Country: "SE", Outcome: pipeline.OutcomeFailed, Step: pipeline.StepTrain,
						Problem: &pipeline.Problem{Error: pipeline.ErrorTaskFailed,
							Cause: `{"TaskArn":"arn:aws:ecs:eu-west-1:123456789012:task/aifactory-dev-pipeline/cut-sh`}})
			},
		},
		{
			name: "a summary that cannot be published reaches the failure topic",
			sns:  map[string][]snsAnswer{resultsTopic: {{Error: "SNS.AuthorizationErrorException", Cause: "not authorized to perform: SNS:Publish"}}},
			check: func(t *testing.T, res runResult) {
				assert.Equal(t, "FAILED", res.Status)
				attempts := 0
				for _, c := range res.SNSCalls {
					if c.Topic == resultsTopic {
						attempts++
					}
				}
				assert.Equal(t, 5, attempts, "the publish is tried once and retried four times")
				_, alert := res.published(t)
				require.NotNil(t, alert)
				assert.Equal(t, pipeline.ReasonResultsNotPublished, alert.Reason)
				assert.Equal(t, "SNS.AuthorizationErrorException", alert.Error)
				assert.Len(t, alert.Countries, 3, "the alert carries the outcomes the summary could not")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := testArgs()
			if tt.args != nil {
				tt.args(&args)
			}
			res := execute(t, args, tt.ecs, tt.sns)
			if t.Failed() {
				return
			}
			tt.check(t, res)
			if t.Failed() {
				out, _ := json.MarshalIndent(res, "", "  ")
				t.Logf("run: %s", strings.TrimSpace(string(out)))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
