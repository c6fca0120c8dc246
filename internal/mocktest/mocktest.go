// Package mocktest runs Pulumi programs and components under
// pulumi.WithMocks and records every registered resource, so tests can
// assert the properties that carry the platform's guardrails.
package mocktest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/stackconfig"
)

// AccountID is the account the mocks report: the canonical test scope's.
const AccountID = scopetest.AccountID

// Resource is a registered resource and its inputs.
type Resource struct {
	Type           string
	Name           string
	Inputs         resource.PropertyMap
	Protect        bool
	RetainOnDelete bool
	Parent         string
}

// Str returns a string input by key ("" if absent or not a string).
func (r Resource) Str(key string) string {
	v, ok := r.Inputs[resource.PropertyKey(key)]
	if !ok || !v.IsString() {
		return ""
	}
	return v.StringValue()
}

// Bool returns a bool input by key (false if absent).
func (r Resource) Bool(key string) bool {
	v, ok := r.Inputs[resource.PropertyKey(key)]
	return ok && v.IsBool() && v.BoolValue()
}

// Num returns a number input by key (0 if absent).
func (r Resource) Num(key string) float64 {
	v, ok := r.Inputs[resource.PropertyKey(key)]
	if !ok || !v.IsNumber() {
		return 0
	}
	return v.NumberValue()
}

// Has reports whether an input is set.
func (r Resource) Has(key string) bool {
	v, ok := r.Inputs[resource.PropertyKey(key)]
	return ok && !v.IsNull()
}

// Tags returns the resource's tags input as plain strings.
func (r Resource) Tags() map[string]string {
	return r.StringMap("tags")
}

// StringMap returns an object input of strings.
func (r Resource) StringMap(key string) map[string]string {
	out := map[string]string{}
	v, ok := r.Inputs[resource.PropertyKey(key)]
	if !ok || !v.IsObject() {
		return out
	}
	for k, val := range v.ObjectValue() {
		if val.IsString() {
			out[string(k)] = val.StringValue()
		}
	}
	return out
}

