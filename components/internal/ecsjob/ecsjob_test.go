package ecsjob_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/internal/ecsjob"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/pipeline/spec"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/iameval"
	"github.com/aifactory/platform/internal/mocktest"
)

const image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-cleanup@sha256:e6240706bb9535b10aaf12cfa49125dad0bb87f66da02b769b5f49973006e5f9"

func TestContainerIsHardened(t *testing.T) {
	img, err := spec.ParseImage(image)
	require.NoError(t, err)
	def := ecsjob.Container{
		Name: "cleanup", Image: img, Command: []string{"-dry-run=true"},
		Environment: []ecsjob.KeyValue{{Name: "CLEANUP_PROJECT", Value: "aifactory"}},
		LogGroup:    "/aws/ecs/aifactory-dev-cleanup", Region: "eu-west-1",
	}.Definition()
	b, err := json.Marshal(def)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"name": "cleanup", "image": "`+image+`", "essential": true,
		"user": "65532:65532", "readonlyRootFilesystem": true, "privileged": false,
		"command": ["-dry-run=true"],
		"environment": [{"name": "AWS_REGION", "value": "eu-west-1"}, {"name": "CLEANUP_PROJECT", "value": "aifactory"}],
		"mountPoints": [{"sourceVolume": "scratch", "containerPath": "/tmp", "readOnly": false}],
		"logConfiguration": {"logDriver": "awslogs", "options": {
			"awslogs-group": "/aws/ecs/aifactory-dev-cleanup", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "cleanup"}},
		"stopTimeout": 120
	}`, string(b))
}

func allowed(t *testing.T, doc iamdoc.Document, action, resource string, keys map[string]string) bool {
	t.Helper()
	ctx := iameval.Context{}
	for k, v := range keys {
		ctx[k] = []string{v}
	}
	d, err := iameval.Document(doc, iameval.Request{Principal: "arn:aws:iam::123456789012:role/aifactory-dev-cleanup-execution", Action: action, Resource: resource, Context: ctx})
	require.NoError(t, err)
	return d == iameval.Allowed
}

func TestExecutionRolePullsOnlyItsImageAndWritesOnlyItsLogs(t *testing.T) {
	s := scopetest.Dev()
	repo := s.ARN("ecr", "repository/aifactory-dev-cleanup")
	doc := ecsjob.ExecutionRolePolicy(s, ecsjob.Execution{Job: "Cleanup", RepositoryArn: repo, LogGroupName: "/aws/ecs/aifactory-dev-cleanup"})
	assert.Equal(t, "PullTheCleanupImage", doc.Statement[0].Sid)
	assert.True(t, allowed(t, doc, "ecr:BatchGetImage", repo, nil))
	assert.True(t, allowed(t, doc, "ecr:GetAuthorizationToken", "*", nil))
	assert.True(t, allowed(t, doc, "logs:PutLogEvents", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/aifactory-dev-cleanup:log-stream:cleanup/cleanup/1", nil))
	assert.False(t, allowed(t, doc, "ecr:BatchGetImage", s.ARN("ecr", "repository/aifactory-dev-optimiser"), nil), "another job's image")
	assert.False(t, allowed(t, doc, "logs:PutLogEvents", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/aifactory-dev-optimiser:log-stream:x", nil), "another job's logs")
	assert.False(t, allowed(t, doc, "ecr:PutImage", repo, nil))
}

func TestTrustPoliciesAreForThisAccount(t *testing.T) {
	s := scopetest.Dev()
	task := ecsjob.TaskTrustPolicy(s).Statement[0]
	assert.Equal(t, iamdoc.Strings{"ecs-tasks.amazonaws.com"}, task.Principal.Service)
	assert.Equal(t, iamdoc.Strings{s.AccountID}, task.Condition["StringEquals"]["aws:SourceAccount"])
	sched := ecsjob.SchedulerTrustPolicy(s).Statement[0]
	assert.Equal(t, iamdoc.Strings{"scheduler.amazonaws.com"}, sched.Principal.Service)
	assert.Equal(t, iamdoc.Strings{"arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default"}, sched.Condition["ArnLike"]["aws:SourceArn"])
	assert.Equal(t, "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/aifactory-dev-cleanup", ecsjob.ScheduleARN(s, "aifactory-dev-cleanup"))
}

func TestRepositoryTaskAndSecurityGroup(t *testing.T) {
	for _, protect := range []bool{false, true} {
		m, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
			if _, err := (ecsjob.Repository{
				Scope: scopetest.Dev(), Name: "aifactory-dev-cleanup", KeyArn: pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/k"),
				ImagesKept: 30, Protect: protect, Workload: "lifecycle-cleanup",
			}).New(ctx, "cleanup-images", nil); err != nil {
				return err
			}
			img, _ := spec.ParseImage(image)
			if _, err := (ecsjob.Task{
				Family: "aifactory-dev-cleanup", CPU: 256, MemoryMiB: 512,
				TaskRoleArn: pulumi.String("task"), ExecutionRoleArn: pulumi.String("execution"),
				Container: ecsjob.Container{Name: "cleanup", Image: img, LogGroup: "/aws/ecs/x", Region: "eu-west-1"}.Definition(),
				Workload:  "lifecycle-cleanup",
			}).New(ctx, "cleanup-task"); err != nil {
				return err
			}
			_, err := ecsjob.SecurityGroup{
				Placement: network.Placement{
					VpcID: pulumi.String("vpc-1"), SubnetIDs: pulumi.ToStringArray([]string{"subnet-1"}),
					EndpointSecurityGroupID: pulumi.String("sg-endpoints"), S3PrefixListID: pulumi.String("pl-s3"),
				},
				Description: "d", EndpointsDescription: "e", S3Description: "s", Name: "aifactory-dev-cleanup-tasks",
			}.New(ctx, "cleanup-tasks")
			return err
		})
		require.NoError(t, err)
		repo := m.Named(t, "aws:ecr/repository:Repository", "cleanup-images")
		assert.Equal(t, "IMMUTABLE", repo.Str("imageTagMutability"))
		assert.Equal(t, map[string]string{"workload": "lifecycle-cleanup"}, repo.Tags())
		assert.Equal(t, protect, repo.Protect)
		assert.Equal(t, protect, repo.RetainOnDelete)
		assert.Equal(t, !protect, repo.Bool("forceDelete"))
		var lifecycle ecsjob.LifecyclePolicy
		require.NoError(t, json.Unmarshal([]byte(m.Named(t, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "cleanup-images").Str("policy")), &lifecycle))
		assert.Equal(t, ecsjob.ImageLifecycle(30), lifecycle)
		assert.Contains(t, m.Named(t, "aws:ecr/repositoryPolicy:RepositoryPolicy", "cleanup-images").Str("policy"), "DenyOtherAccounts")

		td := m.Named(t, "aws:ecs/taskDefinition:TaskDefinition", "cleanup-task")
		assert.Equal(t, "256", td.Str("cpu"))
		assert.Equal(t, map[string]string{"workload": "lifecycle-cleanup", ecsjob.FamilyTag: "aifactory-dev-cleanup"}, td.Tags())
		assert.Equal(t, "awsvpc", td.Str("networkMode"))
		assert.NotEqual(t, td.Str("taskRoleArn"), td.Str("executionRoleArn"))
		assert.Equal(t, "aifactory-dev-cleanup", td.Tags()[ecsjob.FamilyTag], "tasks launched with PropagateTags carry their family")

		var egress []struct {
			SecurityGroups []string `json:"securityGroups"`
			PrefixListIds  []string `json:"prefixListIds"`
			CidrBlocks     []string `json:"cidrBlocks"`
			FromPort       float64  `json:"fromPort"`
		}
		sg := m.Named(t, "aws:ec2/securityGroup:SecurityGroup", "cleanup-tasks")
		require.NoError(t, sg.JSON("egress", &egress))
		require.Len(t, egress, 2)
		assert.Equal(t, []string{"sg-endpoints"}, egress[0].SecurityGroups)
		assert.Equal(t, []string{"pl-s3"}, egress[1].PrefixListIds)
		for _, e := range egress {
			assert.Empty(t, e.CidrBlocks, "no address range, only the endpoints")
			assert.Equal(t, 443.0, e.FromPort)
		}
		assert.False(t, sg.Has("ingress"))
	}
}

func TestAJobWithoutAWorkloadIsRefused(t *testing.T) {
	_, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		_, err := (ecsjob.Task{Family: "aifactory-dev-x", CPU: 256, MemoryMiB: 512,
			TaskRoleArn: pulumi.String("task"), ExecutionRoleArn: pulumi.String("execution")}).New(ctx, "x")
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `ecsjob Task: Workload ""`)
	_, err = mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		_, err := (ecsjob.Repository{Scope: scopetest.Dev(), Name: "x", KeyArn: pulumi.String("k"), ImagesKept: 1, Workload: "Weekly Pipeline"}).New(ctx, "x", nil)
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `ecsjob Repository: Workload "Weekly Pipeline"`)
}
