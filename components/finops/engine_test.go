package finops_test

import (
	"os"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/finops"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/enginetest"
)

func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

// program builds only the cost controls, as the platform program does:
// required tags enforced, the explicit provider, and the keys, the network
// and the pipeline's cluster outputs of other resources (unknown at
// preview).
var program = enginetest.ComponentProgram(scopetest.TeamTags("platform"), func(ctx *pulumi.Context, provider *aws.Provider) error {
	use := pulumi.Provider(provider)
	logs, err := kms.NewKey(ctx, "logs", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true), DeletionWindowInDays: pulumi.Int(7)}, use)
	if err != nil {
		return err
	}
	images, err := kms.NewKey(ctx, "images", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true), DeletionWindowInDays: pulumi.Int(7)}, use)
	if err != nil {
		return err
	}
	vpc, err := ec2.NewVpc(ctx, "vpc", &ec2.VpcArgs{CidrBlock: pulumi.String("10.10.0.0/16")}, use)
	if err != nil {
		return err
	}
	var subnetIDs pulumi.StringArray
	for i, cidr := range []string{"10.10.0.0/20", "10.10.16.0/20"} {
		sn, err := ec2.NewSubnet(ctx, "private-"+string(rune('a'+i)), &ec2.SubnetArgs{VpcId: vpc.ID(), CidrBlock: pulumi.String(cidr)}, use)
		if err != nil {
			return err
		}
		subnetIDs = append(subnetIDs, sn.ID().ToStringOutput())
	}
	endpoints, err := ec2.NewSecurityGroup(ctx, "endpoints", &ec2.SecurityGroupArgs{VpcId: vpc.ID()}, use)
	if err != nil {
		return err
	}
	s3, err := ec2.NewVpcEndpoint(ctx, "s3", &ec2.VpcEndpointArgs{
		VpcId: vpc.ID(), ServiceName: pulumi.String("com.amazonaws.eu-west-1.s3"), VpcEndpointType: pulumi.String("Gateway"),
	}, use)
	if err != nil {
		return err
	}
	cluster, err := ecs.NewCluster(ctx, "pipeline", &ecs.ClusterArgs{Name: pulumi.String("aifactory-dev-pipeline")}, use)
	if err != nil {
		return err
	}
	a := args()
	a.LogsKeyArn = logs.Arn
	a.ImageKeyArn = images.Arn
	a.Placement = network.Placement{
		VpcID: vpc.ID().ToStringOutput(), SubnetIDs: subnetIDs,
		EndpointSecurityGroupID: endpoints.ID().ToStringOutput(), S3PrefixListID: s3.PrefixListId,
	}
	a.Cleanup.ClusterArn = cluster.Arn
	c, err := finops.New(ctx, "finops", a, pulumi.Providers(provider))
	if err != nil {
		return err
	}
	ctx.Export("topicArn", c.TopicArn)
	ctx.Export("budgetNames", c.BudgetNames)
	ctx.Export("cleanupRepositoryUrl", c.CleanupRepositoryURL)
	ctx.Export("cleanupTaskDefinitionArn", c.CleanupTaskDefinitionArn)
	ctx.Export("cleanupScheduleName", c.CleanupScheduleName)
	return nil
})

func TestEngineCostControlsPreviewUpAndDestroy(t *testing.T) {
	s := enginetest.ComponentStack(t, "finops", program)
	plan := enginetest.Preview(t, s)
	types := plan.CountByType()
	assert.Equal(t, 2, types["aws:budgets/budget:Budget"])
	assert.Equal(t, 0, types["aws:lambda/function:Function"])
	for _, typ := range []string{"aws:ecr/repository:Repository", "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy",
		"aws:ecs/taskDefinition:TaskDefinition", "aws:scheduler/schedule:Schedule", "aws:cloudwatch/logGroup:LogGroup",
		// The schedule's dead-letter queue and its alarm, the failed-run rule and its target.
		"aws:sqs/queue:Queue", "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/eventTarget:EventTarget"} {
		assert.Equal(t, 1, types[typ], typ)
	}
	assert.Equal(t, 2, types["aws:ec2/securityGroup:SecurityGroup"], "the endpoints' and the cleanup task's")
	assert.Equal(t, 3, types["aws:iam/role:Role"], "the task, execution and schedule roles")

	up := enginetest.Up(t, s)
	assert.Len(t, up.Outputs["budgetNames"], 2)
	assert.NotEmpty(t, up.Outputs["topicArn"])
	assert.Equal(t, "aifactory-dev-cleanup", up.Outputs["cleanupScheduleName"])
	assert.Contains(t, up.Outputs["cleanupRepositoryUrl"], "aifactory-dev-cleanup")
	assert.Equal(t, "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-cleanup:1", up.Outputs["cleanupTaskDefinitionArn"])
	enginetest.ExpectNoChanges(t, s)
	state := enginetest.Destroy(t, s)
	require.NotContains(t, state, "aws:budgets/budget:Budget")
	assert.NotContains(t, state, "aws:ecs/taskDefinition:TaskDefinition")
	assert.NotContains(t, state, "aws:scheduler/schedule:Schedule")
}
