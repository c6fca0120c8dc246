// Command standinaws is a stand-in for the pulumi-aws resource provider
// plugin (pulumi-resource-aws at the version go.mod pins). It is a test double: it never calls
// AWS, and it exists so that the real Pulumi engine, the policy pack and the
// stacks can be exercised end to end on a machine without AWS credentials
// (engine-level tests and the offline preview).
//
// What it does, and what it deliberately does not:
//   - Check echoes the inputs and, like the real provider, merges the
//     provider's defaultTags into tagsAll for every taggable type (the list
//     of untaggable types is generated from the pinned pulumi-aws schema).
//   - Diff compares old and new inputs; equal inputs mean no change.
//   - Create returns a deterministic id and the inputs as outputs, plus the
//     few computed outputs the platform reads (arn, id-like fields), filled
//     with recognisably fake values (account 123456789012).
//   - Update, Read and Delete keep or drop that state; Invoke answers the
//     data sources the program calls with fixed, plausible values.
//   - Read reports a changed real state only when a test asks for it: the
//     file named by $AIFACTORY_STANDIN_DRIFT (see DriftEnv) maps resources
//     (a URN, its "<type>::<name>" ending or a bare name) to the properties
//     that "changed in the console", and
//     Read returns the stored state with those properties replaced (a JSON
//     null removes one). That is how drift detection is tested offline.
//   - Create fails only when a test asks for it: $AIFACTORY_STANDIN_FAIL_CREATE
//     (see FailCreateEnv) lists resources (comma-separated, keyed like the
//     drift file) whose create fails during an update, never in a preview.
//     That is how a failed apply is tested offline.
//   - Diff reports a replacement only when a test asks for it:
//     $AIFACTORY_STANDIN_REPLACE (see ReplaceEnv) lists resources, keyed the
//     same way, that Diff says must be replaced, as the real provider does
//     when a property that cannot change in place changed. That is how a
//     promotion that would replace a stateful resource is tested offline.
//   - It validates nothing AWS would validate. A green run proves the
//     program's wiring and policies, never that AWS would accept the plan.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/aifactory/platform/facts/awstypes"
	"github.com/aifactory/platform/facts/versions"
)

// AccountID is the fake account every ARN and identity uses.
const AccountID = "123456789012"

func main() {
	if err := provider.Main("aws", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &standIn{region: "eu-west-1"}, nil
	}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type standIn struct {
	pulumirpc.UnimplementedResourceProviderServer

	mu          sync.Mutex
	region      string
	defaultTags map[string]*structpb.Value
}

func (p *standIn) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: versions.AWSProvider}, nil
}

func (p *standIn) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (p *standIn) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":"aws","version":%q}`, versions.AWSProvider)}, nil
}

func (p *standIn) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *standIn) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return diff(req.GetOldInputs(), req.GetNews()), nil
}

func (p *standIn) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	args := req.GetArgs().GetFields()
	if r := args["region"].GetStringValue(); r != "" {
		p.region = r
	}
	// Older engines send config only as flat variables.
	if r := req.GetVariables()["aws:config:region"]; r != "" && args == nil {
		p.region = r
	}
	p.defaultTags = nil
	if dt := args["defaultTags"].GetStructValue(); dt != nil {
		p.defaultTags = dt.GetFields()["tags"].GetStructValue().GetFields()
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (p *standIn) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	inputs := nonNil(proto.Clone(nonNil(req.GetNews())).(*structpb.Struct))
	tags, hasTags := inputs.Fields["tags"]
	if hasTags || !awstypes.IsUntaggable(req.GetType()) {
		// Like the real provider: every taggable resource gets tagsAll,
		// with or without tags of its own.
		inputs.Fields["tagsAll"] = p.tagsAll(tags)
	}
	return &pulumirpc.CheckResponse{Inputs: inputs}, nil
}

