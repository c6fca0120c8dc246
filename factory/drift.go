package factory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/policy/rules"
)

// Drift is a resource whose real state differs from the stack's.
type Drift struct {
	URN  string `json:"urn"`
	Name string `json:"name"`
	Type string `json:"type"`
	// Kind is "changed" (properties differ) or "deleted" (gone from AWS).
	Kind string `json:"kind"`
	// Properties are the top-level properties that differ.
	Properties []string `json:"properties,omitempty"`
	// Violations are the controls the real state now breaks, at the level
	// the environment's policy config gives them.
	Violations []Violation `json:"violations,omitempty"`
}

// Violation is a control a drifted resource breaks.
type Violation struct {
	Policy  string `json:"policy"`
	Level   string `json:"level"`
	Message string `json:"message"`
}

// DriftError says that the real state differs from the code.
type DriftError struct {
	Stack     string
	Resources int
	Violating int
}

func (e *DriftError) Error() string {
	msg := fmt.Sprintf("stack %s: %d resource(s) drifted from the code", e.Stack, e.Resources)
	if e.Violating > 0 {
		msg += fmt.Sprintf(", %d of them into non-compliance", e.Violating)
	}
	return msg + "; run `aifactory up` to restore the code's state, or change the code to match"
}

// Drift reads the real state of every resource of stack, without changing
// the stack's state, and reports each resource that differs and the
// properties that do, with the controls of the environment's policy config
// that its real state now breaks. Any drift is an error with ExitDrift.
func (f *Factory) Drift(ctx context.Context, stack string) (Result, error) {
	cfg, err := f.Config(stack)
	if err != nil {
		return Result{}, err
	}
	policy, err := f.policyConfig(cfg.Environment)
	if err != nil {
		return Result{}, err
	}
	s, err := f.stack(ctx, stack)
	if err != nil {
		return Result{}, err
	}
	er, err := engine.PreviewRefresh(f.progress(ctx, engine.OpRefresh, stack), s)
	res := Result{Result: er}
	res.Operation = "drift"
	if err := classify(stack, &res, err); err != nil {
		return res, err
	}

	var real []rules.Resource
	drifted := map[string]*Drift{}
	for _, c := range er.Changes {
		if c.Type == "" || !strings.HasPrefix(c.Type, "aws:") {
			continue
		}
		switch {
		case c.Op == "delete" || c.Op == "read-discard" || c.Op == "discard":
			drifted[c.URN] = &Drift{URN: c.URN, Name: c.Name, Type: c.Type, Kind: "deleted"}
			continue
		case c.Before != nil && c.State != nil:
			if props := differing(c.Before, c.State); len(props) > 0 {
				drifted[c.URN] = &Drift{URN: c.URN, Name: c.Name, Type: c.Type, Kind: "changed", Properties: props}
			}
		}
		if c.State != nil {
			real = append(real, rules.Resource{
				Type: c.Type, Name: c.Name, URN: c.URN,
				Properties: resource.FromResourcePropertyMap(resource.NewPropertyMapFromMap(c.State)),
			})
		}
	}
	for _, finding := range policy.Evaluate(real) {
		d, ok := drifted[finding.URN]
		if !ok || finding.Verdict != rules.Violation {
			continue
		}
		d.Violations = append(d.Violations, Violation{Policy: finding.Control, Level: string(policy.Level(finding.Control)), Message: finding.Message})
	}
	violating := 0
	for _, d := range drifted {
		if len(d.Violations) > 0 {
			violating++
		}
		res.Drift = append(res.Drift, *d)
	}
	sort.Slice(res.Drift, func(i, j int) bool { return res.Drift[i].URN < res.Drift[j].URN })
	if len(res.Drift) > 0 {
		return res, &Error{Code: ExitDrift, Err: &DriftError{Stack: stack, Resources: len(res.Drift), Violating: violating}}
	}
	return res, nil
}

// policyConfig reads the environment's policy config file.
func (f *Factory) policyConfig(environment string) (rules.PolicyConfig, error) {
	path := filepath.Join(f.root, "policy", "config", environment+".json")
	b, err := os.ReadFile(path)
	if err != nil {
		return rules.PolicyConfig{}, fmt.Errorf("reading the policy config of %s: %w", environment, err)
	}
	pc, err := rules.ParsePolicyConfig(b)
	if err != nil {
		return rules.PolicyConfig{}, fmt.Errorf("%s: %w", path, err)
	}
	return pc, nil
}

// differing lists the top-level properties whose values differ between
// the stored and the real state, sorted.
func differing(stored, real map[string]any) []string {
	var out []string
	for k, v := range stored {
		if w, ok := real[k]; !ok || !reflect.DeepEqual(comparable(v), comparable(w)) {
			out = append(out, k)
		}
	}
	for k := range real {
		if _, ok := stored[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// assetSignature marks an asset or archive in the engine's property values
// (Pulumi's "special signature" key).
const assetSignature = "4dabf18193072939515e22adb298388d"

// comparable reduces an asset or archive to its content hash: the engine
// describes the same archive differently before and after a step (with or
// without its path and member list), and only the content counts.
func comparable(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if _, asset := m[assetSignature]; asset {
		if h, ok := m["hash"]; ok {
			return h
		}
		return nil
	}
	return v
}
