package analyzer_test

import (
	"context"
	"sync"
	"testing"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/aifactory/platform/facts/versions"
	"github.com/aifactory/platform/policy/analyzer"
	"github.com/aifactory/platform/policy/pack"
)

const bucketURN = "urn:pulumi:dev::aifactory::aws:s3/bucketV2:BucketV2::data"

// seen records what the test policies were called with.
type seen struct {
	mu        sync.Mutex
	resources map[string][]policyx.ResourceValidationArgs
	stacks    map[string][]policyx.StackValidationArgs
	ctx       *pulumi.Context
}

func (s *seen) resource(name string, args policyx.ResourceValidationArgs) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resources[name] = append(s.resources[name], args)
}

func (s *seen) stack(name string, args policyx.StackValidationArgs) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stacks[name] = append(s.stacks[name], args)
}

// testPack has resource policies that report nothing, one violation on the
// analyzed resource and one on another URN, and a stack policy that reports
// on the first resource it is given.
func testPack(s *seen, extra ...policyx.Policy) analyzer.Factory {
	return func(ctx *pulumi.Context) (policyx.PolicyPack, error) {
		s.ctx = ctx
		policies := []policyx.Policy{
			policyx.NewResourceValidationPolicy("quiet", policyx.ResourceValidationPolicyArgs{
				Description: "Reports nothing.", EnforcementLevel: policyx.EnforcementLevelMandatory,
				ValidateResource: func(_ context.Context, a policyx.ResourceValidationArgs) error { s.resource("quiet", a); return nil },
			}),
			policyx.NewResourceValidationPolicy("loud", policyx.ResourceValidationPolicyArgs{
				Description: "Reports every resource.", EnforcementLevel: policyx.EnforcementLevelMandatory,
				ConfigSchema: &policyx.ConfigSchema{Properties: map[string]map[string]any{"limit": {"type": "number"}}},
				ValidateResource: func(_ context.Context, a policyx.ResourceValidationArgs) error {
					s.resource("loud", a)
					a.Manager.ReportViolation("set encryption on "+a.Resource.Name, "")
					return nil
				},
			}),
			policyx.NewResourceValidationPolicy("elsewhere", policyx.ResourceValidationPolicyArgs{
				Description: "Reports on another resource.", EnforcementLevel: policyx.EnforcementLevelAdvisory,
				ValidateResource: func(_ context.Context, a policyx.ResourceValidationArgs) error {
					s.resource("elsewhere", a)
					a.Manager.ReportViolation("", "urn:other")
					return nil
				},
			}),
			policyx.NewStackValidationPolicy("stack", policyx.StackValidationPolicyArgs{
				Description: "Reports the first resource.", EnforcementLevel: policyx.EnforcementLevelMandatory,
				ValidateStack: func(_ context.Context, a policyx.StackValidationArgs) error {
					s.stack("stack", a)
					if len(a.Resources) > 0 {
						a.Manager.ReportViolation("first", a.Resources[0].URN)
					}
					return nil
				},
			}),
		}
		return policyx.NewPolicyPack("test-pack", semver.MustParse("1.2.3"), policyx.EnforcementLevelMandatory, append(policies, extra...))
	}
}

// configured returns a server that has had the engine's start-up calls.
func configured(t testing.TB, factory analyzer.Factory, dryRun bool) *analyzer.Server {
	t.Helper()
	ctx := context.Background()
	srv := analyzer.NewServer(factory)
	dir := t.TempDir()
	_, err := srv.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{EngineAddress: "127.0.0.1:1", RootDirectory: &dir})
	require.NoError(t, err)
	_, err = srv.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{
		Stack: "dev", Project: "aifactory", Organization: "org", DryRun: dryRun,
		Config: map[string]string{"aifactory:environment": "dev"}, Tags: map[string]string{"owner": "platform"},
	})
	require.NoError(t, err)
	return srv
}

func configure(t *testing.T, srv *analyzer.Server, config map[string]*pulumirpc.PolicyConfig) {
	t.Helper()
	_, err := srv.Configure(context.Background(), &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: config})
	require.NoError(t, err)
}