// tagsAll mirrors the real provider: default tags, overridden by the
// resource's own. An unknown tags value leaves tagsAll unknown.
func (p *standIn) tagsAll(tags *structpb.Value) *structpb.Value {
	own := tags.GetStructValue()
	if own == nil && tags.GetStringValue() != "" {
		// An unknown tags value leaves tagsAll unknown too.
		return tags
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	all := map[string]*structpb.Value{}
	for k, v := range p.defaultTags {
		all[k] = v
	}
	for k, v := range own.GetFields() {
		all[k] = v
	}
	return structpb.NewStructValue(&structpb.Struct{Fields: all})
}

func (p *standIn) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if listed(ReplaceEnv, req.GetUrn()) {
		keys := slices.Sorted(maps.Keys(nonNil(req.GetNews()).GetFields()))
		if len(keys) == 0 {
			keys = []string{"id"}
		}
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Replaces: keys[:1], Diffs: keys[:1]}, nil
	}
	return diff(req.GetOldInputs(), req.GetNews()), nil
}

// ReplaceEnv lists the resources (URNs, "<type>::<name>" endings of them or
// bare names, comma-separated) that Diff says must be replaced.
const ReplaceEnv = "AIFACTORY_STANDIN_REPLACE"

func diff(olds, news *structpb.Struct) *pulumirpc.DiffResponse {
	var changed []string
	for k, v := range nonNil(news).GetFields() {
		if !proto.Equal(v, nonNil(olds).GetFields()[k]) {
			changed = append(changed, k)
		}
	}
	for k := range nonNil(olds).GetFields() {
		if _, ok := nonNil(news).GetFields()[k]; !ok {
			changed = append(changed, k)
		}
	}
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed}
}

func (p *standIn) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	props := nonNil(proto.Clone(nonNil(req.GetProperties())).(*structpb.Struct))
	if req.GetPreview() {
		return &pulumirpc.CreateResponse{Properties: props}, nil
	}
	if failCreate(req.GetUrn()) {
		return nil, fmt.Errorf("creating %s failed: %s names it (stand-in provider)", req.GetUrn(), FailCreateEnv)
	}
	id := fakeID(req.GetType(), req.GetUrn())
	p.computed(req.GetType(), req.GetName(), id, props)
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (p *standIn) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	props := nonNil(proto.Clone(nonNil(req.GetNews())).(*structpb.Struct))
	if !req.GetPreview() {
		p.computed(req.GetType(), req.GetName(), req.GetId(), props)
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (p *standIn) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	props, err := drifted(req.GetUrn(), req.GetProperties())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: props, Inputs: req.GetInputs()}, nil
}

// FailCreateEnv lists the resources (URNs, "<type>::<name>" endings of
// them or bare names, comma-separated) whose create fails during an update.
const FailCreateEnv = "AIFACTORY_STANDIN_FAIL_CREATE"

func failCreate(urn string) bool { return listed(FailCreateEnv, urn) }

// listed reports whether the comma-separated list in the variable env names urn.
func listed(env, urn string) bool {
	for _, key := range strings.Split(os.Getenv(env), ",") {
		if key = strings.TrimSpace(key); key != "" && names(key, urn) {
			return true
		}
	}
	return false
}

// names reports whether key names the resource urn: the URN itself, a
// "<type>::<name>" ending of it, or its bare name.
func names(key, urn string) bool {
	return key == urn || (strings.Contains(key, "::") && strings.HasSuffix(urn, key)) || key == urn[strings.LastIndex(urn, "::")+2:]
}

// DriftEnv names the file of simulated real-state changes Read applies.
const DriftEnv = "AIFACTORY_STANDIN_DRIFT"

