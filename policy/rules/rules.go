// Package rules is the platform's control catalogue as plain Go: every
// guardrail the policy pack enforces, as a function from a resource's type
// and properties (or a whole stack's resources) to findings.
//
// The policy pack (package pack) wraps each control in a Pulumi policy; a
// program, a test or a tool can run the very same checks on property maps
// without the Pulumi engine:
//
//	findings := rules.Evaluate(resources, rules.DefaultSettings())
//
// A finding is either a violation or "unverified": during a preview some
// values are computed by resources that do not exist yet, and a control that
// needs such a value says it cannot decide rather than passing. Messages name
// resources and property keys and never show a property's value, except
// short enumerated values (an instance type, a tag value the configuration
// fixes) when they are not secret.
package rules

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Level is a control's enforcement level, as in Pulumi policy config.
type Level string

// Enforcement levels.
const (
	Mandatory Level = "mandatory"
	Advisory  Level = "advisory"
	Disabled  Level = "disabled"
)

// Scope says whether a control looks at one resource at a time or at the
// whole stack (for relations between resources, such as a bucket and its
// separate encryption configuration).
type Scope string

// Scopes.
const (
	ResourceScope Scope = "resource"
	StackScope    Scope = "stack"
)

// Category groups controls as the catalogue does.
type Category string

// Categories, in catalogue order.
const (
	Tags       Category = "Tags"
	Encryption Category = "Encryption at rest"
	Network    Category = "Public access and network"
	IAM        Category = "IAM"
	FinOps     Category = "FinOps"
	Governance Category = "Governance"
)

// Categories lists the categories in catalogue order.
func Categories() []Category {
	return []Category{Tags, Encryption, Network, IAM, FinOps, Governance}
}

// Resource is what a control inspects: a resource's type token, name, URN
// and properties (inputs for resource controls, outputs for stack controls,
// as the engine provides them), its protect option and, for stack controls,
// which resources each property's value came from.
type Resource struct {
	Type       string
	Name       string
	URN        string
	Properties property.Map
	Protect    bool
	// PropertyDependencies maps a top-level property to the URNs of the
	// resources its value depends on. The engine provides it to stack
	// policies; it lets a control match a bucket's configuration to the
	// bucket while the bucket's name is still unknown.
	PropertyDependencies map[string][]string
}

// Verdict is the kind of a finding.
type Verdict string

// Verdicts.
const (
	// Violation: the resource breaks the control.
	Violation Verdict = "violation"
	// Unverified: a value the control needs is not known yet (preview);
	// the control decides when it is, at update time.
	Unverified Verdict = "unverified"
)

// Finding is the result of a control on a resource.
type Finding struct {
	Control string
	Verdict Verdict
	URN     string
	Type    string
	Name    string
	// Message says what is wrong, on which resource and how to fix it, or
	// for an unverified finding which property could not be known.
	Message string
	// Property is the top-level property an unverified finding waits for.
	Property string
	// KeyReference marks an unverified finding about a KMS key reference:
	// the stack settles it when Property depends on a KMS key of the stack.
	KeyReference bool
}

// Control is one guardrail of the catalogue.
type Control struct {
	// Name is the stable policy name, e.g. "s3-sse-kms".
	Name     string
	Category Category
	// Requirement says what the control demands, in one sentence.
	Requirement string
	// FSBP and Checkov are the nearest AWS Security Hub Foundational
	// Security Best Practices controls and Checkov checks.
	FSBP    []string
	Checkov []string
	// Level is the default enforcement level.
	Level Level
	Scope Scope
	// ResourceTypes are the type tokens the control inspects; "aws:*" means
	// every AWS resource type.
	ResourceTypes []string
	// Params are the thresholds that vary by environment.
	Params []Param

	types    map[string]bool
	resource func(c *check, s *Settings)
	stack    func(c *stackCheck, s *Settings)
}

