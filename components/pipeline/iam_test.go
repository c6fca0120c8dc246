package pipeline_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/pipeline"
)

// Decisions of one identity policy for one request.
const (
	allowed       = "allowed"
	denied        = "explicitly denied"
	implicitDeny  = "implicitly denied"
	pipelineKey   = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"
	stateMachine  = "arn:aws:states:eu-west-1:123456789012:stateMachine:aifactory-dev-weekly"
	taskRole      = "arn:aws:iam::123456789012:role/aifactory-dev-optimiser-task"
	executionRole = "arn:aws:iam::123456789012:role/aifactory-dev-optimiser-execution"
)

// request is an API call as the state machine's role makes it.
type request struct {
	action   string
	resource string
	keys     map[string]string // condition keys present in the request context
}

// evaluate applies one identity policy to a request the way AWS does for
// that policy alone: an explicit Deny wins, then an Allow, otherwise the
// request is implicitly denied. It follows components/data's evaluator of
// resource policies, without principals, and fails the test on a condition
// operator it does not know, so a new operator is never silently treated as
// matching.
func evaluate(t testing.TB, doc iamdoc.Document, r request) string {
	t.Helper()
	allow := false
	for _, st := range doc.Statement {
		if st.Principal != nil || st.NotPrincipal != nil {
			t.Fatalf("evaluate: statement %q names a principal; identity policies do not", st.Sid)
		}
		if !matchesAny(st.Action, r.action, true) || !matchesAny(st.Resource, r.resource, false) || !conditionsHold(t, st.Condition, r.keys) {
			continue
		}
		if st.Effect == iamdoc.Deny {
			return denied
		}
		allow = true
	}
	if allow {
		return allowed
	}
	return implicitDeny
}

func conditionsHold(t testing.TB, c iamdoc.Condition, keys map[string]string) bool {
	t.Helper()
	for op, byKey := range c {
		for key, values := range byKey {
			v, present := keys[key]
			var ok bool
			switch op {
			case "StringEquals":
				ok = present && values.Contains(v)
			case "ArnEquals", "ArnLike":
				ok = present && matchesAny(values, v, false)
			default:
				t.Fatalf("evaluate: condition operator %s is not understood; teach the evaluator before using it", op)
			}
			if !ok {
				return false
			}
		}
	}
	return true
}

func matchesAny(patterns iamdoc.Strings, s string, foldCase bool) bool {
	for _, p := range patterns {
		expr := "^" + strings.ReplaceAll(strings.ReplaceAll(regexp.QuoteMeta(p), `\*`, ".*"), `\?`, ".") + "$"
		if foldCase {
			expr = "(?i)" + expr
		}
		if regexp.MustCompile(expr).MatchString(s) {
			return true
		}
	}
	return false
}

func roleArgs() pipeline.RoleArgs {
	return pipeline.RoleArgs{
		Partition: "aws", Region: "eu-west-1", AccountID: "123456789012",
		StateMachineArn:      stateMachine,
		ClusterArn:           clusterArn,
		TaskDefinitionFamily: "aifactory-dev-optimiser",
		TaskRoleArn:          taskRole,
		ExecutionRoleArn:     executionRole,
		ResultsTopicArn:      resultsTopic,
		FailureTopicArn:      failureTopic,
		PipelineKeyArn:       pipelineKey,
	}
}

