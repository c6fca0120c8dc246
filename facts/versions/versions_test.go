package versions_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/facts/versions"
	"github.com/aifactory/platform/facts/versions/modfiles"
)

func TestConstantsMatchTheModuleFiles(t *testing.T) {
	pins, err := modfiles.Read("../..")
	require.NoError(t, err)
	const fix = "regenerate with: go generate ./facts/versions"
	assert.Equal(t, pins.PulumiCLI, versions.PulumiCLI, fix)
	assert.Equal(t, pins.PulumiSDK, versions.PulumiSDK, fix)
	assert.Equal(t, pins.AWSProvider, versions.AWSProvider, fix)
	// The CLI and the SDK the program is built with move together.
	assert.Equal(t, versions.PulumiCLI, versions.PulumiSDK, "pin github.com/pulumi/pulumi/pkg/v3 in tools/pulumi/go.mod at go.mod's sdk/v3 version")
}

func TestReadNamesTheMissingPin(t *testing.T) {
	_, err := modfiles.Read(t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "go.mod")
}
