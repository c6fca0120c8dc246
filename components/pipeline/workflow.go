// Package pipeline runs the weekly jackpot job on AWS: for every configured
// country it trains the sales model and recommends next week's jackpot as
// optimiser container tasks on Fargate, orchestrated by a Step Functions
// state machine whose definition this package builds as Go values, and
// reports every run to SNS topics.
package pipeline

import (
	"fmt"
	"strings"
)

// Exit codes of the optimiser CLI (optimiser/cmd/optimiser) that the
// workflow reports as an outcome of the country instead of a failure.
const (
	ExitInfeasible  = 3 // no jackpot satisfies the constraints
	ExitQualityGate = 4 // the sales model is worse than its quality gate
)

// Outcomes of a country, as the summary message reports them.
const (
	OutcomeSucceeded   = "succeeded"
	OutcomeInfeasible  = "infeasible"
	OutcomeQualityGate = "model_below_quality_gate"
	OutcomeFailed      = "failed"
)

// Run statuses of the summary message, and the reasons of a failure
// message.
const (
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"

	ReasonCountriesFailed     = "countries_failed"
	ReasonResultsNotPublished = "results_not_published"
	ReasonRunAborted          = "run_aborted"
)

// Steps of a country, named after the optimiser subcommands they run.
const (
	StepTrain     = "train"
	StepRecommend = "recommend"
)

// Errors the ECS integration raises for conditions that pass: throttling
// and server errors of the ECS API (ECS.AmazonECSException carries
// "Rate exceeded"; ECS wraps throttled subnet and security group lookups
// in ECS.InvalidParameterException), and AmazonECS.Unknown, which the Run
// a Job integration raises when RunTask answers with a non-empty Failures
// list, such as no Fargate capacity ("RESOURCE:FARGATE" and the like).
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
var transientECSErrors = []string{
	"ECS.AmazonECSException",
	"ECS.ServerException",
	"ECS.ThrottlingException",
	"ECS.LimitExceededException",
	"ECS.InvalidParameterException",
	ecsPlacementError,
}

// ecsPlacementError is what a RunTask with a non-empty Failures list raises
// under the Run a Job (.sync) pattern.
const ecsPlacementError = "AmazonECS.Unknown"

// ECS stop codes after which a country is started again: the task never
// started (image pull, ENI or secret retrieval failed), or Fargate took
// its capacity back.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
const (
	stopTaskFailedToStart = "TaskFailedToStart"
	stopSpotInterruption  = "SpotInterruption"
	stopTerminationNotice = "TerminationNotice"
)

// How a country's task reports its end (the mapping of exit codes).
//
// With the Run a Job pattern (ecs:runTask.sync) Step Functions starts the
// task and waits until ECS reports it STOPPED; the Task state's result is
// then the task's description (DescribeTasks, in PascalCase: TaskArn,
// StopCode, StoppedReason, Containers[].ExitCode …). AWS documents the
// wait, and that a RunTask answered with Failures fails the state with
// AmazonECS.Unknown (connect-ecs.html above; connect-to-resource.html,
// "Run a Job"). It does not document in words what happens when the
// container exits non-zero: execution histories show the state failing
// with States.TaskFailed and that same description, as a JSON string, in
// the error's Cause (for example the history quoted in
// https://github.com/wellcomecollection/catalogue-pipeline/pull/3377).
// The workflow therefore reads the exit code both ways:
//   - a caught States.TaskFailed whose Cause is a whole JSON object is
//     parsed (States.StringToJson) and classified by StopCode and
//     Containers[0].ExitCode;
//   - a Task state that succeeds is still checked: unless
//     Containers[0].ExitCode is 0, its description is classified the same
//     way, as if it had failed.
//
// Containers[0] is the optimiser container: the task definition runs
// nothing else (WorkflowArgs.ContainerName). Classification:
//   - exit 3 (ExitInfeasible): outcome "infeasible", reported, no failure;
//   - exit 4 (ExitQualityGate): outcome "model_below_quality_gate",
//     reported, no failure;
//   - StopCode TaskFailedToStart, SpotInterruption or TerminationNotice,
//     or AmazonECS.Unknown after the retries: the country starts again,
//     on the fallback capacity, after a backoff with jitter, at most
//     Restart.MaxRestarts times, then "failed";
//   - anything else (another exit code, no exit code, a timeout, an error
//     whose Cause is not a task description): outcome "failed".
//
// A failed country never stops the others; the run ends by publishing the
// summary, and, when a country failed, the failure message and a Fail state.

