package logfilter_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/internal/logfilter"
)

const event = `{
	"eventVersion": "1.09",
	"eventSource": "iam.amazonaws.com",
	"eventName": "CreateRole",
	"sourceIPAddress": "10.20.30.40",
	"readOnly": false,
	"errorCode": null,
	"userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/deployer/s"},
	"additionalEventData": {"MFAUsed": "No"},
	"resources": [{"ARN": "arn:aws:iam::123456789012:role/x"}, {"ARN": "arn:aws:iam::123456789012:role/y"}],
	"requestParameters": {"maxItems": 100}
}`

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		// = and != on strings, bare and quoted.
		{`{ $.eventName = CreateRole }`, true},
		{`{$.eventName=CreateRole}`, true},
		{`{ $.eventName = "CreateRole" }`, true},
		{`{ $.eventName = CreateUser }`, false},
		{`{ $.eventName = createrole }`, false},
		{`{ $.eventName != CreateUser }`, true},
		{`{ $.eventName != "CreateRole" }`, false},
		{`{ $.eventSource = iam.amazonaws.com }`, true},
		// Nested members and array elements.
		{`{ $.userIdentity.type = "AssumedRole" }`, true},
		{`{ $.additionalEventData.MFAUsed != "Yes" }`, true},
		{`{ $.resources[1].ARN = "arn:aws:iam::123456789012:role/y" }`, true},
		{`{ $.resources[2].ARN = "arn:aws:iam::123456789012:role/y" }`, false},
		// A missing field matches neither = nor !=.
		{`{ $.userIdentity.invokedBy = x }`, false},
		{`{ $.userIdentity.invokedBy != x }`, false},
		{`{ $.eventName.deeper = x }`, false},
		// EXISTS and NOT EXISTS.
		{`{ $.userIdentity.invokedBy NOT EXISTS }`, true},
		{`{ $.userIdentity.type NOT EXISTS }`, false},
		{`{ $.userIdentity.type EXISTS }`, true},
		{`{ $.errorCode EXISTS }`, true},
		// Wildcards in bare words only.
		{`{ $.sourceIPAddress = 10.20.* }`, true},
		{`{ $.sourceIPAddress != 10.20.* }`, false},
		{`{ $.sourceIPAddress = *.40 }`, true},
		{`{ $.sourceIPAddress = 10.*.40 }`, true},
		{`{ $.sourceIPAddress = 10.*.41 }`, false},
		{`{ $.eventName = Create* }`, true},
		{`{ $.eventName = "Create*" }`, false},
		{`{ $.eventName = * }`, true},
		// Numbers and booleans by their JSON text; null and objects never.
		{`{ $.requestParameters.maxItems = 100 }`, true},
		{`{ $.readOnly = false }`, true},
		{`{ $.errorCode = null }`, false},
		{`{ $.userIdentity = x }`, false},
		// && and ||, and parentheses.
		{`{ $.eventName = CreateRole && $.eventSource = iam.amazonaws.com }`, true},
		{`{ $.eventName = CreateRole && $.eventSource = kms.amazonaws.com }`, false},
		{`{ $.eventName = CreateUser || $.eventName = CreateRole }`, true},
		{`{ $.eventName = CreateUser || $.eventName = DeleteRole }`, false},
		{`{ ($.eventSource = kms.amazonaws.com) && (($.eventName = CreateRole) || ($.eventName = X)) }`, false},
		{`{ ($.eventSource = iam.amazonaws.com) && (($.eventName = X) || ($.eventName = CreateRole)) }`, true},
		{`{ (($.eventName = CreateRole)) }`, true},
		{`{ ($.eventName = X || $.eventName = Y) || ($.eventName=CreateRole && $.userIdentity.invokedBy NOT EXISTS) }`, true},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			p, err := logfilter.Parse(tc.pattern)
			require.NoError(t, err)
			got, err := p.Match([]byte(event))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestUnsupportedOrMalformedPatternsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		pattern, want string
	}{
		{`$.eventName = X`, `expected "{"`},
		{`{ $.eventName = X`, `expected "}", found end of pattern`},
		{`{ $.eventName = X } trailing`, `after the closing }`},
		{`{ ($.eventName = X }`, `expected ")"`},
		{`{ $.a = X && $.b = Y || $.c = Z }`, `mixes && and || without parentheses`},
		{`{ $.a = X || $.b = Y && $.c = Z }`, `mixes && and || without parentheses`},
		{`{ $.latency > 100 }`, `numeric comparison ">"`},
		{`{ $.a IS NULL }`, `IS NULL`},
		{`{ $.a = "unterminated }`, `unterminated string`},
		{`{ $.a = }`, `expected a value`},
		{`{ $.a }`, `expected =, !=, EXISTS or NOT EXISTS`},
		{`{ $.a NOT THERE }`, `expected EXISTS after NOT`},
		{`{ eventName = X }`, `expected a selector`},
		{`{ $ = X }`, `names no field`},
		{`{ $.a[x] = X }`, `array index "x"`},
		{`{ $.a = %regex% }`, `regular expressions`},
		{`{ }`, `expected a selector`},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			_, err := logfilter.Parse(tc.pattern)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestEventsThatAreNotJSONObjectsAreErrors(t *testing.T) {
	p := logfilter.MustParse(`{ $.a = b }`)
	for _, e := range []string{`not json`, `["a"]`, `"a"`, ``} {
		_, err := p.Match([]byte(e))
		assert.Error(t, err, e)
	}
	got, err := p.Match([]byte(`{"a": "b"}`))
	require.NoError(t, err)
	assert.True(t, got)
	assert.Equal(t, `{ $.a = b }`, p.String())
}
