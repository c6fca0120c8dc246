package offline

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteShowsMandatoryFindingsInFullAndCountsAdvisoryOnes(t *testing.T) {
	plan := Plan{
		Steps:   []Step{{Op: "create", Type: "aws:s3/bucketV2:BucketV2", Name: "data"}},
		Summary: map[string]int{"create": 1},
		Policy: []PolicyEvent{
			{Pack: "p", Policy: "s3-sse-kms", EnforcementLevel: "mandatory", URN: "urn:pulumi:dev::aifactory::aws:s3/bucketV2:BucketV2::data", Message: "no SSE"},
			{Pack: "p", Policy: "cannot-verify", EnforcementLevel: "advisory", URN: "urn:a::x", Message: "long\nexplanation"},
			{Pack: "p", Policy: "cannot-verify", EnforcementLevel: "advisory", URN: "urn:b::y", Message: "long\nexplanation"},
		},
	}
	var out bytes.Buffer
	require.NoError(t, plan.Write(&out))
	text := out.String()
	assert.Regexp(t, `create\s+aws:s3/bucketV2:BucketV2\s+data`, text)
	assert.Contains(t, text, "Resources: 1 to create")
	assert.Contains(t, text, "Policy: 1 mandatory, 2 advisory findings")
	assert.Contains(t, text, "[mandatory] p/s3-sse-kms on data: no SSE")
	assert.Contains(t, text, "[advisory] p/cannot-verify on 2 resources")
	assert.NotContains(t, text, "explanation", "advisory details stay out of the summary")
}
