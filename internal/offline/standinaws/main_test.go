package main

import (
	"context"
	"os"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/structpb"
)

func mustStruct(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(m)
	require.NoError(t, err)
	return s
}

func configured(t *testing.T) *standIn {
	p := &standIn{region: "eu-west-1"}
	_, err := p.Configure(context.Background(), &pulumirpc.ConfigureRequest{Args: mustStruct(t, map[string]any{
		"region":      "eu-central-1",
		"defaultTags": map[string]any{"tags": map[string]any{"team": "platform", "owner": "p@x.io"}},
	})})
	require.NoError(t, err)
	return p
}

func TestCheckMergesDefaultTagsIntoTagsAllLikeTheRealProvider(t *testing.T) {
	p := configured(t)
	res, err := p.Check(context.Background(), &pulumirpc.CheckRequest{
		Type: "aws:s3/bucketV2:BucketV2",
		News: mustStruct(t, map[string]any{"tags": map[string]any{"team": "pricing"}}),
	})
	require.NoError(t, err)
	all := res.Inputs.Fields["tagsAll"].GetStructValue().AsMap()
	assert.Equal(t, map[string]any{"team": "pricing", "owner": "p@x.io"}, all)

	untaggable, err := p.Check(context.Background(), &pulumirpc.CheckRequest{
		Type: "aws:s3/accessPoint:AccessPoint", News: mustStruct(t, map[string]any{"name": "ap"}),
	})
	require.NoError(t, err)
	assert.NotContains(t, untaggable.Inputs.Fields, "tagsAll")

	withoutOwnTags, err := p.Check(context.Background(), &pulumirpc.CheckRequest{
		Type: "aws:sns/topic:Topic", News: mustStruct(t, map[string]any{"name": "alerts"}),
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"team": "platform", "owner": "p@x.io"}, withoutOwnTags.Inputs.Fields["tagsAll"].GetStructValue().AsMap(),
		"a taggable resource without tags of its own still gets the default tags")
}

func TestResourcesWithoutInputsAreHandled(t *testing.T) {
	p := configured(t)
	res, err := p.Check(context.Background(), &pulumirpc.CheckRequest{Type: "aws:s3/bucketV2:BucketV2", News: &structpb.Struct{}})
	require.NoError(t, err)
	assert.Contains(t, res.Inputs.Fields, "tagsAll")
	created, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Type: "aws:s3/bucketV2:BucketV2", Urn: "urn:x", Properties: &structpb.Struct{}})
	require.NoError(t, err)
	assert.NotEmpty(t, created.Id)
}

func TestDiffReportsOnlyRealChanges(t *testing.T) {
	old := mustStruct(t, map[string]any{"cidrBlock": "10.0.0.0/16"})
	same := diff(old, mustStruct(t, map[string]any{"cidrBlock": "10.0.0.0/16"}))
	assert.Equal(t, pulumirpc.DiffResponse_DIFF_NONE, same.Changes)
	changed := diff(old, mustStruct(t, map[string]any{"cidrBlock": "10.1.0.0/16", "tags": map[string]any{}}))
	assert.Equal(t, pulumirpc.DiffResponse_DIFF_SOME, changed.Changes)
	assert.ElementsMatch(t, []string{"cidrBlock", "tags"}, changed.Diffs)
}

func TestCreateIsDeterministicAndFillsComputedOutputs(t *testing.T) {
	p := configured(t)
	req := &pulumirpc.CreateRequest{Type: "aws:kms/key:Key", Name: "keys-data", Urn: "urn:pulumi:dev::aifactory::aws:kms/key:Key::keys-data",
		Properties: mustStruct(t, map[string]any{"enableKeyRotation": true})}
	a, err := p.Create(context.Background(), req)
	require.NoError(t, err)
	b, err := p.Create(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, a.Id, b.Id)
	assert.Equal(t, a.Id, a.Properties.Fields["keyId"].GetStringValue())
	assert.Contains(t, a.Properties.Fields["arn"].GetStringValue(), "arn:aws:kms:eu-central-1:123456789012:")

	preview, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Type: req.Type, Urn: req.Urn, Properties: req.Properties, Preview: true})
	require.NoError(t, err)
	assert.NotContains(t, preview.Properties.Fields, "arn", "computed outputs stay unknown in preview")
}

