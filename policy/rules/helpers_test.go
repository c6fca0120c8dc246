package rules_test

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/policy/rules"
)

// Builders for property maps as the engine hands them to the pack: plain
// values, computed values (unknown during preview) and secrets.

type computedValue struct{}

// computed marks a value that is unknown during preview.
var computed = computedValue{}

type secretValue struct{ v any }

// secret marks a value as secret.
func secret(v any) secretValue { return secretValue{v} }

func toValue(v any) property.Value {
	switch t := v.(type) {
	case nil:
		return property.New(property.Null)
	case computedValue:
		return property.New(property.Computed)
	case secretValue:
		return toValue(t.v).WithSecret(true)
	case property.Value:
		return t
	case string:
		return property.New(t)
	case bool:
		return property.New(t)
	case int:
		return property.New(float64(t))
	case float64:
		return property.New(t)
	case []string:
		out := make([]property.Value, len(t))
		for i, e := range t {
			out[i] = property.New(e)
		}
		return property.New(out)
	case []any:
		out := make([]property.Value, len(t))
		for i, e := range t {
			out[i] = toValue(e)
		}
		return property.New(out)
	case map[string]any:
		return property.New(toMap(t))
	case map[string]string:
		m := map[string]any{}
		for k, e := range t {
			m[k] = e
		}
		return property.New(toMap(m))
	}
	panic(fmt.Sprintf("toValue: unsupported %T", v))
}

func toMap(m map[string]any) property.Map {
	out := make(map[string]property.Value, len(m))
	for k, v := range m {
		out[k] = toValue(v)
	}
	return property.NewMap(out)
}

func urnOf(typ, name string) string { return "urn:pulumi:dev::aifactory::" + typ + "::" + name }

// res builds a resource of the given type with properties.
func res(typ, name string, props map[string]any) rules.Resource {
	return rules.Resource{Type: typ, Name: name, URN: urnOf(typ, name), Properties: toMap(props)}
}

// dependsOn records that prop of r takes its value from the targets, as the
// engine's property dependencies do.
func dependsOn(r rules.Resource, prop string, targets ...rules.Resource) rules.Resource {
	deps := map[string][]string{}
	for k, v := range r.PropertyDependencies {
		deps[k] = v
	}
	for _, t := range targets {
		deps[prop] = append(deps[prop], t.URN)
	}
	r.PropertyDependencies = deps
	return r
}

func protected(r rules.Resource) rules.Resource {
	r.Protect = true
	return r
}

