package finops_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/finops"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/finops/cleanup"
	"github.com/aifactory/platform/internal/iameval"
	"github.com/aifactory/platform/internal/mocktest"
)

const (
	keyArn      = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"
	topicArn    = "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-finops-alerts"
	logGroupArn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/aifactory-dev-cleanup"
	// The roles the policies under test are attached to.
	taskRole      = "arn:aws:iam::123456789012:role/aifactory-dev-cleanup-task"
	executionRole = "arn:aws:iam::123456789012:role/aifactory-dev-cleanup-execution"
	scheduleRole  = "arn:aws:iam::123456789012:role/aifactory-dev-cleanup-schedule"
)

// decide applies one policy document to a request by principal with the
// platform's policy evaluator (internal/iameval), which fails on a
// condition operator it does not know rather than treating it as matching.
func decide(t testing.TB, doc iamdoc.Document, principal, action, resource string, keys map[string]string) iameval.Effect {
	t.Helper()
	ctx := iameval.Context{}
	for k, v := range keys {
		ctx[k] = []string{v}
	}
	got, err := iameval.Document(doc, iameval.Request{Principal: principal, Action: action, Resource: resource, Context: ctx})
	require.NoError(t, err)
	return got
}

// allowed reports whether an identity policy of principal allows a request.
func allowed(t testing.TB, doc iamdoc.Document, principal, action, resource string, keys map[string]string) bool {
	t.Helper()
	for _, st := range doc.Statement {
		require.Nil(t, st.Principal, "statement %q names a principal; identity policies do not", st.Sid)
	}
	return decide(t, doc, principal, action, resource, keys) == iameval.Allowed
}

func cleanupPolicy() iamdoc.Document {
	return finops.CleanupPolicy(finops.CleanupScope{Scope: scopetest.Dev(), Project: "aifactory", TopicArn: topicArn, KeyArn: keyArn})
}

// deployed returns the policy documents the component attaches, from the
// component built under mocks: what IAM would receive.
func deployed(t *testing.T) map[string]iamdoc.Document {
	t.Helper()
	m, err := run(t, args())
	require.NoError(t, err)
	out := map[string]iamdoc.Document{}
	for _, name := range []string{"finops-cleanup-task", "finops-cleanup-execution", "finops-cleanup-schedule"} {
		doc, err := iamdoc.Parse(m.Named(t, policyType, name).Str("policy"))
		require.NoError(t, err, name)
		out[name] = doc
	}
	for _, name := range []string{"finops-cleanup-task", "finops-cleanup-execution", "finops-cleanup-schedule"} {
		doc, err := iamdoc.Parse(m.Named(t, roleType, name).Str("assumeRolePolicy"))
		require.NoError(t, err, name)
		out[name+" trust"] = doc
	}
	return out
}

func resourceTags(project, environment string) map[string]string {
	return map[string]string{"aws:ResourceTag/project": project, "aws:ResourceTag/environment": environment}
}

// targets are resources of each kind the job changes, by action.
var targets = map[string]string{
	"sagemaker:DeleteApp":                "arn:aws:sagemaker:eu-west-1:123456789012:app/d-abc/jackpot-analytics/jupyterlab/default",
	"sagemaker:DeleteSpace":              "arn:aws:sagemaker:eu-west-1:123456789012:space/d-abc/scratch",
	"sagemaker:DeleteEndpoint":           "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/churn",
	"sagemaker:StopNotebookInstance":     "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/nb",
	"sagemaker:DeleteNotebookInstance":   "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/nb",
	"elasticmapreduce:TerminateJobFlows": "arn:aws:elasticmapreduce:eu-west-1:123456789012:cluster/j-ABC",
	"ec2:DeleteVolume":                   "arn:aws:ec2:eu-west-1:123456789012:volume/vol-1",
	"ec2:CreateSnapshot":                 "arn:aws:ec2:eu-west-1:123456789012:volume/vol-1",
}