func TestInvokeAnswersKnownDataSourcesAndNamesUnknownOnes(t *testing.T) {
	p := configured(t)
	res, err := p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: "aws:index/getAvailabilityZones:getAvailabilityZones"})
	require.NoError(t, err)
	assert.Equal(t, []any{"eu-central-1a", "eu-central-1b", "eu-central-1c"}, res.Return.AsMap()["names"])
	_, err = p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: "aws:ec2/getAmi:getAmi"})
	assert.ErrorContains(t, err, "aws:ec2/getAmi:getAmi")
}

func TestReadReportsOnlyTheDriftATestAsksFor(t *testing.T) {
	p := configured(t)
	state := mustStruct(t, map[string]any{"bucket": "b", "bucketKeyEnabled": true, "tags": map[string]any{"team": "x"}})
	urn := "urn:pulumi:dev::aifactory::aifactory:data:Perimeter$aws:s3/bucketV2:BucketV2::data-data"

	res, err := p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: urn, Id: "b", Properties: state})
	require.NoError(t, err)
	assert.Equal(t, state.AsMap(), res.Properties.AsMap(), "no drift file: the stored state is the real state")

	file := t.TempDir() + "/drift.json"
	require.NoError(t, os.WriteFile(file, []byte(`{"data-data": {"bucketKeyEnabled": false, "tags": null}, "other": {"x": 1}}`), 0o600))
	t.Setenv(DriftEnv, file)
	res, err = p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: urn, Id: "b", Properties: state})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"bucket": "b", "bucketKeyEnabled": false}, res.Properties.AsMap())
	assert.Equal(t, true, state.AsMap()["bucketKeyEnabled"], "the request's state is not modified")

	require.NoError(t, os.WriteFile(file, []byte(`not json`), 0o600))
	_, err = p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: urn, Id: "b", Properties: state})
	require.ErrorContains(t, err, DriftEnv)
}

func TestIDsAndARNsProgramsCheckAreShapedLikeAWS(t *testing.T) {
	p := configured(t)
	for typ, prefix := range map[string]string{"aws:ec2/subnet:Subnet": "subnet-", "aws:ec2/securityGroup:SecurityGroup": "sg-"} {
		res, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Type: typ, Urn: "urn:x:" + typ, Properties: &structpb.Struct{}})
		require.NoError(t, err)
		assert.Regexp(t, "^"+prefix+"[0-9a-f]{17}$", res.Id)
	}
	td, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Type: "aws:ecs/taskDefinition:TaskDefinition", Urn: "urn:td",
		Properties: mustStruct(t, map[string]any{"family": "aifactory-dev-optimiser"})})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:ecs:eu-central-1:123456789012:task-definition/aifactory-dev-optimiser:1", td.Properties.Fields["arn"].GetStringValue())
	assert.Equal(t, 1.0, td.Properties.Fields["revision"].GetNumberValue())
	repo, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Type: "aws:ecr/repository:Repository", Urn: "urn:repo",
		Properties: mustStruct(t, map[string]any{"name": "aifactory-dev-cleanup"})})
	require.NoError(t, err)
	assert.Equal(t, "123456789012.dkr.ecr.eu-central-1.amazonaws.com/aifactory-dev-cleanup", repo.Properties.Fields["repositoryUrl"].GetStringValue())
}

