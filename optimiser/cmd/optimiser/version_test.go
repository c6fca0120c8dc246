package main

import (
	"testing"

	"github.com/aifactory/platform/facts/buildinfo"
	"github.com/stretchr/testify/assert"
)

// The container image test runs "optimiser version": it must need no input,
// print the stamped version and exit 0.
func TestVersionPrintsTheStampedVersionAndExitsZero(t *testing.T) {
	buildinfo.Version, buildinfo.Commit = "v9.8.7", "cafef00d"
	defer func() { buildinfo.Version, buildinfo.Commit = "", "" }()
	r := runCLI(t, nil, "version")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `^optimiser v9\.8\.7 \(commit cafef00d, go1\.[0-9.]+\)\n$`, r.stdout)
	assert.Empty(t, r.stderr)

	r = runCLI(t, nil, "version", "--bogus")
	assert.Equal(t, exitUsage, r.code)
}
