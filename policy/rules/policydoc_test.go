package rules

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// policyForm is one way of writing a policy document and what the reader
// must make of its single statement.
type policyForm struct {
	name string
	doc  string
	want statement
}

// policyForms lists every valid form of a policy document the reader
// understands. Each grants iam:PassRole on every role (or a variation of
// it), so the same table drives the controls' tests.
func policyForms() []policyForm {
	return []policyForm{
		{"statement list, action and resource strings",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`,
			statement{Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: []string{"*"}}},
		{"statement as a single object",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}}`,
			statement{Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: []string{"*"}}},
		{"action and resource lists",
			`{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:PassRole"],"Resource":["arn:aws:s3:::b/*","*"]}]}`,
			statement{Effect: "Allow", Action: []string{"s3:GetObject", "iam:PassRole"}, Resource: []string{"arn:aws:s3:::b/*", "*"}}},
		{"action in another letter case",
			`{"Statement":[{"Effect":"Allow","Action":"IAM:passrole","Resource":"*"}]}`,
			statement{Effect: "Allow", Action: []string{"IAM:passrole"}, Resource: []string{"*"}}},
		{"service wildcard action",
			`{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`,
			statement{Effect: "Allow", Action: []string{"iam:*"}, Resource: []string{"*"}}},
		{"prefix wildcard action",
			`{"Statement":[{"Effect":"Allow","Action":"iam:Pass*","Resource":"*"}]}`,
			statement{Effect: "Allow", Action: []string{"iam:Pass*"}, Resource: []string{"*"}}},
		{"NotAction as a string",
			`{"Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}`,
			statement{Effect: "Allow", Action: []string{"s3:*"}, NotAction: true, Resource: []string{"*"}}},
		{"NotAction as a list",
			`{"Statement":[{"Effect":"Allow","NotAction":["s3:*","kms:*"],"Resource":"*"}]}`,
			statement{Effect: "Allow", Action: []string{"s3:*", "kms:*"}, NotAction: true, Resource: []string{"*"}}},
		{"NotResource",
			`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::123456789012:role/admin"}]}`,
			statement{Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: []string{"arn:aws:iam::123456789012:role/admin"}, NotResource: true}},
		{"NotResource as a list",
			`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","NotResource":["arn:aws:iam::123456789012:role/a","arn:aws:iam::123456789012:role/b"]}]}`,
			statement{Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: []string{"arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/b"}, NotResource: true}},
		{"every role of an account",
			`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/*"}]}`,
			statement{Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: []string{"arn:aws:iam::123456789012:role/*"}}},
		{"element names in other letter cases",
			`{"version":"2012-10-17","STATEMENT":[{"effect":"Allow","ACTION":"iam:PassRole","resource":"*","sid":"Lower"}]}`,
			statement{Sid: "Lower", Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: []string{"*"}}},
		{"principal star",
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"iam:PassRole","Resource":"*"}]}`,
			statement{Effect: "Allow", AnyPrincipal: true, Action: []string{"iam:PassRole"}, Resource: []string{"*"}}},
		{"AWS principal star",
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"iam:PassRole","Resource":"*"}]}`,
			statement{Effect: "Allow", AnyPrincipal: true, AWS: []string{"*"}, Action: []string{"iam:PassRole"}, Resource: []string{"*"}}},
		{"AWS principal list with a star",
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","*"]},"Action":"iam:PassRole","Resource":"*"}]}`,
			statement{Effect: "Allow", AnyPrincipal: true, AWS: []string{"arn:aws:iam::123456789012:root", "*"}, Action: []string{"iam:PassRole"}, Resource: []string{"*"}}},
		{"service principals as a list, account id principal",
			`{"Statement":[{"Effect":"Allow","Principal":{"Service":["a.amazonaws.com","b.amazonaws.com"],"AWS":"123456789012"},"Action":"iam:PassRole","Resource":"*"}]}`,
			statement{Effect: "Allow", Service: []string{"a.amazonaws.com", "b.amazonaws.com"}, AWS: []string{"123456789012"}, Action: []string{"iam:PassRole"}, Resource: []string{"*"}}},
		{"federated and canonical user principals",
			`{"Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbaced"},"Action":"iam:PassRole","Resource":"*"}]}`,
			statement{Effect: "Allow", Federated: []string{"cognito-identity.amazonaws.com"}, CanonicalUser: []string{"79a59df900b949e55d96a1e698fbaced"}, Action: []string{"iam:PassRole"}, Resource: []string{"*"}}},
		{"NotPrincipal",
			`{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"iam:PassRole","Resource":"*"}]}`,
			statement{Effect: "Allow", NotPrincipal: true, AWS: []string{"arn:aws:iam::123456789012:root"}, Action: []string{"iam:PassRole"}, Resource: []string{"*"}}},
		{"condition values as string, list, boolean and number",
			`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com","aws:RequestedRegion":["eu-west-1","eu-central-1"]},"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:TlsVersion":1.2}}}]}`,
			statement{Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: []string{"*"}, Condition: map[string]map[string][]string{
				"StringEquals":    {"iam:PassedToService": {"ec2.amazonaws.com"}, "aws:RequestedRegion": {"eu-west-1", "eu-central-1"}},
				"Bool":            {"aws:SecureTransport": {"true"}},
				"NumericLessThan": {"s3:TlsVersion": {"1.2"}},
			}}},
	}
}

