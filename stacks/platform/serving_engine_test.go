package platform_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sagemaker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/internal/enginetest"
	"github.com/aifactory/platform/internal/stackconfig"
	"github.com/aifactory/platform/stacks/platform"
)

// servedEndpoints counts the endpoints a shipped stack file serves.
func servedEndpoints(t *testing.T, stack string) int {
	t.Helper()
	var teams []stackconfig.Team
	require.NoError(t, json.Unmarshal([]byte(stackConfig(t, stack)["aifactory:teams"]), &teams))
	n := 0
	for _, team := range teams {
		if team.Serving != nil {
			n += len(team.Serving.Endpoints)
		}
	}
	return n
}

// assertServingOutputs checks the dev stack's serving outputs after up: a
// registry per team, and each endpoint's name and invocation URL by
// "<team>/<endpoint>".
func assertServingOutputs(t *testing.T, outputs map[string]any) {
	t.Helper()
	assert.Equal(t, map[string]any{
		"jackpot-analytics": "aifactory-dev-jackpot-analytics", "player-insights": "aifactory-dev-player-insights",
	}, outputs["modelRegistryNames"])
	assert.Equal(t, map[string]any{
		"jackpot-analytics/jackpot-propensity": "aifactory-dev-jackpot-analytics--jackpot-propensity",
		"player-insights/churn-score":          "aifactory-dev-player-insights--churn-score",
	}, outputs["servingEndpointNames"])
	assert.Equal(t, map[string]any{
		"jackpot-analytics/jackpot-propensity": "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/aifactory-dev-jackpot-analytics--jackpot-propensity/invocations",
		"player-insights/churn-score":          "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/aifactory-dev-player-insights--churn-score/invocations",
	}, outputs["servingEndpointUrls"])
	assert.Len(t, outputs["servingRoleArns"], 2)
}

// TestEngineEveryStackServesAModel previews each shipped stack: every team
// has its registry, and each configured endpoint its model, configuration,
// alarms, log group and, where it scales, its scaling target.
func TestEngineEveryStackServesAModel(t *testing.T) {
	env := enginetest.Env(t)
	for _, stack := range []string{"dev", "staging", "prod"} {
		t.Run(stack, func(t *testing.T) {
			s, err := env.Stack(context.Background(), stack, platform.Program, "")
			require.NoError(t, err)
			types := enginetest.Preview(t, s).CountByType()
			served := servedEndpoints(t, stack)
			require.Positive(t, served)
			for typ, want := range map[string]int{
				"aifactory:serving:ModelServing":                                1,
				"aws:sagemaker/modelPackageGroup:ModelPackageGroup":             2, // one per team
				"aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": 2,
				"aws:sagemaker/endpoint:Endpoint":                               served,
				"aws:sagemaker/model:Model":                                     served,
				"aws:sagemaker/endpointConfiguration:EndpointConfiguration":     served,
				"aws:appautoscaling/target:Target":                              1, // jackpot-propensity scales; dev's serverless endpoint scales itself
				"aws:appautoscaling/policy:Policy":                              1,
			} {
				assert.Equal(t, want, types[typ], typ)
			}
		})
	}
}

// servingBrokenCases break one serving control each.
func servingBrokenCases() []brokenCase {
	model := func(ctx *pulumi.Context, name string, opts ...pulumi.ResourceOption) (*sagemaker.Model, error) {
		return sagemaker.NewModel(ctx, name, &sagemaker.ModelArgs{
			ExecutionRoleArn: pulumi.String("arn:aws:iam::123456789012:role/aifactory-dev-serving-team-a"),
			PrimaryContainer: &sagemaker.ModelPrimaryContainerArgs{
				ModelPackageName: pulumi.String("arn:aws:sagemaker:eu-west-1:123456789012:model-package/aifactory-dev-team-a/1"),
			},
		}, opts...)
	}
	return []brokenCase{
		{
			name: "model outside the VPC", policy: "sagemaker-model-isolated", resource: "open",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				m, err := model(ctx, "open", opts...)
				if err != nil {
					return err
				}
				_, err = sagemaker.NewEndpointConfiguration(ctx, "open", &sagemaker.EndpointConfigurationArgs{
					KmsKeyArn: pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/workspace"),
					ProductionVariants: sagemaker.EndpointConfigurationProductionVariantArray{&sagemaker.EndpointConfigurationProductionVariantArgs{
						VariantName: pulumi.String("AllTraffic"), ModelName: m.Name, InstanceType: pulumi.String("ml.m5.large"), InitialInstanceCount: pulumi.Int(1),
					}},
				}, opts...)
				return err
			},
		},
		{
			name: "endpoint volumes without a key", policy: "sagemaker-endpoint-kms", resource: "plain",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := sagemaker.NewEndpointConfiguration(ctx, "plain", &sagemaker.EndpointConfigurationArgs{
					ProductionVariants: sagemaker.EndpointConfigurationProductionVariantArray{&sagemaker.EndpointConfigurationProductionVariantArgs{
						VariantName: pulumi.String("AllTraffic"), ModelName: pulumi.String("m"), InstanceType: pulumi.String("ml.m5.large"), InitialInstanceCount: pulumi.Int(1),
					}},
				}, opts...)
				return err
			},
		},
		{
			name: "endpoint on a GPU", policy: "sagemaker-endpoint-instance-allowlist", resource: "gpu",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := sagemaker.NewEndpointConfiguration(ctx, "gpu", &sagemaker.EndpointConfigurationArgs{
					KmsKeyArn: pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/workspace"),
					ProductionVariants: sagemaker.EndpointConfigurationProductionVariantArray{&sagemaker.EndpointConfigurationProductionVariantArgs{
						VariantName: pulumi.String("AllTraffic"), ModelName: pulumi.String("m"), InstanceType: pulumi.String("ml.p3.2xlarge"), InitialInstanceCount: pulumi.Int(1),
					}},
				}, opts...)
				return err
			},
		},
		{
			name: "forgotten dev endpoint", policy: "sagemaker-endpoint-ttl", resource: "forgotten",
			program: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := sagemaker.NewEndpoint(ctx, "forgotten", &sagemaker.EndpointArgs{
					Name: pulumi.String("aifactory-dev-team-a--forgotten"), EndpointConfigName: pulumi.String("c"),
				}, opts...)
				return err
			},
		},
	}
}

// TestEnginePolicyPackStopsBrokenServing previews deliberately broken
// serving resources through the real engine with the dev policy config:
// each preview fails with the control's mandatory finding.
func TestEnginePolicyPackStopsBrokenServing(t *testing.T) {
	env := enginetest.Env(t)
	p := enginetest.Pack(t)
	for _, tc := range servingBrokenCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := brokenStack(t, env, tc)
			res, err := engine.Preview(context.Background(), s, p.PreviewOptionsWith(devConfig(t, p, tc.accounts))...)
			require.Error(t, err, "a mandatory violation must fail the preview")
			assertFinding(t, res, tc)
		})
	}
}
