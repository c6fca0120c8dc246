package platform_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auditspec "github.com/aifactory/platform/components/audit/spec"
	"github.com/aifactory/platform/internal/enginetest"
	"github.com/aifactory/platform/stacks/platform"
)

func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

func TestEngineEveryStackPreviews(t *testing.T) {
	env := enginetest.Env(t)
	for _, stack := range []string{"dev", "staging", "prod"} {
		t.Run(stack, func(t *testing.T) {
			s, err := env.Stack(context.Background(), stack, platform.Program, "")
			require.NoError(t, err)
			plan := enginetest.Preview(t, s)
			assert.Greater(t, plan.Summary["create"], 100, "the stack creates every component")
			types := plan.CountByType()
			for typ, want := range map[string]int{
				// Four platform keys and the cost alerts key of the finops component.
				"aws:kms/key:Key": 5, "aws:ec2/flowLog:FlowLog": 1, "aws:ec2/natGateway:NatGateway": 0,
				"aifactory:data:Perimeter": 1, "aws:s3/accessPoint:AccessPoint": 3, // two teams' and the pipeline's
				"aifactory:workspace:Studio": 1, "aws:sagemaker/userProfile:UserProfile": 2,
				"aifactory:analytics:EmrStudio": 1, "aws:emr/securityConfiguration:SecurityConfiguration": 1,
				// The optimiser's and the cleanup job's repositories and task
				// definitions, in the pipeline's one cluster; the weekly and
				// the cleanup schedules.
				"aifactory:pipeline:WeeklyPipeline": 1, "aws:ecr/repository:Repository": 2, "aws:ecs/cluster:Cluster": 1,
				"aws:ecs/taskDefinition:TaskDefinition": 2, "aws:sfn/stateMachine:StateMachine": 1, "aws:scheduler/schedule:Schedule": 2,
				// The weekly and the cleanup schedules' dead-letter queues.
				"aws:sqs/queue:Queue": 2, "aws:secretsmanager/secret:Secret": 1,
				"aws:s3/bucketObjectv2:BucketObjectv2": 3, // a configuration per country
				// The pipeline's results and failures topics, the cost alerts' and the audit alarms'.
				"aws:sns/topic:Topic": 4,
				// The pipeline's two alarms, the cleanup schedule's one on its
				// dead-letter queue, the audit trail's one per event and its one
				// on undelivered non-compliance notices, two per served endpoint
				// (its rollback alarms).
				"aws:cloudwatch/metricAlarm:MetricAlarm": 2 + 1 + len(auditspec.Events) + 1 + 2*servedEndpoints(t, stack),
				// The audit trail's two rules on non-compliance and the cleanup
				// job's failed-run rule.
				"aws:cloudwatch/eventRule:EventRule": 3,
				"aifactory:audit:AuditTrail":         1, "aws:cloudtrail/trail:Trail": 1, "aws:cfg/recorder:Recorder": 1,
				"aws:cfg/rule:Rule": len(auditspec.ConfigRules), "aws:s3/bucketV2:BucketV2": 5,
				// A budget and an anomaly monitor per team, the platform team included.
				"aifactory:finops:CostControls": 1, "aws:budgets/budget:Budget": 3,
				"aws:costexplorer/anomalyMonitor:AnomalyMonitor": 3, "aws:lambda/function:Function": 0,
				// Interface endpoints, EC2's for the cleanup task among them,
				// and the S3 gateway endpoint.
				"aws:ec2/vpcEndpoint:VpcEndpoint": 20,
			} {
				assert.Equal(t, want, types[typ], typ)
			}
		})
	}
}

func TestEngineDevUpIsStableAndDestroysCleanly(t *testing.T) {
	env := enginetest.Env(t)
	s, err := env.Stack(context.Background(), "dev-lifecycle", platform.Program, env.Root+"/Pulumi.dev.yaml")
	require.NoError(t, err)

	up := enginetest.Up(t, s)
	assert.Greater(t, up.Summary["create"], 100)
	require.Contains(t, up.Outputs, "vpcId")
	assert.NotEmpty(t, up.Outputs["vpcId"])
	assert.Len(t, up.Outputs["kmsKeyArns"], 4)
	assert.Len(t, up.Outputs["accessPointArns"], 2)
	assert.Len(t, up.Outputs["studioRoleArns"], 2)
	assert.Len(t, up.Outputs["emrClusterIds"], 1)
	assert.Equal(t, "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-optimiser:1", up.Outputs["pipelineTaskDefinitionArn"])
	assert.Equal(t, "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-weekly-failures", up.Outputs["pipelineFailureTopicArn"])
	assert.NotEmpty(t, up.Outputs["pipelineStateMachineArn"])
	assert.NotEmpty(t, up.Outputs["pipelineScheduleArn"])
	assert.Len(t, up.Outputs["pipelineLocations"], 4)
	assert.Len(t, up.Outputs["budgetNames"], 3)
	assert.Equal(t, "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-cleanup:1", up.Outputs["cleanupTaskDefinitionArn"])
	assert.Contains(t, up.Outputs["cleanupRepositoryUrl"], "aifactory-dev-cleanup")
	assert.Regexp(t, `^arn:aws:cloudtrail:eu-west-1:123456789012:trail/`, up.Outputs["auditTrailArn"])
	assert.Equal(t, "aifactory-dev-audit-123456789012", up.Outputs["auditBucketName"])
	assert.Equal(t, "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-audit-alarms", up.Outputs["auditAlarmTopicArn"])
	assert.Len(t, up.Outputs["auditConfigRules"], len(auditspec.ConfigRules))
	assertServingOutputs(t, up.Outputs)

	enginetest.ExpectNoChanges(t, s)
	state := enginetest.Destroy(t, s)
	for _, typ := range []string{"aws:ec2/vpc:Vpc", "aws:s3/bucketV2:BucketV2", "aws:sagemaker/domain:Domain", "aws:emr/cluster:Cluster",
		"aws:sfn/stateMachine:StateMachine", "aws:scheduler/schedule:Schedule", "aws:ecr/repository:Repository",
		"aws:budgets/budget:Budget", "aws:ecs/taskDefinition:TaskDefinition"} {
		assert.NotContains(t, state, typ, "no %s left in state after destroy", typ)
	}
	assert.NotContains(t, state, "aws:sagemaker/endpoint:Endpoint", "no endpoint left in state after destroy")
}
