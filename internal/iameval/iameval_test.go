package iameval_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/internal/iameval"
)

const (
	role  = "arn:aws:iam::111122223333:role/r"
	other = "arn:aws:iam::111122223333:role/x"
)

func stmt(effect string, actions []string, resources []string, c iamdoc.Condition) iamdoc.Statement {
	return iamdoc.Statement{Effect: effect, Action: actions, Resource: resources, Condition: c}
}

func TestDocumentFollowsAWSRules(t *testing.T) {
	doc := iamdoc.New(
		iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals(role), Action: iamdoc.Strings{"s3:Get*"}, Resource: iamdoc.Strings{"arn:aws:s3:::b/*"}},
		iamdoc.Statement{Effect: iamdoc.Deny, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"s3:*"}, Resource: iamdoc.Strings{"arn:aws:s3:::b/*"},
			Condition: iamdoc.Condition{"StringNotEquals": {"aws:SourceVpce": {"vpce-1"}}}},
	)
	inVpc := iameval.Keys("aws:SourceVpce", "vpce-1")
	tests := []struct {
		name string
		r    iameval.Request
		want iameval.Effect
	}{
		{"allowed from the endpoint", iameval.Request{Principal: role, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: inVpc}, iameval.Allowed},
		{"action names ignore case", iameval.Request{Principal: role, Action: "S3:getobject", Resource: "arn:aws:s3:::b/k", Context: inVpc}, iameval.Allowed},
		{"condition keys ignore case", iameval.Request{Principal: role, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: iameval.Keys("AWS:sourcevpce", "vpce-1")}, iameval.Allowed},
		{"resources do not ignore case", iameval.Request{Principal: role, Action: "s3:GetObject", Resource: "arn:aws:s3:::B/k", Context: inVpc}, iameval.NotApplicable},
		{"missing key satisfies a negated operator", iameval.Request{Principal: role, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, iameval.Denied},
		{"other principal", iameval.Request{Principal: other, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: inVpc}, iameval.NotApplicable},
		{"other resource", iameval.Request{Principal: role, Action: "s3:GetObject", Resource: "arn:aws:s3:::c/k"}, iameval.NotApplicable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iameval.Document(doc, tt.r)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestConditionOperators(t *testing.T) {
	tests := []struct {
		name string
		cond iamdoc.Condition
		ctx  iameval.Context
		want bool
	}{
		{"StringEquals", iamdoc.Condition{"StringEquals": {"k": {"a", "b"}}}, iameval.Keys("k", "b"), true},
		{"StringEquals is case-sensitive", iamdoc.Condition{"StringEquals": {"k": {"a"}}}, iameval.Keys("k", "A"), false},
		{"StringEquals on a missing key", iamdoc.Condition{"StringEquals": {"k": {"a"}}}, nil, false},
		{"StringEqualsIfExists on a missing key", iamdoc.Condition{"StringEqualsIfExists": {"k": {"a"}}}, nil, true},
		{"StringEqualsIfExists on a wrong value", iamdoc.Condition{"StringEqualsIfExists": {"k": {"a"}}}, iameval.Keys("k", "b"), false},
		{"StringNotEquals", iamdoc.Condition{"StringNotEquals": {"k": {"a"}}}, iameval.Keys("k", "b"), true},
		{"StringNotEquals on a missing key", iamdoc.Condition{"StringNotEquals": {"k": {"a"}}}, nil, true},
		{"StringNotEquals with several values, one of them given", iamdoc.Condition{"StringNotEquals": {"k": {"a", "b"}}}, iameval.Keys("k", "b"), false},
		{"StringNotEquals with several values, none of them given", iamdoc.Condition{"StringNotEquals": {"k": {"a", "b"}}}, iameval.Keys("k", "c"), true},
		{"StringEqualsIgnoreCase", iamdoc.Condition{"StringEqualsIgnoreCase": {"k": {"abc"}}}, iameval.Keys("k", "ABC"), true},
		{"StringLike", iamdoc.Condition{"StringLike": {"k": {"teams/a/*"}}}, iameval.Keys("k", "teams/a/x/y"), true},
		{"StringLike with ?", iamdoc.Condition{"StringLike": {"k": {"a?c"}}}, iameval.Keys("k", "abc"), true},
		{"StringNotLike", iamdoc.Condition{"StringNotLike": {"k": {"teams/a/*"}}}, iameval.Keys("k", "teams/b/x"), true},
		{"ArnLike", iamdoc.Condition{"ArnLike": {"k": {"arn:aws:iam::1:role/*"}}}, iameval.Keys("k", "arn:aws:iam::1:role/r"), true},
		{"ArnNotEquals", iamdoc.Condition{"ArnNotEquals": {"k": {"arn:aws:iam::1:role/r"}}}, iameval.Keys("k", "arn:aws:iam::1:role/r"), false},
		{"ArnNotLike on a missing key", iamdoc.Condition{"ArnNotLike": {"k": {"arn:*"}}}, nil, true},
		{"Bool", iamdoc.Condition{"Bool": {"k": {"true"}}}, iameval.Keys("k", "TRUE"), true},
		{"Bool false", iamdoc.Condition{"Bool": {"k": {"false"}}}, iameval.Keys("k", "true"), false},
		{"Null true on a missing key", iamdoc.Condition{"Null": {"k": {"true"}}}, nil, true},
		{"Null false on a present key", iamdoc.Condition{"Null": {"k": {"false"}}}, iameval.Keys("k", "x"), true},
		{"Null false on a missing key", iamdoc.Condition{"Null": {"k": {"false"}}}, nil, false},
		{"NumericLessThan", iamdoc.Condition{"NumericLessThan": {"k": {"1.2"}}}, iameval.Keys("k", "1.1"), true},
		{"NumericLessThan not", iamdoc.Condition{"NumericLessThan": {"k": {"1.2"}}}, iameval.Keys("k", "1.3"), false},
		{"NumericGreaterThanEquals", iamdoc.Condition{"NumericGreaterThanEquals": {"k": {"5"}}}, iameval.Keys("k", "5"), true},
		{"IpAddress", iamdoc.Condition{"IpAddress": {"aws:SourceIp": {"203.0.113.0/24"}}}, iameval.Keys("aws:SourceIp", "203.0.113.7"), true},
		{"IpAddress outside", iamdoc.Condition{"IpAddress": {"aws:SourceIp": {"203.0.113.0/24"}}}, iameval.Keys("aws:SourceIp", "198.51.100.7"), false},
		{"NotIpAddress", iamdoc.Condition{"NotIpAddress": {"aws:SourceIp": {"203.0.113.0/24"}}}, iameval.Keys("aws:SourceIp", "198.51.100.7"), true},
		{"ForAllValues: every value allowed", iamdoc.Condition{"ForAllValues:StringEquals": {"k": {"a", "b"}}}, iameval.Context{"k": {"a", "b"}}, true},
		{"ForAllValues: one value not allowed", iamdoc.Condition{"ForAllValues:StringEquals": {"k": {"a"}}}, iameval.Context{"k": {"a", "c"}}, false},
		{"ForAllValues: no values at all", iamdoc.Condition{"ForAllValues:StringEquals": {"k": {"a"}}}, nil, true},
		{"ForAnyValue: one value matches", iamdoc.Condition{"ForAnyValue:StringEquals": {"k": {"a"}}}, iameval.Context{"k": {"c", "a"}}, true},
		{"ForAnyValue: no values at all", iamdoc.Condition{"ForAnyValue:StringEquals": {"k": {"a"}}}, nil, false},
		{"ForAnyValue:StringNotEquals: one value outside", iamdoc.Condition{"ForAnyValue:StringNotEquals": {"k": {"a", "b"}}}, iameval.Context{"k": {"a", "z"}}, true},
		{"ForAnyValue:StringNotEquals: all inside", iamdoc.Condition{"ForAnyValue:StringNotEquals": {"k": {"a", "b"}}}, iameval.Context{"k": {"a", "b"}}, false},
		{"policy variable", iamdoc.Condition{"StringEquals": {"aws:RequestTag/team": {"${aws:PrincipalTag/team}"}}},
			iameval.Keys("aws:RequestTag/team", "a", "aws:PrincipalTag/team", "a"), true},
		{"policy variable of another value", iamdoc.Condition{"StringEquals": {"aws:RequestTag/team": {"${aws:PrincipalTag/team}"}}},
			iameval.Keys("aws:RequestTag/team", "b", "aws:PrincipalTag/team", "a"), false},
		{"unresolved policy variable matches nothing", iamdoc.Condition{"StringNotEquals": {"aws:RequestTag/team": {"${aws:PrincipalTag/team}"}}},
			iameval.Keys("aws:RequestTag/team", "a"), true},
		{"escaped wildcard is literal", iamdoc.Condition{"StringLike": {"k": {"a${*}"}}}, iameval.Keys("k", "ab"), false},
		{"every key must hold", iamdoc.Condition{"StringEquals": {"k": {"a"}, "l": {"b"}}}, iameval.Keys("k", "a"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := iamdoc.New(stmt(iamdoc.Allow, []string{"s:A"}, []string{"*"}, tt.cond))
			got, err := iameval.Document(doc, iameval.Request{Principal: role, Action: "s:A", Resource: "r", Context: tt.ctx})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got == iameval.Allowed)
		})
	}
}

func TestUnknownOperatorsAndMalformedStatementsAreErrors(t *testing.T) {
	tests := []struct {
		name string
		st   iamdoc.Statement
	}{
		{"unknown operator", stmt(iamdoc.Allow, []string{"s:A"}, []string{"*"}, iamdoc.Condition{"DateGreaterThan": {"aws:CurrentTime": {"2020-01-01"}}})},
		{"bad set prefix", stmt(iamdoc.Allow, []string{"s:A"}, []string{"*"}, iamdoc.Condition{"ForSomeValues:StringEquals": {"k": {"a"}}})},
		{"bad Null value", stmt(iamdoc.Allow, []string{"s:A"}, []string{"*"}, iamdoc.Condition{"Null": {"k": {"maybe"}}})},
		{"bad Bool value", stmt(iamdoc.Allow, []string{"s:A"}, []string{"*"}, iamdoc.Condition{"Bool": {"k": {"yes"}}})},
		{"no action", iamdoc.Statement{Effect: iamdoc.Allow, Resource: iamdoc.Strings{"*"}}},
		{"no resource", iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"s:A"}}},
		{"unknown effect", iamdoc.Statement{Effect: "Maybe", Action: iamdoc.Strings{"s:A"}, Resource: iamdoc.Strings{"*"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := iameval.Document(iamdoc.New(tt.st), iameval.Request{Principal: role, Action: "s:A", Resource: "r", Context: iameval.Keys("k", "a")})
			assert.Error(t, err)
		})
	}
}

func TestNotActionNotResourceAndDenyOverAllow(t *testing.T) {
	doc := iamdoc.New(
		iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"s3:*"}, Resource: iamdoc.Strings{"*"}},
		iamdoc.Statement{Effect: iamdoc.Deny, NotAction: iamdoc.Strings{"s3:Get*"}, Resource: iamdoc.Strings{"arn:aws:s3:::ro/*"}},
		iamdoc.Statement{Effect: iamdoc.Deny, Action: iamdoc.Strings{"s3:*"}, NotResource: iamdoc.Strings{"arn:aws:s3:::ro/*", "arn:aws:s3:::rw/*"}},
	)
	tests := []struct {
		action, resource string
		want             iameval.Effect
	}{
		{"s3:GetObject", "arn:aws:s3:::ro/k", iameval.Allowed},
		{"s3:PutObject", "arn:aws:s3:::ro/k", iameval.Denied},
		{"s3:PutObject", "arn:aws:s3:::rw/k", iameval.Allowed},
		{"s3:GetObject", "arn:aws:s3:::elsewhere/k", iameval.Denied},
	}
	for _, tt := range tests {
		got, err := iameval.Document(doc, iameval.Request{Principal: role, Action: tt.action, Resource: tt.resource})
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, "%s %s", tt.action, tt.resource)
	}
}

