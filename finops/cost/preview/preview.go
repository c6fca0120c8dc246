// Package preview fills a cost.Plan from a Pulumi preview: the inputs the
// engine plans for each resource, as its ResourcePreEvents carry them
// (Metadata.New.Inputs, with the engine's marker for values computed by
// other resources). It is what `aifactory cost <stack>` runs: a preview of
// the stack (offline or against AWS), then cost.Model on the plan.
//
// Why preview events and not the program's registrations: the preview is
// the same one the policy pack checks, with every transformation and
// provider default applied, and it needs no AWS credentials offline. After
// `pulumi up`, cost.PlanFromDeployment reads the same inputs from the
// stack's state instead.
package preview

import (
	"context"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/aifactory/platform/finops/cost"
)

// FromEvents returns the resources a preview plans to have after it runs:
// every resource step except deletions, with its new inputs.
func FromEvents(stack string, evs []events.EngineEvent) cost.Plan {
	p := cost.Plan{Stack: stack}
	seen := map[string]bool{}
	for _, ev := range evs {
		if ev.ResourcePreEvent == nil {
			continue
		}
		m := ev.ResourcePreEvent.Metadata
		switch m.Op {
		case apitype.OpDelete, apitype.OpDeleteReplaced, apitype.OpReadDiscard, apitype.OpDiscardReplaced, apitype.OpRemovePendingReplace:
			continue
		}
		if m.New == nil || seen[m.URN] {
			continue
		}
		seen[m.URN] = true
		p.Resources = append(p.Resources, cost.Resource{Type: m.Type, Name: cost.URNName(m.URN), URN: m.URN, Inputs: m.New.Inputs})
	}
	sort.Slice(p.Resources, func(i, j int) bool { return p.Resources[i].URN < p.Resources[j].URN })
	return p
}

// Plan previews s and returns its planned resources. The preview's own
// error (a failed program, a mandatory policy finding) is returned with
// whatever was planned before it.
func Plan(ctx context.Context, s auto.Stack, opts ...optpreview.Option) (cost.Plan, error) {
	ch := make(chan events.EngineEvent)
	var evs []events.EngineEvent
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			evs = append(evs, ev)
		}
	}()
	_, err := s.Preview(ctx, append(opts, optpreview.EventStreams(ch))...)
	<-done
	return FromEvents(s.Name(), evs), err
}
