// Package tagging defines the platform's required cost-allocation and
// ownership tags and enforces them on every taggable AWS resource of a stack.
//
// Tags reach a resource two ways: the AWS provider's default tags (they show
// up in tagsAll) and a stack transformation that writes the stack's tags into
// each resource's own tags, keeping any value a component set explicitly
// (a team's access point carries that team's owner, for instance). A resource
// that would still end up without a value for a required key is recorded and
// fails the program with an error naming the resource and the key.
package tagging

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/facts/tagkeys"
)

// Set is a map of tag keys to values.
type Set map[string]string

// Merge returns a new set with the keys of s overridden by those of over.
func (s Set) Merge(over Set) Set {
	out := make(Set, len(s)+len(over))
	maps.Copy(out, s)
	maps.Copy(out, over)
	return out
}

// Missing returns the required keys that are absent or blank in s, sorted.
func (s Set) Missing() []string {
	var missing []string
	for _, k := range tagkeys.Required() {
		if strings.TrimSpace(s[k]) == "" {
			missing = append(missing, k)
		}
	}
	return missing
}

// Validate reports the required keys that s lacks. what names the owner of
// the set in the error, such as a config key or a resource name.
func (s Set) Validate(what string) error {
	if missing := s.Missing(); len(missing) > 0 {
		return fmt.Errorf("%s: required tag(s) %s missing or empty; every resource must carry %s",
			what, strings.Join(missing, ", "), strings.Join(tagkeys.Required(), ", "))
	}
	return nil
}

// StringMap converts the set to a Pulumi input.
func (s Set) StringMap() pulumi.StringMap {
	out := make(pulumi.StringMap, len(s))
	for k, v := range s {
		out[k] = pulumi.String(v)
	}
	return out
}

// Enforcer is a stack transformation that completes and checks the tags of
// every AWS resource registered after it is installed.
type Enforcer struct {
	defaults Set

	mu       sync.Mutex
	problems []string
}

// Install validates defaults and registers the enforcer as a stack
// transformation, so it sees every resource of the program, including the
// children of component resources.
func Install(ctx *pulumi.Context, defaults Set) (*Enforcer, error) {
	if err := defaults.Validate("stack default tags"); err != nil {
		return nil, err
	}
	e := &Enforcer{defaults: maps.Clone(defaults)}
	if err := ctx.RegisterStackTransformation(e.transform); err != nil {
		return nil, fmt.Errorf("registering the tag transformation: %w", err)
	}
	return e, nil
}

// Err returns an error listing every resource that was left without a
// required tag value, or nil. The program returns it so the run fails.
func (e *Enforcer) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.problems) == 0 {
		return nil
	}
	sorted := slices.Clone(e.problems)
	sort.Strings(sorted)
	return fmt.Errorf("untagged resources: %s; set the tag on the resource or give it a non-empty value in the stack's aifactory:tags config",
		strings.Join(sorted, "; "))
}

func (e *Enforcer) transform(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
	if !strings.HasPrefix(args.Type, "aws:") {
		return nil
	}
	props, field, ok := tagsField(args.Props)
	if !ok {
		// The type has no tags argument (s3.AccessPoint, emr.SecurityConfiguration,
		// scheduler.Schedule ...): nothing to write, and nothing the policy pack
		// will ask of it.
		return nil
	}
	current := field.Interface()
	own, isMap := current.(pulumi.StringMap)
	if current != nil && !isMap {
		// Tags computed from outputs cannot be merged before they are known;
		// the provider's default tags still reach tagsAll, and the policy
		// pack checks the result.
		return nil
	}
	merged, problem := e.complete(args.Name, own)
	if problem != "" {
		e.mu.Lock()
		e.problems = append(e.problems, problem)
		e.mu.Unlock()
	}
	field.Set(reflect.ValueOf(merged))
	return &pulumi.ResourceTransformationResult{Props: props, Opts: args.Opts}
}

// complete merges the resource's own tags over the stack defaults. Values
// that are outputs are kept as they are: they are only known later and the
// policy pack checks them then.
func (e *Enforcer) complete(name string, own pulumi.StringMap) (pulumi.StringMap, string) {
	merged := e.defaults.StringMap()
	var blank []string
	for k, v := range own {
		if s, isPlain := v.(pulumi.String); isPlain && strings.TrimSpace(string(s)) == "" {
			blank = append(blank, k)
			continue
		}
		merged[k] = v
	}
	for _, k := range blank {
		if slices.Contains(tagkeys.Required(), k) {
			// An explicit empty value is a bug in the caller; do not paper over
			// it with the stack default.
			delete(merged, k)
		}
	}
	var missing []string
	for _, k := range tagkeys.Required() {
		if _, ok := merged[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return merged, fmt.Sprintf("%s lacks %s", name, strings.Join(missing, ", "))
	}
	return merged, ""
}

// tagsField finds the Tags field of a resource's args struct and returns a
// copy of the struct to write it in, so the caller's args are not changed.
// The generated pulumi-aws args types declare `Tags pulumi.StringMapInput`
// exactly when the AWS resource accepts tags, so reflection follows the
// provider schema instead of a hand-kept list.
func tagsField(props pulumi.Input) (pulumi.Input, reflect.Value, bool) {
	v := reflect.ValueOf(props)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, reflect.Value{}, false
	}
	f, ok := v.Elem().Type().FieldByName("Tags")
	if !ok || f.Type != reflect.TypeFor[pulumi.StringMapInput]() {
		return nil, reflect.Value{}, false
	}
	cp := reflect.New(v.Elem().Type())
	cp.Elem().Set(v.Elem())
	copied, ok := cp.Interface().(pulumi.Input)
	if !ok {
		return nil, reflect.Value{}, false
	}
	return copied, cp.Elem().FieldByIndex(f.Index), true
}
