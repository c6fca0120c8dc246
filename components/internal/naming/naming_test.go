package naming_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aifactory/platform/components/internal/naming"
)

func TestCheckPrefix(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		ok     bool
	}{
		{"aifactory-dev", true},
		{"ab", true},
		{"a", false},
		{"Aifactory", false},
		{"1factory", false},
		{"aifactory_dev", false},
		{"a234567890123456789012345678901234567890b", true},
		{"a234567890123456789012345678901234567890bc", false},
	} {
		err := naming.CheckPrefix(tc.prefix)
		if tc.ok {
			assert.NoError(t, err, tc.prefix)
			continue
		}
		if assert.Error(t, err, tc.prefix) {
			assert.Contains(t, err.Error(), "Prefix ")
			assert.Contains(t, err.Error(), "2-41 lower-case letters")
		}
	}
}

func TestIsAccountID(t *testing.T) {
	assert.True(t, naming.IsAccountID("123456789012"))
	for _, id := range []string{"", "12345678901", "1234567890123", "12345678901a"} {
		assert.False(t, naming.IsAccountID(id), id)
	}
}
