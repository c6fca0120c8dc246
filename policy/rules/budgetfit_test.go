package rules_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/policy/rules"
)

// budgetFitCases are team-budget-fit's cases for TestControlCases: a team
// whose notebook instance (ml.m5.xlarge, always on: $0.257 × 730 h =
// $187.61 a month) must fit its budget.
func budgetFitCases() []controlCase {
	notebook := func(instanceType any) rules.Resource {
		return res(tNotebook, "team-a-nb", map[string]any{"instanceType": instanceType, "tags": with(fullTags(), "team", "team-a")})
	}
	budget := func(limit any) rules.Resource {
		return res(tBudget, "team-a", map[string]any{"budgetType": "COST", "limitAmount": limit, "limitUnit": "USD",
			"costFilters": []any{map[string]any{"name": "TagKeyValue", "values": []string{"user:team$team-a"}}}, "tags": with(fullTags(), "team", "team-a")})
	}
	return []controlCase{
		{control: "team-budget-fit", name: "within budget", want: pass,
			resources: []rules.Resource{notebook("ml.m5.xlarge"), budget("200.00")}},
		{control: "team-budget-fit", name: "over budget", want: violation,
			contains:  `team "team-a" is modelled to cost $187.61 a month, above its budget of $100.00 (largest: SageMaker notebooks $187.61)`,
			resources: []rules.Resource{notebook("ml.m5.xlarge"), budget("100")}},
		{control: "team-budget-fit", name: "limit computed", want: unverified, contains: "limitAmount",
			resources: []rules.Resource{notebook("ml.m5.xlarge"), budget(computed)}},
		{control: "team-budget-fit", name: "instance type computed", want: unverified, contains: `leaves out sagemaker.NotebookInstance "team-a-nb"`,
			resources: []rules.Resource{notebook(computed), budget("100")}},
		{control: "team-budget-fit", name: "no limit", want: violation, contains: "limitAmount is not set",
			resources: []rules.Resource{notebook("ml.m5.xlarge"), budget(nil)}},
	}
}

func TestBudgetFitAddsUpEveryTeamTheBudgetCovers(t *testing.T) {
	c, ok := rules.Lookup("team-budget-fit")
	require.True(t, ok)
	assert.Equal(t, rules.Advisory, c.Level, "advisory by default; prod's policy config makes it mandatory")
	nb := func(name, team string) rules.Resource {
		return res(tNotebook, name, map[string]any{"instanceType": "ml.t3.medium", "tags": with(fullTags(), "team", team)})
	}
	shared := res(tBudget, "shared", map[string]any{"limitAmount": "50", "limitUnit": "USD",
		"costFilters": []any{map[string]any{"name": "TagKeyValue", "values": []string{"user:team$a", "user:team$b"}}}})
	// Two notebooks of $38.69 each: $77.38 against one $50 budget.
	findings := c.Evaluate([]rules.Resource{nb("x", "a"), nb("y", "b"), shared}, devSettings())
	require.Len(t, findings, 1)
	assert.Contains(t, findings[0].Message, `team "a", "b" is modelled to cost $77.38 a month, above its budget of $50.00`)
	// Teams without a budget are team-budget's to report, not this control's.
	assert.Empty(t, c.Evaluate([]rules.Resource{nb("x", "a")}, devSettings()))
}
