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
// refused before the engine runs, and goes through once it is approved;
// a promotion is refused by its models-approved gate until the target's
// version is approved too.
func TestEngineUpRefusesAModelVersionThatIsNotApproved(t *testing.T) {
	if testing.Short() {
		t.Skip("engine-level test")
	}
	ctx := context.Background()
	reg, s := registry(t, map[string]string{jackpotV1: "Approved", playerV1: "PendingManualApproval", stagingV1: "PendingManualApproval"})
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

	approve := func(arn string) {
		for _, p := range s.ModelPackages {
			if p.ARN == arn {
				p.Status = "Approved"
			}
		}
	}
	approve(playerV1)
	up, err := f.Up(ctx, "dev", factory.UpOptions{})
	require.NoError(t, err)
	assert.Greater(t, up.Summary["create"], 100)
	require.NotNil(t, up.Release)

	res, err := f.Promote(ctx, "dev", "staging", factory.PromoteOptions{Yes: true})
	gateFailed(t, res, err, factory.GateApproved)
	assert.Contains(t, err.Error(), stagingV1+" is PendingManualApproval, not Approved")

	approve(stagingV1)
	res, err = f.Promote(ctx, "dev", "staging", factory.PromoteOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, res.Gates)
	passed := map[string]bool{}
	for _, g := range res.Gates {
		passed[g.Name] = g.Passed
	}
	assert.True(t, passed[factory.GateApproved], "%+v", res.Gates)
}
