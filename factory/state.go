package factory

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// State is a stack's checkpoint as the backend stores it: every resource
// with its inputs, outputs (secret values stay encrypted) and options.
type State struct {
	Stack string
	apitype.DeploymentV3
}

// State reads the stack's state, without changing it or calling AWS.
func (f *Factory) State(ctx context.Context, stack string) (State, error) {
	s, err := f.stack(ctx, stack)
	if err != nil {
		return State{}, err
	}
	dep, err := s.Export(ctx)
	if err != nil {
		return State{}, fmt.Errorf("reading the state of %s: %w", stack, err)
	}
	st := State{Stack: stack}
	if len(dep.Deployment) == 0 {
		return st, nil
	}
	if err := json.Unmarshal(dep.Deployment, &st.DeploymentV3); err != nil {
		return State{}, fmt.Errorf("reading the state of %s: %w", stack, err)
	}
	return st, nil
}

// PolicyConfigFile reads the policy config of an environment as the
// repository holds it at commit (policy/config/<environment>.json), or in
// the working tree when commit is empty or not in the checkout. It returns
// the file and where it came from ("commit <sha>" or "working tree").
func (f *Factory) PolicyConfigFile(environment, commit string) ([]byte, string, error) {
	return f.fileAt(filepath.Join("policy", "config", environment+".json"), commit)
}

// StackFileAt reads a stack's file the same way.
func (f *Factory) StackFileAt(stack, commit string) ([]byte, string, error) {
	return f.fileAt("Pulumi."+stack+".yaml", commit)
}

// fileAt reads a file of the repository (rel to its root) at commit, or in
// the working tree when commit is empty or not in the checkout.
func (f *Factory) fileAt(rel, commit string) ([]byte, string, error) {
	if commit != "" && isCheckout(f.root) {
		if top, err := gitOutput(f.root, "rev-parse", "--show-toplevel"); err == nil {
			if prefix, err := filepath.Rel(top, f.root); err == nil {
				if out, err := gitBytes(f.root, "show", commit+":"+filepath.ToSlash(filepath.Join(prefix, rel))); err == nil {
					return out, "commit " + commit, nil
				}
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(f.root, rel))
	if err != nil {
		return nil, "", fmt.Errorf("reading %s: %w", rel, err)
	}
	return b, "working tree", nil
}
