package iamdoc_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
)

func TestMarshalUsesTheShapesAWSWrites(t *testing.T) {
	doc := iamdoc.New(
		iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"s3:GetObject"}, Resource: iamdoc.Strings{"arn:aws:s3:::b/*", "arn:aws:s3:::b"}},
		iamdoc.Statement{Effect: iamdoc.Deny, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"s3:*"}, Resource: iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"Bool": {"aws:SecureTransport": {"false"}}}},
	)
	s, err := doc.JSON()
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &raw))
	assert.Equal(t, "2012-10-17", raw["Version"])
	stmts := raw["Statement"].([]any)
	first := stmts[0].(map[string]any)
	assert.Equal(t, "s3:GetObject", first["Action"], "one value marshals as a plain string")
	assert.Len(t, first["Resource"], 2)
	assert.NotContains(t, first, "Principal", "identity policies carry no principal")
	second := stmts[1].(map[string]any)
	assert.Equal(t, "*", second["Principal"])
}

func TestParseRoundTripsAndAcceptsBothForms(t *testing.T) {
	in := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"},
	  {"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":"*",
	   "Condition":{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}}]}`
	doc, err := iamdoc.Parse(in)
	require.NoError(t, err)
	require.Len(t, doc.Statement, 2)
	assert.Equal(t, iamdoc.Strings{"sagemaker.amazonaws.com"}, doc.Statement[0].Principal.Service)
	assert.True(t, doc.Statement[1].Principal.Any, `{"AWS":"*"} is anyone`)
	assert.Equal(t, iamdoc.Strings{"123456789012"}, doc.Statement[1].Condition["StringEquals"]["aws:PrincipalAccount"])

	out, err := doc.JSON()
	require.NoError(t, err)
	again, err := iamdoc.Parse(out)
	require.NoError(t, err)
	assert.Equal(t, doc.Statement[0], again.Statement[0])
}

func TestParseRejectsMalformedDocuments(t *testing.T) {
	for _, in := range []string{`{`, `{"Statement":[{"Principal":"someone"}]}`, `{"Statement":[{"Action":7}]}`} {
		_, err := iamdoc.Parse(in)
		assert.Error(t, err, in)
	}
}

func TestSidSuffix(t *testing.T) {
	for in, want := range map[string]string{
		"risk-models":   "RiskModels",
		"access-logs/":  "AccessLogs",
		"teams/a_b.c/":  "TeamsABC",
		"v2-endpoints":  "V2Endpoints",
		"":              "",
		"--":            "",
		"jackpot42team": "Jackpot42team",
	} {
		assert.Equal(t, want, iamdoc.SidSuffix(in), in)
	}
}