// AllAWSTypes is the ResourceTypes entry of controls that apply to every AWS type.
const AllAWSTypes = "aws:*"

// Description is the policy description: the requirement and its framework ids.
func (c Control) Description() string {
	var ids []string
	if len(c.FSBP) > 0 {
		ids = append(ids, "FSBP "+strings.Join(c.FSBP, ", "))
	}
	if len(c.Checkov) > 0 {
		ids = append(ids, "Checkov "+strings.Join(c.Checkov, ", "))
	}
	if len(ids) == 0 {
		return c.Requirement
	}
	return fmt.Sprintf("%s [%s]", c.Requirement, strings.Join(ids, "; "))
}

// AppliesTo reports whether the control inspects resources of the type.
func (c Control) AppliesTo(typ string) bool {
	if c.types[AllAWSTypes] {
		return strings.HasPrefix(typ, "aws:")
	}
	return c.types[typ]
}

// Check runs a resource control on one resource. It returns nil for stack
// controls and for resources of other types.
func (c Control) Check(r Resource, s Settings) []Finding {
	if c.resource == nil || !c.AppliesTo(r.Type) {
		return nil
	}
	var out []Finding
	c.resource(&check{control: c.Name, r: &r, out: &out}, &s)
	return out
}

// Evaluate runs the control on every resource (resource controls) or on
// the stack as a whole (stack controls).
func (c Control) Evaluate(resources []Resource, s Settings) []Finding {
	if c.stack != nil {
		var out []Finding
		c.stack(&stackCheck{control: c.Name, idx: indexResources(resources), out: &out}, &s)
		return out
	}
	var out []Finding
	for _, r := range resources {
		out = append(out, c.Check(r, s)...)
	}
	return out
}

// Evaluate runs every control of the catalogue on the resources, then
// settles the unverified findings the stack's dependencies decide. It is
// what the policy pack does, without the engine.
func Evaluate(resources []Resource, s Settings) []Finding {
	var out []Finding
	for _, c := range Catalogue() {
		out = append(out, c.Evaluate(resources, s)...)
	}
	return Settle(out, resources)
}

