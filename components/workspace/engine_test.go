package workspace_test

import (
	"os"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/components/workspace"
	"github.com/aifactory/platform/internal/enginetest"
)

func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

// engineProgram is the component alone with an explicit AWS provider and
// the tag enforcement every stack installs, so the engine sees exactly
// what the stacks will register.
var engineProgram = enginetest.ComponentProgram(scopetest.TeamTags("platform"), func(ctx *pulumi.Context, provider *aws.Provider) error {
	w, err := workspace.New(ctx, "workspace", args(), pulumi.Providers(provider))
	if err != nil {
		return err
	}
	ctx.Export("domainId", w.DomainID)
	ctx.Export("roleArns", w.RoleArns)
	ctx.Export("profileNames", w.ProfileNames)
	ctx.Export("boundaryPolicyArn", w.BoundaryPolicyArn)
	return nil
})

func TestEngineWorkspacePreviewsUpsStableAndDestroys(t *testing.T) {
	s := enginetest.ComponentStack(t, "workspace", engineProgram)
	types := enginetest.Preview(t, s).CountByType()
	assert.Equal(t, 1, types[domainType])
	assert.Equal(t, 2, types[profileType])
	assert.Equal(t, 2+2*2, types[lifecycleType], "the domain's and each team's")
	assert.Equal(t, 3, types[roleType], "default role and one per team")
	assert.Equal(t, 3, types[rolePolicy])
	assert.Equal(t, 1+2, types[policyType], "one permissions boundary and each team's Studio access policy")
	assert.Equal(t, 1+2, types[sgType], "the domain's group and one per team")
	assert.Equal(t, 3, types[logGroupType], "SageMaker's log groups")

	up := enginetest.Up(t, s)
	require.Contains(t, up.Outputs, "roleArns")
	assert.Len(t, up.Outputs["roleArns"], 2)
	assert.Len(t, up.Outputs["profileNames"], 2)
	assert.NotEmpty(t, up.Outputs["domainId"])
	assert.NotEmpty(t, up.Outputs["boundaryPolicyArn"])

	enginetest.ExpectNoChanges(t, s)
	assert.NotContains(t, enginetest.Destroy(t, s), domainType, "no resource left in state after destroy")
}