// TestPolicyDocumentForms: every valid form reads as the same statement,
// whether the document is a JSON string or an object in the properties.
func TestPolicyDocumentForms(t *testing.T) {
	for _, f := range policyForms() {
		t.Run(f.name, func(t *testing.T) {
			stmts, st, ok := parsePolicy(prop(property.NewMap(map[string]property.Value{"policy": property.New(f.doc)}), "policy"))
			require.Equal(t, known, st)
			require.True(t, ok, "a valid document")
			require.Len(t, stmts, 1)
			assert.Equal(t, f.want, stmts[0])

			var object any
			require.NoError(t, json.Unmarshal([]byte(f.doc), &object))
			fromObject, ok := readPolicy(object)
			require.True(t, ok)
			assert.Equal(t, stmts, fromObject, "an object reads like its JSON string")
		})
	}
}

// TestADenyIsNeverReadAsAnAllow flips every form to Deny: the statement
// then allows nothing, and is read as a Deny.
func TestADenyIsNeverReadAsAnAllow(t *testing.T) {
	for _, f := range policyForms() {
		denied := strings.Replace(f.doc, `"Allow"`, `"Deny"`, 1)
		var object any
		require.NoError(t, json.Unmarshal([]byte(denied), &object))
		stmts, ok := readPolicy(object)
		require.True(t, ok, f.name)
		assert.False(t, stmts[0].allows(), f.name)
		assert.True(t, stmts[0].denies(), f.name)
	}
	allow, ok := readPolicy(map[string]any{"Statement": map[string]any{"Effect": "allow", "Action": "s3:*"}})
	require.True(t, ok)
	assert.True(t, allow[0].allows() && !allow[0].denies(), "letter case never turns an Allow into a Deny")
}

// TestInvalidDocumentsAreRejected: what AWS would refuse is never given a
// meaning, in particular nothing that could be read as either effect.
func TestInvalidDocumentsAreRejected(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown effect":               `{"Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}`,
		"no effect":                    `{"Statement":[{"Action":"*","Resource":"*"}]}`,
		"action and NotAction":         `{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}]}`,
		"resource and NotResource":     `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"x"}]}`,
		"principal and NotPrincipal":   `{"Statement":[{"Effect":"Allow","Principal":"*","NotPrincipal":{"AWS":"x"},"Action":"s3:*"}]}`,
		"element in two letter cases":  `{"Statement":[{"Effect":"Deny","effect":"Allow","Action":"*","Resource":"*"}]}`,
		"statement in two cases":       `{"Statement":[],"statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		"no statement":                 `{"Version":"2012-10-17"}`,
		"statement is a string":        `{"Statement":"Allow everything"}`,
		"statement entry not object":   `{"Statement":["x"]}`,
		"condition not an object":      `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":"x"}]}`,
		"condition operator not map":   `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":"x"}}]}`,
		"principal string not star":    `{"Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::1:root","Action":"*"}]}`,
		"unknown principal kind":       `{"Statement":[{"Effect":"Allow","Principal":{"Anyone":"*"},"Action":"*"}]}`,
		"document is a list":           `[{"Effect":"Allow","Action":"*","Resource":"*"}]`,
		"not JSON":                     `Allow *`,
		"principal is a number":        `{"Statement":[{"Effect":"Allow","Principal":1,"Action":"*"}]}`,
		"statement entry is a number":  `{"Statement":[1]}`,
		"statement entries mixed kind": `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},"x"]}`,
	} {
		_, st, ok := parsePolicy(prop(property.NewMap(map[string]property.Value{"policy": property.New(doc)}), "policy"))
		assert.Equal(t, known, st, name)
		assert.False(t, ok, "%s must be rejected", name)
	}
}

