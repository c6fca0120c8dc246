package factory

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aifactory/platform/factory/engine"
)

func TestCostPlanKeepsWhatTheStackWillHave(t *testing.T) {
	in := map[string]any{}
	res := engine.Result{Stack: "dev", Changes: []engine.Change{
		{Op: "same", Type: "aws:kms/key:Key", Name: "a", URN: "urn:a", Inputs: in},
		{Op: "create", Type: "aws:kms/key:Key", Name: "b", URN: "urn:b", Inputs: map[string]any{"tags": map[string]any{"team": "platform"}}},
		{Op: "delete", Type: "aws:kms/key:Key", Name: "gone", URN: "urn:gone"},
		{Op: "replace", Type: "aws:kms/key:Key", Name: "c", URN: "urn:c", Inputs: in},
		{Op: "create-replacement", Type: "aws:kms/key:Key", Name: "c", URN: "urn:c", Inputs: in},
		{Op: "delete-replaced", Type: "aws:kms/key:Key", Name: "c", URN: "urn:c", Inputs: in},
	}}
	plan := CostPlan(res)
	var names []string
	for _, r := range plan.Resources {
		names = append(names, r.Name)
	}
	assert.Equal(t, []string{"a", "b", "c"}, names)
	assert.Equal(t, "dev", plan.Stack)
	assert.Equal(t, "platform", plan.Resources[1].Inputs["tags"].(map[string]any)["team"])
}
