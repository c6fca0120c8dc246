package serving_test

import (
	"os"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/components/serving"
	"github.com/aifactory/platform/internal/enginetest"
)

func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

// engineProgram is the component alone with an explicit AWS provider and
// the tag enforcement every stack installs.
var engineProgram = enginetest.ComponentProgram(scopetest.TeamTags("platform"), func(ctx *pulumi.Context, provider *aws.Provider) error {
	s, err := serving.New(ctx, "serving", args(), pulumi.Providers(provider))
	if err != nil {
		return err
	}
	ctx.Export("registryArns", s.RegistryArns)
	ctx.Export("endpointNames", s.EndpointNames)
	ctx.Export("endpointUrls", s.EndpointURLs)
	ctx.Export("roleArns", s.RoleArns)
	return nil
})

func TestEngineServingPreviewsUpsStableAndDestroys(t *testing.T) {
	s := enginetest.ComponentStack(t, "serving", engineProgram)
	types := enginetest.Preview(t, s).CountByType()
	assert.Equal(t, 1, types[serving.Type])
	assert.Equal(t, 3, types[groupType], "a registry per team")
	assert.Equal(t, 3, types[groupPolType])
	assert.Equal(t, 3, types[endpointType])
	assert.Equal(t, 3, types[modelType])
	assert.Equal(t, 3, types[configType])
	assert.Equal(t, 6, types[alarmType])
	assert.Equal(t, 1, types[targetType])
	assert.Equal(t, 2, types[roleType])

	up := enginetest.Up(t, s)
	assert.Equal(t, map[string]any{
		"team-a/churn": "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/aifactory-dev-team-a--churn/invocations",
		"team-a/score": "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/aifactory-dev-team-a--score/invocations",
		"team-b/churn": "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/aifactory-dev-team-b--churn/invocations",
	}, up.Outputs["endpointUrls"])
	require.Contains(t, up.Outputs, "registryArns")
	assert.Equal(t, "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/aifactory-dev-team-c",
		up.Outputs["registryArns"].(map[string]any)["team-c"])
	assert.Len(t, up.Outputs["roleArns"], 2)

	enginetest.ExpectNoChanges(t, s)
	state := enginetest.Destroy(t, s)
	assert.NotContains(t, state, endpointType, "no endpoint left in state after destroy")
}
