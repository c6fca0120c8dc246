package factory

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDifferingComparesValuesAndArchivesByContent(t *testing.T) {
	archive := func(extra map[string]any) map[string]any {
		m := map[string]any{assetSignature: "0def7320c3a5731c473e5ecbe6d01bc7", "hash": "abc"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	stored := map[string]any{"code": archive(map[string]any{"path": "/tmp/x.zip"}), "retentionInDays": 30.0, "kmsKeyId": "k", "tags": map[string]any{"team": "a"}}
	same := map[string]any{"code": archive(nil), "retentionInDays": 30.0, "kmsKeyId": "k", "tags": map[string]any{"team": "a"}}
	assert.Empty(t, differing(stored, same), "an archive described without its path is the same archive")

	changed := map[string]any{"code": archive(map[string]any{"hash": "def"}), "retentionInDays": 1.0, "tags": map[string]any{"team": "b"}, "extra": true}
	assert.Equal(t, []string{"code", "extra", "kmsKeyId", "retentionInDays", "tags"}, differing(stored, changed))
}
