package rules_test

import (
	"os"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/policy/rules"
)

func TestShippedPolicyConfigsParse(t *testing.T) {
	for _, env := range []string{"dev", "staging", "prod"} {
		b, err := os.ReadFile("../config/" + env + ".json")
		require.NoError(t, err)
		pc, err := rules.ParsePolicyConfig(b)
		require.NoError(t, err, env)
		assert.Equal(t, rules.Mandatory, pc.Level("s3-sse-kms"), env)
	}
}

func TestPolicyConfigNamesWhatItCannotRead(t *testing.T) {
	for name, file := range map[string]string{
		"unknown control": `{"s3-sse-kmz": {"enforcementLevel": "mandatory"}}`,
		"unknown level":   `{"s3-sse-kms": {"enforcementLevel": "strict"}}`,
		"unknown setting": `{"logs-kms-retention": {"minimumRetentionDay": 30}}`,
		"not json":        `{`,
	} {
		_, err := rules.ParsePolicyConfig([]byte(file))
		assert.Error(t, err, name)
	}
}

func TestPolicyConfigEvaluatesWithItsLevelsAndSettings(t *testing.T) {
	logGroup := rules.Resource{
		Type: "aws:cloudwatch/logGroup:LogGroup", Name: "lg", URN: "urn:pulumi:dev::aifactory::aws:cloudwatch/logGroup:LogGroup::lg",
		Properties: resource.FromResourcePropertyMap(resource.NewPropertyMapFromMap(map[string]any{
			"kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k", "retentionInDays": 30,
		})),
	}
	strict, err := rules.ParsePolicyConfig([]byte(`{"logs-kms-retention": {"enforcementLevel": "mandatory", "minimumRetentionDays": 365}}`))
	require.NoError(t, err)
	found := false
	for _, f := range strict.Evaluate([]rules.Resource{logGroup}) {
		found = found || (f.Control == "logs-kms-retention" && f.Name == "lg")
	}
	assert.True(t, found, "30 days is below the configured 365")

	lenient, err := rules.ParsePolicyConfig([]byte(`{"logs-kms-retention": {"enforcementLevel": "mandatory", "minimumRetentionDays": 30}}`))
	require.NoError(t, err)
	for _, f := range lenient.Evaluate([]rules.Resource{logGroup}) {
		assert.NotEqual(t, "logs-kms-retention", f.Control)
	}
	off, err := rules.ParsePolicyConfig([]byte(`{"logs-kms-retention": {"enforcementLevel": "disabled"}}`))
	require.NoError(t, err)
	assert.Equal(t, rules.Disabled, off.Level("logs-kms-retention"))
}