func TestGlobMatchIsIAMWildcardMatching(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		fold, want bool
	}{
		{"*", "anything", false, true},
		{"iam:*", "iam:PassRole", true, true},
		{"iam:Pass*", "IAM:passrole", true, true},
		{"iam:Pass*", "IAM:passrole", false, false},
		{"iam:?assRole", "iam:PassRole", true, true},
		{"s3:*", "iam:PassRole", true, false},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/a/b/c", false, true},
		{"arn:aws:iam::123456789012:role/team-*", "arn:aws:iam::123456789012:role/zq-unscoped", false, false},
		{"a*b*c", "aXXbYYc", false, true},
		{"a*b*c", "aXXbYY", false, false},
		{"", "", false, true},
		{"", "x", false, false},
	} {
		assert.Equal(t, tc.want, globMatch(tc.pattern, tc.s, tc.fold), "%q ~ %q", tc.pattern, tc.s)
	}
}

func TestStatementsCoverActionsAndResources(t *testing.T) {
	read := func(doc string) statement {
		var object any
		require.NoError(t, json.Unmarshal([]byte(doc), &object))
		stmts, ok := readPolicy(object)
		require.True(t, ok, doc)
		return stmts[0]
	}
	for _, f := range policyForms() {
		s := read(f.doc)
		assert.True(t, s.coversAction("iam:PassRole"), f.name)
		assert.True(t, s.unscopedFor("role"), "%s: every role", f.name)
	}
	scoped := read(`{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":["arn:aws:iam::123456789012:role/aifactory-team-*","arn:aws:iam::*:role/x"]}}`)
	assert.False(t, scoped.unscopedFor("role"), "named roles and a prefix are scoped")
	other := read(`{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`)
	assert.False(t, other.coversAction("iam:PassRole"), "NotAction iam:* excludes it")
	assert.True(t, other.coversAction("s3:GetObject"), "and allows everything else")
	policies := read(`{"Statement":{"Effect":"Allow","Action":"iam:CreatePolicyVersion","Resource":"arn:aws:iam::123456789012:policy/*"}}`)
	assert.True(t, policies.unscopedFor("policy"))
	assert.False(t, policies.unscopedFor("role"))

	stmts, ok := readPolicy(map[string]any{"Statement": []any{
		map[string]any{"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
		map[string]any{"Effect": "Deny", "Action": "iam:Pass*", "Resource": "*"},
	}})
	require.True(t, ok)
	assert.True(t, deniedEverywhere(stmts, "iam:PassRole"))
	assert.False(t, deniedEverywhere(stmts, "iam:PutRolePolicy"))
}

func TestLimitingConditions(t *testing.T) {
	own := accountSet{"123456789012"}
	for _, tc := range []struct {
		name      string
		doc       string
		own       accountSet
		want      bool
		keys      keyFilter
		statement int
	}{
		{"principal account", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}}}`, nil, true, limitingKey, 0},
		{"key in another letter case", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"stringequals":{"AWS:PRINCIPALORGID":"o-a1b2c3d4e5"}}}}`, nil, true, limitingKey, 0},
		{"another account once the accounts are known", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"StringEquals":{"aws:PrincipalAccount":"210987654321"}}}}`, own, false, limitingKey, 0},
		{"wildcard value", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"StringLike":{"aws:PrincipalAccount":"*"}}}}`, nil, false, limitingKey, 0},
		{"wildcard ARN", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:*:*:*:*"}}}}`, nil, false, limitingKey, 0},
		{"ARN with a fixed account", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:logs:eu-west-1:123456789012:*"}}}}`, own, true, limitingKey, 0},
		{"S3 ARN without account", `{"Statement":{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::aifactory-dev-data"}}}}`, own, true, limitingKey, 0},
		{"IfExists limits nothing", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"StringEqualsIfExists":{"aws:PrincipalAccount":"123456789012"}}}}`, nil, false, limitingKey, 0},
		{"negated operator in an Allow limits nothing", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"123456789012"}}}}`, nil, false, limitingKey, 0},
		{"ForAllValues limits nothing", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"ForAllValues:StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}}`, nil, false, limitingKey, 0},
		{"a condition on another key", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}`, nil, false, limitingKey, 0},
		{"source VPC endpoint", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0a1b2c3d"}}}}`, nil, true, limitingKey, 0},
		{"source VPC endpoint in an endpoint policy", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0a1b2c3d"}}}}`, nil, false, endpointKey, 0},
		{"trust policies count only source keys", `{"Statement":{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}}}`, nil, false, sourceKey, 0},
		{"deny outside the account", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"123456789012"}}}]}`, own, true, limitingKey, 0},
		{"deny with IfExists", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalAccount":"123456789012"}}}]}`, own, true, limitingKey, 0},
		{"deny with a further condition", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"123456789012"},"Bool":{"aws:PrincipalIsAWSService":"false"}}}]}`, own, false, limitingKey, 0},
		{"deny of fewer actions", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"123456789012"}}}]}`, own, false, limitingKey, 0},
		{"deny of fewer resources", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"123456789012"}}}]}`, own, false, limitingKey, 0},
		{"an Allow never limits like a Deny", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"123456789012"}}}]}`, own, false, limitingKey, 0},
		{"trust deny on the same service", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:SourceAccount":"123456789012"}}}]}`, own, true, sourceKey, 0},
	} {
		var object any
		require.NoError(t, json.Unmarshal([]byte(tc.doc), &object), tc.name)
		stmts, ok := readPolicy(object)
		require.True(t, ok, tc.name)
		assert.Equal(t, tc.want, limited(stmts, tc.statement, tc.keys, tc.own), tc.name)
	}
}