func TestSageMakerARNsNameTheResourceInLowerCase(t *testing.T) {
	p := configured(t)
	for typ, tc := range map[string]struct {
		props map[string]any
		want  string
	}{
		"aws:sagemaker/endpoint:Endpoint": {map[string]any{"name": "aifactory-dev-Team-a--churn"},
			"arn:aws:sagemaker:eu-central-1:123456789012:endpoint/aifactory-dev-team-a--churn"},
		"aws:sagemaker/endpointConfiguration:EndpointConfiguration": {map[string]any{"name": "aifactory-dev-team-a--churn-0a1b2c3d"},
			"arn:aws:sagemaker:eu-central-1:123456789012:endpoint-config/aifactory-dev-team-a--churn-0a1b2c3d"},
		"aws:sagemaker/model:Model": {map[string]any{"name": "aifactory-dev-team-a--churn-4e5f6a7b"},
			"arn:aws:sagemaker:eu-central-1:123456789012:model/aifactory-dev-team-a--churn-4e5f6a7b"},
		"aws:sagemaker/modelPackageGroup:ModelPackageGroup": {map[string]any{"modelPackageGroupName": "aifactory-dev-team-a"},
			"arn:aws:sagemaker:eu-central-1:123456789012:model-package-group/aifactory-dev-team-a"},
	} {
		res, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Type: typ, Name: "x", Urn: "urn:pulumi:dev::aifactory::" + typ + "::x",
			Properties: mustStruct(t, tc.props)})
		require.NoError(t, err)
		assert.Equal(t, tc.want, res.Properties.Fields["arn"].GetStringValue(), typ)
	}
	target, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Type: "aws:appautoscaling/target:Target", Name: "t", Urn: "urn:t",
		Properties: mustStruct(t, map[string]any{"serviceNamespace": "sagemaker", "resourceId": "endpoint/e/variant/AllTraffic"})})
	require.NoError(t, err)
	assert.Contains(t, target.Properties.Fields["roleArn"].GetStringValue(), "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint")
}

func TestCreateFailsOnlyForTheResourcesATestNames(t *testing.T) {
	p := configured(t)
	urn := "urn:pulumi:dev::aifactory::aifactory:workspace:Workspace$aws:iam/role:Role::workspace-fraud-signals"
	req := &pulumirpc.CreateRequest{Type: "aws:iam/role:Role", Name: "workspace-fraud-signals", Urn: urn, Properties: &structpb.Struct{}}
	for _, tc := range []struct {
		name, env string
		fails     bool
	}{
		{"unset", "", false},
		{"bare name", "workspace-fraud-signals", true},
		{"type and name", "other, aws:iam/role:Role::workspace-fraud-signals", true},
		{"URN", urn, true},
		{"another resource", "workspace-jackpot-analytics,aws:kms/key:Key::workspace-fraud-signals", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(FailCreateEnv, tc.env)
			_, err := p.Create(context.Background(), req)
			if !tc.fails {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, FailCreateEnv)
			preview, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Type: req.Type, Urn: urn, Properties: req.Properties, Preview: true})
			require.NoError(t, err, "a preview never fails")
			assert.NotNil(t, preview)
		})
	}
}

func TestDiffReplacesOnlyTheResourcesATestNames(t *testing.T) {
	p := configured(t)
	inputs := mustStruct(t, map[string]any{"userProfileName": "jackpot-analytics", "domainId": "d-1"})
	urn := "urn:pulumi:prod::aifactory::aifactory:workspace:Workspace$aws:sagemaker/userProfile:UserProfile::workspace-jackpot-analytics"
	req := &pulumirpc.DiffRequest{Urn: urn, OldInputs: inputs, News: inputs}

	res, err := p.Diff(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, pulumirpc.DiffResponse_DIFF_NONE, res.Changes, "unchanged inputs: no change")

	t.Setenv(ReplaceEnv, "aws:sagemaker/userProfile:UserProfile::workspace-jackpot-analytics")
	res, err = p.Diff(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, pulumirpc.DiffResponse_DIFF_SOME, res.Changes)
	assert.Equal(t, []string{"domainId"}, res.Replaces)

	other := &pulumirpc.DiffRequest{Urn: strings.Replace(urn, "jackpot-analytics", "player-insights", 1), OldInputs: inputs, News: inputs}
	res, err = p.Diff(context.Background(), other)
	require.NoError(t, err)
	assert.Empty(t, res.Replaces, "another resource is left alone")
}
