package engine_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory/engine"
)

func sampleResult() engine.Result {
	return engine.Result{
		Operation: engine.OpPreview,
		Stack:     "dev",
		Changes:   []engine.Change{{Op: "create", Type: "aws:s3/bucketV2:BucketV2", Name: "data"}},
		Summary:   map[string]int{"create": 1},
		Policy: []engine.Finding{
			{Pack: "p", Policy: "s3-sse-kms", Level: engine.LevelMandatory, URN: "urn:pulumi:dev::aifactory::aws:s3/bucketV2:BucketV2::data", Resource: "data", Message: "no SSE"},
			{Pack: "p", Policy: "cannot-verify", Level: engine.LevelAdvisory, URN: "urn:a::x", Resource: "x", Message: "long\nexplanation"},
			{Pack: "p", Policy: "cannot-verify", Level: engine.LevelAdvisory, URN: "urn:b::y", Resource: "y", Message: "long\nexplanation"},
		},
		Duration: 1500 * time.Millisecond,
	}
}

func TestWriteShowsMandatoryFindingsInFullAndCountsAdvisoryOnes(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, sampleResult().Write(&out))
	text := out.String()
	assert.Regexp(t, `create\s+aws:s3/bucketV2:BucketV2\s+data`, text)
	assert.Contains(t, text, "Resources: 1 to create")
	assert.Contains(t, text, "Policy: 1 mandatory, 2 advisory findings")
	assert.Contains(t, text, "[mandatory] p/s3-sse-kms on data: no SSE")
	assert.Contains(t, text, "[advisory] p/cannot-verify on 2 resources")
	assert.NotContains(t, text, "explanation", "advisory details stay out of the summary")
}

func TestResultJSONCarriesFindingsSummaryAndDuration(t *testing.T) {
	b, err := json.Marshal(sampleResult())
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, "preview", got["operation"])
	assert.Equal(t, "dev", got["stack"])
	assert.Equal(t, map[string]any{"create": float64(1)}, got["summary"])
	assert.Equal(t, 1.5, got["durationSeconds"])
	findings := got["policy"].([]any)
	require.Len(t, findings, 3)
	assert.Equal(t, map[string]any{
		"pack": "p", "policy": "s3-sse-kms", "level": "mandatory",
		"urn": "urn:pulumi:dev::aifactory::aws:s3/bucketV2:BucketV2::data", "resource": "data", "message": "no SSE",
	}, findings[0])
	assert.Len(t, sampleResult().Mandatory(), 1)
}