// doc marshals a policy document built with iamdoc.
func doc(stmts ...iamdoc.Statement) string {
	s, err := iamdoc.New(stmts...).JSON()
	if err != nil {
		panic(err)
	}
	return s
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Type tokens used by the fixtures.
const (
	tBucketV2       = "aws:s3/bucketV2:BucketV2"
	tBucketSSE      = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	tBucketPAB      = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	tBucketVer      = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	tBucketLC       = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	tBucketPolicy   = "aws:s3/bucketPolicy:BucketPolicy"
	tBucketLogging  = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	tAccessPoint    = "aws:s3/accessPoint:AccessPoint"
	tKey            = "aws:kms/key:Key"
	tLogGroup       = "aws:cloudwatch/logGroup:LogGroup"
	tVpc            = "aws:ec2/vpc:Vpc"
	tSubnet         = "aws:ec2/subnet:Subnet"
	tSG             = "aws:ec2/securityGroup:SecurityGroup"
	tSGRule         = "aws:ec2/securityGroupRule:SecurityGroupRule"
	tSGIngress      = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	tEndpoint       = "aws:ec2/vpcEndpoint:VpcEndpoint"
	tFlowLog        = "aws:ec2/flowLog:FlowLog"
	tLaunchTemplate = "aws:ec2/launchTemplate:LaunchTemplate"
	tVolume         = "aws:ebs/volume:Volume"
	tRole           = "aws:iam/role:Role"
	tPolicy         = "aws:iam/policy:Policy"
	tRolePolicy     = "aws:iam/rolePolicy:RolePolicy"
	tRoleAttach     = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	tUser           = "aws:iam/user:User"
	tAccessKey      = "aws:iam/accessKey:AccessKey"
	tLoginProfile   = "aws:iam/userLoginProfile:UserLoginProfile"
	tDomain         = "aws:sagemaker/domain:Domain"
	tUserProfile    = "aws:sagemaker/userProfile:UserProfile"
	tNotebook       = "aws:sagemaker/notebookInstance:NotebookInstance"
	tSpace          = "aws:sagemaker/space:Space"
	tStudioLCC      = "aws:sagemaker/studioLifecycleConfig:StudioLifecycleConfig"
	tCluster        = "aws:emr/cluster:Cluster"
	tSecConfig      = "aws:emr/securityConfiguration:SecurityConfiguration"
	tStudio         = "aws:emr/studio:Studio"
	tBPA            = "aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration"
	tFleet          = "aws:emr/instanceFleet:InstanceFleet"
	tGroup          = "aws:emr/instanceGroup:InstanceGroup"
	tTopic          = "aws:sns/topic:Topic"
	tQueue          = "aws:sqs/queue:Queue"
	tRepo           = "aws:ecr/repository:Repository"
	tTaskDef        = "aws:ecs/taskDefinition:TaskDefinition"
	tService        = "aws:ecs/service:Service"
	tECSCluster     = "aws:ecs/cluster:Cluster"
	tStateMachine   = "aws:sfn/stateMachine:StateMachine"
	tSchedule       = "aws:scheduler/schedule:Schedule"
	tBudget         = "aws:budgets/budget:Budget"
	tKMSAlias       = "aws:kms/alias:Alias"
	tBucket         = "aws:s3/bucket:Bucket"
	tBucketACL      = "aws:s3/bucketAclV2:BucketAclV2"
	tBucketObject   = "aws:s3/bucketObjectv2:BucketObjectv2"
	tAPPolicy       = "aws:s3control/accessPointPolicy:AccessPointPolicy"
	tTopicPolicy    = "aws:sns/topicPolicy:TopicPolicy"
	tQueuePolicy    = "aws:sqs/queuePolicy:QueuePolicy"
	tKeyPolicy      = "aws:kms/keyPolicy:KeyPolicy"
	tTrail          = "aws:cloudtrail/trail:Trail"
	tRepoPolicy     = "aws:ecr/repositoryPolicy:RepositoryPolicy"
	tEndpointPolicy = "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy"
	tIGW            = "aws:ec2/internetGateway:InternetGateway"
	tEIGW           = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway"
	tNAT            = "aws:ec2/natGateway:NatGateway"
	tEIP            = "aws:ec2/eip:Eip"
	tInstance       = "aws:ec2/instance:Instance"
	tRoute          = "aws:ec2/route:Route"
	tRouteTable     = "aws:ec2/routeTable:RouteTable"
	tGroupPolicy    = "aws:iam/groupPolicy:GroupPolicy"
	tUserPolicy     = "aws:iam/userPolicy:UserPolicy"
)

// account is the fake account of the fixtures; otherAccount is someone else's.
const (
	account      = "123456789012"
	otherAccount = "210987654321"
)

// keyARN is a customer-managed key of the fake account.
const keyARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// fullTags are the required tags of a dev resource.
func fullTags() map[string]any {
	return map[string]any{
		"team": "platform", "project": "aifactory", "cost-center": "CC-4100",
		"environment": "dev", "data-classification": "confidential", "owner": "ml-platform@aifactory.example",
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func without(m map[string]any, keys ...string) map[string]any {
	out := with(m)
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// bucketSet is a compliant bucket and its sibling resources, each naming
// the bucket through a computed reference with a property dependency, as a
// preview of the data perimeter shows them.
type bucketSet map[string]rules.Resource

func compliantBucket(name string) bucketSet {
	key := res(tKey, "data-key", map[string]any{"enableKeyRotation": true})
	bucket := res(tBucketV2, name, map[string]any{"tags": fullTags()})
	ref := func(typ string, props map[string]any) rules.Resource {
		return dependsOn(res(typ, name, with(props, "bucket", computed)), "bucket", bucket)
	}
	sse := dependsOn(ref(tBucketSSE, map[string]any{"rules": []any{map[string]any{
		"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": computed},
		"bucketKeyEnabled":                   true,
	}}}), "rules", key)
	return bucketSet{
		"key":        key,
		"bucket":     bucket,
		"sse":        sse,
		"pab":        ref(tBucketPAB, map[string]any{"blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": true}),
		"versioning": ref(tBucketVer, map[string]any{"versioningConfiguration": map[string]any{"status": "Enabled"}}),
		"lifecycle":  ref(tBucketLC, map[string]any{"rules": []any{map[string]any{"id": "expire", "status": "Enabled"}}}),
		"policy":     ref(tBucketPolicy, map[string]any{"policy": tlsOnlyPolicy()}),
	}
}

func tlsOnlyPolicy() string {
	return doc(iamdoc.Statement{
		Sid: "DenyInsecureTransport", Effect: iamdoc.Deny, Principal: iamdoc.Anyone(),
		Action:    iamdoc.Strings{"s3:*"},
		Resource:  iamdoc.Strings{"arn:aws:s3:::aifactory-dev-data", "arn:aws:s3:::aifactory-dev-data/*"},
		Condition: iamdoc.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
	})
}

// replace returns the set with one part replaced (or removed when r is nil).
func (b bucketSet) replace(part string, r *rules.Resource) bucketSet {
	out := bucketSet{}
	for k, v := range b {
		out[k] = v
	}
	if r == nil {
		delete(out, part)
	} else {
		out[part] = *r
	}
	return out
}

func (b bucketSet) list() []rules.Resource {
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]rules.Resource, 0, len(b))
	for _, k := range keys {
		out = append(out, b[k])
	}
	return out
}

func ptr(r rules.Resource) *rules.Resource { return &r }
