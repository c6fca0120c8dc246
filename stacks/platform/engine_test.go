package platform_test

import (
	"context"
	"os"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/internal/enginetest"
	"github.com/aifactory/platform/internal/offline"
	"github.com/aifactory/platform/stacks/platform"
)

func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

func TestEngineEveryStackPreviews(t *testing.T) {
	env := enginetest.Env(t)
	for _, stack := range []string{"dev", "staging", "prod"} {
		t.Run(stack, func(t *testing.T) {
			ctx := context.Background()
			s, err := env.Stack(ctx, stack, platform.Program, "")
			require.NoError(t, err)
			plan, err := offline.Preview(ctx, s)
			require.NoError(t, err, "preview of %s failed: %v\n%s", stack, plan.Failures, plan.Stdout)
			assert.Empty(t, plan.Failures)
			assert.Greater(t, plan.Summary["create"], 40, "the stack creates its network and keys")
			types := map[string]int{}
			for _, st := range plan.Steps {
				types[st.Type]++
			}
			assert.Equal(t, 4, types["aws:kms/key:Key"])
			assert.Equal(t, 1, types["aws:ec2/flowLog:FlowLog"])
			assert.Zero(t, types["aws:ec2/natGateway:NatGateway"])
		})
	}
}

func TestEngineDevUpIsStableAndDestroysCleanly(t *testing.T) {
	env := enginetest.Env(t)
	ctx := context.Background()
	s, err := env.Stack(ctx, "dev-lifecycle", platform.Program, env.Root+"/Pulumi.dev.yaml")
	require.NoError(t, err)

	up, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, up.StdErr)
	assert.Greater(t, (*up.Summary.ResourceChanges)["create"], 40)
	outputs := up.Outputs
	require.Contains(t, outputs, "vpcId")
	assert.NotEmpty(t, outputs["vpcId"].Value)
	assert.Len(t, outputs["kmsKeyArns"].Value, 4)

	plan, err := offline.Preview(ctx, s, optpreview.ExpectNoChanges())
	require.NoError(t, err, "second preview after up must show no changes:\n%s", plan.Stdout)
	for op, n := range plan.Summary {
		assert.Equal(t, "same", op, "%d resources would %s", n, op)
	}

	destroy, err := s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err, destroy.StdErr)
	assert.Greater(t, (*destroy.Summary.ResourceChanges)["delete"], 40)
	res, err := s.Export(ctx)
	require.NoError(t, err)
	assert.NotContains(t, string(res.Deployment), "aws:ec2/vpc:Vpc", "no resource left in state after destroy")
}
