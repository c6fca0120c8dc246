package pipeline_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/finops"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/internal/ecsjob"
	"github.com/aifactory/platform/components/kms"
	"github.com/aifactory/platform/components/pipeline"
	"github.com/aifactory/platform/components/scope/scopetest"
)

const (
	pipelineKey   = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"
	stateMachine  = "arn:aws:states:eu-west-1:123456789012:stateMachine:aifactory-dev-weekly"
	taskRole      = "arn:aws:iam::123456789012:role/aifactory-dev-optimiser-task"
	executionRole = "arn:aws:iam::123456789012:role/aifactory-dev-optimiser-execution"
	// stateMachineRole is the caller: the role the policy is attached to.
	stateMachineRole = "arn:aws:iam::123456789012:role/aifactory-dev-weekly"
)

func roleArgs() pipeline.RoleArgs {
	return pipeline.RoleArgs{
		Scope:                scopetest.Dev(),
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
	// Tasks carry their task definition's tags (PropagateTags); the
	// cleanup job's tasks run in the same cluster.
	familyTag := "aws:ResourceTag/" + ecsjob.FamilyTag
	optimiserTask := map[string]string{"ecs:cluster": clusterArn, familyTag: "aifactory-dev-optimiser"}
	cleanupTask := map[string]string{"ecs:cluster": clusterArn, familyTag: finops.TaskFamily(scopetest.Dev())}
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
		{"describe an optimiser task", request{"ecs:DescribeTasks", task, optimiserTask}, allowed},
		{"stop an optimiser task", request{"ecs:StopTask", task, optimiserTask}, allowed},
		{"stop a cleanup task in the same cluster", request{"ecs:StopTask", task, cleanupTask}, implicitDeny},
		{"describe a cleanup task in the same cluster", request{"ecs:DescribeTasks", task, cleanupTask}, implicitDeny},
		{"stop an untagged task in the same cluster", request{"ecs:StopTask", task, inCluster}, implicitDeny},
		{"stop an optimiser-tagged task of another cluster", request{"ecs:StopTask", "arn:aws:ecs:eu-west-1:123456789012:task/other/0123",
			map[string]string{"ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/other", familyTag: "aifactory-dev-optimiser"}}, implicitDeny},
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

// The task role as the component builds it for the canonical dev scope.
const (
	dataBucket   = "aifactory-dev-data-123456789012"
	modelsBucket = "aifactory-dev-models-123456789012"
	dataKey      = "arn:aws:kms:eu-west-1:123456789012:key/9999bbbb-2222-3333-4444-555566667777"
	cashSecret   = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:aifactory-dev/optimiser/cash-AbCdEf"
	pipelineAP   = "arn:aws:s3:eu-west-1:123456789012:accesspoint/dev--pipeline"
)

// teams are the teams whose data the pipeline must never reach: the
// shipped ones, and names chosen to look like the pipeline's.
var teams = []string{"jackpot-analytics", "player-insights", "pipeline", "optimiser", "risk"}

func taskAccess() pipeline.TaskAccess {
	return pipeline.TaskAccess{Scope: scopetest.Dev(), ModelsBucket: modelsBucket, DataKeyArn: dataKey, PipelineKeyArn: pipelineKey, CashSecretArn: cashSecret}
}

func TestTaskRoleReachesOnlyItsInputsItsOutputsAndTheCashSecret(t *testing.T) {
	doc, err := pipeline.TaskRolePolicy(taskAccess())
	require.NoError(t, err)
	s, err := doc.JSON()
	require.NoError(t, err)
	doc, err = iamdoc.Parse(s)
	require.NoError(t, err)

	viaS3 := map[string]string{"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
	prefix := func(p string) map[string]string { return map[string]string{"s3:prefix": p} }
	run := "2025-01-06/weekly-20250106/"
	tests := []struct {
		name string
		r    request
		want string
	}{
		{"read a config through its access point", request{"s3:GetObject", pipelineAP + "/object/pipeline/configs/nl.yaml", nil}, allowed},
		{"read a history through its access point", request{"s3:GetObject", pipelineAP + "/object/pipeline/data/nl.csv", nil}, allowed},
		{"list the configs", request{"s3:ListBucket", pipelineAP, prefix("pipeline/configs/")}, allowed},
		{"list the whole data bucket through the access point", request{"s3:ListBucket", pipelineAP, prefix("")}, implicitDeny},
		{"list a prefix that shares the name", request{"s3:ListBucket", pipelineAP, prefix("pipeline/configs-old/")}, implicitDeny},
		{"list without a prefix", request{"s3:ListBucket", pipelineAP, nil}, implicitDeny},
		{"read a history from the bucket, around the access point", request{"s3:GetObject", "arn:aws:s3:::" + dataBucket + "/pipeline/data/nl.csv", nil}, implicitDeny},
		{"overwrite a history", request{"s3:PutObject", pipelineAP + "/object/pipeline/data/nl.csv", nil}, implicitDeny},
		{"overwrite a config", request{"s3:PutObject", pipelineAP + "/object/pipeline/configs/nl.yaml", nil}, implicitDeny},
		{"read elsewhere on the data bucket", request{"s3:GetObject", pipelineAP + "/object/emr-studio/x", nil}, implicitDeny},
		{"write a model", request{"s3:PutObject", "arn:aws:s3:::" + modelsBucket + "/pipeline/models/" + run + "NL/model.json", nil}, allowed},
		{"read a model", request{"s3:GetObject", "arn:aws:s3:::" + modelsBucket + "/pipeline/models/" + run + "NL/model.json", nil}, allowed},
		{"write a recommendation", request{"s3:PutObject", "arn:aws:s3:::" + modelsBucket + "/pipeline/outputs/" + run + "NL/recommendation.json", nil}, allowed},
		{"undo a recommendation", request{"s3:DeleteObject", "arn:aws:s3:::" + modelsBucket + "/pipeline/outputs/" + run + "NL/recommendation.json", nil}, allowed},
		{"delete a version for good", request{"s3:DeleteObjectVersion", "arn:aws:s3:::" + modelsBucket + "/pipeline/outputs/" + run + "NL/recommendation.json", nil}, implicitDeny},
		{"list a run's outputs", request{"s3:ListBucket", "arn:aws:s3:::" + modelsBucket, prefix("pipeline/outputs/" + run + "NL/")}, allowed},
		{"list the whole models bucket", request{"s3:ListBucket", "arn:aws:s3:::" + modelsBucket, prefix("")}, implicitDeny},
		{"write elsewhere on the models bucket", request{"s3:PutObject", "arn:aws:s3:::" + modelsBucket + "/serving/model.tar.gz", nil}, implicitDeny},
		{"write to the data bucket", request{"s3:PutObject", "arn:aws:s3:::" + dataBucket + "/pipeline/outputs/x", nil}, implicitDeny},
		{"read another bucket", request{"s3:GetObject", "arn:aws:s3:::other-bucket/pipeline/data/nl.csv", nil}, implicitDeny},
		{"read the access logs", request{"s3:GetObject", "arn:aws:s3:::aifactory-dev-access-logs-123456789012/data/x", nil}, implicitDeny},
		{"decrypt data through S3", request{"kms:Decrypt", dataKey, viaS3}, allowed},
		{"data key through S3", request{"kms:GenerateDataKey", dataKey, viaS3}, allowed},
		{"decrypt data directly", request{"kms:Decrypt", dataKey, nil}, implicitDeny},
		{"decrypt data through SageMaker", request{"kms:Decrypt", dataKey, map[string]string{"kms:ViaService": "sagemaker.eu-west-1.amazonaws.com"}}, implicitDeny},
		{"read the cash secret", request{"secretsmanager:GetSecretValue", cashSecret, nil}, allowed},
		{"decrypt the cash secret", request{"kms:Decrypt", pipelineKey, map[string]string{
			"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com", "kms:EncryptionContext:SecretARN": cashSecret}}, allowed},
		{"change the cash", request{"secretsmanager:PutSecretValue", cashSecret, nil}, implicitDeny},
		{"read another secret", request{"secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:aifactory-dev/db-AbCdEf", nil}, implicitDeny},
		{"decrypt another secret", request{"kms:Decrypt", pipelineKey, map[string]string{
			"kms:ViaService":                  "secretsmanager.eu-west-1.amazonaws.com",
			"kms:EncryptionContext:SecretARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:aifactory-dev/db-AbCdEf"}}, implicitDeny},
		{"decrypt with the pipeline key through SNS", request{"kms:Decrypt", pipelineKey, map[string]string{"kms:ViaService": "sns.eu-west-1.amazonaws.com"}}, implicitDeny},
		{"start another run", request{"states:StartExecution", stateMachine, nil}, implicitDeny},
		{"pass a role", request{"iam:PassRole", taskRole, nil}, implicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evaluate(t, doc, tt.r))
		})
	}

	t.Run("no team's prefix, through any access point or around them", func(t *testing.T) {
		s := scopetest.Dev()
		for _, team := range teams {
			key := s.TeamPrefix(team) + "features.parquet"
			for _, r := range []request{
				{"s3:GetObject", s.TeamAccessPointARN(team) + "/object/" + key, nil},
				{"s3:GetObject", pipelineAP + "/object/" + key, nil},
				{"s3:GetObject", "arn:aws:s3:::" + dataBucket + "/" + key, nil},
				{"s3:GetObject", "arn:aws:s3:::" + modelsBucket + "/" + key, nil},
				{"s3:PutObject", s.TeamAccessPointARN(team) + "/object/" + key, nil},
				{"s3:ListBucket", s.TeamAccessPointARN(team), map[string]string{"s3:prefix": s.TeamPrefix(team)}},
				{"s3:ListBucket", pipelineAP, map[string]string{"s3:prefix": s.TeamPrefix(team)}},
			} {
				assert.Equal(t, implicitDeny, evaluate(t, doc, r), "team %s: %s on %s", team, r.action, r.resource)
			}
		}
	})
	t.Run("no wildcard actions and no resource \"*\"", func(t *testing.T) {
		for _, st := range doc.Statement {
			assert.NotContains(t, st.Resource, "*", st.Sid)
			for _, a := range st.Action {
				assert.NotContains(t, a, "*", st.Sid)
			}
		}
	})
}

func TestTaskRolePolicyRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name   string
		change func(*pipeline.TaskAccess)
		want   string
	}{
		{"bucket ARN for a name", func(a *pipeline.TaskAccess) { a.ModelsBucket = "arn:aws:s3:::" + modelsBucket }, "ModelsBucket"},
		{"key alias", func(a *pipeline.TaskAccess) { a.DataKeyArn = "alias/aifactory-dev-data" }, "DataKeyArn"},
		{"secret name", func(a *pipeline.TaskAccess) { a.CashSecretArn = "aifactory-dev/optimiser/cash" }, "CashSecretArn"},
		{"no account", func(a *pipeline.TaskAccess) { a.AccountID = "" }, "AccountID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := taskAccess()
			tt.change(&a)
			_, err := pipeline.TaskRolePolicy(a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// The access point's own policy holds the same line whatever identity
// policies say: only the task role, only reads, only the inputs.
func TestAccessPointAdmitsOnlyTheTaskReadingItsInputs(t *testing.T) {
	doc := pipeline.AccessPointPolicy(scopetest.Dev(), taskRole)
	teamRole := "arn:aws:iam::123456789012:role/aifactory-dev-studio-jackpot-analytics"
	admin := "arn:aws:iam::123456789012:role/platform-admin"
	prefix := func(p string) map[string]string { return map[string]string{"s3:prefix": p} }
	tests := []struct {
		name   string
		caller string
		r      request
		want   string
	}{
		{"task reads a config", taskRole, request{"s3:GetObject", pipelineAP + "/object/pipeline/configs/nl.yaml", nil}, allowed},
		{"task reads a history", taskRole, request{"s3:GetObject", pipelineAP + "/object/pipeline/data/nl.csv", nil}, allowed},
		{"task lists the configs", taskRole, request{"s3:ListBucket", pipelineAP, prefix("pipeline/configs/")}, allowed},
		{"task lists the bucket", taskRole, request{"s3:ListBucket", pipelineAP, prefix("")}, denied},
		{"task writes a history", taskRole, request{"s3:PutObject", pipelineAP + "/object/pipeline/data/nl.csv", nil}, denied},
		{"task deletes a config", taskRole, request{"s3:DeleteObject", pipelineAP + "/object/pipeline/configs/nl.yaml", nil}, denied},
		{"task reads a team's data", taskRole, request{"s3:GetObject", pipelineAP + "/object/teams/jackpot-analytics/x", nil}, denied},
		{"task reads a version elsewhere", taskRole, request{"s3:GetObjectVersion", pipelineAP + "/object/emr-studio/x", nil}, denied},
		{"a team reads the histories", teamRole, request{"s3:GetObject", pipelineAP + "/object/pipeline/data/nl.csv", nil}, denied},
		{"an admin reads the histories", admin, request{"s3:GetObject", pipelineAP + "/object/pipeline/data/nl.csv", nil}, denied},
		{"an admin lists the configs", admin, request{"s3:ListBucket", pipelineAP, prefix("pipeline/configs/")}, denied},
		{"the deployer updates the access point", admin, request{"s3:PutAccessPointPolicy", pipelineAP, nil}, noOpinion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evaluateResource(t, doc, tt.caller, tt.r))
		})
	}
}

func TestExecutionRolePullsOnlyItsImageAndWritesOnlyItsLogs(t *testing.T) {
	doc := pipeline.ExecutionRolePolicy(scopetest.Dev())
	repo := "arn:aws:ecr:eu-west-1:123456789012:repository/aifactory-dev-optimiser"
	logs := "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/aifactory-dev-optimiser"
	tests := []struct {
		name string
		r    request
		want string
	}{
		{"pull the optimiser image", request{"ecr:BatchGetImage", repo, nil}, allowed},
		{"download its layers", request{"ecr:GetDownloadUrlForLayer", repo, nil}, allowed},
		{"log in to the registry", request{"ecr:GetAuthorizationToken", "*", nil}, allowed},
		{"pull from another repository", request{"ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:123456789012:repository/aifactory-dev-other", nil}, implicitDeny},
		{"pull a repository sharing the prefix", request{"ecr:BatchGetImage", repo + "-x", nil}, implicitDeny},
		{"pull from another account", request{"ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:210987654321:repository/aifactory-dev-optimiser", nil}, implicitDeny},
		{"push an image", request{"ecr:PutImage", repo, nil}, implicitDeny},
		{"write a log stream", request{"logs:PutLogEvents", logs + ":log-stream:optimiser/optimiser/abc", nil}, allowed},
		{"create a log stream", request{"logs:CreateLogStream", logs + ":log-stream:optimiser/optimiser/abc", nil}, allowed},
		{"write another log group", request{"logs:PutLogEvents", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/other:log-stream:x", nil}, implicitDeny},
		{"write the flow logs", request{"logs:PutLogEvents", "arn:aws:logs:eu-west-1:123456789012:log-group:/aifactory/dev/flow-logs:log-stream:x", nil}, implicitDeny},
		{"create a log group", request{"logs:CreateLogGroup", logs, nil}, implicitDeny},
		{"read the cash secret", request{"secretsmanager:GetSecretValue", cashSecret, nil}, implicitDeny},
		{"read the inputs", request{"s3:GetObject", pipelineAP + "/object/pipeline/data/nl.csv", nil}, implicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evaluate(t, doc, tt.r))
		})
	}
}

func TestCashSecretIsReadOnlyByTheTask(t *testing.T) {
	doc := pipeline.CashSecretPolicy(taskRole)
	read := request{"secretsmanager:GetSecretValue", "*", nil}
	assert.Equal(t, noOpinion, evaluateResource(t, doc, taskRole, read), "the task's own policy decides")
	for _, other := range []string{executionRole, "arn:aws:iam::123456789012:role/platform-admin", "arn:aws:iam::123456789012:role/aifactory-dev-weekly-states"} {
		assert.Equal(t, denied, evaluateResource(t, doc, other, read), other)
	}
	assert.Equal(t, noOpinion, evaluateResource(t, doc, "arn:aws:iam::123456789012:role/treasury", request{"secretsmanager:PutSecretValue", "*", nil}),
		"treasury sets the value with its own permissions")
}

func TestTopicsAdmitTheAccountAndTheirAlarmsOnly(t *testing.T) {
	s := scopetest.Dev()
	alarm := "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-weekly-run-failed"
	doc := pipeline.TopicPolicy(s, failureTopic, []string{alarm})
	tls := map[string]string{"aws:SecureTransport": "true"}
	fromAlarm := map[string]string{"aws:SourceArn": alarm, "aws:SourceAccount": "123456789012", "aws:SecureTransport": "true"}
	tests := []struct {
		name   string
		caller string
		r      request
		want   string
	}{
		{"the pipeline's alarm publishes", "cloudwatch.amazonaws.com", request{"sns:Publish", failureTopic, fromAlarm}, allowed},
		{"another alarm publishes", "cloudwatch.amazonaws.com", request{"sns:Publish", failureTopic, map[string]string{
			"aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:other", "aws:SourceAccount": "123456789012", "aws:SecureTransport": "true"}}, noOpinion},
		{"another account's alarm publishes", "cloudwatch.amazonaws.com", request{"sns:Publish", failureTopic, map[string]string{
			"aws:SourceArn": alarm, "aws:SourceAccount": "210987654321", "aws:SecureTransport": "true"}}, noOpinion},
		{"events publish", "events.amazonaws.com", request{"sns:Publish", failureTopic, tls}, noOpinion},
		{"someone subscribes", "arn:aws:iam::123456789012:root", request{"sns:Subscribe", failureTopic, tls}, allowed},
		{"another account subscribes", "arn:aws:iam::210987654321:root", request{"sns:Subscribe", failureTopic, tls}, noOpinion},
		{"publishing without TLS", "arn:aws:iam::123456789012:root", request{"sns:Publish", failureTopic, map[string]string{"aws:SecureTransport": "false"}}, denied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evaluateResource(t, doc, tt.caller, tt.r))
		})
	}
	results := pipeline.TopicPolicy(s, resultsTopic, nil)
	assert.Equal(t, noOpinion, evaluateResource(t, results, "cloudwatch.amazonaws.com", request{"sns:Publish", resultsTopic, fromAlarm}),
		"no service publishes to the results topic")
	for _, d := range []iamdoc.Document{doc, results} {
		for _, st := range d.Statement {
			if st.Effect == iamdoc.Allow && st.Principal.Any {
				t.Errorf("%s allows anyone", st.Sid)
			}
		}
	}
}