// drifted returns props with the changes the drift file lists for the
// resource (by URN or by name), or props unchanged.
func drifted(urn string, props *structpb.Struct) (*structpb.Struct, error) {
	path := os.Getenv(DriftEnv)
	if path == "" {
		return props, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", DriftEnv, err)
	}
	var changes map[string]map[string]any
	if err := json.Unmarshal(b, &changes); err != nil {
		return nil, fmt.Errorf("%s %s: want {\"<URN, type::name or name>\": {\"<property>\": <value>}}: %w", DriftEnv, path, err)
	}
	var change map[string]any
	for key, c := range changes {
		if names(key, urn) {
			change = c
			break
		}
	}
	if change == nil {
		return props, nil
	}
	out := proto.Clone(nonNil(props)).(*structpb.Struct)
	for k, v := range change {
		if v == nil {
			delete(out.Fields, k)
			continue
		}
		pv, err := structpb.NewValue(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %s.%s: %w", DriftEnv, urn, k, err)
		}
		out.Fields[k] = pv
	}
	return out, nil
}

func (p *standIn) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *standIn) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *standIn) GetMapping(context.Context, *pulumirpc.GetMappingRequest) (*pulumirpc.GetMappingResponse, error) {
	return &pulumirpc.GetMappingResponse{}, nil
}

func (p *standIn) GetMappings(context.Context, *pulumirpc.GetMappingsRequest) (*pulumirpc.GetMappingsResponse, error) {
	return &pulumirpc.GetMappingsResponse{}, nil
}

func (p *standIn) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	p.mu.Lock()
	region := p.region
	p.mu.Unlock()
	var out map[string]any
	switch req.GetTok() {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		out = map[string]any{
			"id": AccountID, "accountId": AccountID, "userId": "AIDASTANDIN",
			"arn": fmt.Sprintf("arn:aws:iam::%s:role/standin", AccountID),
		}
	case "aws:index/getPartition:getPartition":
		out = map[string]any{"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}
	case "aws:index/getRegion:getRegion":
		out = map[string]any{"id": region, "name": region, "region": region, "endpoint": "ec2." + region + ".amazonaws.com",
			"description": "stand-in region"}
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		names := []any{region + "a", region + "b", region + "c"}
		out = map[string]any{"id": region, "names": names, "zoneIds": []any{"euw1-az1", "euw1-az2", "euw1-az3"},
			"groupNames": []any{region}}
	default:
		return nil, fmt.Errorf("the stand-in AWS provider does not implement %s; add it to internal/offline/standinaws", req.GetTok())
	}
	s, err := structpb.NewStruct(out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: s}, nil
}