// TestCleanupTaskRoleChangesOnlyThePlatformsTaggedResources evaluates the
// task role's policy as the component deploys it and as the function
// builds it: every change needs the platform's project and environment
// tags, in this account and region.
func TestCleanupTaskRoleChangesOnlyThePlatformsTaggedResources(t *testing.T) {
	docs := map[string]iamdoc.Document{"built": cleanupPolicy(), "deployed": deployed(t)["finops-cleanup-task"]}
	for which, doc := range docs {
		t.Run(which, func(t *testing.T) {
			key := keyArn
			if which == "deployed" {
				key = "arn:aws:kms:eu-west-1:123456789012:key/finops-alerts-id"
			}
			allow := func(action, resource string, keys map[string]string) bool {
				return allowed(t, doc, taskRole, action, resource, keys)
			}
			for _, action := range finops.ActActions() {
				arn := targets[action]
				t.Run(action, func(t *testing.T) {
					assert.True(t, allow(action, arn, resourceTags("aifactory", "dev")))
					assert.False(t, allow(action, arn, resourceTags("aifactory", "prod")), "another environment's resource")
					assert.False(t, allow(action, arn, resourceTags("finance", "dev")), "another project's resource")
					assert.False(t, allow(action, arn, map[string]string{"aws:ResourceTag/project": "aifactory"}), "an untagged environment")
					assert.False(t, allow(action, arn, nil), "an untagged resource")
					other := strings.Replace(arn, "123456789012", "210987654321", 1)
					assert.False(t, allow(action, other, resourceTags("aifactory", "dev")), "another account")
					region := strings.Replace(arn, "eu-west-1", "us-east-1", 1)
					assert.False(t, allow(action, region, resourceTags("aifactory", "dev")), "another region")
				})
			}
			snapshot := "arn:aws:ec2:eu-west-1::snapshot/snap-1"
			requestTags := map[string]string{"aws:RequestTag/project": "aifactory", "aws:RequestTag/environment": "dev"}
			assert.True(t, allow("ec2:CreateSnapshot", snapshot, requestTags))
			assert.False(t, allow("ec2:CreateSnapshot", snapshot, nil), "a snapshot without the platform's tags")
			assert.True(t, allow("ec2:CreateTags", snapshot, map[string]string{"ec2:CreateAction": "CreateSnapshot"}))
			assert.False(t, allow("ec2:CreateTags", snapshot, nil), "retagging existing snapshots")
			assert.False(t, allow("ec2:CreateTags", "arn:aws:ec2:eu-west-1:123456789012:volume/vol-1", map[string]string{"ec2:CreateAction": "CreateSnapshot"}))
			// Nothing else: not data, not IAM, not other deletions, not the
			// ECS or logs calls of the agent.
			for _, action := range []string{"s3:GetObject", "ec2:TerminateInstances", "sagemaker:DeleteDomain", "sagemaker:DeleteUserProfile",
				"iam:PassRole", "ec2:DeleteSnapshot", "ecs:RunTask", "ecr:BatchGetImage", "secretsmanager:GetSecretValue"} {
				assert.False(t, allow(action, "*", resourceTags("aifactory", "dev")), action)
			}
			assert.False(t, allow("logs:PutLogEvents", logGroupArn+":log-stream:cleanup/cleanup/1", nil), "the execution role ships the logs")
			assert.True(t, allow("sns:Publish", topicArn, nil))
			assert.False(t, allow("sns:Publish", topicArn+"-other", nil))
			assert.True(t, allow("kms:GenerateDataKey", key, map[string]string{"kms:ViaService": "sns.eu-west-1.amazonaws.com"}))
			assert.False(t, allow("kms:Decrypt", key, nil), "the key only through SNS")
		})
	}
}

// TestCleanupRoleGrantsEveryCallTheJobMakes ties the role to the job's code.
func TestCleanupRoleGrantsEveryCallTheJobMakes(t *testing.T) {
	granted := slices.Concat(finops.ReadActions(), finops.ActActions(), []string{"ec2:CreateTags", "sns:Publish"})
	for _, a := range cleanup.Actions() {
		assert.Contains(t, granted, a)
	}
	for _, a := range granted {
		assert.Contains(t, cleanup.Actions(), a, "the role grants %s, which the job never calls", a)
	}
}

