package platform_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/internal/enginetest"
	"github.com/aifactory/platform/stacks/platform"
)

// TestEngineProdRefusesATeamOverItsBudget: a prod request whose modelled
// monthly cost does not fit the team's budget fails the preview, before
// anything is created.
func TestEngineProdRefusesATeamOverItsBudget(t *testing.T) {
	env := enginetest.Env(t)
	ctx := context.Background()
	p := enginetest.Pack(t)
	b, err := os.ReadFile(filepath.Join(env.Root, "Pulumi.prod.yaml"))
	require.NoError(t, err)
	// The player-insights team asks for $1 a month.
	config := strings.Replace(string(b), "      budget:\n        monthlyUsd: 300\n", "      budget:\n        monthlyUsd: 1\n", 1)
	require.NotEqual(t, string(b), config, "the prod stack file's player-insights budget moved; update the test")
	file := filepath.Join(t.TempDir(), "Pulumi.prod.yaml")
	require.NoError(t, os.WriteFile(file, []byte(config), 0o600))

	s, err := env.Stack(ctx, "prod-over-budget", platform.Program, file)
	require.NoError(t, err)
	res, err := engine.Preview(ctx, s, p.PreviewOptions("prod")...)
	require.Error(t, err, "a mandatory finding fails the preview")
	var found bool
	for _, f := range res.Mandatory() {
		if f.Policy == "team-budget-fit" {
			found = true
			assert.Contains(t, f.Message, `team "player-insights" is modelled to cost $`)
			assert.Contains(t, f.Message, "above its budget of $1.00")
			assert.Equal(t, "finops-player-insights", f.Resource)
		}
	}
	assert.True(t, found, "team-budget-fit is mandatory in prod:\n%s", describe(res.Mandatory()))
}
