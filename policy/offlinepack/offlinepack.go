// Package offlinepack attaches the AI Factory policy pack to offline previews
// (package offline): the offline preview of the main job, the engine-level
// tests and the benchmarks.
//
// The machine running the tests has the Pulumi CLI but not necessarily its
// Go language host, which `pulumi preview --policy-pack policy` needs to
// build a `runtime: go` pack from source. So the pack is built once into a
// plugin binary, and the engine is given either that binary's path (which
// the CLI launches directly as an analyzer) or, for the directory form, the
// same binary installed as the `policy-go` analyzer plugin, which the engine
// runs for a `runtime: go` pack when no Go language host is installed.
//
//	p, err := offlinepack.Build(ctx, env)
//	res, err := offlinepack.Preview(ctx, stack, p.Attach("dev")...)
//	res, err = offlinepack.Up(ctx, stack, p.AttachUp("dev")...)
package offlinepack

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/aifactory/platform/internal/offline"
	"github.com/aifactory/platform/policy/pack"
	"github.com/aifactory/platform/policy/rules"
)

// Pack is the policy pack built for an offline environment.
type Pack struct {
	// Binary is the pack's plugin executable, with PulumiPolicy.yaml beside it.
	Binary string
	// Dir is the repository's policy directory (PulumiPolicy.yaml, config/).
	Dir string

	env         *offline.Env
	installOnce sync.Once
	installErr  error
}

var (
	mu    sync.Mutex
	built = map[*offline.Env]*Pack{}
)

// Build builds ./policy into the environment's directory, once per
// environment and process.
func Build(ctx context.Context, env *offline.Env) (*Pack, error) {
	mu.Lock()
	defer mu.Unlock()
	if p, ok := built[env]; ok {
		return p, nil
	}
	dir := filepath.Join(env.Root, "policy")
	out := filepath.Join(env.Dir, "policy-pack", pack.Name)
	if err := env.GoBuild(ctx, env.Root, out, "./policy"); err != nil {
		return nil, fmt.Errorf("building the policy pack: %w", err)
	}
	// The engine reads name-independent metadata (version, description)
	// from a PulumiPolicy.yaml next to a pack binary.
	yaml, err := os.ReadFile(filepath.Join(dir, "PulumiPolicy.yaml"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(out), "PulumiPolicy.yaml"), yaml, 0o644); err != nil {
		return nil, err
	}
	p := &Pack{Binary: out, Dir: dir, env: env}
	built[env] = p
	return p, nil
}

// BuildEmpty builds ./policy/offlinepack/emptypack, a pack without
// policies, into the environment's directory and returns its path. Attached
// to a preview, it measures the engine's own cost of running any pack.
func BuildEmpty(ctx context.Context, env *offline.Env) (string, error) {
	out := filepath.Join(env.Dir, "empty-pack", "emptypack")
	if err := env.GoBuild(ctx, env.Root, out, "./policy/offlinepack/emptypack"); err != nil {
		return "", fmt.Errorf("building the empty policy pack: %w", err)
	}
	return out, nil
}

// ConfigFile is the policy config file of an environment (dev, staging, prod).
func (p *Pack) ConfigFile(environment string) string {
	return filepath.Join(p.Dir, "config", environment+".json")
}

// Attach returns the preview options that run the pack binary with the
// environment's policy config.
func (p *Pack) Attach(environment string) []optpreview.Option {
	return p.AttachConfig(p.ConfigFile(environment))
}

// AttachUp returns the update options that run the pack binary with the
// environment's policy config.
func (p *Pack) AttachUp(environment string) []optup.Option {
	return p.AttachUpConfig(p.ConfigFile(environment))
}

// AttachConfig returns the preview options that run the pack binary with
// the given policy config file.
func (p *Pack) AttachConfig(config string) []optpreview.Option {
	return []optpreview.Option{optpreview.PolicyPacks(p.Binary), optpreview.PolicyPackConfigs(config)}
}

// AttachUpConfig returns the update options that run the pack binary with
// the given policy config file.
func (p *Pack) AttachUpConfig(config string) []optup.Option {
	return []optup.Option{optup.PolicyPacks(p.Binary), optup.PolicyPackConfigs(config)}
}

// ConfigWithAccounts writes the environment's policy config, with
// accountIds set to accounts on every policy that takes it, to a file in
// dir and returns its path. The shipped configs leave accountIds empty
// (the environments' accounts are the operators' to fill in); the offline
// engine's account is the stand-in provider's.
func (p *Pack) ConfigWithAccounts(environment, dir string, accounts ...string) (string, error) {
	b, err := os.ReadFile(p.ConfigFile(environment))
	if err != nil {
		return "", err
	}
	var cfg map[string]map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		return "", fmt.Errorf("%s: %w", p.ConfigFile(environment), err)
	}
	for _, c := range rules.Catalogue() {
		for _, param := range c.Params {
			if param.Key == "accountIds" && cfg[c.Name] != nil {
				cfg[c.Name]["accountIds"] = accounts
			}
		}
	}
	out, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, environment+"-accounts.json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// AttachDirectory returns the options of the documented command line,
