package offline

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
)

// Step is one planned resource operation.
type Step struct {
	Op   string
	Type string
	Name string
	URN  string
}

// PolicyEvent is a policy pack's finding on a resource or the stack.
type PolicyEvent struct {
	Pack             string
	Policy           string
	EnforcementLevel string
	URN              string
	Message          string
}

// Plan is what a preview would do.
type Plan struct {
	Steps    []Step
	Policy   []PolicyEvent
	Summary  map[string]int
	Stdout   string
	Failures []string
}

// Preview runs a preview and collects its steps and policy events from the
// engine's event stream. A failed preview still returns what was collected,
// so a caller can read the policy events that failed it.
func Preview(ctx context.Context, s auto.Stack, opts ...optpreview.Option) (Plan, error) {
	var plan Plan
	ch, wait := Collect(func(ev events.EngineEvent) { collect(&plan, ev) })
	res, err := s.Preview(ctx, append(opts, optpreview.EventStreams(ch))...)
	wait()
	plan.Stdout = res.StdOut
	plan.Summary = map[string]int{}
	for op, n := range res.ChangeSummary {
		plan.Summary[string(op)] = n
	}
	sort.Slice(plan.Steps, func(i, j int) bool { return plan.Steps[i].URN < plan.Steps[j].URN })
	return plan, err
}

// Collect returns a channel to pass to an operation's EventStreams option
// and a wait function: every event is handed to handle, and wait returns
// once the operation has closed the channel and the last event is handled.
func Collect(handle func(events.EngineEvent)) (chan events.EngineEvent, func()) {
	ch := make(chan events.EngineEvent)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			handle(ev)
		}
	}()
	return ch, func() { <-done }
}

func collect(plan *Plan, ev events.EngineEvent) {
	switch {
	case ev.ResourcePreEvent != nil:
		m := ev.ResourcePreEvent.Metadata
		plan.Steps = append(plan.Steps, Step{Op: string(m.Op), Type: m.Type, Name: urnName(m.URN), URN: m.URN})
	case ev.PolicyEvent != nil:
		p := ev.PolicyEvent
		plan.Policy = append(plan.Policy, PolicyEvent{
			Pack: p.PolicyPackName, Policy: p.PolicyName, EnforcementLevel: p.EnforcementLevel,
			URN: p.ResourceURN, Message: p.Message,
		})
	case ev.DiagnosticEvent != nil && ev.DiagnosticEvent.Severity == "error":
		plan.Failures = append(plan.Failures, strings.TrimSpace(ev.DiagnosticEvent.Message))
	}
}

// CountByType returns how many steps the plan has per resource type.
func (p Plan) CountByType() map[string]int {
	types := map[string]int{}
	for _, s := range p.Steps {
		types[s.Type]++
	}
	return types
}

func urnName(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}

// Write prints the plan as a table: operation, type, name, then the summary
// and any policy findings.
func (p Plan) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tTYPE\tNAME")
	for _, s := range p.Steps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Op, s.Type, s.Name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	ops := make([]string, 0, len(p.Summary))
	for op := range p.Summary {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var parts []string
	for _, op := range ops {
		parts = append(parts, fmt.Sprintf("%d to %s", p.Summary[op], op))
	}
	fmt.Fprintf(w, "\nResources: %s\n", strings.Join(parts, ", "))
	if len(p.Policy) > 0 {
		p.writePolicy(w)
	}
	return nil
}

// writePolicy prints mandatory findings in full, since each fails the run,
// and counts the advisory ones per policy.
func (p Plan) writePolicy(w io.Writer) {
	var mandatory []PolicyEvent
	advisory := map[string]int{}
	for _, v := range p.Policy {
		if v.EnforcementLevel == "mandatory" {
			mandatory = append(mandatory, v)
			continue
		}
		advisory[v.Pack+"/"+v.Policy]++
	}
	fmt.Fprintf(w, "\nPolicy: %d mandatory, %d advisory findings\n", len(mandatory), len(p.Policy)-len(mandatory))
	for _, v := range mandatory {
		fmt.Fprintf(w, "  [mandatory] %s/%s on %s: %s\n", v.Pack, v.Policy, urnName(v.URN), v.Message)
	}
	names := make([]string, 0, len(advisory))
	for name := range advisory {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  [advisory] %s on %d resources\n", name, advisory[name])
	}
}