// Workflow builds the weekly workflow's state machine definition. It is a
// pure function of its arguments, which it checks first: every invalid
// argument is reported, each with its field and the fix.
func Workflow(args WorkflowArgs) (StateMachine, error) {
	a := args.withDefaults()
	if err := a.check(); err != nil {
		return StateMachine{}, fmt.Errorf("pipeline workflow: %w", err)
	}
	w := workflow{a}
	m := StateMachine{
		Comment: "Weekly jackpot recommendation: for each country, train the sales model and recommend the jackpot " +
			"(optimiser tasks on Fargate); report every country's outcome to the results topic and failures to the failure topic.",
		StartAt: statePrepare,
		States:  w.topLevel(),
		// A run that is still going after a day is stuck: fail it, loudly.
		TimeoutSeconds: 86400,
	}
	if err := m.Validate(); err != nil {
		return StateMachine{}, fmt.Errorf("pipeline workflow is malformed (a bug in package pipeline): %w", err)
	}
	return m, nil
}

// Top-level states.
const (
	statePrepare        = "Prepare run"
	stateNameRun        = "Name run"
	stateCountries      = "Countries"
	stateSummarise      = "Summarise"
	stateAnyFailed      = "Any country failed?"
	stateMarkFailed     = "Mark run failed"
	stateMarkSucceeded  = "Mark run succeeded"
	statePublishResults = "Publish results"
	stateRunFailedQ     = "Run failed?"
	stateDone           = "Done"
	stateReportFailed   = "Report failed countries"
	stateResultsLost    = "Results not published"
	stateRunAborted     = "Run aborted"
	statePublishFailure = "Publish failure"
	stateRunFailed      = "Run failed"
)

// What a failed run ends with, and the subject of the summary.
const (
	runFailedError       = "WeeklyRun.Failed"
	runFailedCause       = "A country failed or the run could not finish; the message on the failure topic names it."
	resultsSubjectFormat = "States.Format('Weekly jackpot run {}', $.summary.status)"
)

// Per-country states (the Map state's item processor).
const (
	stateTrain            = "Train"
	stateCheckTrain       = "Check train exit code"
	stateReadyToRecommend = "Ready to recommend"
	stateRecommend        = "Recommend"
	stateCheckRecommend   = "Check recommend exit code"
	stateRecommended      = "Recommended"
	stateNotClean         = "Task ended unclean"
	stateClassifyFailure  = "Classify failure"
	stateReadTask         = "Read task description"
	stateReadOutput       = "Read task output"
	stateClassifyStop     = "Classify stop"
	stateRestartableStop  = "Task did not run to its end"
	stateStopNoExit       = "Task stopped without exit code"
	stateExited           = "Task exited"
	stateClassifyExit     = "Classify exit code"
	stateNotPlaced        = "Task not placed"
	stateErrored          = "Step errored"
	stateRestartQ         = "Restart?"
	stateScheduleRestart  = "Schedule restart"
	stateUseFallback      = "Use fallback capacity"
	stateWaitRestart      = "Wait before restart"
	stateRestartStep      = "Restart step"
	stateInfeasible       = "Infeasible"
	stateBelowGate        = "Below quality gate"
	stateFailed           = "Failed"
)

type workflow struct{ a WorkflowArgs }

func (w workflow) resource(integration string) string {
	return w.a.ServiceIntegrationARN("states", integration)
}

