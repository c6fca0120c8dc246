package data_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/data"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/enginetest"
)

func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

// perimeterProgram builds only the data perimeter, the way the platform
// program does: required tags enforced, an explicit provider (the stack
// file disables the default one), and the VPC, endpoint and team role as
// outputs of other resources, so they are unknown at preview.
func perimeterProgram(environment string, protect bool) pulumi.RunFunc {
	return enginetest.ComponentProgram(scopetest.TeamTagsIn(environment, "platform"), func(ctx *pulumi.Context, provider *aws.Provider) error {
		useProvider := pulumi.Provider(provider)
		account, err := aws.GetCallerIdentity(ctx, nil, useProvider)
		if err != nil {
			return err
		}
		vpc, err := ec2.NewVpc(ctx, "vpc", &ec2.VpcArgs{CidrBlock: pulumi.String("10.10.0.0/16")}, useProvider)
		if err != nil {
			return err
		}
		endpoint, err := ec2.NewVpcEndpoint(ctx, "s3", &ec2.VpcEndpointArgs{
			VpcId:           vpc.ID(),
			ServiceName:     pulumi.String("com.amazonaws.eu-west-1.s3"),
			VpcEndpointType: pulumi.String("Gateway"),
		}, useProvider)
		if err != nil {
			return err
		}
		trust, err := iamdoc.New(iamdoc.Statement{
			Effect: iamdoc.Allow, Principal: iamdoc.Services("sagemaker.amazonaws.com"), Action: iamdoc.Strings{"sts:AssumeRole"},
		}).JSON()
		if err != nil {
			return err
		}
		role, err := iam.NewRole(ctx, "jackpot", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(trust)}, useProvider)
		if err != nil {
			return err
		}
		sc := scopetest.Scope(environment)
		sc.AccountID = account.AccountId
		p, err := data.New(ctx, "data", &data.Args{
			Scope:                  sc,
			VpcID:                  vpc.ID(),
			VpcEndpointIDs:         pulumi.StringArray{endpoint.ID()},
			DataKeyArn:             pulumi.String("arn:aws:kms:eu-west-1:" + account.AccountId + ":key/data"),
			LogsKeyArn:             pulumi.String("arn:aws:kms:eu-west-1:" + account.AccountId + ":key/logs"),
			AccessLogRetentionDays: 30,
			DeployerRoleArn:        sc.RoleARN("aifactory-deployer"),
			Teams:                  []data.Team{{Name: jackpot, RoleArn: role.Arn}, {Name: player}},
			Protect:                protect,
		}, pulumi.Providers(provider))
		if err != nil {
			return err
		}
		ctx.Export("dataBucketName", p.DataBucketName)
		ctx.Export("modelsBucketName", p.ModelsBucketName)
		ctx.Export("logBucketName", p.LogBucketName)
		ctx.Export("accessPointArns", p.AccessPointArns)
		return nil
	})
}

func TestEnginePerimeterPreviewsUpsAndDestroys(t *testing.T) {
	s := enginetest.ComponentStack(t, "data-perimeter-dev", perimeterProgram("dev", false))
	types := enginetest.Preview(t, s).CountByType()
	for typ, want := range map[string]int{
		data.Type: 1, bucketType: 4, sseType: 4, versionType: 4, pabType: 4, ownershipType: 4,
		lifecycleType: 4, loggingType: 3, policyType: 4, apType: 2,
	} {
		assert.Equal(t, want, types[typ], typ)
	}

	up := enginetest.Up(t, s)
	assert.Equal(t, "aifactory-dev-data-123456789012", up.Outputs["dataBucketName"])
	assert.Equal(t, "aifactory-dev-access-logs-123456789012", up.Outputs["logBucketName"])
	arns, ok := up.Outputs["accessPointArns"].(map[string]any)
	require.True(t, ok, "accessPointArns is a map: %#v", up.Outputs["accessPointArns"])
	assert.Len(t, arns, 2)
	assert.Contains(t, arns, jackpot)
	assert.Contains(t, arns, player)

	enginetest.ExpectNoChanges(t, s)
	assert.NotContains(t, enginetest.Destroy(t, s), bucketType, "no bucket left in state after destroy")
}

func TestEngineProtectedBucketsSurviveADestroy(t *testing.T) {
	s := enginetest.ComponentStack(t, "data-perimeter-prod", perimeterProgram("prod", true))
	enginetest.Up(t, s)

	ctx := context.Background()
	_, err := s.Destroy(ctx, optdestroy.SuppressProgress())
	require.Error(t, err, "a destroy must stop at protected buckets")
	assert.Contains(t, err.Error(), "protected")

	res, err := s.Export(ctx)
	require.NoError(t, err)
	var state struct {
		Resources []struct {
			Type           string `json:"type"`
			Protect        bool   `json:"protect"`
			RetainOnDelete bool   `json:"retainOnDelete"`
		} `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(res.Deployment, &state))
	buckets := 0
	for _, r := range state.Resources {
		if r.Type == bucketType {
			buckets++
			assert.True(t, r.Protect, "bucket protected")
			assert.True(t, r.RetainOnDelete, "bucket retained on delete")
		}
	}
	assert.Equal(t, 4, buckets, "every bucket is still in state")
}