func TestCleanupExecutionRolePullsOnlyItsImageAndWritesOnlyItsLogs(t *testing.T) {
	doc := deployed(t)["finops-cleanup-execution"]
	repo := "arn:aws:ecr:eu-west-1:123456789012:repository/aifactory-dev-cleanup"
	allow := func(action, resource string) bool { return allowed(t, doc, executionRole, action, resource, nil) }
	assert.True(t, allow("ecr:BatchGetImage", repo))
	assert.True(t, allow("ecr:GetDownloadUrlForLayer", repo))
	assert.True(t, allow("ecr:GetAuthorizationToken", "*"))
	assert.True(t, allow("logs:CreateLogStream", logGroupArn+":log-stream:cleanup/cleanup/1"))
	assert.True(t, allow("logs:PutLogEvents", logGroupArn+":log-stream:cleanup/cleanup/1"))
	assert.False(t, allow("ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:123456789012:repository/aifactory-dev-optimiser"), "the optimiser's image")
	assert.False(t, allow("ecr:BatchGetImage", repo+"-x"))
	assert.False(t, allow("ecr:PutImage", repo))
	assert.False(t, allow("logs:PutLogEvents", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/aifactory-dev-optimiser:log-stream:x"))
	assert.False(t, allow("logs:CreateLogGroup", logGroupArn))
	assert.False(t, allow("sagemaker:DeleteApp", targets["sagemaker:DeleteApp"]), "the agent never acts for the job")
}

// TestCleanupScheduleRoleRunsTheCleanupTaskAndNothingElse evaluates the
// schedule role's policy as deployed: any revision of the cleanup family in
// the pipeline's cluster, the two cleanup roles passed to ECS tasks only.
func TestCleanupScheduleRoleRunsTheCleanupTaskAndNothingElse(t *testing.T) {
	doc := deployed(t)["finops-cleanup-schedule"]
	scheduleKey := "arn:aws:kms:eu-west-1:123456789012:key/finops-alerts-id"
	inCluster := map[string]string{"ecs:cluster": clusterArn}
	toECS := map[string]string{"iam:PassedToService": "ecs-tasks.amazonaws.com"}
	task := "arn:aws:ecs:eu-west-1:123456789012:task/aifactory-dev-pipeline/0123456789abcdef0123456789abcdef"
	td := func(familyRevision string) string {
		return "arn:aws:ecs:eu-west-1:123456789012:task-definition/" + familyRevision
	}
	tests := []struct {
		name             string
		action, resource string
		keys             map[string]string
		want             bool
	}{
		{"run the cleanup task", "ecs:RunTask", td("aifactory-dev-cleanup:1"), inCluster, true},
		{"run a later revision", "ecs:RunTask", td("aifactory-dev-cleanup:42"), inCluster, true},
		{"run the optimiser", "ecs:RunTask", td("aifactory-dev-optimiser:7"), inCluster, false},
		{"run a family sharing the prefix", "ecs:RunTask", td("aifactory-dev-cleanup-x:1"), inCluster, false},
		{"run the cleanup task of another environment", "ecs:RunTask", td("aifactory-prod-cleanup:1"), inCluster, false},
		{"run in another cluster", "ecs:RunTask", td("aifactory-dev-cleanup:1"), map[string]string{"ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/other"}, false},
		{"run without naming the cluster", "ecs:RunTask", td("aifactory-dev-cleanup:1"), nil, false},
		{"tag the task it launches", "ecs:TagResource", task, map[string]string{"ecs:CreateAction": "RunTask"}, true},
		{"tag a running task", "ecs:TagResource", task, nil, false},
		{"stop a task", "ecs:StopTask", task, inCluster, false},
		{"register a task definition", "ecs:RegisterTaskDefinition", "*", nil, false},
		{"pass the task role to ECS", "iam:PassRole", taskRole, toECS, true},
		{"pass the execution role to ECS", "iam:PassRole", executionRole, toECS, true},
		{"pass the task role to Lambda", "iam:PassRole", taskRole, map[string]string{"iam:PassedToService": "lambda.amazonaws.com"}, false},
		{"pass the optimiser's task role", "iam:PassRole", "arn:aws:iam::123456789012:role/aifactory-dev-optimiser-task", toECS, false},
		{"pass any role", "iam:PassRole", "arn:aws:iam::123456789012:role/admin", toECS, false},
		{"decrypt its schedule", "kms:Decrypt", scheduleKey, map[string]string{"kms:EncryptionContext:aws:scheduler:schedule:arn": "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/aifactory-dev-cleanup"}, true},
		{"decrypt another schedule", "kms:Decrypt", scheduleKey, map[string]string{"kms:EncryptionContext:aws:scheduler:schedule:arn": "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/aifactory-dev-weekly"}, false},
		{"decrypt the alerts", "kms:Decrypt", scheduleKey, nil, false},
		{"report a run it could not start", "sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:aifactory-dev-cleanup-schedule-dlq", nil, true},
		{"send to the weekly run's queue", "sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:aifactory-dev-weekly-schedule-dlq", nil, false},
		{"read its dead letters", "sqs:ReceiveMessage", "arn:aws:sqs:eu-west-1:123456789012:aifactory-dev-cleanup-schedule-dlq", nil, false},
		{"encrypt a dead letter through SQS", "kms:GenerateDataKey", scheduleKey, map[string]string{"kms:ViaService": "sqs.eu-west-1.amazonaws.com"}, true},
		{"use the key through SNS", "kms:GenerateDataKey", scheduleKey, map[string]string{"kms:ViaService": "sns.eu-west-1.amazonaws.com"}, false},
		{"start the weekly run", "states:StartExecution", "arn:aws:states:eu-west-1:123456789012:stateMachine:aifactory-dev-weekly", nil, false},
		{"invoke a function", "lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:123456789012:function:aifactory-dev-cleanup", nil, false},
		{"act on a volume itself", "ec2:DeleteVolume", targets["ec2:DeleteVolume"], resourceTags("aifactory", "dev"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, allowed(t, doc, scheduleRole, tt.action, tt.resource, tt.keys))
		})
	}
}

func TestSchedulerPolicyRejectsBadArguments(t *testing.T) {
	_, err := finops.SchedulerPolicy(finops.SchedulerAccess{Scope: scopetest.Dev(), ClusterArn: "aifactory-dev-pipeline", KeyArn: "alias/finops"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `ClusterArn "aifactory-dev-pipeline": use the weekly pipeline's cluster ARN`)
	assert.Contains(t, err.Error(), `KeyArn "alias/finops": use the finops key's ARN`)
}

// TestRolesTrustOnlyTheirServiceForThisAccount: the task and execution
// roles only ECS tasks of this account, the schedule's role only
// EventBridge Scheduler for this account's schedule group.
func TestRolesTrustOnlyTheirServiceForThisAccount(t *testing.T) {
	docs := deployed(t)
	for name, service := range map[string]string{
		"finops-cleanup-task trust": "ecs-tasks.amazonaws.com", "finops-cleanup-execution trust": "ecs-tasks.amazonaws.com",
		"finops-cleanup-schedule trust": "scheduler.amazonaws.com",
	} {
		st := docs[name].Statement
		require.Len(t, st, 1, name)
		assert.Equal(t, iamdoc.Strings{service}, st[0].Principal.Service, name)
		assert.Equal(t, iamdoc.Strings{mocktest.AccountID}, st[0].Condition["StringEquals"]["aws:SourceAccount"], name)
		assert.NotEmpty(t, st[0].Condition["ArnLike"]["aws:SourceArn"], name)
	}
}

// publishers are the audit component's alarms and rules, as the stack
// passes them.
var publishers = finops.Publishers{
	AlarmArns:     []string{"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-audit-*"},
	EventRuleArns: []string{"arn:aws:events:eu-west-1:123456789012:rule/aifactory-dev-audit-noncompliant*"},
}

func TestServicePoliciesAreForThisAccountOnly(t *testing.T) {
	s := scopetest.Dev()
	for _, doc := range []iamdoc.Document{finops.KeyPolicy(s, []string{deployer}, publishers), finops.TopicPolicy(s, topicArn, publishers)} {
		for _, st := range doc.Statement {
			if st.Principal == nil || len(st.Principal.Service) == 0 {
				continue
			}
			if st.Sid == "EventRulesEncryptToTheTopic" {
				// Held to this account's topic by the encryption context too.
				assert.Equal(t, iamdoc.Strings{topicArn}, st.Condition["StringEquals"]["kms:EncryptionContext:aws:sns:topicArn"], st.Sid)
			}
			assert.Equal(t, iamdoc.Strings{s.AccountID}, st.Condition["StringEquals"]["aws:SourceAccount"], st.Sid)
		}
	}
}

// TestOnlyThisAccountsAlarmsAndRulesNotifyThePlatformTopic evaluates the
// topic policy and the key policy for the publishers' requests: SNS's
// sns:Publish on the topic, and the KMS calls SNS makes with the
// publisher's service principal to encrypt the message for the topic.
func TestOnlyThisAccountsAlarmsAndRulesNotifyThePlatformTopic(t *testing.T) {
	s := scopetest.Dev()
	topic := finops.TopicPolicy(s, topicArn, publishers)
	key := finops.KeyPolicy(s, []string{deployer}, publishers)
	auditAlarm := "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-audit-iam-policy-changes"
	auditRule := "arn:aws:events:eu-west-1:123456789012:rule/aifactory-dev-audit-noncompliant"
	source := func(arn string) iameval.Context {
		return iameval.Keys("aws:SourceArn", arn, "aws:SourceAccount", iameval.AccountOf(arn), "aws:SecureTransport", "true")
	}
	for _, tc := range []struct {
		name    string
		service string
		ctx     iameval.Context
		publish iameval.Effect
	}{
		{"an audit alarm", finops.AlarmsService, source(auditAlarm), iameval.Allowed},
		{"the undelivered-notices alarm", finops.AlarmsService, source("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-audit-noncompliance-undelivered"), iameval.Allowed},
		{"another alarm of the account", finops.AlarmsService, source("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:marketing"), iameval.NotApplicable},
		{"another account's alarm of the same name", finops.AlarmsService, source("arn:aws:cloudwatch:eu-west-1:999999999999:alarm:aifactory-dev-audit-iam-policy-changes"), iameval.NotApplicable},
		{"another region's alarm", finops.AlarmsService, source("arn:aws:cloudwatch:us-east-1:123456789012:alarm:aifactory-dev-audit-iam-policy-changes"), iameval.NotApplicable},
		{"the non-compliance rule", finops.EventsService, source(auditRule), iameval.Allowed},
		{"the log bucket's rule", finops.EventsService, source(auditRule + "-log-bucket"), iameval.Allowed},
		{"another rule of the account", finops.EventsService, source("arn:aws:events:eu-west-1:123456789012:rule/marketing"), iameval.NotApplicable},
		{"another account's rule of the same name", finops.EventsService, source("arn:aws:events:eu-west-1:999999999999:rule/aifactory-dev-audit-noncompliant"), iameval.NotApplicable},
		{"an alarm posing as a rule", finops.EventsService, source(auditAlarm), iameval.NotApplicable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := iameval.Document(topic, iameval.Request{Service: tc.service, Action: "sns:Publish", Resource: topicArn, Context: tc.ctx})
			require.NoError(t, err)
			assert.Equal(t, tc.publish, got, "sns:Publish")
		})
	}
	// Without TLS nothing publishes.
	got, err := iameval.Document(topic, iameval.Request{Service: finops.AlarmsService, Action: "sns:Publish", Resource: topicArn,
		Context: source(auditAlarm).With("aws:SecureTransport", "false")})
	require.NoError(t, err)
	assert.Equal(t, iameval.Denied, got)

	for _, tc := range []struct {
		name    string
		service string
		ctx     iameval.Context
		want    iameval.Effect
	}{
		{"an audit alarm encrypts its notice", finops.AlarmsService,
			iameval.Keys("aws:SourceArn", auditAlarm, "aws:SourceAccount", s.AccountID, "kms:EncryptionContext:aws:sns:topicArn", topicArn), iameval.Allowed},
		{"another alarm of the account cannot", finops.AlarmsService,
			iameval.Keys("aws:SourceArn", "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:marketing", "aws:SourceAccount", s.AccountID), iameval.NotApplicable},
		{"another account's alarm cannot", finops.AlarmsService,
			iameval.Keys("aws:SourceArn", "arn:aws:cloudwatch:eu-west-1:999999999999:alarm:aifactory-dev-audit-x", "aws:SourceAccount", "999999999999"), iameval.NotApplicable},
		{"EventBridge encrypts for the platform topic", finops.EventsService,
			iameval.Keys("aws:SourceAccount", s.AccountID, "kms:EncryptionContext:aws:sns:topicArn", topicArn), iameval.Allowed},
		{"EventBridge cannot for another account", finops.EventsService,
			iameval.Keys("aws:SourceAccount", "999999999999", "kms:EncryptionContext:aws:sns:topicArn", topicArn), iameval.NotApplicable},
		{"EventBridge cannot for another account's topic", finops.EventsService,
			iameval.Keys("aws:SourceAccount", s.AccountID, "kms:EncryptionContext:aws:sns:topicArn", "arn:aws:sns:eu-west-1:999999999999:aifactory-dev-finops-alerts"), iameval.NotApplicable},
		{"EventBridge cannot for another topic of the account", finops.EventsService,
			iameval.Keys("aws:SourceAccount", s.AccountID, "kms:EncryptionContext:aws:sns:topicArn", "arn:aws:sns:eu-west-1:123456789012:other"), iameval.NotApplicable},
		{"EventBridge cannot without the topic's context", finops.EventsService, iameval.Keys("aws:SourceAccount", s.AccountID), iameval.NotApplicable},
		{"another service cannot", "sqs.amazonaws.com",
			iameval.Keys("aws:SourceAccount", s.AccountID, "kms:EncryptionContext:aws:sns:topicArn", topicArn), iameval.NotApplicable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
				got, err := iameval.Document(key, iameval.Request{Service: tc.service, Action: action, Resource: keyArn, Context: tc.ctx})
				require.NoError(t, err)
				assert.Equal(t, tc.want, got, action)
			}
		})
	}

	// Without publishers, the services are admitted for the cleanup job's
	// own alarm and rule alone.
	for _, doc := range []iamdoc.Document{finops.KeyPolicy(s, []string{deployer}, finops.Publishers{}), finops.TopicPolicy(s, topicArn, finops.Publishers{})} {
		for _, st := range doc.Statement {
			if arns := st.Condition["ArnLike"]["aws:SourceArn"]; st.Principal != nil && slices.Contains(st.Principal.Service, finops.AlarmsService) {
				assert.Equal(t, iamdoc.Strings{"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-cleanup-not-started"}, arns, st.Sid)
			}
			if arns := st.Condition["ArnLike"]["aws:SourceArn"]; st.Principal != nil && slices.Contains(st.Principal.Service, finops.EventsService) && arns != nil {
				assert.Equal(t, iamdoc.Strings{"arn:aws:events:eu-west-1:123456789012:rule/aifactory-dev-cleanup-run-failed"}, arns, st.Sid)
			}
		}
	}
}

