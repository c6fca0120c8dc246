// Package pack is the AI Factory policy pack: each control of package rules
// as a Pulumi policy (resource or stack policy, with its description, default
// enforcement level and config schema), plus one advisory policy,
// cannot-verify, that reports what a preview could not decide.
//
// The pack only translates between the engine and the rules: the checks
// themselves live in package rules, where programs and tests run them too.
package pack

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/aifactory/platform/policy/rules"
)

// Name is the policy pack's name in the engine's policy events.
const Name = "aifactory-guardrails"

// Version is the pack's version; PulumiPolicy.yaml carries the same.
const Version = "1.0.0"

// CannotVerify is the advisory policy that lists, per resource, the
// controls a preview could not decide because a value they need is computed
// by a resource that does not exist yet.
const CannotVerify = "cannot-verify"

// EnvironmentConfigKey is the stack config key the pack reads the stack's
// environment from when the policy config does not set it.
const EnvironmentConfigKey = "aifactory:environment"

// New builds the pack for the stack the engine runs it on. It is the
// factory analyzer.Main (or policyx.Main) calls.
func New(ctx *pulumi.Context) (policyx.PolicyPack, error) {
	defaults := rules.DefaultSettings()
	defaults.Environment = ctx.Stack()
	if env, ok := ctx.GetConfig(EnvironmentConfigKey); ok && env != "" {
		defaults.Environment = env
	}
	return Build(Options{Defaults: defaults, Preview: ctx.DryRun()})
}

// Options configure Build.
type Options struct {
	// Defaults are the settings before each policy's config is applied.
	Defaults rules.Settings
	// Preview is true during pulumi preview. Unverified findings are then
	// reported by cannot-verify; during an update a value still unknown is a
	// violation of the control, which never passes what it cannot see.
	Preview bool
}

// Build returns the pack: one policy per control, in catalogue order, and
// cannot-verify last, so that it runs after every other stack policy.
func Build(opts Options) (policyx.PolicyPack, error) {
	p := &pack{defaults: opts.Defaults, preview: opts.Preview, pending: map[string][]rules.Finding{}}
	var policies []policyx.Policy
	for _, c := range rules.Catalogue() {
		if c.Scope == rules.StackScope {
			policies = append(policies, policyx.NewStackValidationPolicy(c.Name, policyx.StackValidationPolicyArgs{
				Description:      c.Description(),
				EnforcementLevel: level(c.Level),
				ValidateStack:    p.validateStack(c),
			}))
			continue
		}
		policies = append(policies, policyx.NewResourceValidationPolicy(c.Name, policyx.ResourceValidationPolicyArgs{
			Description:      c.Description(),
			EnforcementLevel: level(c.Level),
			ConfigSchema:     schema(c, opts.Defaults),
			ValidateResource: p.validateResource(c),
		}))
	}
	policies = append(policies, policyx.NewStackValidationPolicy(CannotVerify, policyx.StackValidationPolicyArgs{
		Description: "A preview cannot decide these controls yet: a value they need is computed by a resource that does not exist yet. " +
			"pulumi up decides them once the values are known.",
		EnforcementLevel: policyx.EnforcementLevelAdvisory,
		ValidateStack:    p.reportUnverified,
	}))
	return policyx.NewPolicyPack(Name, semver.MustParse(Version), policyx.EnforcementLevelMandatory, policies)
}

type pack struct {
	defaults rules.Settings
	preview  bool

	mu sync.Mutex
	// pending holds unverified findings by resource URN until cannot-verify
	// reports them at the end of the preview, where the stack's dependencies
	// can settle some of them.
	pending map[string][]rules.Finding
}

func level(l rules.Level) policyx.EnforcementLevel {
	switch l {
	case rules.Advisory:
		return policyx.EnforcementLevelAdvisory
	case rules.Disabled:
		return policyx.EnforcementLevelDisabled
	}
	return policyx.EnforcementLevelMandatory
}

func schema(c rules.Control, defaults rules.Settings) *policyx.ConfigSchema {
	if len(c.Params) == 0 {
		return nil
	}
	s := &policyx.ConfigSchema{Properties: map[string]map[string]any{}}
	for _, p := range c.Params {
		s.Properties[p.Key] = p.Schema(defaults)
	}
	return s
}

func (p *pack) validateResource(c rules.Control) func(context.Context, policyx.ResourceValidationArgs) error {
	return func(_ context.Context, args policyx.ResourceValidationArgs) error {
		if !c.AppliesTo(args.Resource.Type) {
			return nil
		}
		settings, err := c.Configure(p.defaults, args.Config)
		if err != nil {
			return err
		}
		p.report(args.Manager, c.Check(resource(args.Resource), settings))
		return nil
	}
}

func (p *pack) validateStack(c rules.Control) func(context.Context, policyx.StackValidationArgs) error {
	return func(_ context.Context, args policyx.StackValidationArgs) error {
		p.report(args.Manager, c.Evaluate(resources(args.Resources), p.defaults))
		return nil
	}
}

// report sends violations to the engine and keeps unverified findings for
// cannot-verify during a preview; during an update they are violations.
func (p *pack) report(m policyx.PolicyManager, findings []rules.Finding) {
	for _, f := range findings {
		switch {
		case f.Verdict == rules.Violation:
			m.ReportViolation(f.Message, f.URN)
		case p.preview:
			p.mu.Lock()
			p.pending[f.URN] = append(p.pending[f.URN], f)
			p.mu.Unlock()
		default:
			m.ReportViolation(f.Message+"; the control cannot pass a value that is still unknown while the update runs", f.URN)
		}
	}
}

// reportUnverified is cannot-verify: one advisory finding per resource,
// listing the controls and properties still unknown after the stack's
// dependencies settled what they could.
func (p *pack) reportUnverified(_ context.Context, args policyx.StackValidationArgs) error {
	p.mu.Lock()
	var pending []rules.Finding
	for _, fs := range p.pending {
		pending = append(pending, fs...)
	}
	p.pending = map[string][]rules.Finding{}
	p.mu.Unlock()

	byURN := map[string][]string{}
	for _, f := range rules.Settle(pending, resources(args.Resources)) {
		byURN[f.URN] = append(byURN[f.URN], fmt.Sprintf("- %s: %s", f.Control, f.Message))
	}
	urns := make([]string, 0, len(byURN))
	for urn := range byURN {
		urns = append(urns, urn)
	}
	sort.Strings(urns)
	for _, urn := range urns {
		lines := byURN[urn]
		sort.Strings(lines)
		args.Manager.ReportViolation(strings.Join(lines, "\n"), urn)
	}
	return nil
}

func resource(r policyx.AnalyzerResource) rules.Resource {
	return rules.Resource{
		Type: r.Type, Name: r.Name, URN: r.URN, Properties: r.Properties,
		Protect: r.Options.Protect, PropertyDependencies: r.PropertyDependencies,
	}
}

func resources(rs []policyx.AnalyzerResource) []rules.Resource {
	out := make([]rules.Resource, len(rs))
	for i, r := range rs {
		out[i] = resource(r)
	}
	return out
}