func (w workflow) topLevel() map[string]State {
	s := w.a.Storage
	capacity := map[string]any{"primary": w.a.Capacity.Primary, "fallback": w.a.Capacity.Fallback}
	return map[string]State{
		statePrepare: PassState{
			Comment: "Fixed at deploy time: the countries and where the optimiser reads and writes. The execution's input is not used.",
			Parameters: Payload{
				"countries":     w.a.Countries,
				"configs":       s.Configs.URI(),
				"data":          s.Data.URI(),
				"modelsRoot":    s.Models.URI(),
				"outputsRoot":   s.Outputs.URI(),
				"cashSecret":    w.a.CashSecretID,
				"capacity":      capacity,
				"restartDelays": w.a.Restart.restartDelays(),
				// The day the execution started, in UTC (StartTime is
				// RFC 3339: 2025-01-06T06:00:00.000Z).
				"day.$": "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)",
			},
			Next: stateNameRun,
		},
		stateNameRun: PassState{
			Comment: "Every run writes under <prefix>/<day>/<execution name>/, so no run overwrites another's models or outputs.",
			Parameters: Payload{
				"name.$":      "$$.Execution.Name",
				"execution.$": "$$.Execution.Id",
				"startedAt.$": "$$.Execution.StartTime",
				"models.$":    "States.Format('{}{}/{}/', $.modelsRoot, $.day, $$.Execution.Name)",
				"outputs.$":   "States.Format('{}{}/{}/', $.outputsRoot, $.day, $$.Execution.Name)",
			},
			ResultPath: At("$.run"),
			Next:       stateCountries,
		},
		stateCountries: MapState{
			Comment:        "One item per country; a country's failure is its outcome, never the Map's.",
			ItemsPath:      "$.countries",
			MaxConcurrency: w.a.MaxConcurrency,
			ItemSelector: Payload{
				"country.$": "$$.Map.Item.Value",
				"step":      StepTrain,
				"args": Payload{
					"configs.$":    "$.configs",
					"data.$":       "$.data",
					"models.$":     "$.run.models",
					"outputs.$":    "$.run.outputs",
					"cashSecret.$": "$.cashSecret",
				},
				"files": Payload{
					"model.$":          "States.Format('{}{}/model.json', $.run.models, $$.Map.Item.Value)",
					"recommendation.$": "States.Format('{}{}/recommendation.json', $.run.outputs, $$.Map.Item.Value)",
					"metadata.$":       "States.Format('{}{}/metadata.json', $.run.outputs, $$.Map.Item.Value)",
				},
				"capacity.$":         "$.capacity.primary",
				"fallbackCapacity.$": "$.capacity.fallback",
				"restart":            Payload{"count": 0, "delays.$": "$.restartDelays"},
				// Fields a task description may lack, merged under it so
				// that every later path exists.
				"taskDefaults": Payload{"TaskArn": "", "StopCode": "", "StoppedReason": "", "Containers": []any{map[string]any{}}},
			},
			ItemProcessor: &Processor{
				ProcessorConfig: ProcessorConfig{Mode: InlineMode},
				StartAt:         stateTrain,
				States:          w.country(),
			},
			ResultPath: At("$.results"),
			Catch:      []Catcher{{ErrorEquals: []string{ErrorAll}, ResultPath: At("$.abort"), Next: stateRunAborted}},
			Next:       stateSummarise,
		},
		stateSummarise: PassState{
			Parameters: Payload{
				"summary": Payload{
					"run.$":       "$.run.name",
					"execution.$": "$.run.execution",
					"startedAt.$": "$.run.startedAt",
					"models.$":    "$.run.models",
					"outputs.$":   "$.run.outputs",
					"countries.$": "$.results",
				},
				// The Map's results as one string, for the check below:
				// the language has no way to fold an array, and a wildcard
				// path over a one-element array is not an array in every
				// implementation.
				"scan.$": "States.JsonToString($.results)",
			},
			Next: stateAnyFailed,
		},
		stateAnyFailed: ChoiceState{
			Comment: `Outcomes are written by the workflow itself as "outcome":"<value>"; quotes inside an error's text are escaped by States.JsonToString, and free text only ever appears in failed outcomes, so only a real failure matches.`,
			Choices: []ChoiceRule{{Variable: "$.scan", StringMatches: str(`*"outcome":"` + OutcomeFailed + `"*`), Next: stateMarkFailed}},
			Default: stateMarkSucceeded,
		},
		stateMarkFailed:    PassState{Result: StatusFailed, ResultPath: At("$.summary.status"), Next: statePublishResults},
		stateMarkSucceeded: PassState{Result: StatusSucceeded, ResultPath: At("$.summary.status"), Next: statePublishResults},
		statePublishResults: TaskState{
			Comment:  "Every run ends with its summary on the results topic.",
			Resource: w.resource("sns:publish"),
			Parameters: Payload{
				"TopicArn":  w.a.ResultsTopicArn,
				"Subject.$": resultsSubjectFormat,
				// An object Message is sent as its JSON text.
				"Message.$": "$.summary",
				"MessageAttributes": Payload{
					"status": Payload{"DataType": "String", "StringValue.$": "$.summary.status"},
				},
			},
			ResultPath: Discard,
			Retry:      w.publishRetry(),
			Catch:      []Catcher{{ErrorEquals: []string{ErrorAll}, ResultPath: At("$.publishError"), Next: stateResultsLost}},
			Next:       stateRunFailedQ,
		},
		stateRunFailedQ: ChoiceState{
			Choices: []ChoiceRule{{Variable: "$.summary.status", StringEquals: str(StatusFailed), Next: stateReportFailed}},
			Default: stateDone,
		},
		stateDone: SucceedState{},
		stateReportFailed: PassState{
			Parameters: Payload{"alert": Payload{
				"status":      StatusFailed,
				"reason":      ReasonCountriesFailed,
				"run.$":       "$.summary.run",
				"execution.$": "$.summary.execution",
				"startedAt.$": "$.summary.startedAt",
				"countries.$": "$.summary.countries",
			}},
			Next: statePublishFailure,
		},
		stateResultsLost: PassState{
			Parameters: Payload{"alert": Payload{
				"status":      StatusFailed,
				"reason":      ReasonResultsNotPublished,
				"run.$":       "$.summary.run",
				"execution.$": "$.summary.execution",
				"startedAt.$": "$.summary.startedAt",
				"error.$":     "$.publishError.Error",
				"cause.$":     "$.publishError.Cause",
				"countries.$": "$.summary.countries",
			}},
			Next: statePublishFailure,
		},
		stateRunAborted: PassState{
			Comment: "The Map state itself failed (a bug or a service limit): no summary exists, only the error.",
			Parameters: Payload{"alert": Payload{
				"status":      StatusFailed,
				"reason":      ReasonRunAborted,
				"run.$":       "$.run.name",
				"execution.$": "$.run.execution",
				"startedAt.$": "$.run.startedAt",
				"error.$":     "$.abort.Error",
				"cause.$":     "$.abort.Cause",
			}},
			Next: statePublishFailure,
		},
		statePublishFailure: TaskState{
			Resource: w.resource("sns:publish"),
			Parameters: Payload{
				"TopicArn":  w.a.FailureTopicArn,
				"Subject":   "Weekly jackpot run failed",
				"Message.$": "$.alert",
				"MessageAttributes": Payload{
					"reason": Payload{"DataType": "String", "StringValue.$": "$.alert.reason"},
				},
			},
			ResultPath: Discard,
			Retry:      w.publishRetry(),
			Next:       stateRunFailed,
		},
		stateRunFailed: FailState{Error: runFailedError, Cause: runFailedCause},
	}
}