// computed fills the outputs AWS would compute that the platform reads.
func (p *standIn) computed(typ, name, id string, props *structpb.Struct) {
	p.mu.Lock()
	region := p.region
	p.mu.Unlock()
	set := func(k, v string) {
		if _, ok := props.Fields[k]; !ok {
			props.Fields[k] = structpb.NewStringValue(v)
		}
	}
	service, resource := arnParts(typ)
	arnRegion := region
	if globalServices[service] {
		arnRegion = ""
	}
	set("arn", fmt.Sprintf("arn:aws:%s:%s:%s:%s/%s", service, arnRegion, AccountID, resource, id))
	set("name", name+"-"+id[len(id)-7:])
	switch typ {
	case "aws:s3/bucketV2:BucketV2":
		bucket := props.Fields["bucket"].GetStringValue()
		if bucket == "" {
			bucket = id
		}
		props.Fields["arn"] = structpb.NewStringValue("arn:aws:s3:::" + bucket)
		set("bucket", bucket)
	case "aws:sagemaker/domain:Domain":
		set("url", fmt.Sprintf("https://%s.studio.%s.sagemaker.aws", id, region))
	case "aws:s3/accessPoint:AccessPoint":
		apName := props.Fields["name"].GetStringValue()
		props.Fields["arn"] = structpb.NewStringValue(fmt.Sprintf("arn:aws:s3:%s:%s:accesspoint/%s", region, AccountID, apName))
		set("alias", apName+"-"+id[len(id)-8:]+"-s3alias")
	case "aws:kms/key:Key":
		set("keyId", id)
	case "aws:ec2/vpcEndpoint:VpcEndpoint":
		set("prefixListId", "pl-"+id[len(id)-8:])
	case "aws:iam/role:Role":
		set("uniqueId", "AROA"+strings.ToUpper(id[len(id)-12:]))
	case "aws:secretsmanager/secret:Secret":
		// Secrets Manager appends six random characters to the name.
		secret := props.Fields["name"].GetStringValue()
		props.Fields["arn"] = structpb.NewStringValue(fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", region, AccountID, secret, id[len(id)-6:]))
	case "aws:sagemaker/endpoint:Endpoint", "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
		"aws:sagemaker/model:Model", "aws:sagemaker/modelPackageGroup:ModelPackageGroup":
		// SageMaker ARNs name the resource, in lower case:
		// endpoint/<name>, endpoint-config/<name>, model/<name>,
		// model-package-group/<name>.
		kind, key := sagemakerARNs[typ][0], sagemakerARNs[typ][1]
		resourceName := props.Fields[key].GetStringValue()
		if resourceName == "" {
			resourceName = props.Fields["name"].GetStringValue()
		}
		props.Fields["arn"] = structpb.NewStringValue(fmt.Sprintf("arn:aws:sagemaker:%s:%s:%s/%s", region, AccountID, kind, strings.ToLower(resourceName)))
	case "aws:appautoscaling/target:Target":
		// Application Auto Scaling registers SageMaker variants with its
		// service-linked role.
		if props.Fields["serviceNamespace"].GetStringValue() == "sagemaker" {
			set("roleArn", fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint", AccountID))
		}
	case "aws:ecr/repository:Repository":
		// Where images are pushed and tasks pull from.
		repo := props.Fields["name"].GetStringValue()
		set("registryId", AccountID)
		set("repositoryUrl", fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", AccountID, region, repo))
	case "aws:ecs/taskDefinition:TaskDefinition":
		// Task definitions are addressed by family and revision; the first
		// registration of a family is revision 1.
		family := props.Fields["family"].GetStringValue()
		props.Fields["arn"] = structpb.NewStringValue(fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s:1", region, AccountID, family))
		props.Fields["revision"] = structpb.NewNumberValue(1)
	}
}

// sagemakerARNs are the ARN resource type and the property holding the
// name of the SageMaker resources the platform creates.
var sagemakerARNs = map[string][2]string{
	"aws:sagemaker/endpoint:Endpoint":                           {"endpoint", "name"},
	"aws:sagemaker/endpointConfiguration:EndpointConfiguration": {"endpoint-config", "name"},
	"aws:sagemaker/model:Model":                                 {"model", "name"},
	"aws:sagemaker/modelPackageGroup:ModelPackageGroup":         {"model-package-group", "modelPackageGroupName"},
}

// globalServices have ARNs without a region, as in arn:aws:iam::<account>:role/x.
var globalServices = map[string]bool{"iam": true, "cloudfront": true, "route53": true, "organizations": true}

// arnParts guesses the ARN service and resource type from a Pulumi type
// token such as aws:s3/bucketV2:BucketV2.
func arnParts(typ string) (string, string) {
	parts := strings.Split(typ, ":")
	if len(parts) != 3 {
		return "unknown", "resource"
	}
	mod := strings.SplitN(parts[1], "/", 2)
	return mod[0], strings.ToLower(parts[2])
}

func fakeID(typ, urn string) string {
	sum := sha256.Sum256([]byte(urn))
	prefix, ok := awsIDPrefixes[typ]
	if !ok {
		prefix, _ = arnParts(typ)
	}
	return fmt.Sprintf("%s-%s", prefix, hex.EncodeToString(sum[:])[:17])
}

// awsIDPrefixes shape the ids of the types whose ids programs check, as
// AWS shapes them (subnet-0123…, sg-0123…).
var awsIDPrefixes = map[string]string{
	"aws:ec2/subnet:Subnet":               "subnet",
	"aws:ec2/securityGroup:SecurityGroup": "sg",
}

func nonNil(s *structpb.Struct) *structpb.Struct {
	if s == nil {
		return &structpb.Struct{Fields: map[string]*structpb.Value{}}
	}
	if s.Fields == nil {
		s.Fields = map[string]*structpb.Value{}
	}
	return s
}