// Settle removes unverified KMS key-reference findings whose property
// depends on a customer-managed key (aws:kms/key:Key) of the stack: the
// value is that key's id or ARN, so it names a customer-managed key.
func Settle(findings []Finding, resources []Resource) []Finding {
	idx := indexResources(resources)
	out := findings[:0:0]
	for _, f := range findings {
		if f.Verdict == Unverified && f.KeyReference && idx.dependsOnType(f.URN, f.Property, typeKMSKey) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// Catalogue returns every control, in catalogue order. The slice is a copy.
func Catalogue() []Control { return slices.Clone(catalogue) }

// InspectedTypes returns, sorted, every resource type some control names in
// its ResourceTypes (AllAWSTypes aside).
func InspectedTypes() []string {
	set := map[string]bool{}
	for _, c := range catalogue {
		for _, typ := range c.ResourceTypes {
			if typ != AllAWSTypes {
				set[typ] = true
			}
		}
	}
	return typeList(set)
}

// Lookup returns the control with the given name.
func Lookup(name string) (Control, bool) {
	i := slices.IndexFunc(catalogue, func(c Control) bool { return c.Name == name })
	if i < 0 {
		return Control{}, false
	}
	return catalogue[i], true
}

// check collects the findings of a resource control on one resource.
type check struct {
	control string
	r       *Resource
	out     *[]Finding
}

// subject names the resource in messages: Go SDK style type and name,
// e.g. `s3.BucketV2 "data"`.
func subject(r *Resource) string { return fmt.Sprintf("%s %q", shortType(r.Type), r.Name) }

// shortType turns aws:s3/bucketV2:BucketV2 into s3.BucketV2.
func shortType(token string) string {
	parts := strings.Split(token, ":")
	if len(parts) != 3 {
		return token
	}
	mod, _, _ := strings.Cut(parts[1], "/")
	return mod + "." + parts[2]
}

// violation records that the resource breaks the control: what is wrong and how to fix it.
func (c *check) violation(problem, fix string) {
	*c.out = append(*c.out, Finding{
		Control: c.control, Verdict: Violation, URN: c.r.URN, Type: c.r.Type, Name: c.r.Name,
		Message: fmt.Sprintf("%s: %s. Fix: %s.", subject(c.r), problem, fix),
	})
}

// unverified records that the value at x is not known yet.
func (c *check) unverified(x val) { c.unverifiedProp(x.path, false) }

// unverifiedKey records an unknown KMS key reference.
func (c *check) unverifiedKey(x val) { c.unverifiedProp(x.path, true) }

func (c *check) unverifiedProp(path string, keyRef bool) {
	*c.out = append(*c.out, Finding{
		Control: c.control, Verdict: Unverified, URN: c.r.URN, Type: c.r.Type, Name: c.r.Name,
		Property: topLevel(path), KeyReference: keyRef,
		Message: fmt.Sprintf("%s: %s is computed from another resource and is not known yet", subject(c.r), path),
	})
}

// undecided records that the control cannot decide yet for a reason other
// than a computed value (such as an account the pack cannot place);
// property is the top-level property concerned.
func (c *check) undecided(property, reason string) {
	*c.out = append(*c.out, Finding{
		Control: c.control, Verdict: Unverified, URN: c.r.URN, Type: c.r.Type, Name: c.r.Name,
		Property: topLevel(property),
		Message:  fmt.Sprintf("%s: %s", subject(c.r), reason),
	})
}

// stackCheck collects the findings of a stack control.
type stackCheck struct {
	control string
	idx     *index
	out     *[]Finding
}

// on returns a check that records findings on resource r.
func (c *stackCheck) on(r *Resource) *check { return &check{control: c.control, r: r, out: c.out} }

// index gives stack controls fast access to resources by type and URN.
type index struct {
	all    []Resource
	byURN  map[string]*Resource
	byType map[string][]*Resource
}

func indexResources(resources []Resource) *index {
	idx := &index{all: resources, byURN: make(map[string]*Resource, len(resources)), byType: map[string][]*Resource{}}
	for i := range resources {
		r := &resources[i]
		idx.byURN[r.URN] = r
		idx.byType[r.Type] = append(idx.byType[r.Type], r)
	}
	return idx
}

func (idx *index) ofTypes(types ...string) []*Resource {
	var out []*Resource
	for _, t := range types {
		out = append(out, idx.byType[t]...)
	}
	return out
}

// dependsOnType reports whether a property of the resource at urn takes
// its value from a resource of the given type.
func (idx *index) dependsOnType(urn, prop, typ string) bool {
	r, ok := idx.byURN[urn]
	if !ok {
		return false
	}
	for _, dep := range r.PropertyDependencies[prop] {
		if d, ok := idx.byURN[dep]; ok && d.Type == typ {
			return true
		}
		if typeOfURN(dep) == typ {
			return true
		}
	}
	return false
}

// typeOfURN extracts the resource type from a URN
// (urn:pulumi:stack::project::parent$type::name).
func typeOfURN(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return ""
	}
	qualified := parts[2]
	if i := strings.LastIndex(qualified, "$"); i >= 0 {
		return qualified[i+1:]
	}
	return qualified
}

// newControl finishes a catalogue entry: the type set used by AppliesTo.
func newControl(c Control) Control {
	c.types = map[string]bool{}
	for _, t := range c.ResourceTypes {
		c.types[t] = true
	}
	if c.stack != nil {
		c.Scope = StackScope
	} else {
		c.Scope = ResourceScope
	}
	return c
}

// typeList returns a sorted copy of the keys of a set of type tokens.
func typeList(set map[string]bool) []string {
	out := slices.Collect(maps.Keys(set))
	sort.Strings(out)
	return out
}
