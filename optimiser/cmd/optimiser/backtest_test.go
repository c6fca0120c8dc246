package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBacktestReportsAccuracyAndReplay(t *testing.T) {
	r := runCLI(t, nil, "backtest", "--country", "SE", "--replay", "3")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "SE walk-forward")
	assert.Contains(t, r.stdout, "replay of the last 3 weeks")
}
