package factory_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory"
)

// An update that would serve a model version that is not Approved is
// refused before the engine runs, and goes through once it is approved.
func TestEngineUpRefusesAModelVersionThatIsNotApproved(t *testing.T) {
	if testing.Short() {
		t.Skip("engine-level test")
	}
	ctx := context.Background()
	reg, s := registry(t, map[string]string{jackpotV1: "Approved", playerV1: "PendingManualApproval"})
	f, err := factory.New(ctx, factory.Options{
		Root: checkout(t), Offline: true, PolicyPack: policyPack(t), Operator: "ops@aifactory.example",
		Now:           func() time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) },
		ModelRegistry: reg,
	})
	require.NoError(t, err)

	_, err = f.Up(ctx, "dev", factory.UpOptions{})
	require.Error(t, err)
	assert.Equal(t, factory.ExitRefused, factory.Code(err), err.Error())
	assert.Contains(t, err.Error(), playerV1+" is PendingManualApproval, not Approved")
	out, err := f.Outputs(ctx, "dev")
	require.NoError(t, err)
	assert.Empty(t, out.Outputs, "nothing was deployed")

	for _, p := range s.ModelPackages {
		p.Status = "Approved"
	}
	up, err := f.Up(ctx, "dev", factory.UpOptions{})
	require.NoError(t, err)
	assert.Greater(t, up.Summary["create"], 100)
	require.NotNil(t, up.Release)
}
