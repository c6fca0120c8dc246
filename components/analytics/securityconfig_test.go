package analytics_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/analytics"
)

func TestSecurityConfigurationRefusesToDropAGuardrail(t *testing.T) {
	tests := []struct {
		name string
		edit func(*analytics.SecurityConfiguration)
		want string // empty: valid
	}{
		{"platform default", func(*analytics.SecurityConfiguration) {}, ""},
		{"at rest off", func(c *analytics.SecurityConfiguration) { c.EncryptionConfiguration.EnableAtRestEncryption = false }, "at-rest"},
		{"S3 with S3-managed keys", func(c *analytics.SecurityConfiguration) {
			c.EncryptionConfiguration.AtRestEncryptionConfiguration.S3EncryptionConfiguration.EncryptionMode = "SSE-S3"
		}, "SSE-KMS"},
		{"S3 without a key", func(c *analytics.SecurityConfiguration) {
			c.EncryptionConfiguration.AtRestEncryptionConfiguration.S3EncryptionConfiguration = nil
		}, "SSE-KMS"},
		{"EBS left out", func(c *analytics.SecurityConfiguration) {
			c.EncryptionConfiguration.AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration.EnableEbsEncryption = false
		}, "EBS"},
		{"local disks by alias", func(c *analytics.SecurityConfiguration) {
			c.EncryptionConfiguration.AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration.AwsKmsKey = "alias/data"
		}, "local disk"},
		{"in transit without certificates", func(c *analytics.SecurityConfiguration) {
			c.EncryptionConfiguration.EnableInTransitEncryption = true
		}, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := analytics.SecurityConfigurationDocument(dataKey, "")
			tt.edit(&doc)
			out, err := doc.JSON()
			if tt.want != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			require.NoError(t, err)
			back, err := analytics.ParseSecurityConfiguration(out)
			require.NoError(t, err)
			assert.Equal(t, doc, back)
		})
	}
}
