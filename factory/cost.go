package factory

import (
	"context"
	"slices"
	"time"

	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/finops/cost"
)

// CostOptions tune the cost model.
type CostOptions struct {
	// From is the first day of the modelled month; resources whose
	// expires-at falls within it end early. Zero models a whole month.
	From time.Time
}

// Cost models the monthly cost of stack from its planned resources (a
// preview; nothing is changed), the dated price table of finops/cost and
// the platform's own limits, per team and per service, against the same
// resources run on demand and always on.
func (f *Factory) Cost(ctx context.Context, stack string, o CostOptions) (Result, error) {
	if _, err := f.Config(stack); err != nil {
		return Result{}, err
	}
	s, err := f.stack(ctx, stack)
	if err != nil {
		return Result{}, err
	}
	er, err := engine.Preview(f.progress(ctx, engine.OpPreview, stack), s)
	res := Result{Result: er}
	res.Operation = "cost"
	if err := classify(stack, &res, err); err != nil {
		return res, err
	}
	report := cost.ModelWith(CostPlan(er), cost.Options{From: o.From})
	res.Cost = &report
	return res, nil
}

// CostPlan is what a stack will have after the steps of a preview: every
// resource it creates, updates, replaces or keeps, once, with its planned
// inputs; deleted resources are gone.
func CostPlan(res engine.Result) cost.Plan {
	plan := cost.Plan{Stack: res.Stack}
	seen := map[string]bool{}
	for _, c := range res.Changes {
		if c.Inputs == nil || seen[c.URN] || slices.Contains([]string{"delete", "delete-replaced", "discard"}, c.Op) {
			continue
		}
		seen[c.URN] = true
		plan.Resources = append(plan.Resources, cost.Resource{Type: c.Type, Name: c.Name, URN: c.URN, Inputs: c.Inputs})
	}
	return plan
}