// TestAlertsKeySeparatesAdministratorsFromUsers evaluates the key policy
// the component attaches to the alerts key, with an identity policy that
// allows every KMS action: the key policy alone keeps the administrator
// from using the key, the account's roles to SNS and EventBridge
// Scheduler, and the publishing services to this account's budgets,
// anomaly subscriptions, alarms and rules.
func TestAlertsKeySeparatesAdministratorsFromUsers(t *testing.T) {
	m, err := run(t, args())
	require.NoError(t, err)
	keyPolicy, err := iamdoc.Parse(m.Named(t, "aws:kms/key:Key", "finops-alerts").Str("policy"))
	require.NoError(t, err)
	everything := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"kms:*"}, Resource: iamdoc.Strings{"*"}})
	const account = "123456789012"
	via := func(svc string) iameval.Context {
		return iameval.Keys("kms:ViaService", svc+".eu-west-1.amazonaws.com", "kms:CallerAccount", account)
	}
	direct := iameval.Keys("kms:CallerAccount", account)
	from := func(sourceArn string) iameval.Context {
		return iameval.Keys("aws:SourceAccount", account, "aws:SourceArn", sourceArn)
	}
	teamRole := "arn:aws:iam::123456789012:role/aifactory-dev-studio-risk"
	tests := []struct {
		name      string
		principal string
		service   string
		action    string
		ctx       iameval.Context
		want      iameval.Decision
	}{
		{"the administrator rotates the key", deployer, "", "kms:EnableKeyRotation", direct, iameval.Allow},
		{"the administrator changes the key policy", deployer, "", "kms:PutKeyPolicy", direct, iameval.Allow},
		{"the administrator cannot decrypt", deployer, "", "kms:Decrypt", direct, iameval.ImplicitDeny},
		{"the administrator cannot decrypt through SNS either", deployer, "", "kms:Decrypt", via("sns"), iameval.ImplicitDeny},
		{"the administrator cannot grant itself use", deployer, "", "kms:CreateGrant", direct, iameval.ImplicitDeny},
		{"the cleanup job encrypts its summary through SNS", taskRole, "", "kms:GenerateDataKey", via("sns"), iameval.Allow},
		{"the schedule's role decrypts the schedule through Scheduler", scheduleRole, "", "kms:Decrypt", via("scheduler"), iameval.Allow},
		{"the schedule's role encrypts a dead letter through SQS", scheduleRole, "", "kms:GenerateDataKey", via("sqs"), iameval.Allow},
		{"a role cannot decrypt directly", teamRole, "", "kms:Decrypt", direct, iameval.ImplicitDeny},
		{"a role cannot decrypt through S3", teamRole, "", "kms:Decrypt", via("s3"), iameval.ImplicitDeny},
		{"a role cannot administer", teamRole, "", "kms:ScheduleKeyDeletion", direct, iameval.ImplicitDeny},
		{"another account's role", "arn:aws:iam::999999999999:role/x", "", "kms:Decrypt",
			iameval.Keys("kms:ViaService", "sns.eu-west-1.amazonaws.com", "kms:CallerAccount", "999999999999"), iameval.ImplicitDeny},
		{"a budget of this account encrypts to the topic", "", "budgets.amazonaws.com", "kms:GenerateDataKey",
			from("arn:aws:budgets::123456789012:budget/aifactory-dev-platform"), iameval.Allow},
		{"a budget of another account", "", "budgets.amazonaws.com", "kms:GenerateDataKey",
			iameval.Keys("aws:SourceAccount", "999999999999", "aws:SourceArn", "arn:aws:budgets::999999999999:budget/x"), iameval.ImplicitDeny},
		{"an anomaly subscription of this account encrypts to the topic", "", "costalerts.amazonaws.com", "kms:GenerateDataKey",
			from("arn:aws:ce::123456789012:anomalysubscription/0123"), iameval.Allow},
		{"cost anomaly detection without its source", "", "costalerts.amazonaws.com", "kms:GenerateDataKey",
			iameval.Keys("aws:SourceAccount", account), iameval.ImplicitDeny},
		{"an alarm of this account encrypts to the topic", "", "cloudwatch.amazonaws.com", "kms:GenerateDataKey",
			from("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-cleanup-not-started"), iameval.Allow},
		{"another alarm of this account", "", "cloudwatch.amazonaws.com", "kms:GenerateDataKey",
			from("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:marketing"), iameval.ImplicitDeny},
		{"an alarm of another account", "", "cloudwatch.amazonaws.com", "kms:GenerateDataKey",
			iameval.Keys("aws:SourceAccount", "999999999999", "aws:SourceArn", "arn:aws:cloudwatch:eu-west-1:999999999999:alarm:x"), iameval.ImplicitDeny},
		{"a rule of this account encrypts to the topic", "", "events.amazonaws.com", "kms:GenerateDataKey",
			iameval.Keys("aws:SourceAccount", account, "kms:EncryptionContext:aws:sns:topicArn", "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-finops-alerts"), iameval.Allow},
		{"a rule of this account for another topic", "", "events.amazonaws.com", "kms:GenerateDataKey",
			iameval.Keys("aws:SourceAccount", account, "kms:EncryptionContext:aws:sns:topicArn", "arn:aws:sns:eu-west-1:123456789012:other"), iameval.ImplicitDeny},
		{"another service", "", "s3.amazonaws.com", "kms:GenerateDataKey", from("arn:aws:s3:::aifactory-dev-x"), iameval.ImplicitDeny},
		{"a publishing service cannot administer", "", "budgets.amazonaws.com", "kms:PutKeyPolicy",
			from("arn:aws:budgets::123456789012:budget/aifactory-dev-platform"), iameval.ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policies := iameval.Policies{Resource: []iamdoc.Document{keyPolicy}, ResourceMustAllow: true}
			if tt.principal != "" {
				policies.Identity = []iamdoc.Document{everything}
			}
			got, err := iameval.Evaluate(policies, iameval.Request{
				Principal: tt.principal, Service: tt.service, Action: tt.action, Resource: keyArn, Context: tt.ctx,
			})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Decision, got.Reason)
		})
	}
}