func policyConfig(t *testing.T, level pulumirpc.EnforcementLevel, props map[string]any) *pulumirpc.PolicyConfig {
	t.Helper()
	st, err := structpb.NewStruct(props)
	require.NoError(t, err)
	return &pulumirpc.PolicyConfig{EnforcementLevel: level, Properties: st}
}

func marshal(t *testing.T, props resource.PropertyMap) *structpb.Struct {
	t.Helper()
	st, err := plugin.MarshalProperties(props, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	require.NoError(t, err)
	return st
}

func bucketRequest(t *testing.T) *pulumirpc.AnalyzeRequest {
	return &pulumirpc.AnalyzeRequest{
		Urn: bucketURN, Type: "aws:s3/bucketV2:BucketV2", Name: "data",
		Properties: marshal(t, resource.PropertyMap{
			"bucket": resource.NewProperty("aifactory-dev-data"),
			"tags":   resource.NewProperty(resource.PropertyMap{"team": resource.NewProperty("platform")}),
			"policy": resource.MakeSecret(resource.NewProperty("{\"Statement\":[]}")),
			"arn":    resource.MakeComputed(resource.NewProperty("")),
		}),
		Options: &pulumirpc.AnalyzerResourceOptions{Protect: true, Parent: "urn:parent", DeleteBeforeReplaceDefined: true, DeleteBeforeReplace: true},
		Provider: &pulumirpc.AnalyzerProviderResource{
			Urn: "urn:pulumi:dev::aifactory::pulumi:providers:aws::aws", Type: "pulumi:providers:aws", Name: "aws",
			Properties: marshal(t, resource.PropertyMap{"region": resource.NewProperty("eu-west-1")}),
		},
	}
}

// undecodable is a bucket whose properties hold an object with an unknown
// signature, which cannot be decoded.
func undecodable(t *testing.T) *pulumirpc.AnalyzeRequest {
	req := bucketRequest(t)
	req.Properties = &structpb.Struct{Fields: map[string]*structpb.Value{
		"policy": structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{
			resource.SigKey: structpb.NewStringValue("not-a-signature"),
		}}),
	}}
	return req
}

func TestAnalyzeReportsViolationsAsPolicyxDoes(t *testing.T) {
	s := &seen{resources: map[string][]policyx.ResourceValidationArgs{}, stacks: map[string][]policyx.StackValidationArgs{}}
	srv := configured(t, testPack(s), true)
	res, err := srv.Analyze(context.Background(), bucketRequest(t))
	require.NoError(t, err)
	require.Len(t, res.GetDiagnostics(), 2)

	loud := res.GetDiagnostics()[0]
	assert.Equal(t, "loud", loud.GetPolicyName())
	assert.Equal(t, "test-pack", loud.GetPolicyPackName())
	assert.Equal(t, "1.2.3", loud.GetPolicyPackVersion())
	assert.Equal(t, "Reports every resource.", loud.GetDescription())
	assert.Equal(t, "Reports every resource.\nset encryption on data", loud.GetMessage(), "the message follows the description")
	assert.Equal(t, pulumirpc.EnforcementLevel_MANDATORY, loud.GetEnforcementLevel())
	assert.Equal(t, bucketURN, loud.GetUrn(), "an empty URN means the analyzed resource")

	elsewhere := res.GetDiagnostics()[1]
	assert.Equal(t, "Reports on another resource.", elsewhere.GetMessage(), "no message, only the description")
	assert.Equal(t, pulumirpc.EnforcementLevel_ADVISORY, elsewhere.GetEnforcementLevel())
	assert.Equal(t, "urn:other", elsewhere.GetUrn())
}