func TestDeadLetterQueueTakesOnlyTheSchedulesMessages(t *testing.T) {
	s := scopetest.Dev()
	queue := "arn:aws:sqs:eu-west-1:123456789012:aifactory-dev-weekly-schedule-dlq"
	scheduler := "arn:aws:iam::123456789012:role/aifactory-dev-weekly-scheduler"
	doc := pipeline.QueuePolicy(s, queue, scheduler)
	tls := map[string]string{"aws:SecureTransport": "true"}
	assert.Equal(t, noOpinion, evaluateResource(t, doc, scheduler, request{"sqs:SendMessage", queue, tls}))
	assert.Equal(t, denied, evaluateResource(t, doc, "arn:aws:iam::123456789012:role/other", request{"sqs:SendMessage", queue, tls}))
	assert.Equal(t, denied, evaluateResource(t, doc, "arn:aws:iam::210987654321:role/aifactory-dev-weekly-scheduler", request{"sqs:ReceiveMessage", queue, tls}))
	assert.Equal(t, noOpinion, evaluateResource(t, doc, "arn:aws:iam::123456789012:role/oncall", request{"sqs:ReceiveMessage", queue, tls}), "the account reads the dead letters")
	assert.Equal(t, denied, evaluateResource(t, doc, scheduler, request{"sqs:SendMessage", queue, map[string]string{"aws:SecureTransport": "false"}}))
}