// `--policy-pack policy --policy-pack-config policy/config/<env>.json`. It
// installs the pack binary as the `policy-go` analyzer plugin of the
// environment's PULUMI_HOME first.
func (p *Pack) AttachDirectory(ctx context.Context, environment string) ([]optpreview.Option, error) {
	p.installOnce.Do(func() {
		p.installErr = p.env.InstallPlugin(ctx, "analyzer", "policy-go", pack.Version, p.Binary)
	})
	if p.installErr != nil {
		return nil, p.installErr
	}
	return []optpreview.Option{optpreview.PolicyPacks(p.Dir), optpreview.PolicyPackConfigs(p.ConfigFile(environment))}, nil
}

// Result is what a preview with the pack attached reports.
type Result struct {
	// Policy holds every policy finding, as offline.Preview collects them.
	Policy []offline.PolicyEvent
	// Packs maps each policy pack that ran to its version.
	Packs map[string]string
	// StackPassed and StackFailed name the policies by their outcome in
	// the engine's stack analysis (the stack policies' findings).
	StackPassed, StackFailed []string
	// ResourcePoliciesRan counts, per resource policy, the resources it analyzed.
	ResourcePoliciesRan map[string]int
	// Creates is the number of resources the preview would create (or the
	// update created).
	Creates int
	Stdout  string
}

// Mandatory returns the findings at the mandatory level.
func (r Result) Mandatory() []offline.PolicyEvent {
	var out []offline.PolicyEvent
	for _, e := range r.Policy {
		if e.EnforcementLevel == "mandatory" {
			out = append(out, e)
		}
	}
	return out
}

// Preview runs a preview and collects the policy events and summaries from
// the engine's event stream. A failed preview still returns them.
func Preview(ctx context.Context, s auto.Stack, opts ...optpreview.Option) (Result, error) {
	res := Result{Packs: map[string]string{}, ResourcePoliciesRan: map[string]int{}}
	ch, wait := offline.Collect(res.collect)
	out, err := s.Preview(ctx, append(opts, optpreview.EventStreams(ch))...)
	wait()
	res.Stdout = out.StdOut
	res.Creates = out.ChangeSummary["create"]
	sort.Strings(res.StackPassed)
	sort.Strings(res.StackFailed)
	return res, err
}

// Up runs an update and collects what Preview collects. A failed update
// still returns the events that failed it.
func Up(ctx context.Context, s auto.Stack, opts ...optup.Option) (Result, error) {
	res := Result{Packs: map[string]string{}, ResourcePoliciesRan: map[string]int{}}
	ch, wait := offline.Collect(res.collect)
	out, err := s.Up(ctx, append(opts, optup.EventStreams(ch), optup.SuppressProgress())...)
	wait()
	res.Stdout = out.StdOut
	if out.Summary.ResourceChanges != nil {
		res.Creates = (*out.Summary.ResourceChanges)["create"]
	}
	sort.Strings(res.StackPassed)
	sort.Strings(res.StackFailed)
	return res, err
}

func (r *Result) collect(ev events.EngineEvent) {
	switch {
	case ev.PolicyEvent != nil:
		p := ev.PolicyEvent
		r.Policy = append(r.Policy, offline.PolicyEvent{
			Pack: p.PolicyPackName, Policy: p.PolicyName, EnforcementLevel: p.EnforcementLevel,
			URN: p.ResourceURN, Message: p.Message,
		})
	case ev.PolicyAnalyzeSummaryEvent != nil:
		for _, name := range append(ev.PolicyAnalyzeSummaryEvent.Passed, ev.PolicyAnalyzeSummaryEvent.Failed...) {
			r.ResourcePoliciesRan[name]++
		}
	case ev.PolicyAnalyzeStackSummaryEvent != nil:
		r.StackPassed = append(r.StackPassed, ev.PolicyAnalyzeStackSummaryEvent.Passed...)
		r.StackFailed = append(r.StackFailed, ev.PolicyAnalyzeStackSummaryEvent.Failed...)
	case ev.SummaryEvent != nil:
		for key, version := range ev.SummaryEvent.PolicyPacks {
			// Local packs are keyed "<name>|local|<path>".
			name, _, _ := strings.Cut(key, "|")
			r.Packs[name] = strings.TrimPrefix(version, "v")
		}
	}
}
