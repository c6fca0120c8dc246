package analyzer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/aifactory/platform/policy/internal/fuzzbytes"
	"github.com/aifactory/platform/policy/pack"
	"github.com/aifactory/platform/policy/rules"
)

// secretValue is what the fuzzed secrets hold; it must never reach a message.
const secretValue = "s3cr3t-fuzz-value"

// FuzzAnalyzeWire sends random resources in the engine's wire format
// (secrets, unknowns, resource references and output values included, well
// formed or not) through the server with the platform's pack, as Analyze
// and AnalyzeStack calls, during a preview and an update. The server may
// refuse what it cannot decode, with an error naming the resource, but must
// never panic, and no secret may reach a violation message.
func FuzzAnalyzeWire(f *testing.F) {
	for _, seed := range fuzzbytes.Seeds(48, 32, 512, 3) {
		f.Add(seed)
	}
	f.Add([]byte{})
	// The types the controls inspect, and one they do not.
	types := append(rules.InspectedTypes(), "aws:lambda/function:Function")
	f.Fuzz(func(t *testing.T, data []byte) {
		w := wire{fuzzbytes.New(data)}
		srv := configured(t, pack.New, w.Next()%2 == 0)
		var stack []*pulumirpc.AnalyzerResource
		for i := range 1 + int(w.Next()%3) {
			typ := types[int(w.Next())%len(types)]
			name := "r" + string(rune('a'+i))
			urn := "urn:pulumi:dev::aifactory::" + typ + "::" + name
			props := w.object(0)
			res, err := srv.Analyze(context.Background(), &pulumirpc.AnalyzeRequest{
				Urn: urn, Type: typ, Name: name, Properties: props,
				Options: &pulumirpc.AnalyzerResourceOptions{Protect: w.Next()%2 == 0},
			})
			if err != nil {
				if !strings.Contains(err.Error(), urn) {
					t.Fatalf("an error must name the resource: %v", err)
				}
				return
			}
			checkMessages(t, res.GetDiagnostics())
			stack = append(stack, &pulumirpc.AnalyzerResource{Urn: urn, Type: typ, Name: name, Properties: props})
		}
		res, err := srv.AnalyzeStack(context.Background(), &pulumirpc.AnalyzeStackRequest{Resources: stack})
		if err != nil {
			t.Fatalf("a stack of resources that Analyze decoded must analyze: %v", err)
		}
		checkMessages(t, res.GetDiagnostics())
	})
}

func checkMessages(t *testing.T, diags []*pulumirpc.AnalyzeDiagnostic) {
	t.Helper()
	for _, d := range diags {
		if strings.Contains(d.GetMessage(), secretValue) {
			t.Fatalf("%s: a secret reached the message: %q", d.GetPolicyName(), d.GetMessage())
		}
		if d.GetUrn() == "" || d.GetPolicyName() == "" {
			t.Fatalf("malformed diagnostic %v", d)
		}
	}
}

// wire turns fuzz bytes into property structs as the engine sends them.
type wire struct{ *fuzzbytes.Stream }

var wireKeys = []string{
	"tags", "tagsAll", "bucket", "policy", "kmsKeyId", "kmsMasterKeyId", "sseAlgorithm", "rule",
	"applyServerSideEncryptionByDefault", "blockPublicAcls", "ingress", "cidrBlocks", "appNetworkAccessType",
	"securityConfiguration", "retentionInDays", "statement", "team", "environment",
}

func (w wire) object(depth int) *structpb.Struct {
	fields := map[string]*structpb.Value{}
	for range int(w.Next() % 6) {
		fields[wireKeys[int(w.Next())%len(wireKeys)]] = w.value(depth + 1)
	}
	return &structpb.Struct{Fields: fields}
}

func (w wire) value(depth int) *structpb.Value {
	kind := w.Next() % 12
	if depth > 4 && kind >= 8 {
		kind = 1
	}
	switch kind {
	case 0:
		return structpb.NewStringValue(plugin.UnknownStringValue)
	case 1, 2:
		return structpb.NewStringValue([]string{"", "aws:kms", "AES256", "0.0.0.0/0", "VpcOnly", "dev", "*", "arn:aws:kms:eu-west-1:1:key/1"}[int(w.Next())%8])
	case 3:
		return structpb.NewNumberValue([]float64{0, 1, 30, 365, 3600, -1}[int(w.Next())%6])
	case 4:
		return structpb.NewBoolValue(w.Next()%2 == 0)
	case 5:
		return structpb.NewNullValue()
	case 6:
		// A secret, well formed or not.
		inner := structpb.NewStringValue(secretValue)
		if w.Next()%4 == 0 {
			inner = w.value(depth + 1)
		}
		return sig(resource.SecretSig, map[string]*structpb.Value{"value": inner})
	case 7:
		// An output value: known or not, secret or not, with dependencies.
		fields := map[string]*structpb.Value{"dependencies": structpb.NewListValue(&structpb.ListValue{
			Values: []*structpb.Value{structpb.NewStringValue("urn:pulumi:dev::aifactory::aws:kms/key:Key::data")},
		})}
		if w.Next()%2 == 0 {
			fields["value"] = structpb.NewStringValue(secretValue)
		}
		if w.Next()%2 == 0 {
			fields["secret"] = structpb.NewBoolValue(true)
		}
		return sig(resource.OutputValueSig, fields)
	case 8:
		return sig(resource.ResourceReferenceSig, map[string]*structpb.Value{
			"urn": structpb.NewStringValue("urn:pulumi:dev::aifactory::aws:kms/key:Key::data"),
			"id":  w.value(depth + 1),
		})
	case 9:
		var items []*structpb.Value
		for range int(w.Next() % 4) {
			items = append(items, w.value(depth+1))
		}
		return structpb.NewListValue(&structpb.ListValue{Values: items})
	case 10:
		// An object carrying a signature nobody knows.
		return sig("not-a-signature", nil)
	}
	return structpb.NewStructValue(w.object(depth))
}

func sig(kind string, fields map[string]*structpb.Value) *structpb.Value {
	all := map[string]*structpb.Value{resource.SigKey: structpb.NewStringValue(kind)}
	for k, v := range fields {
		all[k] = v
	}
	return structpb.NewStructValue(&structpb.Struct{Fields: all})
}