func TestPolicyVariablesInResources(t *testing.T) {
	doc := iamdoc.New(stmt(iamdoc.Allow, []string{"s3:GetObject"}, []string{"arn:aws:s3:::b/teams/${aws:PrincipalTag/team}/*"}, nil))
	r := iameval.Request{Principal: role, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/teams/a/x", Context: iameval.Keys("aws:PrincipalTag/team", "a")}
	got, err := iameval.Document(doc, r)
	require.NoError(t, err)
	assert.Equal(t, iameval.Allowed, got)
	r.Context = iameval.Keys("aws:PrincipalTag/team", "b")
	got, err = iameval.Document(doc, r)
	require.NoError(t, err)
	assert.Equal(t, iameval.NotApplicable, got)
	r.Context = nil
	got, err = iameval.Document(doc, r)
	require.NoError(t, err)
	assert.Equal(t, iameval.NotApplicable, got, "an unresolved variable matches no resource")
}

func TestPrincipalsServicesAndAccounts(t *testing.T) {
	doc := iamdoc.New(
		iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Services("logs.amazonaws.com"), Action: iamdoc.Strings{"kms:Decrypt"}, Resource: iamdoc.Strings{"*"}},
		iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals("arn:aws:iam::111122223333:root"), Action: iamdoc.Strings{"kms:DescribeKey"}, Resource: iamdoc.Strings{"*"}},
		iamdoc.Statement{Effect: iamdoc.Allow, NotPrincipal: iamdoc.AWSPrincipals(other), Action: iamdoc.Strings{"kms:GetKeyPolicy"}, Resource: iamdoc.Strings{"*"}},
	)
	tests := []struct {
		name string
		r    iameval.Request
		want iameval.Effect
	}{
		{"service principal", iameval.Request{Service: "logs.amazonaws.com", Action: "kms:Decrypt", Resource: "k"}, iameval.Allowed},
		{"another service", iameval.Request{Service: "s3.amazonaws.com", Action: "kms:Decrypt", Resource: "k"}, iameval.NotApplicable},
		{"a role is not the service", iameval.Request{Principal: role, Action: "kms:Decrypt", Resource: "k"}, iameval.NotApplicable},
		{"the account root names every principal of the account", iameval.Request{Principal: role, Action: "kms:DescribeKey", Resource: "k"}, iameval.Allowed},
		{"not another account's", iameval.Request{Principal: "arn:aws:iam::999999999999:role/r", Action: "kms:DescribeKey", Resource: "k"}, iameval.NotApplicable},
		{"NotPrincipal excludes", iameval.Request{Principal: other, Action: "kms:GetKeyPolicy", Resource: "k"}, iameval.NotApplicable},
		{"NotPrincipal admits the rest", iameval.Request{Principal: role, Action: "kms:GetKeyPolicy", Resource: "k"}, iameval.Allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iameval.Document(doc, tt.r)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDerivedPrincipalKeys(t *testing.T) {
	doc := iamdoc.New(stmt(iamdoc.Allow, []string{"s:A"}, []string{"*"}, iamdoc.Condition{
		"StringEquals": {"aws:PrincipalAccount": {"111122223333"}},
		"ArnEquals":    {"aws:PrincipalArn": {role}},
		"Bool":         {"aws:PrincipalIsAWSService": {"false"}},
	}))
	got, err := iameval.Document(doc, iameval.Request{Principal: role, Action: "s:A", Resource: "r"})
	require.NoError(t, err)
	assert.Equal(t, iameval.Allowed, got)
	got, err = iameval.Document(doc, iameval.Request{Principal: role, Action: "s:A", Resource: "r", Context: iameval.Keys("aws:PrincipalAccount", "999999999999")})
	require.NoError(t, err)
	assert.Equal(t, iameval.NotApplicable, got, "an explicit context value is not overwritten")
}

func TestEvaluateCombinesIdentityBoundaryAndResourcePolicies(t *testing.T) {
	allowGet := iamdoc.New(stmt(iamdoc.Allow, []string{"s3:GetObject"}, []string{"arn:aws:s3:::b/*"}, nil))
	denyGet := iamdoc.New(stmt(iamdoc.Deny, []string{"s3:GetObject"}, []string{"*"}, nil))
	allowPut := iamdoc.New(stmt(iamdoc.Allow, []string{"s3:PutObject"}, []string{"*"}, nil))
	bucketAllowsRole := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals(role), Action: iamdoc.Strings{"s3:GetObject"}, Resource: iamdoc.Strings{"arn:aws:s3:::b/*"}})
	bucketDenies := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Deny, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"s3:*"}, Resource: iamdoc.Strings{"*"}})
	keyDelegates := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals("arn:aws:iam::111122223333:root"), Action: iamdoc.Strings{"s3:GetObject"}, Resource: iamdoc.Strings{"*"}})
	endpointAllowsGet := iamdoc.New(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"s3:GetObject"}, Resource: iamdoc.Strings{"*"}})
	get := iameval.Request{Principal: role, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	tests := []struct {
		name string
		p    iameval.Policies
		want iameval.Decision
	}{
		{"identity allows", iameval.Policies{Identity: []iamdoc.Document{allowGet}}, iameval.Allow},
		{"nothing allows", iameval.Policies{}, iameval.ImplicitDeny},
		{"identity deny wins", iameval.Policies{Identity: []iamdoc.Document{allowGet, denyGet}}, iameval.ExplicitDeny},
		{"boundary caps identity", iameval.Policies{Identity: []iamdoc.Document{allowGet}, Boundary: &allowPut}, iameval.ImplicitDeny},
		{"boundary deny wins", iameval.Policies{Identity: []iamdoc.Document{allowGet}, Boundary: &denyGet}, iameval.ExplicitDeny},
		{"resource policy names the role", iameval.Policies{Resource: []iamdoc.Document{bucketAllowsRole}}, iameval.Allow},
		{"resource policy for the role within a boundary that does not allow", iameval.Policies{Resource: []iamdoc.Document{bucketAllowsRole}, Boundary: &allowPut}, iameval.ImplicitDeny},
		{"resource deny wins over identity", iameval.Policies{Identity: []iamdoc.Document{allowGet}, Resource: []iamdoc.Document{bucketDenies}}, iameval.ExplicitDeny},
		{"key policy must allow", iameval.Policies{Identity: []iamdoc.Document{allowGet}, ResourceMustAllow: true}, iameval.ImplicitDeny},
		{"key policy delegating to the account needs the identity policy", iameval.Policies{Resource: []iamdoc.Document{keyDelegates}, ResourceMustAllow: true}, iameval.ImplicitDeny},
		{"key policy delegating to the account with the identity policy", iameval.Policies{Identity: []iamdoc.Document{allowGet}, Resource: []iamdoc.Document{keyDelegates}, ResourceMustAllow: true}, iameval.Allow},
		{"endpoint policy allows", iameval.Policies{Identity: []iamdoc.Document{allowGet}, Endpoint: []iamdoc.Document{endpointAllowsGet}}, iameval.Allow},
		{"endpoint policy does not allow", iameval.Policies{Identity: []iamdoc.Document{allowGet}, Endpoint: []iamdoc.Document{allowPut}}, iameval.ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iameval.Evaluate(tt.p, get)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Decision, got.Reason)
		})
	}
}
