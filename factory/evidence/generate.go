package evidence

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/aifactory/platform/factory"
	"github.com/aifactory/platform/internal/stackconfig"
)

// Report says what Generate wrote.
type Report struct {
	Stack   string `json:"stack"`
	Release string `json:"release"`
	// Dir is the bundle's directory.
	Dir    string         `json:"directory"`
	Totals map[string]int `json:"totals"`
	// MandatoryViolations are the controls the deployed resources break at
	// the mandatory level.
	MandatoryViolations []string `json:"mandatoryViolations,omitempty"`
}

// DefaultDir is where a bundle goes when no directory is given:
// evidence/<stack>-<first 12 characters of the release hash>.
func DefaultDir(stack, release string) string {
	if len(release) > 12 {
		release = release[:12]
	}
	return filepath.Join("evidence", stack+"-"+release)
}

// Generate writes the evidence bundle of the stack's current release into
// dir (DefaultDir when empty). Everything comes from what the platform
// keeps: the release record (stack tags), the state, and the policy
// configs and stack file of the release's commit. It changes nothing.
//
// Errors carry the tool's exit codes: no release or one whose chain does
// not verify is refused (ExitRefused) and nothing is written; a deployed
// resource that breaks a mandatory control is reported with ExitPolicy
// after the bundle, which records it, is written.
func Generate(ctx context.Context, f *factory.Factory, stack, dir string) (Report, error) {
	cfg, err := f.Config(stack)
	if err != nil {
		return Report{}, err
	}
	rel, err := f.LastRelease(ctx, stack)
	if err != nil {
		return Report{}, err
	}
	if rel == nil {
		return Report{Stack: stack}, factory.Refused(fmt.Errorf("stack %s has no release record: no update through the tool has succeeded on it; run `aifactory up %s` first", stack, stack))
	}
	state, err := f.State(ctx, stack)
	if err != nil {
		return Report{}, err
	}
	in := Input{
		Stack: stack, Environment: cfg.Environment, Release: *rel, State: state.DeploymentV3,
		PolicyConfigs: map[string][]byte{}, ConfigSources: map[string]string{},
	}
	for _, env := range stackconfig.Environments {
		b, source, err := f.PolicyConfigFile(env, rel.Commit)
		if err != nil {
			return Report{}, err
		}
		in.PolicyConfigs[env], in.ConfigSources[env] = b, source
	}
	if in.StackFile, in.StackFileSource, err = f.StackFileAt(stack, rel.Commit); err != nil {
		return Report{}, err
	}
	bundle, err := Build(in)
	if err != nil {
		return Report{Stack: stack, Release: rel.Hash}, err
	}
	if dir == "" {
		dir = DefaultDir(stack, rel.Hash)
	}
	if err := Write(dir, bundle); err != nil {
		return Report{Stack: stack, Release: rel.Hash}, err
	}
	report := Report{Stack: stack, Release: rel.Hash, Dir: dir, Totals: bundle.Totals, MandatoryViolations: bundle.MandatoryViolations()}
	if n := len(report.MandatoryViolations); n > 0 {
		return report, &factory.Error{Code: factory.ExitPolicy, Err: fmt.Errorf(
			"stack %s: the deployed resources break %d mandatory control(s) (%s); the bundle in %s records the findings",
			stack, n, strings.Join(report.MandatoryViolations, ", "), dir)}
	}
	return report, nil
}
