package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Operation names what was run on a stack.
type Operation string

// Operations.
const (
	OpPreview Operation = "preview"
	OpUp      Operation = "up"
	OpDestroy Operation = "destroy"
	OpRefresh Operation = "refresh"
)

// Policy enforcement levels as the engine reports them.
const (
	LevelMandatory = "mandatory"
	LevelAdvisory  = "advisory"
)

// Result is what one operation on a stack reports: the one result type of
// every caller of the engine (the platform tool and its CLI, the offline
// preview, the engine-level tests).
type Result struct {
	Operation Operation `json:"operation"`
	Stack     string    `json:"stack"`
	// Summary counts resource operations by kind: create, update, delete,
	// replace, same and so on.
	Summary map[string]int `json:"summary"`
	// Changes are the resource steps the engine planned or performed, in
	// URN order; resources left the same are included.
	Changes []Change `json:"changes,omitempty"`
	// Policy holds every policy finding.
	Policy []Finding `json:"policy"`
	// Packs maps each policy pack that ran to its version.
	Packs map[string]string `json:"policyPacks,omitempty"`
	// StackPoliciesPassed and StackPoliciesFailed name the stack policies
	// by their outcome in the engine's stack analysis.
	StackPoliciesPassed []string `json:"stackPoliciesPassed,omitempty"`
	StackPoliciesFailed []string `json:"stackPoliciesFailed,omitempty"`
	// ResourcePoliciesRan counts, per resource policy, the resources it analyzed.
	ResourcePoliciesRan map[string]int `json:"resourcePoliciesRan,omitempty"`
	// Outputs are the stack's outputs after an update (or read afterwards);
	// secret values are replaced by "[secret]".
	Outputs map[string]any `json:"outputs,omitempty"`
	// Failures are the engine's error diagnostics.
	Failures []string `json:"failures,omitempty"`
	// Duration is the wall-clock time of the operation.
	Duration time.Duration `json:"-"`
	// Stdout is the engine's own text output.
	Stdout string `json:"-"`
}

// Change is one resource step.
type Change struct {
	Op   string `json:"op"`
	Type string `json:"type"`
	Name string `json:"name"`
	URN  string `json:"urn"`
	// Diffs are the top-level properties that differ (updates, replaces,
	// and a refresh that found drift).
	Diffs []string `json:"diffs,omitempty"`
	// Protected says the resource is protected in the stack's state.
	Protected bool `json:"protected,omitempty"`
	// Before and State are the resource's outputs before the step and after
	// it as the engine reports them (for a refresh: the stored state and
	// the real state just read).
	Before map[string]any `json:"-"`
	State  map[string]any `json:"-"`
	// Inputs are the resource's inputs as the step plans them (nil for a
	// delete).
	Inputs map[string]any `json:"-"`
}

// Finding is a policy pack's finding on a resource or the stack.
type Finding struct {
	Pack   string `json:"pack"`
	Policy string `json:"policy"`
	// Level is the enforcement level: mandatory or advisory.
	Level string `json:"level"`
	// URN and Resource (its name) are empty for a finding on the stack.
	URN      string `json:"urn,omitempty"`
	Resource string `json:"resource,omitempty"`
	Message  string `json:"message"`
}

// Mandatory returns the findings at the mandatory level.
func (r Result) Mandatory() []Finding {
	var out []Finding
	for _, f := range r.Policy {
		if f.Level == LevelMandatory {
			out = append(out, f)
		}
	}
	return out
}

// Count returns how many resources the operation planned or performed op for.
func (r Result) Count(op string) int { return r.Summary[op] }

// CountByType returns how many steps the result has per resource type.
func (r Result) CountByType() map[string]int {
	types := map[string]int{}
	for _, c := range r.Changes {
		types[c.Type]++
	}
	return types
}

// MarshalJSON adds the duration in seconds.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return json.Marshal(struct {
		plain
		DurationSeconds float64 `json:"durationSeconds"`
	}{plain(r), r.Duration.Seconds()})
}

// Write prints the result for people: the steps as a table (operation,
// type, name), the summary, and the policy findings (mandatory ones in
// full, advisory ones counted per policy).
func (r Result) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tTYPE\tNAME")
	for _, c := range r.Changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Op, c.Type, c.Name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nResources: %s\n", r.SummaryLine())
	if len(r.Policy) > 0 {
		r.writePolicy(w)
	}
	return nil
}

// SummaryLine is the summary as "2 to create, 5 to same", ordered by operation.
func (r Result) SummaryLine() string {
	ops := make([]string, 0, len(r.Summary))
	for op := range r.Summary {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	parts := make([]string, 0, len(ops))
	for _, op := range ops {
		parts = append(parts, fmt.Sprintf("%d to %s", r.Summary[op], op))
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

func (r Result) writePolicy(w io.Writer) {
	mandatory := r.Mandatory()
	advisory := map[string]int{}
	for _, f := range r.Policy {
		if f.Level != LevelMandatory {
			advisory[f.Pack+"/"+f.Policy]++
		}
	}
	fmt.Fprintf(w, "\nPolicy: %d mandatory, %d advisory findings\n", len(mandatory), len(r.Policy)-len(mandatory))
	for _, f := range mandatory {
		on := f.Resource
		if on == "" {
			on = "the stack"
		}
		fmt.Fprintf(w, "  [mandatory] %s/%s on %s: %s\n", f.Pack, f.Policy, on, f.Message)
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

// URNName is the resource name at the end of a URN.
func URNName(urn string) string {
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}
