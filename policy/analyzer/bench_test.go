package analyzer_test

import (
	"context"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/policy/pack"
	"github.com/aifactory/platform/policy/rules"
)

// roleRequest is a typical resource of the platform: a workspace role with
// its trust policy and tags, under the explicit provider with default tags.
func roleRequest(b *testing.B) *pulumirpc.AnalyzeRequest {
	tags := resource.PropertyMap{
		"team": resource.NewProperty("analytics"), "project": resource.NewProperty("aifactory"),
		"cost-center": resource.NewProperty("CC-4100"), "environment": resource.NewProperty("dev"),
		"owner": resource.NewProperty("analytics-leads"), "data-classification": resource.NewProperty("internal"),
	}
	props := resource.PropertyMap{
		"name":                resource.NewProperty("aifactory-dev-analytics-workspace"),
		"assumeRolePolicy":    resource.NewProperty(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`),
		"maxSessionDuration":  resource.NewProperty(3600.0),
		"permissionsBoundary": resource.MakeComputed(resource.NewProperty("")),
		"tags":                resource.NewProperty(tags),
	}
	st, err := plugin.MarshalProperties(props, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	require.NoError(b, err)
	pst, err := plugin.MarshalProperties(resource.PropertyMap{
		"region": resource.NewProperty("eu-west-1"), "defaultTags": resource.NewProperty(resource.PropertyMap{"tags": resource.NewProperty(tags)}),
	}, plugin.MarshalOptions{})
	require.NoError(b, err)
	return &pulumirpc.AnalyzeRequest{
		Urn: "urn:pulumi:dev::aifactory::aws:iam/role:Role::workspace", Type: "aws:iam/role:Role", Name: "workspace", Properties: st,
		Provider: &pulumirpc.AnalyzerProviderResource{Urn: "urn:pulumi:dev::aifactory::pulumi:providers:aws::aws", Type: "pulumi:providers:aws", Name: "aws", Properties: pst},
	}
}

// decodedPerPolicy analyzes the resource as policyx's own server does:
// properties and provider decoded again for every enabled policy.
func decodedPerPolicy(ctx context.Context, p policyx.PolicyPack, req *pulumirpc.AnalyzeRequest) error {
	opts := plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true, KeepOutputValues: true}
	for _, pol := range p.Policies() {
		v, ok := pol.(policyx.ResourceValidationPolicy)
		if !ok {
			continue
		}
		props, err := plugin.UnmarshalProperties(req.GetProperties(), opts)
		if err != nil {
			return err
		}
		pprops, err := plugin.UnmarshalProperties(req.GetProvider().GetProperties(), opts)
		if err != nil {
			return err
		}
		res := policyx.AnalyzerResource{
			Type: req.GetType(), URN: req.GetUrn(), Name: req.GetName(), Properties: resource.FromResourcePropertyMap(props),
			Provider: policyx.AnalyzerProviderResource{Properties: resource.FromResourcePropertyMap(pprops)},
		}
		if err := v.Validate(ctx, policyx.ResourceValidationArgs{Manager: discard{}, Resource: res}); err != nil {
			return err
		}
	}
	return nil
}

type discard struct{}

func (discard) ReportViolation(string, string) {}

// BenchmarkAnalyzeOneResource is the pack's cost per Analyze call from the
// engine, served by this package, against the same policies with the
// resource decoded once per policy (policyx.Main's way) in the same run:
// "ratio" is this server's time over that baseline's.
func BenchmarkAnalyzeOneResource(b *testing.B) {
	ctx := context.Background()
	srv := configured(b, pack.New, true)
	req := roleRequest(b)
	settings := rules.DefaultSettings()
	settings.Environment = "dev"
	p, err := pack.Build(pack.Options{Defaults: settings, Preview: true})
	require.NoError(b, err)
	var served, baseline time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := srv.Analyze(ctx, req); err != nil {
			b.Fatal(err)
		}
		served += time.Since(start)
		start = time.Now()
		if err := decodedPerPolicy(ctx, p, req); err != nil {
			b.Fatal(err)
		}
		baseline += time.Since(start)
	}
	b.ReportMetric(float64(served.Nanoseconds())/float64(b.N), "ns/analyze")
	b.ReportMetric(float64(baseline.Nanoseconds())/float64(b.N), "ns/analyze-per-policy-decode")
	b.ReportMetric(served.Seconds()/baseline.Seconds(), "ratio")
}