// TestDeadLetterQueueTakesOnlyTheSchedulesUnstartedRuns evaluates the
// queue policy the component attaches with an identity policy that allows
// every SQS action: only the schedule's role of this account sends.
func TestDeadLetterQueueTakesOnlyTheSchedulesUnstartedRuns(t *testing.T) {
	m, err := run(t, args())
	require.NoError(t, err)
	q := m.Named(t, "aws:sqs/queue:Queue", "finops-cleanup-schedule-dlq")
	queuePolicy, err := iamdoc.Parse(q.Str("policy"))
	require.NoError(t, err)
	queue := "arn:aws:sqs:eu-west-1:123456789012:aifactory-dev-cleanup-schedule-dlq"
	everything := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"sqs:*"}, Resource: iamdoc.Strings{"*"}})
	tls := iameval.Keys("aws:SecureTransport", "true")
	tests := []struct {
		name, principal, action string
		ctx                     iameval.Context
		want                    iameval.Decision
	}{
		{"the schedule's role sends", scheduleRole, "sqs:SendMessage", tls, iameval.Allow},
		{"the schedule's role without TLS", scheduleRole, "sqs:SendMessage", iameval.Keys("aws:SecureTransport", "false"), iameval.ExplicitDeny},
		{"the cleanup task role cannot send", taskRole, "sqs:SendMessage", tls, iameval.ExplicitDeny},
		{"the weekly schedule's role cannot send", "arn:aws:iam::123456789012:role/aifactory-dev-weekly-scheduler", "sqs:SendMessage", tls, iameval.ExplicitDeny},
		{"another account's role cannot read", "arn:aws:iam::999999999999:role/aifactory-dev-cleanup-schedule", "sqs:ReceiveMessage", tls, iameval.ExplicitDeny},
		{"an operator of the account reads the dead letters", "arn:aws:iam::123456789012:role/platform-operator", "sqs:ReceiveMessage", tls, iameval.Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iameval.Evaluate(iameval.Policies{Identity: []iamdoc.Document{everything}, Resource: []iamdoc.Document{queuePolicy}},
				iameval.Request{Principal: tt.principal, Action: tt.action, Resource: queue, Context: tt.ctx})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Decision, got.Reason)
		})
	}
}

