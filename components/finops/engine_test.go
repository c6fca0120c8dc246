package finops_test

import (
	"os"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/finops"
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/internal/enginetest"
)

func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

// program builds only the cost controls, as the platform program does:
// required tags enforced, the explicit provider, the logs key an output of
// another resource (unknown at preview), and a real deployment package.
func program(code string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		defaults := teamTags("platform")
		tags, err := tagging.Install(ctx, defaults)
		if err != nil {
			return err
		}
		provider, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
			Region: pulumi.String("eu-west-1"), DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: defaults.StringMap()},
		})
		if err != nil {
			return err
		}
		logs, err := kms.NewKey(ctx, "logs", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(true), DeletionWindowInDays: pulumi.Int(7)}, pulumi.Provider(provider))
		if err != nil {
			return err
		}
		a := args()
		a.LogsKeyArn = logs.Arn
		a.Cleanup.Code = pulumi.NewAssetArchive(map[string]any{"bootstrap": pulumi.NewFileAsset(code)})
		c, err := finops.New(ctx, "finops", a, pulumi.Providers(provider))
		if err != nil {
			return err
		}
		ctx.Export("topicArn", c.TopicArn)
		ctx.Export("budgetNames", c.BudgetNames)
		return tags.Err()
	}
}

func TestEngineCostControlsPreviewUpAndDestroy(t *testing.T) {
	code := t.TempDir() + "/bootstrap"
	require.NoError(t, os.WriteFile(code, []byte("#!/bin/sh\n"), 0o755))
	s := enginetest.ComponentStack(t, "finops", program(code))
	plan := enginetest.Preview(t, s)
	types := plan.CountByType()
	assert.Equal(t, 2, types["aws:budgets/budget:Budget"])
	assert.Equal(t, 1, types["aws:lambda/function:Function"])
	assert.Equal(t, 1, types["aws:scheduler/schedule:Schedule"])

	up := enginetest.Up(t, s)
	assert.Len(t, up.Outputs["budgetNames"], 2)
	assert.NotEmpty(t, up.Outputs["topicArn"])
	enginetest.ExpectNoChanges(t, s)
	state := enginetest.Destroy(t, s)
	require.NotContains(t, state, "aws:budgets/budget:Budget")
	assert.NotContains(t, state, "aws:lambda/function:Function")
}