func TestEveryPolicySeesTheDecodedResource(t *testing.T) {
	s := &seen{resources: map[string][]policyx.ResourceValidationArgs{}, stacks: map[string][]policyx.StackValidationArgs{}}
	srv := configured(t, testPack(s), true)
	configure(t, srv, map[string]*pulumirpc.PolicyConfig{
		"loud": policyConfig(t, pulumirpc.EnforcementLevel_MANDATORY, map[string]any{"limit": 7}),
	})
	_, err := srv.Analyze(context.Background(), bucketRequest(t))
	require.NoError(t, err)

	for _, name := range []string{"quiet", "loud", "elsewhere"} {
		require.Len(t, s.resources[name], 1, name)
		a := s.resources[name][0]
		r := a.Resource
		assert.Equal(t, "aws:s3/bucketV2:BucketV2", r.Type, name)
		assert.Equal(t, bucketURN, r.URN, name)
		assert.Equal(t, "data", r.Name, name)
		assert.Equal(t, "aifactory-dev-data", r.Properties.Get("bucket").AsString(), name)
		assert.Equal(t, "platform", r.Properties.Get("tags").AsMap().Get("team").AsString(), name)
		assert.True(t, r.Properties.Get("policy").Secret(), "%s: secrets reach policies marked secret", name)
		assert.True(t, r.Properties.Get("arn").IsComputed(), "%s: unknowns reach policies as unknown", name)
		assert.True(t, r.Options.Protect, name)
		assert.True(t, r.Options.DeleteBeforeReplace, name)
		assert.Equal(t, "urn:parent", r.Parent, name)
		assert.Equal(t, "eu-west-1", r.Provider.Properties.Get("region").AsString(), name)
		assert.Equal(t, "pulumi:providers:aws", r.Provider.Type, name)
		assert.True(t, a.DryRun, name)
		assert.Equal(t, map[string]string{"owner": "platform"}, a.StackTags, name)
	}
	assert.Equal(t, map[string]any{"limit": 7.0}, s.resources["loud"][0].Config, "config reaches its policy as JSON numbers")
	assert.Nil(t, s.resources["quiet"][0].Config)
}

func TestConfigSetsEnforcementLevels(t *testing.T) {
	s := &seen{resources: map[string][]policyx.ResourceValidationArgs{}, stacks: map[string][]policyx.StackValidationArgs{}}
	srv := configured(t, testPack(s), true)
	configure(t, srv, map[string]*pulumirpc.PolicyConfig{
		"loud":      policyConfig(t, pulumirpc.EnforcementLevel_ADVISORY, nil),
		"elsewhere": policyConfig(t, pulumirpc.EnforcementLevel_DISABLED, nil),
	})
	res, err := srv.Analyze(context.Background(), bucketRequest(t))
	require.NoError(t, err)
	require.Len(t, res.GetDiagnostics(), 1)
	assert.Equal(t, "loud", res.GetDiagnostics()[0].GetPolicyName())
	assert.Equal(t, pulumirpc.EnforcementLevel_ADVISORY, res.GetDiagnostics()[0].GetEnforcementLevel())
	assert.Empty(t, s.resources["elsewhere"], "a disabled policy is not run")
}

func TestAResourceIsDecodedOnlyWhenAPolicyLooksAtIt(t *testing.T) {
	s := &seen{resources: map[string][]policyx.ResourceValidationArgs{}, stacks: map[string][]policyx.StackValidationArgs{}}
	srv := configured(t, testPack(s), true)
	broken := undecodable(t)
	_, err := srv.Analyze(context.Background(), broken)
	require.Error(t, err)
	assert.Contains(t, err.Error(), bucketURN, "the error names the resource")

	configure(t, srv, map[string]*pulumirpc.PolicyConfig{
		"quiet":     policyConfig(t, pulumirpc.EnforcementLevel_DISABLED, nil),
		"loud":      policyConfig(t, pulumirpc.EnforcementLevel_DISABLED, nil),
		"elsewhere": policyConfig(t, pulumirpc.EnforcementLevel_DISABLED, nil),
	})
	res, err := srv.Analyze(context.Background(), broken)
	require.NoError(t, err, "with every resource policy disabled nothing is decoded")
	assert.Empty(t, res.GetDiagnostics())
}

