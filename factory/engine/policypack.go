package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/aifactory/platform/internal/gobuild"
	"github.com/aifactory/platform/policy/pack"
)

// PolicyPack is the platform's policy pack (./policy) built into a plugin
// binary, which the Pulumi CLI runs directly as an analyzer when given its
// path. Building it needs only Go, so the pack is attached the same way
// with the official CLI and with the pinned one, whether or not a Go
// language host is installed.
type PolicyPack struct {
	// Binary is the pack's plugin executable, with PulumiPolicy.yaml beside it.
	Binary string
	// Dir is the repository's policy directory (PulumiPolicy.yaml, config/).
	Dir string
}

// BuildPolicyPack builds root/policy into outDir.
func BuildPolicyPack(ctx context.Context, root, outDir string) (*PolicyPack, error) {
	dir := filepath.Join(root, "policy")
	out := filepath.Join(outDir, pack.Name)
	if err := gobuild.Build(ctx, root, out, "./policy"); err != nil {
		return nil, fmt.Errorf("building the policy pack: %w", err)
	}
	// The engine reads the pack's version and description from a
	// PulumiPolicy.yaml next to the binary.
	yaml, err := os.ReadFile(filepath.Join(dir, "PulumiPolicy.yaml"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(outDir, "PulumiPolicy.yaml"), yaml, 0o644); err != nil {
		return nil, err
	}
	return &PolicyPack{Binary: out, Dir: dir}, nil
}

// ConfigFile is the policy config file of an environment (dev, staging, prod).
func (p *PolicyPack) ConfigFile(environment string) string {
	return filepath.Join(p.Dir, "config", environment+".json")
}

// PreviewOptions attach the pack with the environment's policy config to a preview.
func (p *PolicyPack) PreviewOptions(environment string) []optpreview.Option {
	return p.PreviewOptionsWith(p.ConfigFile(environment))
}

// UpOptions attach the pack with the environment's policy config to an update.
func (p *PolicyPack) UpOptions(environment string) []optup.Option {
	return p.UpOptionsWith(p.ConfigFile(environment))
}

// PreviewOptionsWith attach the pack with the given policy config file to a preview.
func (p *PolicyPack) PreviewOptionsWith(configFile string) []optpreview.Option {
	return []optpreview.Option{optpreview.PolicyPacks(p.Binary), optpreview.PolicyPackConfigs(configFile)}
}

// UpOptionsWith attach the pack with the given policy config file to an update.
func (p *PolicyPack) UpOptionsWith(configFile string) []optup.Option {
	return []optup.Option{optup.PolicyPacks(p.Binary), optup.PolicyPackConfigs(configFile)}
}