func TestScheduleRoleStartsTheRunAndReportsUndeliveredStarts(t *testing.T) {
	s := scopetest.Dev()
	doc := pipeline.SchedulerRolePolicy(s, pipelineKey)
	queue := "arn:aws:sqs:eu-west-1:123456789012:aifactory-dev-weekly-schedule-dlq"
	schedule := "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/aifactory-dev-weekly"
	tests := []struct {
		name string
		r    request
		want string
	}{
		{"start the weekly run", request{"states:StartExecution", stateMachine, nil}, allowed},
		{"start another state machine", request{"states:StartExecution", stateMachine + "-other", nil}, implicitDeny},
		{"stop the run", request{"states:StopExecution", stateMachine, nil}, implicitDeny},
		{"decrypt the schedule", request{"kms:Decrypt", pipelineKey, map[string]string{"kms:EncryptionContext:aws:scheduler:schedule:arn": schedule}}, allowed},
		{"decrypt another schedule", request{"kms:Decrypt", pipelineKey, map[string]string{"kms:EncryptionContext:aws:scheduler:schedule:arn": schedule + "-x"}}, implicitDeny},
		{"send a dead letter", request{"sqs:SendMessage", queue, nil}, allowed},
		{"encrypt it through SQS", request{"kms:GenerateDataKey", pipelineKey, map[string]string{"kms:ViaService": "sqs.eu-west-1.amazonaws.com"}}, allowed},
		{"read the dead letters", request{"sqs:ReceiveMessage", queue, nil}, implicitDeny},
		{"decrypt the cash secret", request{"kms:Decrypt", pipelineKey, map[string]string{"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}}, implicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, evaluate(t, doc, tt.r))
		})
	}
	trust := pipeline.SchedulerTrustPolicy(s)
	require.Len(t, trust.Statement, 1)
	assert.Equal(t, iamdoc.Strings{"scheduler.amazonaws.com"}, trust.Statement[0].Principal.Service)
	assert.Equal(t, iamdoc.Strings{"arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default"}, trust.Statement[0].Condition["ArnLike"]["aws:SourceArn"])
}

func TestRepositoryAdmitsOnlyTheAccount(t *testing.T) {
	doc := pipeline.RepositoryPolicy(scopetest.Dev())
	repo := "arn:aws:ecr:eu-west-1:123456789012:repository/aifactory-dev-optimiser"
	assert.Equal(t, allowed, evaluateResource(t, doc, "arn:aws:iam::123456789012:root", request{"ecr:BatchGetImage", repo, nil}))
	assert.Equal(t, allowed, evaluateResource(t, doc, "arn:aws:iam::123456789012:root", request{"ecr:PutImage", repo, nil}))
	assert.Equal(t, denied, evaluateResource(t, doc, "arn:aws:iam::210987654321:role/ci", request{"ecr:BatchGetImage", repo, nil}))
	assert.Equal(t, denied, evaluateResource(t, doc, "arn:aws:iam::210987654321:root", request{"ecr:SetRepositoryPolicy", repo, nil}))
}

func TestTaskRolesTrustOnlyECSTasksOfTheAccount(t *testing.T) {
	doc := pipeline.TaskTrustPolicy(scopetest.Dev())
	require.Len(t, doc.Statement, 1)
	st := doc.Statement[0]
	assert.Equal(t, iamdoc.Strings{"ecs-tasks.amazonaws.com"}, st.Principal.Service)
	assert.Equal(t, iamdoc.Strings{"123456789012"}, st.Condition["StringEquals"]["aws:SourceAccount"])
	assert.Equal(t, iamdoc.Strings{"arn:aws:ecs:eu-west-1:123456789012:*"}, st.Condition["ArnLike"]["aws:SourceArn"])
}

// The state machine role and the key policy agree on the encryption
// context of the execution logs.
func TestExecutionLogContextMatchesTheKeyPolicy(t *testing.T) {
	doc, err := pipeline.StateMachineRolePolicy(roleArgs())
	require.NoError(t, err)
	var found bool
	for _, st := range doc.Statement {
		if st.Sid == "EncryptExecutionLogs" {
			found = true
			assert.Equal(t, iamdoc.Strings{kms.LogDeliveryContext(scopetest.Dev())}, st.Condition["StringEquals"]["kms:EncryptionContext:SourceArn"])
		}
	}
	assert.True(t, found)
}