func TestAnalyzeStackGivesPoliciesTheWholeStack(t *testing.T) {
	s := &seen{resources: map[string][]policyx.ResourceValidationArgs{}, stacks: map[string][]policyx.StackValidationArgs{}}
	srv := configured(t, testPack(s), false)
	block := "urn:pulumi:dev::aifactory::aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::data"
	req := &pulumirpc.AnalyzeStackRequest{Resources: []*pulumirpc.AnalyzerResource{
		{Urn: bucketURN, Type: "aws:s3/bucketV2:BucketV2", Name: "data", Parent: "urn:parent",
			Properties: marshal(t, resource.PropertyMap{"bucket": resource.NewProperty("aifactory-dev-data")})},
		{Urn: block, Type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", Name: "data",
			Properties:   marshal(t, resource.PropertyMap{"bucket": resource.MakeComputed(resource.NewProperty(""))}),
			Dependencies: []string{bucketURN},
			PropertyDependencies: map[string]*pulumirpc.AnalyzerPropertyDependencies{
				"bucket": {Urns: []string{bucketURN}}, "restrictPublicBuckets": {},
			}},
	}}
	res, err := srv.AnalyzeStack(context.Background(), req)
	require.NoError(t, err)
	require.Len(t, res.GetDiagnostics(), 1)
	d := res.GetDiagnostics()[0]
	assert.Equal(t, "stack", d.GetPolicyName())
	assert.Equal(t, bucketURN, d.GetUrn())
	assert.Equal(t, "Reports the first resource.\nfirst", d.GetMessage())

	require.Len(t, s.stacks["stack"], 1)
	rs := s.stacks["stack"][0].Resources
	require.Len(t, rs, 2)
	assert.Equal(t, "urn:parent", rs[0].Parent)
	assert.Equal(t, []string{bucketURN}, rs[1].Dependencies)
	assert.Equal(t, map[string][]string{"bucket": {bucketURN}}, rs[1].PropertyDependencies, "properties without dependencies are left out")
	assert.True(t, rs[1].Properties.Get("bucket").IsComputed())
	assert.Empty(t, s.resources, "resource policies do not run on the stack")

	configure(t, srv, map[string]*pulumirpc.PolicyConfig{"stack": policyConfig(t, pulumirpc.EnforcementLevel_DISABLED, nil)})
	res, err = srv.AnalyzeStack(context.Background(), req)
	require.NoError(t, err)
	assert.Empty(t, res.GetDiagnostics(), "the same stack passes with the policy disabled")
	assert.Len(t, s.stacks["stack"], 1, "a disabled stack policy is not run")
}

func TestInfoDescribesThePack(t *testing.T) {
	s := &seen{resources: map[string][]policyx.ResourceValidationArgs{}, stacks: map[string][]policyx.StackValidationArgs{}}
	srv := configured(t, testPack(s), true)
	info, err := srv.GetAnalyzerInfo(context.Background(), &emptypb.Empty{})
	require.NoError(t, err)
	assert.Equal(t, "test-pack", info.GetName())
	assert.Equal(t, "1.2.3", info.GetVersion())
	assert.True(t, info.GetSupportsConfig())
	require.Len(t, info.GetPolicies(), 4)
	loud := info.GetPolicies()[1]
	assert.Equal(t, "loud", loud.GetName())
	assert.Equal(t, pulumirpc.EnforcementLevel_MANDATORY, loud.GetEnforcementLevel())
	assert.Equal(t, "number", loud.GetConfigSchema().GetProperties().AsMap()["limit"].(map[string]any)["type"])
	assert.Nil(t, info.GetPolicies()[0].GetConfigSchema())

	plugin, err := srv.GetPluginInfo(context.Background(), &emptypb.Empty{})
	require.NoError(t, err)
	assert.Equal(t, "1.2.3", plugin.GetVersion())

	assert.Equal(t, "dev", s.ctx.Stack(), "the pack is built for the engine's stack")
	env, _ := s.ctx.GetConfig("aifactory:environment")
	assert.Equal(t, "dev", env)
	assert.True(t, s.ctx.DryRun())
}

func TestRemediationIsNotServed(t *testing.T) {
	s := &seen{resources: map[string][]policyx.ResourceValidationArgs{}, stacks: map[string][]policyx.StackValidationArgs{}}
	srv := configured(t, testPack(s), true)
	res, err := srv.Remediate(context.Background(), undecodable(t))
	require.NoError(t, err, "the engine's remediation pass, run for every resource, must not decode it")
	assert.Empty(t, res.GetRemediations())

	fix := policyx.NewResourceRemediationPolicy("fix-tags", policyx.ResourceRemediationPolicyArgs{
		Description: "Adds tags.",
		RemediateResource: func(context.Context, policyx.ResourceRemediationArgs) (*property.Map, error) {
			return nil, nil
		},
	})
	srv = analyzer.NewServer(testPack(s, fix))
	dir := t.TempDir()
	_, err = srv.Handshake(context.Background(), &pulumirpc.AnalyzerHandshakeRequest{RootDirectory: &dir})
	require.NoError(t, err)
	_, err = srv.ConfigureStack(context.Background(), &pulumirpc.AnalyzerStackConfigureRequest{Stack: "dev", Project: "aifactory"})
	require.Error(t, err, "a remediation policy must not be silently skipped")
	assert.Contains(t, err.Error(), `"fix-tags"`)
	assert.Contains(t, err.Error(), "policyx.Main")
}