// publishRetry retries a publish on any task failure: publishing twice is
// harmless, losing a report is not.
func (w workflow) publishRetry() []Retrier {
	return []Retrier{{
		ErrorEquals: []string{ErrorTaskFailed}, IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: JitterFull,
	}}
}

// country is the item processor: train, then recommend, then the outcome.
func (w workflow) country() map[string]State {
	exitCode := "$.task.Containers[0].ExitCode"
	problemOfStop := Payload{
		"error.$":         "$.failure.Error",
		"stopCode.$":      "$.ecs.Task.StopCode",
		"stoppedReason.$": "$.ecs.Task.StoppedReason",
		"taskArn.$":       "$.ecs.Task.TaskArn",
	}
	problemOfExit := Payload{"exitCode.$": "$.ecs.Task.Containers[0].ExitCode"}
	for k, v := range problemOfStop {
		problemOfExit[k] = v
	}
	problemOfError := Payload{"error.$": "$.failure.Error", "cause.$": "$.failure.Cause"}
	var restartable []ChoiceRule
	for _, code := range []string{stopTaskFailedToStart, stopSpotInterruption, stopTerminationNotice} {
		restartable = append(restartable, ChoiceRule{Variable: "$.ecs.Task.StopCode", StringEquals: str(code)})
	}

	return map[string]State{
		stateTrain: w.runTask(StepTrain,
			"train", "--country", "$.country", "--config-dir", "$.args.configs", "--data-dir", "$.args.data", "--out", "$.args.models"),
		stateCheckTrain: ChoiceState{
			Choices: []ChoiceRule{
				{Variable: exitCode, IsPresent: flag(false), Next: stateNotClean},
				{Variable: exitCode, NumericEquals: num(0), Next: stateReadyToRecommend},
			},
			Default: stateNotClean,
		},
		stateReadyToRecommend: PassState{Result: StepRecommend, ResultPath: At("$.step"), Next: stateRecommend},
		// The pipeline decides the next scheduled draw after the run's day
		// (a history too old for it is refused), and a country without a
		// cash figure in the secret fails instead of being recommended
		// without its cash safety net.
		stateRecommend: w.runTask(StepRecommend,
			"recommend", "--country", "$.country", "--config-dir", "$.args.configs", "--data-dir", "$.args.data",
			"--model", "$.files.model", "--out", "$.args.outputs", "--cash-secret", "$.args.cashSecret",
			"--draw", "next", "--require-cash"),
		stateCheckRecommend: ChoiceState{
			Choices: []ChoiceRule{
				{Variable: exitCode, IsPresent: flag(false), Next: stateNotClean},
				{Variable: exitCode, NumericEquals: num(0), Next: stateRecommended},
			},
			Default: stateNotClean,
		},
		stateRecommended: PassState{
			Parameters: Payload{
				"country.$":        "$.country",
				"outcome":          OutcomeSucceeded,
				"step":             StepRecommend,
				"restarts.$":       "$.restart.count",
				"model.$":          "$.files.model",
				"recommendation.$": "$.files.recommendation",
				"metadata.$":       "$.files.metadata",
			},
			End: true,
		},
		stateNotClean: PassState{
			Comment:    "The task stopped without a clean exit but the state succeeded: classify its description like a failure's.",
			Parameters: Payload{"Error": ErrorTaskFailed, "Cause": "the task stopped without exit code 0"},
			ResultPath: At("$.failure"),
			Next:       stateReadOutput,
		},
		stateReadOutput: PassState{
			Parameters: Payload{"Task.$": "States.JsonMerge($.taskDefaults, $.task, false)"},
			ResultPath: At("$.ecs"),
			Next:       stateClassifyStop,
		},
		stateClassifyFailure: ChoiceState{
			Choices: []ChoiceRule{
				{And: []ChoiceRule{
					{Variable: "$.failure.Error", StringEquals: str(ErrorTaskFailed)},
					// A task description is a JSON object; anything else (or
					// a Cause cut short) is reported as text, because a
					// parse error would be a States.Runtime error, which
					// no Catch can handle.
					{Variable: "$.failure.Cause", StringMatches: str(`{"*}`)},
				}, Next: stateReadTask},
				{Variable: "$.failure.Error", StringEquals: str(ecsPlacementError), Next: stateNotPlaced},
			},
			Default: stateErrored,
		},
		stateReadTask: PassState{
			Parameters: Payload{"Task.$": "States.JsonMerge($.taskDefaults, States.StringToJson($.failure.Cause), false)"},
			ResultPath: At("$.ecs"),
			Next:       stateClassifyStop,
		},
		stateClassifyStop: ChoiceState{
			Choices: []ChoiceRule{
				{Or: restartable, Next: stateRestartableStop},
				{Variable: "$.ecs.Task.Containers[0].ExitCode", IsPresent: flag(false), Next: stateStopNoExit},
			},
			Default: stateExited,
		},
		stateRestartableStop: PassState{Parameters: problemOfStop, ResultPath: At("$.problem"), Next: stateRestartQ},
		stateStopNoExit:      PassState{Parameters: problemOfStop, ResultPath: At("$.problem"), Next: stateFailed},
		stateExited:          PassState{Parameters: problemOfExit, ResultPath: At("$.problem"), Next: stateClassifyExit},
		stateClassifyExit: ChoiceState{
			Choices: []ChoiceRule{
				{Variable: "$.problem.exitCode", NumericEquals: num(ExitInfeasible), Next: stateInfeasible},
				{Variable: "$.problem.exitCode", NumericEquals: num(ExitQualityGate), Next: stateBelowGate},
			},
			Default: stateFailed,
		},
		stateNotPlaced: PassState{Parameters: problemOfError, ResultPath: At("$.problem"), Next: stateRestartQ},
		stateErrored:   PassState{Parameters: problemOfError, ResultPath: At("$.problem"), Next: stateFailed},
		stateRestartQ: ChoiceState{
			Choices: []ChoiceRule{{Variable: "$.restart.count", NumericLessThan: num(w.a.Restart.MaxRestarts), Next: stateScheduleRestart}},
			Default: stateFailed,
		},
		stateScheduleRestart: PassState{
			Comment: "Wait the restart's base delay plus a random share of up to as much again (equal jitter).",
			Parameters: Payload{
				"count.$":  "States.MathAdd($.restart.count, 1)",
				"delays.$": "$.restart.delays",
				"wait.$":   "States.MathAdd(States.ArrayGetItem($.restart.delays, $.restart.count), States.MathRandom(0, States.ArrayGetItem($.restart.delays, $.restart.count)))",
			},
			ResultPath: At("$.restart"),
			Next:       stateUseFallback,
		},
		stateUseFallback: PassState{
			Comment:    "A country started again runs on the fallback capacity (on-demand Fargate by default).",
			InputPath:  At("$.fallbackCapacity"),
			ResultPath: At("$.capacity"),
			Next:       stateWaitRestart,
		},
		stateWaitRestart: WaitState{SecondsPath: "$.restart.wait", Next: stateRestartStep},
		stateRestartStep: ChoiceState{
			Choices: []ChoiceRule{{Variable: "$.step", StringEquals: str(StepTrain), Next: stateTrain}},
			Default: stateRecommend,
		},
		stateInfeasible: w.outcome(OutcomeInfeasible),
		stateBelowGate:  w.outcome(OutcomeQualityGate),
		stateFailed:     w.outcome(OutcomeFailed),
	}
}

