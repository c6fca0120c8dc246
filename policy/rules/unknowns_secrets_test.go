package rules_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/policy/rules"
)

// variants returns copies of v with one leaf (or one whole object or array)
// replaced by a computed value, as a preview shows values that come from
// resources not created yet.
func variants(v property.Value) []property.Value {
	out := []property.Value{property.New(property.Computed)}
	switch {
	case v.IsMap():
		m := v.AsMap()
		for k, child := range m.AllStable {
			for _, cv := range variants(child) {
				out = append(out, property.New(m.Set(k, cv)))
			}
		}
	case v.IsArray():
		arr := v.AsArray().AsSlice()
		for i, child := range arr {
			for _, cv := range variants(child) {
				cp := append([]property.Value(nil), arr...)
				cp[i] = cv
				out = append(out, property.New(cp))
			}
		}
	}
	return out
}

// TestComputedValuesNeverFailACompliantResource replaces, one at a time,
// every value of every compliant case with a computed one: the control may
// then pass or say it cannot verify, but must never report a violation it
// cannot know about, and must never panic.
func TestComputedValuesNeverFailACompliantResource(t *testing.T) {
	checked := 0
	for _, tc := range controlCases() {
		if tc.want != pass {
			continue
		}
		for i, r := range tc.resources {
			for _, v := range variants(property.New(r.Properties))[1:] {
				mutated := tc
				mutated.resources = append([]rules.Resource(nil), tc.resources...)
				mutated.resources[i].Properties = v.AsMap()
				violations, _ := split(evaluate(t, mutated))
				if !assert.Empty(t, violations, "%s/%s with a computed value in %s:\n%s",
					tc.control, tc.name, r.Name, messages(violations)) {
					return
				}
				checked++
			}
		}
	}
	assert.Greater(t, checked, 300, "the mutation must reach the cases' values")
}

// secretLeaves marks every value of a property tree secret.
func secretLeaves(v property.Value) property.Value {
	switch {
	case v.IsMap():
		m := map[string]property.Value{}
		for k, child := range v.AsMap().All {
			m[k] = secretLeaves(child)
		}
		return property.New(m)
	case v.IsArray():
		arr := v.AsArray().AsSlice()
		out := make([]property.Value, len(arr))
		for i, child := range arr {
			out[i] = secretLeaves(child)
		}
		return property.New(out)
	case v.IsComputed():
		return v
	}
	return v.WithSecret(true)
}

// TestSecretValuesAreStillChecked: marking values secret must not hide a
// violation; the controls read secrets, they only never print them.
func TestSecretValuesAreStillChecked(t *testing.T) {
	for _, tc := range controlCases() {
		if tc.want != violation {
			continue
		}
		plain, _ := split(evaluate(t, tc))
		secretCase := tc
		secretCase.resources = make([]rules.Resource, len(tc.resources))
		for i, r := range tc.resources {
			r.Properties = secretLeaves(property.New(r.Properties)).AsMap()
			secretCase.resources[i] = r
		}
		secrets, _ := split(evaluate(t, secretCase))
		assert.Len(t, secrets, len(plain), "%s/%s: secrets changed the verdict:\n%s", tc.control, tc.name, messages(secrets))
	}
}

// sentinel is a secret value no message may ever contain.
const sentinel = "zqSENTINELzq"

