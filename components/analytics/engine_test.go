package analytics_test

import (
	"os"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/analytics"
	"github.com/aifactory/platform/internal/enginetest"
)

func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

// smokeProgram runs the component alone behind an explicit provider, as the
// stacks do: the stack config disables the default AWS provider.
func smokeProgram(ctx *pulumi.Context) error {
	provider, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{Region: pulumi.String("eu-west-1")})
	if err != nil {
		return err
	}
	studio, err := analytics.New(ctx, "analytics", args(), pulumi.Providers(provider))
	if err != nil {
		return err
	}
	ctx.Export("studioIds", studio.StudioIDs)
	ctx.Export("securityConfigurationName", studio.SecurityConfigurationName)
	ctx.Export("clusterIds", studio.ClusterIDs)
	return nil
}

func TestEngineStudioPreviewsUpsStaysStableAndDestroys(t *testing.T) {
	s := enginetest.ComponentStack(t, "analytics-smoke", smokeProgram)
	types := enginetest.Preview(t, s).CountByType()
	assert.Equal(t, 1, types[analytics.Type])
	assert.Equal(t, 2, types[analytics.ClusterType])
	assert.Equal(t, 2, types[studioType], "one Studio per team")
	assert.Equal(t, 1, types[secConfigType])
	assert.Equal(t, 1, types[blockPublicType])
	assert.Equal(t, 2, types[clusterType])
	assert.Equal(t, 2, types[fleetType])
	assert.Equal(t, 2, types[scalingType])

	up := enginetest.Up(t, s)
	assert.Len(t, up.Outputs["studioIds"], 2)
	assert.NotEmpty(t, up.Outputs["securityConfigurationName"])
	clusters, ok := up.Outputs["clusterIds"].(map[string]any)
	require.True(t, ok, "clusterIds is a map: %v", up.Outputs["clusterIds"])
	assert.Len(t, clusters, 2)
	assert.Contains(t, clusters, "jackpot-analytics/spark")
	assert.Contains(t, clusters, "player-insights/exploration")

	// The expiry comes from the args, not the clock: nothing changes on a
	// second run.
	enginetest.ExpectNoChanges(t, s)
	assert.NotContains(t, enginetest.Destroy(t, s), clusterType, "no cluster left in state after destroy")
}
