package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/aifactory/platform/facts/tagkeys"
	"github.com/aifactory/platform/finops/cost"
)

// teamBudgetFit holds every team to its budget before anything is
// created: the team's modelled monthly cost (package finops/cost: the
// planned resources, the dated price table, and the platform's limits as
// the resources carry them) must fit within the limit of the budget that
// covers it. It runs the same model as `aifactory cost`, without TTLs (the
// higher, conservative figure).
var teamBudgetFit = newControl(Control{
	Name: "team-budget-fit", Category: FinOps, Level: Advisory,
	Requirement:   "Each team's modelled monthly cost (planned resources, the dated price table, the platform's idle shutdown, auto-termination and Spot limits) fits within the limit of its AWS Budget.",
	ResourceTypes: []string{AllAWSTypes},
	stack:         checkTeamBudgetFit,
})

func checkTeamBudgetFit(c *stackCheck, _ *Settings) {
	budgets := c.idx.ofTypes(typeBudget)
	if len(budgets) == 0 {
		return // team-budget reports teams without one
	}
	rep := cost.ModelWith(planOf(c.idx.all), cost.Options{TeamTag: tagkeys.Team})
	for _, b := range budgets {
		on := c.on(b)
		teams, st := budgetTeams(b)
		if st == unknown {
			on.unverifiedProp("costFilters", false)
			continue
		}
		if len(teams) == 0 {
			continue
		}
		limit := prop(b.Properties, "limitAmount")
		amount, lst := limit.number()
		switch {
		case lst == unknown:
			on.unverified(limit)
			continue
		case lst == absent:
			on.violation("limitAmount is not set, so the budget has no limit to hold the team to", "set limitAmount to the team's monthly budget from aifactory:teams[].budget")
			continue
		}
		if unit, ust := prop(b.Properties, "limitUnit").str(); ust == known && unit != "USD" {
			on.violation(fmt.Sprintf("limitUnit is %q; the price table is in USD", unit), "set limitUnit: USD")
			continue
		}
		names := make([]string, 0, len(teams))
		for t := range teams {
			names = append(names, t)
		}
		sort.Strings(names)
		modelled := 0.0
		var unpriced []string
		for _, t := range names {
			modelled += rep.Team(t).Modelled
			for _, u := range rep.UnpricedFor(t) {
				unpriced = append(unpriced, fmt.Sprintf("%s %q (%s)", shortType(u.Type), u.Resource, u.Reason))
			}
		}
		shown := "team " + strings.Join(quoteAll(names), ", ")
		if secretTeam(c, b) {
			shown = "the budget's team (secret tag value)"
		}
		if modelled > amount {
			on.violation(fmt.Sprintf("%s is modelled to cost $%.2f a month, above its budget of $%.2f (%s)", shown, modelled, amount, largest(rep, names)),
				"raise the team's budget in aifactory:teams[].budget, or ask for less: smaller instance types, fewer or Spot nodes, shorter idle timeouts (`aifactory cost <stack>` shows every resource's figure)")
			continue
		}
		if len(unpriced) > 0 {
			// Within budget so far, but part of the team's plan could not be
			// priced: decided once the values are known.
			*on.out = append(*on.out, Finding{
				Control: c.control, Verdict: Unverified, URN: b.URN, Type: b.Type, Name: b.Name, Property: "limitAmount",
				Message: fmt.Sprintf("%s: %s's modelled cost ($%.2f of $%.2f) leaves out %s", subject(b), shown, modelled, amount, strings.Join(unpriced, "; ")),
			})
		}
	}
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// secretTeam reports whether the budget's filter values are secret.
func secretTeam(c *stackCheck, b *Resource) bool {
	return prop(b.Properties, "costFilters").secret()
}

// largest names the team's costliest service, to point at what to shrink.
func largest(rep cost.Report, teams []string) string {
	bySvc := map[string]float64{}
	for _, l := range rep.Lines {
		for _, t := range teams {
			if l.Team == t {
				bySvc[l.Service] += l.Modelled
			}
		}
	}
	best, amount := "", -1.0
	for svc, v := range bySvc {
		if v > amount || (v == amount && svc < best) {
			best, amount = svc, v
		}
	}
	if best == "" {
		return "no priced resources"
	}
	return fmt.Sprintf("largest: %s $%.2f", best, amount)
}

// planOf turns the stack's resources into the cost model's input: property
// values as plain JSON values, computed ones as the engine's unknown
// marker, so the model prices what is known and reports what is not.
func planOf(resources []Resource) cost.Plan {
	p := cost.Plan{Resources: make([]cost.Resource, 0, len(resources))}
	for _, r := range resources {
		if !strings.HasPrefix(r.Type, "aws:") {
			continue
		}
		inputs := map[string]any{}
		for k, v := range r.Properties.AllStable {
			inputs[k] = plain(v)
		}
		p.Resources = append(p.Resources, cost.Resource{Type: r.Type, Name: r.Name, URN: r.URN, Inputs: inputs, Dependencies: r.PropertyDependencies})
	}
	return p
}

func plain(v property.Value) any {
	switch {
	case v.IsComputed():
		return cost.Unknown
	case v.IsString():
		return v.AsString()
	case v.IsNumber():
		return v.AsNumber()
	case v.IsBool():
		return v.AsBool()
	case v.IsArray():
		arr := v.AsArray()
		out := make([]any, 0, arr.Len())
		for _, e := range arr.AsSlice() {
			out = append(out, plain(e))
		}
		return out
	case v.IsMap():
		out := map[string]any{}
		for k, e := range v.AsMap().AllStable {
			out[k] = plain(e)
		}
		return out
	}
	return nil
}