// TestOnlyTheCleanupAlarmAndRulePublishAsServices evaluates the topic
// policy for the services that publish the cleanup job's failures.
func TestOnlyTheCleanupAlarmAndRulePublishAsServices(t *testing.T) {
	doc := finops.TopicPolicy(scopetest.Dev(), topicArn, finops.Publishers{})
	from := func(arn string) iameval.Context {
		return iameval.Keys("aws:SourceAccount", "123456789012", "aws:SourceArn", arn, "aws:SecureTransport", "true")
	}
	tests := []struct {
		name, service string
		ctx           iameval.Context
		want          iameval.Effect
	}{
		{"the not-started alarm", "cloudwatch.amazonaws.com", from("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-cleanup-not-started"), iameval.Allowed},
		{"another alarm", "cloudwatch.amazonaws.com", from("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-other"), iameval.NotApplicable},
		{"the failed-run rule", "events.amazonaws.com", from("arn:aws:events:eu-west-1:123456789012:rule/aifactory-dev-cleanup-run-failed"), iameval.Allowed},
		{"another rule", "events.amazonaws.com", from("arn:aws:events:eu-west-1:123456789012:rule/aifactory-dev-other"), iameval.NotApplicable},
		{"the rule of another account", "events.amazonaws.com",
			iameval.Keys("aws:SourceAccount", "999999999999", "aws:SourceArn", "arn:aws:events:eu-west-1:999999999999:rule/aifactory-dev-cleanup-run-failed"), iameval.NotApplicable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iameval.Document(doc, iameval.Request{Service: tt.service, Action: "sns:Publish", Resource: topicArn, Context: tt.ctx})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