func TestCallsOutOfOrderFailClearly(t *testing.T) {
	s := &seen{resources: map[string][]policyx.ResourceValidationArgs{}, stacks: map[string][]policyx.StackValidationArgs{}}
	srv := analyzer.NewServer(testPack(s))
	ctx := context.Background()
	_, err := srv.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{Stack: "dev"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "handshake")

	_, err = srv.Analyze(ctx, bucketRequest(t))
	assert.Equal(t, codes.FailedPrecondition, status.Code(err))
	_, err = srv.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{})
	assert.Equal(t, codes.FailedPrecondition, status.Code(err))
	_, err = srv.Remediate(ctx, bucketRequest(t))
	assert.Equal(t, codes.FailedPrecondition, status.Code(err))

	// Describing the pack needs no stack (pulumi policy publish asks for it).
	info, err := srv.GetAnalyzerInfo(ctx, &emptypb.Empty{})
	require.NoError(t, err)
	assert.Equal(t, "test-pack", info.GetName())
	assert.Len(t, info.GetPolicies(), 4)
	plugin, err := srv.GetPluginInfo(ctx, &emptypb.Empty{})
	require.NoError(t, err)
	assert.Equal(t, "1.2.3", plugin.GetVersion())
}

// TestServesThePlatformPack runs the real pack through the server: an
// untagged bucket fails the mandatory tag control with a message that names
// the missing tags and never shows the bucket policy, which is secret.
func TestServesThePlatformPack(t *testing.T) {
	srv := configured(t, pack.New, true)
	res, err := srv.Analyze(context.Background(), bucketRequest(t))
	require.NoError(t, err)
	var tags *pulumirpc.AnalyzeDiagnostic
	for _, d := range res.GetDiagnostics() {
		assert.Equal(t, pack.Name, d.GetPolicyPackName())
		assert.NotContains(t, d.GetMessage(), "Statement", "a secret value never appears in a message")
		if d.GetPolicyName() == "required-tags" {
			tags = d
		}
	}
	require.NotNil(t, tags, "the untagged bucket must fail required-tags")
	assert.Equal(t, pulumirpc.EnforcementLevel_MANDATORY, tags.GetEnforcementLevel())
	assert.Equal(t, bucketURN, tags.GetUrn())
	assert.Contains(t, tags.GetMessage(), "cost-center")
}

func TestResourceOptionsReachPolicies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		options *pulumirpc.AnalyzerResourceOptions
		want    pulumi.ResourceOptions
	}{
		{"none", nil, pulumi.ResourceOptions{}},
		{"protect and ignore changes", &pulumirpc.AnalyzerResourceOptions{Protect: true, IgnoreChanges: []string{"tags"}},
			pulumi.ResourceOptions{Protect: true, IgnoreChanges: []string{"tags"}}},
		{"delete before replace only when defined", &pulumirpc.AnalyzerResourceOptions{DeleteBeforeReplace: true},
			pulumi.ResourceOptions{}},
		{"delete before replace", &pulumirpc.AnalyzerResourceOptions{DeleteBeforeReplace: true, DeleteBeforeReplaceDefined: true},
			pulumi.ResourceOptions{DeleteBeforeReplace: true}},
		{"aliases and secret outputs", &pulumirpc.AnalyzerResourceOptions{Aliases: []string{"urn:old"}, AdditionalSecretOutputs: []string{"password"}},
			pulumi.ResourceOptions{Aliases: []pulumi.Alias{{URN: pulumi.URN("urn:old")}}, AdditionalSecretOutputs: []string{"password"}}},
		{"custom timeouts", &pulumirpc.AnalyzerResourceOptions{CustomTimeouts: &pulumirpc.AnalyzerResourceOptions_CustomTimeouts{Create: 90, Delete: 0.5}},
			pulumi.ResourceOptions{CustomTimeouts: &pulumi.CustomTimeouts{Create: "1m30s", Delete: "500ms"}}},
		{"zero timeouts are none", &pulumirpc.AnalyzerResourceOptions{CustomTimeouts: &pulumirpc.AnalyzerResourceOptions_CustomTimeouts{}},
			pulumi.ResourceOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &seen{resources: map[string][]policyx.ResourceValidationArgs{}, stacks: map[string][]policyx.StackValidationArgs{}}
			srv := configured(t, testPack(s), true)
			req := bucketRequest(t)
			req.Options = tc.options
			req.Provider = nil
			_, err := srv.Analyze(context.Background(), req)
			require.NoError(t, err)
			for _, name := range []string{"quiet", "loud"} {
				got := s.resources[name][0].Resource
				assert.Equal(t, tc.want, got.Options, name)
				assert.Equal(t, policyx.AnalyzerProviderResource{}, got.Provider, "no provider, none decoded")
			}
		})
	}
}

