package analytics_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/analytics"
	"github.com/aifactory/platform/internal/enginetest"
	"github.com/aifactory/platform/internal/offline"
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
	ctx.Export("studioId", studio.StudioID)
	ctx.Export("securityConfigurationName", studio.SecurityConfigurationName)
	ctx.Export("clusterIds", studio.ClusterIDs)
	return nil
}

func TestEngineStudioPreviewsUpsStaysStableAndDestroys(t *testing.T) {
	env := enginetest.Env(t)
	ctx := context.Background()
	config := filepath.Join(t.TempDir(), "Pulumi.analytics-smoke.yaml")
	require.NoError(t, os.WriteFile(config, []byte("config:\n  pulumi:disable-default-providers:\n    - aws\n"), 0o644))
	s, err := env.Stack(ctx, "analytics-smoke", smokeProgram, config)
	require.NoError(t, err)

	plan, err := offline.Preview(ctx, s)
	require.NoError(t, err, "preview failed: %v\n%s", plan.Failures, plan.Stdout)
	assert.Empty(t, plan.Failures)
	types := map[string]int{}
	for _, st := range plan.Steps {
		types[st.Type]++
	}
	assert.Equal(t, 1, types[analytics.Type])
	assert.Equal(t, 2, types[analytics.ClusterType])
	assert.Equal(t, 1, types[studioType])
	assert.Equal(t, 1, types[secConfigType])
	assert.Equal(t, 1, types[blockPublicType])
	assert.Equal(t, 2, types[clusterType])
	assert.Equal(t, 2, types[fleetType])
	assert.Equal(t, 2, types[scalingType])

	up, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, up.StdErr)
	assert.NotEmpty(t, up.Outputs["studioId"].Value)
	assert.NotEmpty(t, up.Outputs["securityConfigurationName"].Value)
	clusters, ok := up.Outputs["clusterIds"].Value.(map[string]any)
	require.True(t, ok, "clusterIds is a map: %v", up.Outputs["clusterIds"].Value)
	assert.Len(t, clusters, 2)
	assert.Contains(t, clusters, "jackpot-analytics/spark")
	assert.Contains(t, clusters, "player-insights/exploration")

	// The expiry comes from the args, not the clock: nothing changes on a
	// second run.
	again, err := offline.Preview(ctx, s, optpreview.ExpectNoChanges())
	require.NoError(t, err, "second preview after up must show no changes:\n%s", again.Stdout)
	for op, n := range again.Summary {
		assert.Equal(t, "same", op, "%d resources would %s", n, op)
	}

	destroy, err := s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err, destroy.StdErr)
	res, err := s.Export(ctx)
	require.NoError(t, err)
	assert.NotContains(t, string(res.Deployment), clusterType, "no cluster left in state after destroy")
}
