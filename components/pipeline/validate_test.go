package pipeline_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/pipeline"
)

func TestValidateFindsStructuralMistakes(t *testing.T) {
	end := pipeline.SucceedState{}
	pass := func(next string) pipeline.PassState { return pipeline.PassState{Next: next} }
	tests := []struct {
		name string
		m    pipeline.StateMachine
		want string
	}{
		{"missing start", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{"B": end}}, `StartAt "A" is not one of its states`},
		{"missing target", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{"A": pass("B")}}, `goes to "B", which is not a state`},
		{"both Next and End", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{
			"A": pipeline.PassState{Next: "B", End: true}, "B": end}}, "has both Next and End"},
		{"neither Next nor End", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{"A": pipeline.TaskState{Resource: "arn:aws:states:::sns:publish"}}},
			"has neither Next nor End"},
		{"unreachable state", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{"A": end, "B": end}}, `"B" cannot be reached`},
		{"loop without exit", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{"A": pass("B"), "B": pass("A")}}, "can never reach an end"},
		{"choice without default", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{
			"A": pipeline.ChoiceState{Choices: []pipeline.ChoiceRule{{Variable: "$.x", IsPresent: ptr(true), Next: "B"}}}, "B": end}}, "has no Default"},
		{"rule with two operators", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{
			"A": pipeline.ChoiceState{Choices: []pipeline.ChoiceRule{{Variable: "$.x", IsPresent: ptr(true), StringEquals: ptr("y"), Next: "B"}}, Default: "B"}, "B": end}},
			"exactly one comparison"},
		{"nested rule with Next", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{
			"A": pipeline.ChoiceState{Choices: []pipeline.ChoiceRule{{Not: &pipeline.ChoiceRule{Variable: "$.x", IsPresent: ptr(true), Next: "B"}, Next: "B"}}, Default: "B"}, "B": end}},
			"nested rule 0 has a Next"},
		{"States.ALL not last", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{
			"A": pipeline.TaskState{Resource: "r", End: true, Retry: []pipeline.Retrier{{ErrorEquals: []string{"States.ALL"}}, {ErrorEquals: []string{"X"}}}}}},
			"States.ALL must be the only error name, in the last entry"},
		{"bad jitter", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{
			"A": pipeline.TaskState{Resource: "r", End: true, Retry: []pipeline.Retrier{{ErrorEquals: []string{"X"}, JitterStrategy: "SOME"}}}}},
			`JitterStrategy "SOME"`},
		{"wait without duration", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{"A": pipeline.WaitState{End: true}}},
			"exactly one of Seconds and SecondsPath"},
		{"duplicate name in a Map processor", pipeline.StateMachine{StartAt: "M", States: map[string]pipeline.State{
			"M": pipeline.MapState{End: true, ItemProcessor: &pipeline.Processor{
				ProcessorConfig: pipeline.ProcessorConfig{Mode: pipeline.InlineMode}, StartAt: "M", States: map[string]pipeline.State{"M": end}}}}},
			"state names must be unique"},
		{"processor goes outside", pipeline.StateMachine{StartAt: "M", States: map[string]pipeline.State{
			"M": pipeline.MapState{Next: "Z", ItemProcessor: &pipeline.Processor{
				ProcessorConfig: pipeline.ProcessorConfig{Mode: pipeline.InlineMode}, StartAt: "I", States: map[string]pipeline.State{"I": pass("Z")}}},
			"Z": end}},
			`item processor of "M": state "I" goes to "Z"`},
		{"name too long", pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{
			"A": pass("0123456789012345678901234567890123456789012345678901234567890123456789012345678901"),
			"0123456789012345678901234567890123456789012345678901234567890123456789012345678901": end}},
			"use 1-80 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	t.Run("a well-formed machine passes", func(t *testing.T) {
		m := pipeline.StateMachine{StartAt: "A", States: map[string]pipeline.State{
			"A": pipeline.ChoiceState{Choices: []pipeline.ChoiceRule{{Variable: "$.x", NumericLessThan: ptr(3), Next: "B"}}, Default: "C"},
			"B": pipeline.WaitState{Seconds: 1, Next: "A"},
			"C": pipeline.FailState{Error: "E"},
		}}
		assert.NoError(t, m.Validate(), "a loop with a way out is fine")
	})
}