func TestStateMachineRoleAllowsExactlyWhatTheWorkflowNeeds(t *testing.T) {
	doc, err := pipeline.StateMachineRolePolicy(roleArgs())
	require.NoError(t, err)
	// The document survives the trip through JSON that IAM makes.
	s, err := doc.JSON()
	require.NoError(t, err)
	doc, err = iamdoc.Parse(s)
	require.NoError(t, err)

	inCluster := map[string]string{"ecs:cluster": clusterArn}
	task := "arn:aws:ecs:eu-west-1:123456789012:task/aifactory-dev-pipeline/0123456789abcdef0123456789abcdef"
	viaSNS := map[string]string{"kms:ViaService": "sns.eu-west-1.amazonaws.com"}
	forThisMachine := map[string]string{"kms:EncryptionContext:aws:states:stateMachineArn": stateMachine}
	toECS := map[string]string{"iam:PassedToService": "ecs-tasks.amazonaws.com"}
	rule := "arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForECSTaskRule"
	tests := []struct {
		name string
		r    request
		want string
	}{
		{"run any revision of the optimiser", request{"ecs:RunTask", "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-optimiser:7", inCluster}, allowed},
		{"run another family", request{"ecs:RunTask", "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-other:1", inCluster}, implicitDeny},
		{"run a family sharing the prefix", request{"ecs:RunTask", "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-optimiser-x:1", inCluster}, implicitDeny},
		{"run in another cluster", request{"ecs:RunTask", "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-optimiser:7",
			map[string]string{"ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/other"}}, implicitDeny},
		{"describe a task", request{"ecs:DescribeTasks", task, inCluster}, allowed},
		{"stop a task", request{"ecs:StopTask", task, inCluster}, allowed},
		{"stop a task of another cluster", request{"ecs:StopTask", "arn:aws:ecs:eu-west-1:123456789012:task/other/0123", map[string]string{"ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/other"}}, implicitDeny},
		{"tag a task at launch", request{"ecs:TagResource", task, map[string]string{"ecs:CreateAction": "RunTask"}}, allowed},
		{"tag a running task", request{"ecs:TagResource", task, nil}, implicitDeny},
		{"pass the task role to ECS", request{"iam:PassRole", taskRole, toECS}, allowed},
		{"pass the execution role to ECS", request{"iam:PassRole", executionRole, toECS}, allowed},
		{"pass the task role to Lambda", request{"iam:PassRole", taskRole, map[string]string{"iam:PassedToService": "lambda.amazonaws.com"}}, implicitDeny},
		{"pass another role", request{"iam:PassRole", "arn:aws:iam::123456789012:role/admin", toECS}, implicitDeny},
		{"manage the task events rule", request{"events:PutRule", rule, nil}, allowed},
		{"target the task events rule", request{"events:PutTargets", rule, nil}, allowed},
		{"describe the task events rule", request{"events:DescribeRule", rule, nil}, allowed},
		{"touch another rule", request{"events:PutRule", "arn:aws:events:eu-west-1:123456789012:rule/other", nil}, implicitDeny},
		{"delete the task events rule", request{"events:DeleteRule", rule, nil}, implicitDeny},
		{"publish results", request{"sns:Publish", resultsTopic, nil}, allowed},
		{"publish a failure", request{"sns:Publish", failureTopic, nil}, allowed},
		{"publish elsewhere", request{"sns:Publish", "arn:aws:sns:eu-west-1:123456789012:other", nil}, implicitDeny},
		{"data key through SNS", request{"kms:GenerateDataKey", pipelineKey, viaSNS}, allowed},
		{"decrypt through SNS", request{"kms:Decrypt", pipelineKey, viaSNS}, allowed},
		{"data key for this state machine", request{"kms:GenerateDataKey", pipelineKey, forThisMachine}, allowed},
		{"decrypt for another state machine", request{"kms:Decrypt", pipelineKey,
			map[string]string{"kms:EncryptionContext:aws:states:stateMachineArn": stateMachine + "-other"}}, implicitDeny},
		{"data key for the execution logs", request{"kms:GenerateDataKey", pipelineKey,
			map[string]string{"kms:EncryptionContext:SourceArn": "arn:aws:logs:eu-west-1:123456789012:*"}}, allowed},
		{"decrypt under the log delivery context", request{"kms:Decrypt", pipelineKey,
			map[string]string{"kms:EncryptionContext:SourceArn": "arn:aws:logs:eu-west-1:123456789012:*"}}, implicitDeny},
		{"data key for another account's logs", request{"kms:GenerateDataKey", pipelineKey,
			map[string]string{"kms:EncryptionContext:SourceArn": "arn:aws:logs:eu-west-1:210987654321:*"}}, implicitDeny},
		{"use the key directly", request{"kms:Decrypt", pipelineKey, nil}, implicitDeny},
		{"use the key through S3", request{"kms:Decrypt", pipelineKey, map[string]string{"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}, implicitDeny},
		{"use another key through SNS", request{"kms:Decrypt", "arn:aws:kms:eu-west-1:123456789012:key/other", viaSNS}, implicitDeny},
		{"set up log delivery", request{"logs:CreateLogDelivery", "*", nil}, allowed},
		{"send traces", request{"xray:PutTraceSegments", "*", nil}, allowed},
		{"read the cash secret", request{"secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:aifactory-dev/optimiser/cash", nil}, implicitDeny},
		{"read the outputs", request{"s3:GetObject", "arn:aws:s3:::aifactory-dev-models/optimiser/recommendations/x", nil}, implicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evaluate(t, doc, tt.r))
		})
	}

	t.Run("only actions without resource-level permissions are on every resource", func(t *testing.T) {
		var star []string
		for _, st := range doc.Statement {
			if st.Resource.Contains("*") {
				star = append(star, st.Action...)
			}
		}
		slices.Sort(star)
		assert.Equal(t, []string{
			"logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies",
			"logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery",
			"xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments",
		}, star)
	})
	t.Run("no wildcard actions", func(t *testing.T) {
		for _, st := range doc.Statement {
			for _, a := range st.Action {
				assert.NotContains(t, a, "*", "statement %s", st.Sid)
			}
		}
	})
}

func TestStateMachineRoleRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name   string
		change func(*pipeline.RoleArgs)
		want   string
	}{
		{"key alias", func(a *pipeline.RoleArgs) { a.PipelineKeyArn = "alias/aifactory-dev-pipeline" }, "PipelineKeyArn"},
		{"family with revision", func(a *pipeline.RoleArgs) { a.TaskDefinitionFamily = "aifactory-dev-optimiser:7" }, "TaskDefinitionFamily"},
		{"role name", func(a *pipeline.RoleArgs) { a.TaskRoleArn = "optimiser-task" }, "TaskRoleArn"},
		{"region", func(a *pipeline.RoleArgs) { a.Region = "Ireland" }, "Region"},
		{"account", func(a *pipeline.RoleArgs) { a.AccountID = "1234" }, "AccountID"},
		{"state machine name", func(a *pipeline.RoleArgs) { a.StateMachineArn = "aifactory-dev-weekly" }, "StateMachineArn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := roleArgs()
			tt.change(&args)
			_, err := pipeline.StateMachineRolePolicy(args)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestStateMachineTrustPolicy(t *testing.T) {
	doc := pipeline.StateMachineTrustPolicy("123456789012", stateMachine)
	require.Len(t, doc.Statement, 1)
	st := doc.Statement[0]
	assert.Equal(t, iamdoc.Strings{"states.amazonaws.com"}, st.Principal.Service)
	assert.Equal(t, iamdoc.Strings{"sts:AssumeRole"}, st.Action)
	assert.Equal(t, iamdoc.Strings{"123456789012"}, st.Condition["StringEquals"]["aws:SourceAccount"])
	assert.Equal(t, iamdoc.Strings{stateMachine}, st.Condition["ArnLike"]["aws:SourceArn"])
}
