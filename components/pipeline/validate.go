package pipeline

import (
	"errors"
	"fmt"
	"slices"
	"sort"
)

// maxStateName is the longest state name Step Functions accepts.
const maxStateName = 80

// Validate checks the structure of the definition before AWS sees it: the
// start state and every transition target exist, state names are unique
// across the whole definition (Map processors included), every state that
// does not end the machine says where it goes next and no state says both,
// every state is reachable and can reach an end, Choice states have a
// Default, and retriers and catchers are well formed. It does not replace
// the States Language validator the tests run; it catches the mistakes a
// Go change can make, at build time.
func (m StateMachine) Validate() error {
	var errs []error
	names := map[string]string{}
	validateScope("", m.StartAt, m.States, names, &errs)
	if m.TimeoutSeconds < 0 {
		errs = append(errs, fmt.Errorf("TimeoutSeconds %d: use a positive number of seconds or leave it unset", m.TimeoutSeconds))
	}
	return errors.Join(errs...)
}

// validateScope checks one state machine: the top level or a Map state's
// item processor. names maps every state name seen so far to its scope.
func validateScope(scope, startAt string, states map[string]State, names map[string]string, errs *[]error) {
	where := "state machine"
	if scope != "" {
		where = fmt.Sprintf("item processor of %q", scope)
	}
	fail := func(format string, args ...any) {
		*errs = append(*errs, fmt.Errorf(where+": "+format, args...))
	}
	if len(states) == 0 {
		fail("has no states")
		return
	}
	if _, ok := states[startAt]; !ok {
		fail("StartAt %q is not one of its states", startAt)
	}
	for _, name := range sortedNames(states) {
		s := states[name]
		if prev, dup := names[name]; dup {
			fail("state %q is also defined in the %s; state names must be unique across the definition", name, describeScope(prev))
		}
		names[name] = scope
		if name == "" || len([]rune(name)) > maxStateName {
			fail("state name %q: use 1-%d characters", name, maxStateName)
		}
		for _, t := range s.transitions() {
			if _, ok := states[t]; !ok {
				fail("state %q goes to %q, which is not a state of this %s", name, t, describeScopeShort(scope))
			}
		}
		checkState(name, s, fail)
		if ms, ok := s.(MapState); ok {
			if ms.ItemProcessor == nil {
				fail("Map state %q has no ItemProcessor", name)
				continue
			}
			if ms.ItemProcessor.ProcessorConfig.Mode != InlineMode {
				fail("Map state %q: ProcessorConfig.Mode %q is not %s", name, ms.ItemProcessor.ProcessorConfig.Mode, InlineMode)
			}
			validateScope(name, ms.ItemProcessor.StartAt, ms.ItemProcessor.States, names, errs)
		}
	}
	checkGraph(startAt, states, fail)
}

func describeScope(scope string) string {
	if scope == "" {
		return "top-level state machine"
	}
	return fmt.Sprintf("item processor of %q", scope)
}

func describeScopeShort(scope string) string {
	if scope == "" {
		return "state machine"
	}
	return "item processor"
}

// checkState checks one state's own fields.
func checkState(name string, s State, fail func(string, ...any)) {
	nextOrEnd := func(next string, end bool) {
		switch {
		case next != "" && end:
			fail("state %q has both Next and End; keep one", name)
		case next == "" && !end:
			fail("state %q has neither Next nor End; say where it goes or that it ends", name)
		}
	}
	switch v := s.(type) {
	case TaskState:
		nextOrEnd(v.Next, v.End)
		if v.Resource == "" {
			fail("Task state %q has no Resource", name)
		}
		if v.TimeoutSeconds < 0 {
			fail("Task state %q: TimeoutSeconds %d is negative", name, v.TimeoutSeconds)
		}
		checkRetry(name, v.Retry, fail)
		checkCatch(name, v.Catch, fail)
	case PassState:
		nextOrEnd(v.Next, v.End)
		if v.Parameters != nil && v.Result != nil {
			fail("Pass state %q has both Parameters and Result; keep one", name)
		}
	case WaitState:
		nextOrEnd(v.Next, v.End)
		if (v.Seconds > 0) == (v.SecondsPath != "") {
			fail("Wait state %q needs exactly one of Seconds and SecondsPath", name)
		}
	case MapState:
		nextOrEnd(v.Next, v.End)
		if v.MaxConcurrency < 0 {
			fail("Map state %q: MaxConcurrency %d is negative", name, v.MaxConcurrency)
		}
		checkRetry(name, v.Retry, fail)
		checkCatch(name, v.Catch, fail)
	case ChoiceState:
		if len(v.Choices) == 0 {
			fail("Choice state %q has no Choices", name)
		}
		if v.Default == "" {
			fail("Choice state %q has no Default; without one an unmatched input fails the execution with States.NoChoiceMatched", name)
		}
		for i, r := range v.Choices {
			if r.Next == "" {
				fail("Choice state %q rule %d has no Next", name, i)
			}
			checkRule(fmt.Sprintf("Choice state %q rule %d", name, i), r, fail)
		}
	case FailState, SucceedState:
	default:
		fail("state %q has the unsupported type %T", name, s)
	}
}

