package preview_test

import (
	"context"
	"os"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/finops/cost"
	"github.com/aifactory/platform/finops/cost/preview"
	"github.com/aifactory/platform/internal/enginetest"
	"github.com/aifactory/platform/stacks/platform"
)

func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

func pre(op apitype.OpType, typ, urn string, inputs map[string]any) events.EngineEvent {
	meta := apitype.StepEventMetadata{Op: op, URN: urn, Type: typ}
	if op != apitype.OpDelete {
		meta.New = &apitype.StepEventStateMetadata{Type: typ, URN: urn, Inputs: inputs}
	}
	return events.EngineEvent{EngineEvent: apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: meta}}}
}

func TestFromEventsKeepsWhatTheStackWillHave(t *testing.T) {
	evs := []events.EngineEvent{
		pre(apitype.OpCreate, "aws:kms/key:Key", "urn:pulumi:dev::aifactory::aws:kms/key:Key::b", map[string]any{"tags": map[string]any{"team": "platform"}}),
		pre(apitype.OpSame, "aws:kms/key:Key", "urn:pulumi:dev::aifactory::aws:kms/key:Key::a", map[string]any{}),
		pre(apitype.OpDelete, "aws:kms/key:Key", "urn:pulumi:dev::aifactory::aws:kms/key:Key::gone", nil),
		pre(apitype.OpReplace, "aws:kms/key:Key", "urn:pulumi:dev::aifactory::aws:kms/key:Key::c", map[string]any{}),
		pre(apitype.OpCreateReplacement, "aws:kms/key:Key", "urn:pulumi:dev::aifactory::aws:kms/key:Key::c", map[string]any{}),
		pre(apitype.OpDeleteReplaced, "aws:kms/key:Key", "urn:pulumi:dev::aifactory::aws:kms/key:Key::c", map[string]any{}),
	}
	p := preview.FromEvents("dev", evs)
	var names []string
	for _, r := range p.Resources {
		names = append(names, r.Name)
	}
	assert.Equal(t, []string{"a", "b", "c"}, names)
	assert.Equal(t, "dev", p.Stack)
}

// TestDevStackThroughTheEngine costs the dev stack as `aifactory cost dev`
// does: an offline preview through the real engine, its planned inputs,
// the model.
func TestDevStackThroughTheEngine(t *testing.T) {
	env := enginetest.Env(t)
	s, err := env.Stack(context.Background(), "dev", platform.Program, "")
	require.NoError(t, err)
	plan, err := preview.Plan(context.Background(), s)
	require.NoError(t, err)
	require.NotEmpty(t, plan.Resources)

	rep := cost.Model(plan)
	assert.Empty(t, rep.Unpriced, "every costed resource of the dev stack is priced")
	services := map[string]bool{}
	for _, l := range rep.Lines {
		services[l.Service] = true
	}
	for _, svc := range []string{cost.ServiceStudio, cost.ServiceEMR, cost.ServiceEndpoint, cost.ServiceKMS} {
		assert.True(t, services[svc], "the dev stack has %s costs", svc)
	}
	// The jackpot team's Spot cluster and both teams' Studio apps.
	jackpot := rep.Team("jackpot-analytics")
	assert.Greater(t, jackpot.Baseline, jackpot.Modelled)
	assert.Greater(t, rep.Team("player-insights").Modelled, 0.0)
	// The platform's limits save more than the headline claim on ML compute.
	assert.Greater(t, rep.Compute.Saving(), cost.HeadlineSaving)
	assert.Greater(t, rep.Total.Saving(), 0.0)
	assert.Less(t, rep.Total.Saving(), rep.Compute.Saving(), "fixed costs (endpoints, keys) are the same in both columns")
}