func TestOperatorClasses(t *testing.T) {
	for op, want := range map[string]opClass{
		"StringEquals": opPositive, "stringlike": opPositive, "ArnLike": opPositive, "ForAnyValue:StringEquals": opPositive,
		"StringEqualsIfExists": opOther, "ForAllValues:StringEquals": opOther, "Null": opOther, "Bool": opOther,
		"StringNotEquals": opNegated, "ArnNotLike": opNegated, "StringNotEqualsIfExists": opNegated, "ForAnyValue:StringNotEquals": opOther,
	} {
		assert.Equal(t, want, operatorClass(op), op)
	}
}

func TestAccountsAreReadFromPrincipalsAndARNs(t *testing.T) {
	for in, want := range map[string]string{
		"123456789012":                                               "123456789012",
		"arn:aws:iam::123456789012:root":                             "123456789012",
		"arn:aws-cn:iam::123456789012:role/x":                        "123456789012",
		"arn:aws:sts::123456789012:assumed-role/r/s":                 "123456789012",
		"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs":      "123456789012",
		"arn:aws:s3:eu-west-1:123456789012:accesspoint/dev-team-a":   "123456789012",
		"arn:aws:s3:::bucket":                                        "",
		"AROAEXAMPLEID":                                              "",
		"arn:aws:iam::*:root":                                        "",
		"alias/data":                                                 "",
		"https://sqs.eu-west-1.amazonaws.com/12345678901234/queue-x": "",
	} {
		got, ok := accountIn(in)
		assert.Equal(t, want != "", ok, in)
		assert.Equal(t, want, got, in)
	}
}

// TestEveryFormIsJudgedAlikeAndDenyGrantsNothing runs the forms through the
// controls that read identity and resource policies: each Allow form
// escalates privileges (and, where it names everyone, is public); the same
// form as a Deny grants nothing.
func TestEveryFormIsJudgedAlikeAndDenyGrantsNothing(t *testing.T) {
	escalation, _ := Lookup("iam-no-privilege-escalation")
	public, _ := Lookup("resource-policy-no-public")
	endpoint, _ := Lookup("vpc-endpoint-policy")
	s := DefaultSettings()
	s.AccountIDs = []string{"123456789012"}
	check := func(c Control, typ, doc string, extra map[string]property.Value) []Finding {
		props := map[string]property.Value{"policy": property.New(doc)}
		for k, v := range extra {
			props[k] = v
		}
		return c.Check(Resource{Type: typ, Name: "x", URN: "urn:pulumi:dev::p::" + typ + "::x", Properties: property.NewMap(props)}, s)
	}
	iface := map[string]property.Value{"vpcEndpointType": property.New("Interface")}
	for _, f := range policyForms() {
		denied := strings.Replace(f.doc, `"Allow"`, `"Deny"`, 1)
		assert.NotEmpty(t, check(escalation, typePolicy, f.doc, nil), "%s: escalation", f.name)
		assert.Empty(t, check(escalation, typePolicy, denied, nil), "%s: a Deny grants nothing", f.name)
		assert.Empty(t, check(public, typeBucketPolicy, denied, nil), "%s: a Deny grants nothing", f.name)
		assert.Empty(t, check(endpoint, typeVpcEndpoint, denied, iface), "%s: a Deny grants nothing", f.name)
		if f.want.AnyPrincipal || f.want.NotPrincipal || len(f.want.Federated) > 0 {
			assert.NotEmpty(t, check(public, typeBucketPolicy, f.doc, nil), "%s: public", f.name)
			assert.NotEmpty(t, check(endpoint, typeVpcEndpoint, f.doc, iface), "%s: open endpoint", f.name)
		}
	}
}