// TestSecretValuesNeverAppearInMessages covers every place where a control
// may quote a value (tag values, instance types, team names, CIDRs,
// container and variable names, wildcard actions): with the value secret,
// the message says what is wrong without it.
func TestSecretValuesNeverAppearInMessages(t *testing.T) {
	containers := jsonOf([]any{map[string]any{
		"name": "app-" + sentinel, "privileged": true, "user": "0",
		"environment": []any{map[string]any{"name": sentinel + "_PASSWORD", "value": "value-" + sentinel}},
	}})
	cases := []controlCase{
		{control: "required-tags", name: "environment tag", resources: one(res(tBucketV2, "data", map[string]any{
			"tags": with(fullTags(), "environment", secret("prod-"+sentinel))}))},
		{control: "instance-type-allowlist", name: "SageMaker type", resources: one(res(tNotebook, "nb", map[string]any{
			"instanceType": secret("ml." + sentinel)}))},
		{control: "instance-type-allowlist", name: "type inside a secret object", resources: one(res(tCluster, "spark", map[string]any{
			"masterInstanceGroup": secret(map[string]any{"instanceType": sentinel + ".xlarge"})}))},
		{control: "team-budget", name: "team name", resources: one(res(tBucketV2, "x", map[string]any{
			"tags": with(fullTags(), "team", secret(sentinel))}))},
		{control: "sg-no-world-ingress", name: "world CIDR", resources: one(res(tSG, "open", map[string]any{
			"ingress": []any{map[string]any{"cidrBlocks": secret([]string{"0.0.0.0/0"})}}}))},
		{control: "ecs-task-hardened", name: "secret container definitions", resources: one(res(tTaskDef, "app", map[string]any{
			"containerDefinitions": secret(containers)}))},
		{control: "iam-no-service-wildcard", name: "secret policy", resources: one(res(tPolicy, "p", map[string]any{
			"policy": secret(doc(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{strings.ToLower(sentinel) + ":*"}, Resource: iamdoc.Strings{"*"}}))}))},
		{control: "iam-no-users-or-keys", name: "password", resources: one(res(tLoginProfile, "alice", map[string]any{
			"password": secret(sentinel)}))},
		{control: "kms-rotation", name: "secret key policy", resources: one(res(tKey, "k", map[string]any{
			"enableKeyRotation": true,
			"policy":            secret(doc(iamdoc.Statement{Sid: sentinel, Effect: iamdoc.Allow, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"kms:*"}, Resource: iamdoc.Strings{"*"}}))}))},
		{control: "resource-policy-no-public", name: "service name in a secret policy", resources: one(res(tQueue, "q", map[string]any{
			"policy": secret(doc(iamdoc.Statement{Sid: sentinel, Effect: iamdoc.Allow, Principal: iamdoc.Services(sentinel + ".amazonaws.com"), Action: iamdoc.Strings{"sqs:SendMessage"}, Resource: iamdoc.Strings{"*"}}))}))},
		{control: "resource-policy-no-public", name: "another account in a secret policy", settings: withAccounts(account), resources: one(res(tKey, "k", map[string]any{
			"policy": secret(doc(iamdoc.Statement{Sid: sentinel, Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals("arn:aws:iam::" + otherAccount + ":role/" + sentinel), Action: iamdoc.Strings{"kms:*"}, Resource: iamdoc.Strings{"*"}}))}))},
		{control: "vpc-endpoint-policy", name: "secret endpoint policy", resources: one(res(tEndpoint, "e", map[string]any{"vpcEndpointType": "Interface",
			"policy": secret(doc(iamdoc.Statement{Sid: sentinel, Effect: iamdoc.Allow, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"*"}, Resource: iamdoc.Strings{"arn:aws:s3:::" + sentinel}}))}))},
		{control: "iam-trust-confused-deputy", name: "service name in a secret trust policy", resources: one(res(tRole, "r", map[string]any{
			"assumeRolePolicy": secret(doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Services(sentinel + ".amazonaws.com"), Action: iamdoc.Strings{"sts:AssumeRole"}}))}))},
		{control: "iam-no-privilege-escalation", name: "secret identity policy", resources: one(res(tPolicy, "p", map[string]any{
			"policy": secret(doc(iamdoc.Statement{Sid: sentinel, Effect: iamdoc.Allow, Action: iamdoc.Strings{"iam:PassRole"}, Resource: iamdoc.Strings{"*"}}))}))},
		{control: "s3-acl-no-public", name: "secret canned ACL", resources: one(res(tBucketACL, "a", map[string]any{"acl": secret("public-read")}))},
		{control: "s3-acl-no-public", name: "secret grant", resources: one(res(tBucketACL, "a", map[string]any{"accessControlPolicy": map[string]any{
			"owner": map[string]any{"id": secret(sentinel)}, "grants": []any{map[string]any{"grantee": map[string]any{"type": "CanonicalUser", "id": secret("x" + sentinel)}}}}}))},
	}
	for _, tc := range cases {
		t.Run(tc.control+"/"+tc.name, func(t *testing.T) {
			violations, _ := split(evaluate(t, tc))
			require.NotEmpty(t, violations, "the case must fail so that there is a message to inspect")
			for _, f := range violations {
				assert.NotContains(t, strings.ToLower(f.Message), strings.ToLower(sentinel))
			}
			if tc.control == "sg-no-world-ingress" {
				assert.NotContains(t, messages(violations), "0.0.0.0/0")
			}
			switch tc.name {
			case "secret canned ACL":
				assert.NotContains(t, messages(violations), "public-read")
			case "secret identity policy":
				assert.NotContains(t, messages(violations), "permissions (iam:PassRole)", "not even the actions of a secret policy")
			}
		})
	}

	// Values of plain environment variables are never shown, secret or not.
	plainEnv := res(tTaskDef, "app", map[string]any{"containerDefinitions": jsonOf([]any{map[string]any{
		"name": "app", "readonlyRootFilesystem": true, "user": "1000",
		"environment": []any{map[string]any{"name": "API_TOKEN", "value": "tok-" + sentinel}},
	}})})
	violations, _ := split(evaluate(t, controlCase{control: "ecs-task-hardened", resources: one(plainEnv)}))
	require.NotEmpty(t, violations)
	assert.Contains(t, messages(violations), "API_TOKEN")
	assert.NotContains(t, messages(violations), sentinel)
}

func TestUnverifiedFindingsNameThePropertyTheyWaitFor(t *testing.T) {
	for _, tc := range controlCases() {
		if tc.want != unverified {
			continue
		}
		_, unverifieds := split(evaluate(t, tc))
		for _, f := range unverifieds {
			assert.True(t, strings.HasPrefix(f.Message, fmt.Sprintf("%s %q: ", shortTypeOf(f.Type), f.Name)),
				"%s: %q must start with the resource", tc.control, f.Message)
		}
	}
}

func shortTypeOf(token string) string {
	parts := strings.Split(token, ":")
	mod, _, _ := strings.Cut(parts[1], "/")
	return mod + "." + parts[2]
}