func TestReferencesAndOutputValuesKeepTheirShape(t *testing.T) {
	s := &seen{resources: map[string][]policyx.ResourceValidationArgs{}, stacks: map[string][]policyx.StackValidationArgs{}}
	srv := configured(t, testPack(s), true)
	keyURN := resource.URN("urn:pulumi:dev::aifactory::aws:kms/key:Key::data")
	req := bucketRequest(t)
	st, err := plugin.MarshalProperties(resource.PropertyMap{
		"key": resource.MakeCustomResourceReference(keyURN, "key-1", versions.AWSProvider),
		"kmsKeyId": resource.NewProperty(resource.Output{
			Element: resource.NewProperty("arn:aws:kms:eu-west-1:123456789012:key/1"), Known: true, Secret: true,
			Dependencies: []resource.URN{keyURN},
		}),
	}, plugin.MarshalOptions{KeepResources: true, KeepOutputValues: true, KeepSecrets: true, KeepUnknowns: true})
	require.NoError(t, err)
	req.Properties = st
	_, err = srv.Analyze(context.Background(), req)
	require.NoError(t, err)

	props := s.resources["quiet"][0].Resource.Properties
	require.True(t, props.Get("key").IsResourceReference(), "a resource reference stays one")
	assert.Equal(t, keyURN, props.Get("key").AsResourceReference().URN)
	kms := props.Get("kmsKeyId")
	assert.True(t, kms.Secret(), "an output value's secrecy is kept")
	assert.Equal(t, []resource.URN{keyURN}, kms.Dependencies(), "an output value's dependencies are kept")
	assert.Equal(t, "arn:aws:kms:eu-west-1:123456789012:key/1", kms.AsString())
}

func TestAPolicyDisabledByDefaultDoesNotRun(t *testing.T) {
	s := &seen{resources: map[string][]policyx.ResourceValidationArgs{}, stacks: map[string][]policyx.StackValidationArgs{}}
	off := policyx.NewResourceValidationPolicy("off", policyx.ResourceValidationPolicyArgs{
		Description: "Off unless configured.", EnforcementLevel: policyx.EnforcementLevelDisabled,
		ValidateResource: func(_ context.Context, a policyx.ResourceValidationArgs) error {
			s.resource("off", a)
			a.Manager.ReportViolation("ran", "")
			return nil
		},
	})
	srv := configured(t, testPack(s, off), true)
	res, err := srv.Analyze(context.Background(), bucketRequest(t))
	require.NoError(t, err)
	assert.Empty(t, s.resources["off"])
	assert.Len(t, res.GetDiagnostics(), 2, "only loud and elsewhere report")

	configure(t, srv, map[string]*pulumirpc.PolicyConfig{"off": policyConfig(t, pulumirpc.EnforcementLevel_MANDATORY, nil)})
	res, err = srv.Analyze(context.Background(), bucketRequest(t))
	require.NoError(t, err)
	assert.Len(t, s.resources["off"], 1, "config turns it on")
	assert.Len(t, res.GetDiagnostics(), 3)
}
