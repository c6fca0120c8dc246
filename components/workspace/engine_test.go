package workspace_test

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

	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/components/workspace"
	"github.com/aifactory/platform/internal/enginetest"
	"github.com/aifactory/platform/internal/offline"
)

func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

// engineProgram is the component alone with an explicit AWS provider and
// the tag enforcement every stack installs, so the engine sees exactly
// what the stacks will register.
func engineProgram(ctx *pulumi.Context) error {
	defaults := teamTags("platform")
	tags, err := tagging.Install(ctx, defaults)
	if err != nil {
		return err
	}
	provider, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
		Region:      pulumi.String("eu-west-1"),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: defaults.StringMap()},
	})
	if err != nil {
		return err
	}
	w, err := workspace.New(ctx, "workspace", args(), pulumi.Providers(provider))
	if err != nil {
		return err
	}
	ctx.Export("domainId", w.DomainID)
	ctx.Export("roleArns", w.RoleArns)
	ctx.Export("profileNames", w.ProfileNames)
	ctx.Export("boundaryPolicyArn", w.BoundaryPolicyArn)
	return tags.Err()
}

// engineStackFile makes any resource that bypasses the explicit provider
// an error, as every shipped stack file does.
const engineStackFile = `config:
  pulumi:disable-default-providers:
    - aws
`

func TestEngineWorkspacePreviewsUpsStableAndDestroys(t *testing.T) {
	env := enginetest.Env(t)
	ctx := context.Background()
	configFile := filepath.Join(t.TempDir(), "Pulumi.workspace.yaml")
	require.NoError(t, os.WriteFile(configFile, []byte(engineStackFile), 0o600))
	s, err := env.Stack(ctx, "workspace", engineProgram, configFile)
	require.NoError(t, err)

	plan, err := offline.Preview(ctx, s)
	require.NoError(t, err, "preview failed: %v\n%s", plan.Failures, plan.Stdout)
	assert.Empty(t, plan.Failures)
	types := map[string]int{}
	for _, st := range plan.Steps {
		types[st.Type]++
	}
	assert.Equal(t, 1, types[domainType])
	assert.Equal(t, 2, types[profileType])
	assert.Equal(t, 2, types[lifecycleType])
	assert.Equal(t, 3, types[roleType], "default role and one per team")
	assert.Equal(t, 3, types[rolePolicy])
	assert.Equal(t, 1, types[policyType], "one permissions boundary")
	assert.Equal(t, 1, types[sgType])

	up, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, up.StdErr)
	require.Contains(t, up.Outputs, "roleArns")
	assert.Len(t, up.Outputs["roleArns"].Value, 2)
	assert.Len(t, up.Outputs["profileNames"].Value, 2)
	assert.NotEmpty(t, up.Outputs["domainId"].Value)
	assert.NotEmpty(t, up.Outputs["boundaryPolicyArn"].Value)

	again, err := offline.Preview(ctx, s, optpreview.ExpectNoChanges())
	require.NoError(t, err, "second preview after up must show no changes:\n%s", again.Stdout)
	for op, n := range again.Summary {
		assert.Equal(t, "same", op, "%d resources would %s", n, op)
	}

	destroy, err := s.Destroy(ctx, optdestroy.SuppressProgress())
	require.NoError(t, err, destroy.StdErr)
	res, err := s.Export(ctx)
	require.NoError(t, err)
	assert.NotContains(t, string(res.Deployment), domainType, "no resource left in state after destroy")
}