// JSON decodes the resource's inputs (or one input when key is non-empty)
// into v, for asserting nested blocks.
func (r Resource) JSON(key string, v any) error {
	var m any = r.Inputs.Mappable()
	if key != "" {
		m = r.Inputs.Mappable()[key]
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Mocks records resources and answers the AWS data sources the platform calls.
type Mocks struct {
	mu        sync.Mutex
	resources []Resource
	// Outputs adds computed outputs per resource type, on top of the echoed inputs.
	Outputs func(typ, name string, inputs resource.PropertyMap) resource.PropertyMap
	// ID, when set and not empty for a resource, replaces its "<name>-id".
	ID func(typ, name string) string
}

// AWSShapedID gives subnets and security groups ids shaped as AWS shapes
// them (subnet-…, sg-…, 17 hex digits derived from the name), for programs
// that check them; "" for every other type. Use it as Mocks.ID.
func AWSShapedID(typ, name string) string {
	prefix := map[string]string{"aws:ec2/subnet:Subnet": "subnet-", "aws:ec2/securityGroup:SecurityGroup": "sg-"}[typ]
	if prefix == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(name))
	return prefix + hex.EncodeToString(sum[:])[:17]
}

// NewResource records the resource and echoes its inputs with an id and ARN.
func (m *Mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	r := Resource{Type: args.TypeToken, Name: args.Name, Inputs: args.Inputs.Copy()}
	if rpc := args.RegisterRPC; rpc != nil {
		r.Protect = rpc.GetProtect()
		r.RetainOnDelete = rpc.GetRetainOnDelete()
		r.Parent = rpc.GetParent()
	}
	m.resources = append(m.resources, r)
	m.mu.Unlock()
	outs := args.Inputs.Copy()
	id := args.Name + "-id"
	if m.ID != nil {
		if custom := m.ID(args.TypeToken, args.Name); custom != "" {
			id = custom
		}
	}
	if _, ok := outs["arn"]; !ok {
		outs["arn"] = resource.NewStringProperty(mockArn(args.TypeToken, args.Name))
	}
	if _, ok := outs["name"]; !ok {
		outs["name"] = resource.NewStringProperty(args.Name)
	}
	switch args.TypeToken {
	case "aws:ec2/vpcEndpoint:VpcEndpoint":
		outs["prefixListId"] = resource.NewStringProperty("pl-12345678")
	case "aws:s3/accessPoint:AccessPoint":
		// Programs address objects through the alias S3 computes.
		outs["alias"] = resource.NewStringProperty(args.Name + "-mock-s3alias")
	case "aws:kms/key:Key":
		outs["keyId"] = resource.NewStringProperty(id)
		outs["arn"] = resource.NewStringProperty(fmt.Sprintf("arn:aws:kms:eu-west-1:%s:key/%s", AccountID, id))
	case "aws:secretsmanager/secret:Secret":
		// Secrets Manager appends six random characters to the name.
		name := args.Name
		if n, ok := args.Inputs["name"]; ok && n.IsString() {
			name = n.StringValue()
		}
		outs["arn"] = resource.NewStringProperty(fmt.Sprintf("arn:aws:secretsmanager:eu-west-1:%s:secret:%s-AbCdEf", AccountID, name))
	case "aws:ecs/taskDefinition:TaskDefinition":
		// Task definitions are addressed by family and revision.
		family := args.Name
		if f, ok := args.Inputs["family"]; ok && f.IsString() {
			family = f.StringValue()
		}
		outs["arn"] = resource.NewStringProperty(fmt.Sprintf("arn:aws:ecs:eu-west-1:%s:task-definition/%s:1", AccountID, family))
		outs["revision"] = resource.NewNumberProperty(1)
	}
	if m.Outputs != nil {
		for k, v := range m.Outputs(args.TypeToken, args.Name, args.Inputs) {
			outs[k] = v
		}
	}
	return id, outs, nil
}

// mockArn shapes ARNs like AWS does where components check them: IAM ARNs
// are global ("arn:aws:iam::<account>:role/<name>").
func mockArn(typ, name string) string {
	parts := strings.Split(typ, ":")
	if len(parts) == 3 && strings.HasPrefix(parts[1], "iam/") {
		return fmt.Sprintf("arn:aws:iam::%s:%s/%s", AccountID, strings.ToLower(parts[2]), name)
	}
	return fmt.Sprintf("arn:aws:mock:eu-west-1:%s:%s/%s", AccountID, typ, name)
}

// Call answers the data sources.
func (m *Mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	switch args.Token {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{"accountId": AccountID, "arn": "arn:aws:iam::" + AccountID + ":root", "userId": "mock", "id": AccountID}), nil
	case "aws:index/getPartition:getPartition":
		return resource.NewPropertyMapFromMap(map[string]any{"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}), nil
	case "aws:index/getRegion:getRegion":
		return resource.NewPropertyMapFromMap(map[string]any{"name": "eu-west-1", "region": "eu-west-1", "id": "eu-west-1"}), nil
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		return resource.NewPropertyMapFromMap(map[string]any{
			"names": []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}, "zoneIds": []any{"euw1-az1", "euw1-az2", "euw1-az3"}, "id": "eu-west-1",
		}), nil
	}
	return nil, fmt.Errorf("mocktest: no mock for data source %s", args.Token)
}

// Resources returns every recorded resource, sorted by type and name.
func (m *Mocks) Resources() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := append([]Resource(nil), m.resources...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// OfType returns the recorded resources of one type token.
func (m *Mocks) OfType(typ string) []Resource {
	var out []Resource
	for _, r := range m.Resources() {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Named returns the resource of typ with name, failing the test if absent.
func (m *Mocks) Named(t testing.TB, typ, name string) Resource {
	t.Helper()
	for _, r := range m.OfType(typ) {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no %s named %q among %s", typ, name, m.names())
	return Resource{}
}

func (m *Mocks) names() string {
	var names []string
	for _, r := range m.Resources() {
		names = append(names, r.Type+"::"+r.Name)
	}
	return strings.Join(names, ", ")
}

// Run runs program under mocks for the given stack and config, returning
// the recorded resources' mocks and the program's error.
func Run(t testing.TB, stack string, config map[string]string, program pulumi.RunFunc) (*Mocks, error) {
	t.Helper()
	m := &Mocks{}
	return m, RunWith(t, m, stack, config, program)
}

// RunWith runs program under the given mocks, so that a test can shape ids
// and outputs (Mocks.ID, Mocks.Outputs).
func RunWith(t testing.TB, m *Mocks, stack string, config map[string]string, program pulumi.RunFunc) error {
	t.Helper()
	return pulumi.RunErr(program, pulumi.WithMocks("aifactory", stack, m), func(info *pulumi.RunInfo) {
		info.Config = config
	})
}

// StackConfig reads a Pulumi.<stack>.yaml into the flat key → value form the
// engine hands a program: structured values become JSON, scalars strings.
func StackConfig(t testing.TB, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading stack file: %v", err)
	}
	out, err := stackconfig.ReadStackFile(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}
