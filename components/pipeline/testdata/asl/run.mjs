// Runs a state machine definition with aws-local-stepfunctions, its ECS and
// SNS Task states answered by stubs that follow a scenario and record each
// call.
//
// stdin: {
//   "definition": {...}, "input": {...},
//   "clock": "2025-01-06T06:00:00.000Z",      // the execution's start time
//   "context": {"Execution": {"Name", "Id"}, "StateMachine": {...}},
//   "container": "optimiser",                  // the container whose exit code ECS reports
//   "ecs": {"<country>": {"<step>": [answer, ...]}},
//   "sns": {"<topic ARN>": [answer, ...]}
// }
// The n-th call of a country's step (or of a topic) gets the n-th answer,
// the last answer repeats, and a call without answers succeeds. ECS answers:
//   {"exit": N}                      the container exits with N; a non-zero
//                                    exit fails the state with
//                                    States.TaskFailed, Cause = the task
//                                    description as JSON
//   {"exit": N, "reported": "output"} the state succeeds with the description
//   {"stop": CODE, "reason": TEXT[, "exit": N]}  the task stops with a stop
//                                    code (no exit code unless given)
//   {"error": NAME, "cause": TEXT}   the integration raises NAME
// SNS answers: {"error": NAME, "cause": TEXT}, anything else succeeds.
//
// stdout: {"status": "SUCCEEDED"|"FAILED", "output", "error": {"name", "cause"},
//          "ecsCalls": [...], "snsCalls": [...], "waits": [...], "retries": [...]}
import './with-resolvers.mjs';
import { StateMachine } from 'aws-local-stepfunctions';
import { readJSON } from './stdin.mjs';

const scenario = await readJSON();

// A fixed clock: the library stamps the execution's start time with
// new Date(), and the workflow derives its output prefix from it.
const fixed = new Date(scenario.clock).getTime();
if (Number.isNaN(fixed)) throw new Error(`clock ${scenario.clock} is not a date`);
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) { super(...(args.length ? args : [fixed])); }
  static now() { return fixed; }
};

const ecsCalls = [];
const snsCalls = [];
const counters = new Map();

function nth(key, answers) {
  const n = counters.get(key) ?? 0;
  counters.set(key, n + 1);
  if (!answers || answers.length === 0) return { n, answer: {} };
  return { n, answer: answers[Math.min(n, answers.length - 1)] };
}

function failure(name, cause) {
  const e = new Error(cause);
  e.name = name;
  return e;
}

function flag(command, name) {
  const i = command.indexOf(name);
  return i >= 0 ? command[i + 1] : undefined;
}

function ecsStub(stateName) {
  return async (params) => {
    const override = params.Overrides.ContainerOverrides[0];
    const command = override.Command;
    const step = command[0];
    const country = flag(command, '--country');
    const { n, answer } = nth(`${country}/${step}`, scenario.ecs?.[country]?.[step]);
    ecsCalls.push({ state: stateName, country, step, attempt: n, command, capacity: params.CapacityProviderStrategy, params });
    if (answer.error) throw failure(answer.error, answer.cause ?? '');
    const cluster = params.Cluster.split('/').pop();
    const container = { Name: scenario.container, LastStatus: 'STOPPED' };
    const task = {
      TaskArn: `arn:aws:ecs:eu-west-1:123456789012:task/${cluster}/${country}-${step}-${n}`,
      ClusterArn: params.Cluster,
      TaskDefinitionArn: params.TaskDefinition,
      LastStatus: 'STOPPED',
      DesiredStatus: 'STOPPED',
      LaunchType: 'FARGATE',
      CapacityProviderName: params.CapacityProviderStrategy?.[0]?.CapacityProvider,
      StartedBy: 'AWS Step Functions',
      Overrides: params.Overrides,
      Containers: [container],
    };
    if (answer.stop) {
      task.StopCode = answer.stop;
      task.StoppedReason = answer.reason ?? '';
      if (answer.exit !== undefined) container.ExitCode = answer.exit;
      throw failure('States.TaskFailed', JSON.stringify(task));
    }
    const exit = answer.exit ?? 0;
    task.StopCode = 'EssentialContainerExited';
    task.StoppedReason = 'Essential container in task exited';
    container.ExitCode = exit;
    if (exit !== 0 && answer.reported !== 'output') throw failure('States.TaskFailed', JSON.stringify(task));
    return task;
  };
}

function snsStub(stateName) {
  return async (params) => {
    const { n, answer } = nth(`sns/${params.TopicArn}`, scenario.sns?.[params.TopicArn]);
    // Step Functions sends an object Message as its JSON text.
    const rawMessage = typeof params.Message === 'string' ? params.Message : JSON.stringify(params.Message);
    snsCalls.push({ state: stateName, attempt: n, topic: params.TopicArn, subject: params.Subject, rawMessage, attributes: params.MessageAttributes });
    if (answer.error) throw failure(answer.error, answer.cause ?? '');
    return { MessageId: `message-${snsCalls.length}` };
  };
}

// Every Task, Wait and retrier of the definition, Map processors included.
const handlers = {};
const waits = {};
const retryOverrides = {};
(function walk(states) {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') {
      if (state.Resource.includes(':ecs:runTask')) handlers[name] = ecsStub(name);
      else if (state.Resource.includes(':sns:publish')) handlers[name] = snsStub(name);
      else throw new Error(`Task state ${name}: no stub for ${state.Resource}`);
    }
    if (state.Type === 'Wait') waits[name] = 0;
    if (state.Retry) retryOverrides[name] = 0;
    if (state.ItemProcessor) walk(state.ItemProcessor.States);
  }
})(scenario.definition.States);

const machine = new StateMachine(scenario.definition, { validationOptions: { checkPaths: true, checkArn: true } });
const execution = machine.run(scenario.input ?? {}, {
  overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: waits, retryIntervalOverrides: retryOverrides },
  context: scenario.context,
});

const waitsSeen = [];
const retries = [];
const logs = (async () => {
  for await (const event of execution.eventLogs) {
    if (event.type === 'StateEntered' && event.state.type === 'Wait') {
      waitsSeen.push({ state: event.state.name, index: event.index, input: event.state.input });
    }
    if (event.type === 'StateRetried') retries.push({ state: event.state.name, index: event.index });
  }
})();

const result = { ecsCalls, snsCalls, waits: waitsSeen, retries };
try {
  result.output = await execution.result;
  result.status = 'SUCCEEDED';
} catch (err) {
  result.status = 'FAILED';
  const cause = err.cause ?? err;
  result.error = { name: cause.name, cause: cause.message };
}
await logs;
process.stdout.write(JSON.stringify(result));