// checkRule checks that a rule is one comparison of a Variable or one
// boolean combination, and that nested rules carry no Next.
func checkRule(where string, r ChoiceRule, fail func(string, ...any)) {
	comparisons := 0
	for _, set := range []bool{r.StringEquals != nil, r.StringMatches != nil, r.NumericEquals != nil, r.NumericLessThan != nil, r.IsPresent != nil} {
		if set {
			comparisons++
		}
	}
	combinations := 0
	for _, set := range []bool{len(r.And) > 0, len(r.Or) > 0, r.Not != nil} {
		if set {
			combinations++
		}
	}
	switch {
	case comparisons+combinations != 1:
		fail("%s: use exactly one comparison or one of And, Or, Not", where)
	case comparisons == 1 && r.Variable == "":
		fail("%s: a comparison needs a Variable", where)
	case combinations == 1 && r.Variable != "":
		fail("%s: And, Or and Not take no Variable", where)
	}
	nested := append(append([]ChoiceRule{}, r.And...), r.Or...)
	if r.Not != nil {
		nested = append(nested, *r.Not)
	}
	for i, n := range nested {
		if n.Next != "" {
			fail("%s: nested rule %d has a Next; only top-level rules do", where, i)
		}
		checkRule(fmt.Sprintf("%s nested rule %d", where, i), n, fail)
	}
}

func checkRetry(name string, rs []Retrier, fail func(string, ...any)) {
	for i, r := range rs {
		checkErrorEquals(fmt.Sprintf("state %q Retry[%d]", name, i), r.ErrorEquals, i == len(rs)-1, fail)
		if r.MaxAttempts < 0 || r.IntervalSeconds < 0 || r.MaxDelaySeconds < 0 {
			fail("state %q Retry[%d]: negative MaxAttempts, IntervalSeconds or MaxDelaySeconds", name, i)
		}
		if r.BackoffRate != 0 && r.BackoffRate < 1 {
			fail("state %q Retry[%d]: BackoffRate %v is below 1", name, i, r.BackoffRate)
		}
		if r.JitterStrategy != "" && r.JitterStrategy != JitterFull && r.JitterStrategy != JitterNone {
			fail("state %q Retry[%d]: JitterStrategy %q is not FULL or NONE", name, i, r.JitterStrategy)
		}
	}
}

func checkCatch(name string, cs []Catcher, fail func(string, ...any)) {
	for i, c := range cs {
		checkErrorEquals(fmt.Sprintf("state %q Catch[%d]", name, i), c.ErrorEquals, i == len(cs)-1, fail)
	}
}

// checkErrorEquals applies the language's rule that States.ALL stands
// alone, in the last retrier or catcher.
func checkErrorEquals(where string, errs []string, last bool, fail func(string, ...any)) {
	if len(errs) == 0 {
		fail("%s has no ErrorEquals", where)
	}
	if slices.Contains(errs, ErrorAll) && (len(errs) > 1 || !last) {
		fail("%s: %s must be the only error name, in the last entry", where, ErrorAll)
	}
}

// checkGraph finds states that cannot be reached from StartAt and states
// from which no end can be reached (a loop with no way out).
func checkGraph(startAt string, states map[string]State, fail func(string, ...any)) {
	reached := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		if reached[n] {
			return
		}
		s, ok := states[n]
		if !ok {
			return
		}
		reached[n] = true
		for _, t := range s.transitions() {
			walk(t)
		}
	}
	walk(startAt)
	// ends: states from which a terminal state is reachable, grown to a
	// fixed point.
	ends := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for n, s := range states {
			if ends[n] {
				continue
			}
			if s.terminal() || slices.ContainsFunc(s.transitions(), func(t string) bool { return ends[t] }) {
				ends[n] = true
				changed = true
			}
		}
	}
	for _, n := range sortedNames(states) {
		if !reached[n] {
			fail("state %q cannot be reached from StartAt %q; remove it or add a transition to it", n, startAt)
		}
		if !ends[n] {
			fail("state %q can never reach an end (Succeed, Fail or End); give its loop a way out", n)
		}
	}
}

func sortedNames(states map[string]State) []string {
	out := make([]string, 0, len(states))
	for n := range states {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