// outcome ends a country that did not produce a recommendation.
func (w workflow) outcome(outcome string) PassState {
	return PassState{
		Parameters: Payload{
			"country.$":  "$.country",
			"outcome":    outcome,
			"step.$":     "$.step",
			"restarts.$": "$.restart.count",
			"problem.$":  "$.problem",
		},
		End: true,
	}
}

// runTask is one optimiser step as an ECS task that Step Functions waits
// for. The command is the CLI's own arguments: literals, and paths into
// the country's state for the values that change per country and run.
func (w workflow) runTask(step string, command ...string) TaskState {
	args := make([]string, 0, len(command))
	for _, c := range command {
		if strings.HasPrefix(c, "$.") {
			args = append(args, c)
			continue
		}
		args = append(args, intrinsicString(c))
	}
	next := stateCheckTrain
	if step == StepRecommend {
		next = stateCheckRecommend
	}
	return TaskState{
		Comment:  fmt.Sprintf("optimiser %s, on Fargate; Step Functions waits for the task to stop.", step),
		Resource: w.resource("ecs:runTask.sync"),
		Parameters: Payload{
			"Cluster":                    w.a.ClusterArn,
			"TaskDefinition":             w.a.TaskDefinition,
			"CapacityProviderStrategy.$": "$.capacity",
			"NetworkConfiguration": Payload{"AwsvpcConfiguration": Payload{
				"Subnets":        w.a.Subnets,
				"SecurityGroups": w.a.SecurityGroups,
				"AssignPublicIp": "DISABLED",
			}},
			// The task carries the task definition's cost-allocation tags.
			"PropagateTags": "TASK_DEFINITION",
			"Overrides": Payload{"ContainerOverrides": []Payload{{
				"Name":      w.a.ContainerName,
				"Command.$": "States.Array(" + strings.Join(args, ", ") + ")",
			}}},
		},
		ResultPath:     At("$.task"),
		TimeoutSeconds: w.a.TaskTimeoutSeconds,
		Retry: []Retrier{{
			ErrorEquals:     transientECSErrors,
			IntervalSeconds: w.a.Retry.IntervalSeconds,
			MaxAttempts:     w.a.Retry.MaxAttempts,
			BackoffRate:     w.a.Retry.BackoffRate,
			MaxDelaySeconds: w.a.Retry.MaxDelaySeconds,
			JitterStrategy:  JitterFull,
		}},
		Catch: []Catcher{{ErrorEquals: []string{ErrorAll}, ResultPath: At("$.failure"), Next: stateClassifyFailure}},
		Next:  next,
	}
}

// intrinsicString quotes s as a string literal of an intrinsic function:
// single quotes, with the characters the language reserves escaped.
func intrinsicString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		if strings.ContainsRune(`'{}\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}
