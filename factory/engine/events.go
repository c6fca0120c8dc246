package engine

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
)

// collector turns the engine's event stream into a Result.
type collector struct {
	mu  sync.Mutex
	res Result
	// progress, when set, is told about every resource step as it happens.
	progress func(Change)
}

func newCollector(op Operation, stack string, progress func(Change)) *collector {
	return &collector{
		res: Result{
			Operation: op, Stack: stack, Summary: map[string]int{},
			Packs: map[string]string{}, ResourcePoliciesRan: map[string]int{},
		},
		progress: progress,
	}
}

// stream returns a channel to pass to an operation's EventStreams option
// and a wait function: wait returns once the operation has closed the
// channel and the last event is handled. When the operation failed, the
// Automation API does not always close the channel (a failed refresh
// preview does not), so wait gives the stream a grace period and moves on.
func (c *collector) stream() (chan events.EngineEvent, func(failed bool)) {
	ch := make(chan events.EngineEvent)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			c.mu.Lock()
			c.handle(ev)
			c.mu.Unlock()
		}
	}()
	return ch, func(failed bool) {
		if !failed {
			<-done
			return
		}
		select {
		case <-done:
		case <-time.After(streamGrace):
		}
	}
}

// streamGrace is how long a failed operation's event stream may take to end.
const streamGrace = 5 * time.Second

func (c *collector) handle(ev events.EngineEvent) {
	r := &c.res
	switch {
	case ev.ResourcePreEvent != nil:
		m := ev.ResourcePreEvent.Metadata
		change := Change{Op: string(m.Op), Type: m.Type, Name: URNName(m.URN), URN: m.URN, Diffs: m.Diffs,
			Protected: m.Old != nil && m.Old.Protect}
		if m.Old != nil {
			change.Before = m.Old.Outputs
		}
		if m.New != nil {
			change.State, change.Inputs = m.New.Outputs, m.New.Inputs
		}
		r.Changes = append(r.Changes, change)
		if c.progress != nil {
			c.progress(change)
		}
	case ev.ResOutputsEvent != nil:
		// The step is done: its metadata now carries the state it produced
		// (for a refresh, what was read) and what differs.
		m := ev.ResOutputsEvent.Metadata
		for i := len(r.Changes) - 1; i >= 0; i-- {
			if c := &r.Changes[i]; c.URN == m.URN {
				if m.New != nil {
					c.State = m.New.Outputs
				}
				if len(m.Diffs) > 0 {
					c.Diffs = m.Diffs
				}
				if m.Op != "" {
					c.Op = string(m.Op)
				}
				break
			}
		}
	case ev.PolicyEvent != nil:
		p := ev.PolicyEvent
		level := p.EnforcementLevel
		if level != LevelMandatory {
			level = LevelAdvisory
		}
		f := Finding{Pack: p.PolicyPackName, Policy: p.PolicyName, Level: level, URN: p.ResourceURN, Message: p.Message}
		if f.URN != "" {
			f.Resource = URNName(f.URN)
		}
		r.Policy = append(r.Policy, f)
	case ev.PolicyAnalyzeSummaryEvent != nil:
		for _, name := range append(ev.PolicyAnalyzeSummaryEvent.Passed, ev.PolicyAnalyzeSummaryEvent.Failed...) {
			r.ResourcePoliciesRan[name]++
		}
	case ev.PolicyAnalyzeStackSummaryEvent != nil:
		r.StackPoliciesPassed = append(r.StackPoliciesPassed, ev.PolicyAnalyzeStackSummaryEvent.Passed...)
		r.StackPoliciesFailed = append(r.StackPoliciesFailed, ev.PolicyAnalyzeStackSummaryEvent.Failed...)
	case ev.SummaryEvent != nil:
		for op, n := range ev.SummaryEvent.ResourceChanges {
			r.Summary[string(op)] = n
		}
		for key, version := range ev.SummaryEvent.PolicyPacks {
			// Local packs are keyed "<name>|local|<path>".
			name, _, _ := strings.Cut(key, "|")
			r.Packs[name] = strings.TrimPrefix(version, "v")
		}
	case ev.DiagnosticEvent != nil && ev.DiagnosticEvent.Severity == "error":
		r.Failures = append(r.Failures, strings.TrimSpace(ev.DiagnosticEvent.Message))
	}
}

// result returns the collected result in a stable order.
func (c *collector) result() Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.res
	sort.SliceStable(r.Changes, func(i, j int) bool { return r.Changes[i].URN < r.Changes[j].URN })
	sort.Strings(r.StackPoliciesPassed)
	sort.Strings(r.StackPoliciesFailed)
	return r
}
