package pipeline_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/pipeline"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/enginetest"
	"github.com/aifactory/platform/optimiser/bundled"
)

func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

// pipelineProgram builds the weekly pipeline the way the platform program
// does (required tags, an explicit provider), on a network, keys and
// buckets that are outputs of other resources, so they are unknown at
// preview, and with the bundled country configurations.
func pipelineProgram(t *testing.T) pulumi.RunFunc {
	return enginetest.ComponentProgram(scopetest.TeamTagsIn("dev", "platform"), func(ctx *pulumi.Context, provider *aws.Provider) error {
		use := pulumi.Provider(provider)
		account, err := aws.GetCallerIdentity(ctx, nil, use)
		if err != nil {
			return err
		}
		sc := scopetest.Dev()
		sc.AccountID = account.AccountId

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
		s3Endpoint, err := ec2.NewVpcEndpoint(ctx, "s3", &ec2.VpcEndpointArgs{
			VpcId: vpc.ID(), ServiceName: pulumi.String("com.amazonaws.eu-west-1.s3"), VpcEndpointType: pulumi.String("Gateway"),
		}, use)
		if err != nil {
			return err
		}
		keys := map[string]*kms.Key{}
		for _, purpose := range []string{"data", "pipeline", "logs"} {
			if keys[purpose], err = kms.NewKey(ctx, purpose, &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true)}, use); err != nil {
				return err
			}
		}
		buckets := map[string]*s3.BucketV2{}
		for _, purpose := range []string{"data", "models"} {
			if buckets[purpose], err = s3.NewBucketV2(ctx, purpose, &s3.BucketV2Args{Bucket: pulumi.String(sc.BucketName(purpose))}, use); err != nil {
				return err
			}
		}

		var countries []pipeline.Country
		for _, code := range []string{"NL", "GB", "SE"} {
			b, err := fs.ReadFile(bundled.Configs(), strings.ToLower(code)+".yaml")
			require.NoError(t, err)
			countries = append(countries, pipeline.Country{Code: code, Config: b})
		}
		p, err := pipeline.New(ctx, "pipeline", &pipeline.Args{
			Scope: sc,
			Placement: network.Placement{
				VpcID: vpc.ID(), SubnetIDs: subnetIDs,
				EndpointSecurityGroupID: endpoints.ID(), S3PrefixListID: s3Endpoint.PrefixListId,
			},
			DataBucketName:   buckets["data"].Bucket,
			ModelsBucketName: buckets["models"].Bucket,
			DataKeyArn:       keys["data"].Arn,
			PipelineKeyArn:   keys["pipeline"].Arn,
			LogsKeyArn:       keys["logs"].Arn,
			LogRetentionDays: 30,
			Image:            pipeline.RepositoryURL(sc) + "@" + digest,
			Countries:        countries,
			Schedule:         "cron(0 6 ? * MON *)",
			Timezone:         "Europe/Amsterdam",
			MaxConcurrency:   3,
			TaskCPU:          1024,
			TaskMemoryMiB:    2048,
			CashSecretName:   "aifactory-dev/optimiser/cash",
			FailureEmails:    []string{"ml-platform@aifactory.example"},
		}, pulumi.Providers(provider))
		if err != nil {
			return err
		}
		ctx.Export("stateMachineArn", p.StateMachineArn)
		ctx.Export("taskDefinitionArn", p.TaskDefinitionArn)
		ctx.Export("clusterArn", p.ClusterArn)
		ctx.Export("failureTopicArn", p.FailureTopicArn)
		ctx.Export("configs", p.Configs)
		ctx.Export("outputs", p.Outputs)
		return nil
	})
}

func TestEngineWeeklyPipelinePreviewsUpsAndDestroys(t *testing.T) {
	s := enginetest.ComponentStack(t, "pipeline-dev", pipelineProgram(t))
	types := enginetest.Preview(t, s).CountByType()
	for typ, want := range map[string]int{
		pipeline.Type: 1, repositoryType: 1, lifecycleType: 1, repoPolicyType: 1, clusterType: 1, capacityType: 1, taskDefType: 1,
		logGroupType: 2, alarmType: 2, roleType: 4, rolePolicyType: 4, sgType: 2, apType: 1, objectType: 3, secretType: 1,
		topicType: 2, subscriptionType: 1, queueType: 1, scheduleType: 1, stateMachineType: 1,
	} {
		assert.Equal(t, want, types[typ], typ)
	}

	up := enginetest.Up(t, s)
	assert.Equal(t, "arn:aws:ecs:eu-west-1:123456789012:cluster/aifactory-dev-pipeline", up.Outputs["clusterArn"])
	assert.Equal(t, "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-optimiser:1", up.Outputs["taskDefinitionArn"])
	assert.Equal(t, "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-weekly-failures", up.Outputs["failureTopicArn"])
	assert.Regexp(t, `^s3://dev--pipeline-[a-z0-9]+-s3alias/pipeline/configs/$`, up.Outputs["configs"])
	assert.Equal(t, "s3://aifactory-dev-models-123456789012/pipeline/outputs/", up.Outputs["outputs"])

	// The state machine's definition, as deployed, is a valid workflow for
	// the deployed task definition, subnets and security group.
	dep, err := s.Export(context.Background())
	require.NoError(t, err)
	var state struct {
		Resources []struct {
			Type    string         `json:"type"`
			Outputs map[string]any `json:"outputs"`
		} `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(dep.Deployment, &state))
	var definition string
	for _, r := range state.Resources {
		if r.Type == stateMachineType {
			definition, _ = r.Outputs["definition"].(string)
		}
	}
	require.NotEmpty(t, definition)
	var def struct {
		States map[string]json.RawMessage `json:"States"`
	}
	require.NoError(t, json.Unmarshal([]byte(definition), &def))
	assert.Contains(t, def.States, "Countries")
	assert.Contains(t, definition, `"TaskDefinition":"arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-optimiser:1"`)
	assert.Regexp(t, `"Subnets":\["subnet-[0-9a-f]{17}","subnet-[0-9a-f]{17}"\]`, definition)
	assert.Regexp(t, `"SecurityGroups":\["sg-[0-9a-f]{17}"\]`, definition)
	assert.Contains(t, definition, `"AssignPublicIp":"DISABLED"`)

	enginetest.ExpectNoChanges(t, s)
	left := enginetest.Destroy(t, s)
	for _, typ := range []string{stateMachineType, taskDefType, repositoryType, scheduleType} {
		assert.NotContains(t, left, typ, "no %s left in state after destroy", typ)
	}
}
