package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSingleCountryUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"recommend"},
		{"train", "--country"},
		{"predict", "--country", "NL"},
		{"predict", "--country", "NL", "--jackpot", "-5"},
		{"recommend", "--country", "NL", "extra"},
		{"explode"},
		{},
	} {
		r := runCLI(t, nil, args...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", args, r.stderr)
		assert.NotEmpty(t, r.stderr)
	}
	r := runCLI(t, nil, "recommend", "--country", "FR", "--out", t.TempDir())
	assert.Equal(t, exitError, r.code)
	assert.Contains(t, r.stderr, "configured: GB, NL, SE")
	assert.Equal(t, exitOK, runCLI(t, nil, "help").code)
	assert.Contains(t, runCLI(t, nil, "version").stdout, "optimiser")
}
