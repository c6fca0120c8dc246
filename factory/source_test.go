package factory_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory"
	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/internal/gobuild"
	"github.com/aifactory/platform/internal/offline"
)

// step is what a plan says about one resource, whichever source ran it.
type step struct{ Op, Type, URN string }

func steps(res factory.Result) []step {
	var out []step
	for _, c := range res.Changes {
		out = append(out, step{c.Op, c.Type, c.URN})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

func findings(res factory.Result) []engine.Finding {
	out := append([]engine.Finding{}, res.Policy...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.URN != b.URN {
			return a.URN < b.URN
		}
		if a.Policy != b.Policy {
			return a.Policy < b.Policy
		}
		return a.Message < b.Message
	})
	return out
}

// TestEngineLocalSourceMatchesInline runs the same stack from the project
// directory (the CLI builds stacks/ through a Go language host, as `pulumi
// up` in the repository does) and inline, and expects the same plan, the
// same policy findings and the same outputs; a stack deployed by one
// source is unchanged by an update from the other.
func TestEngineLocalSourceMatchesInline(t *testing.T) {
	if testing.Short() {
		t.Skip("engine-level test: runs the real Pulumi engine; skipped with -short")
	}
	ctx := context.Background()
	root := checkout(t)
	inline := newFactory(t, root, nil)
	local := newFactory(t, root, nil, func(o *factory.Options) { o.Source = factory.SourceLocal })

	fromInline, err := inline.Preview(ctx, "dev")
	require.NoError(t, err)
	fromLocal, err := local.Preview(ctx, "dev")
	require.NoError(t, err)
	assert.Greater(t, fromLocal.Summary["create"], 100, "the local source ran the platform's program")
	assert.Equal(t, fromInline.Summary, fromLocal.Summary)
	assert.Equal(t, steps(fromInline), steps(fromLocal))
	assert.Equal(t, findings(fromInline), findings(fromLocal))
	assert.Equal(t, fromInline.ResourcePoliciesRan, fromLocal.ResourcePoliciesRan)

	up, err := local.Up(ctx, "dev", factory.UpOptions{})
	require.NoError(t, err)
	require.NotNil(t, up.Release, "an update from the local source records its release")
	assert.Equal(t, fromLocal.Summary["create"], up.Summary["create"])

	// The inline program, run over what the local one deployed, changes
	// nothing and exports the same outputs.
	again, err := inline.Up(ctx, "dev", factory.UpOptions{})
	require.NoError(t, err)
	for _, s := range steps(again) {
		assert.Equal(t, "same", s.Op, "%s: the inline program plans what the local one deployed", s.URN)
	}
	assert.Equal(t, up.Outputs, again.Outputs)
	assert.NotEmpty(t, again.Outputs["vpcId"])
}

// TestEngineLocalSourceWithTheCLIsBundledHost runs the local source as a
// user with the official CLI does, outside offline mode: the CLI finds
// the Go language host beside its own binary, where the official
// distribution bundles pulumi-language-go. The stand-in host plays that
// part, and the stand-in AWS provider is the installed plugin. The plan
// is the inline program's.
func TestEngineLocalSourceWithTheCLIsBundledHost(t *testing.T) {
	if testing.Short() {
		t.Skip("engine-level test: runs the real Pulumi engine; skipped with -short")
	}
	ctx := context.Background()
	repo, err := offline.FindRoot()
	require.NoError(t, err)
	// The stand-in AWS provider, installed in a PULUMI_HOME of the test's.
	env, err := offline.Prepare(ctx, offline.Options{Root: repo, Dir: t.TempDir()})
	require.NoError(t, err)
	// A CLI installation with its bundled Go language host beside it.
	cli := filepath.Join(t.TempDir(), "bin", "pulumi")
	require.NoError(t, gobuild.Build(ctx, repo, filepath.Join(filepath.Dir(cli), "pulumi-language-go"), "./internal/offline/standingo"))
	if err := os.Link(env.CLIPath(), cli); err != nil {
		b, err := os.ReadFile(env.CLIPath())
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(cli, b, 0o755))
	}
	t.Setenv(factory.EnvPulumiCLI, cli)
	t.Setenv(factory.EnvPassphrase, "engine-test-only")
	t.Setenv(factory.EnvBackend, "file://"+t.TempDir())
	// The checkout's project names the repository's program.
	root := checkout(t)
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	require.NoError(t, err)
	project = []byte(strings.Replace(string(project), "main: stacks/", "main: "+filepath.Join(repo, "stacks"), 1))
	require.Contains(t, string(project), repo, "Pulumi.yaml names main: stacks/")
	require.NoError(t, os.WriteFile(filepath.Join(root, "Pulumi.yaml"), project, 0o644))

	open := func(source factory.Source) *factory.Factory {
		f, err := factory.New(ctx, factory.Options{
			Root: root, StateDir: t.TempDir(), Source: source, PolicyPack: policyPack(t), Operator: "ops@aifactory.example",
			Env: map[string]string{
				"PULUMI_HOME": env.Home, "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true", "PULUMI_SKIP_CHECKPOINTS": "true",
			},
		})
		require.NoError(t, err)
		return f
	}
	fromLocal, err := open(factory.SourceLocal).Preview(ctx, "dev")
	require.NoError(t, err)
	fromInline, err := open(factory.SourceInline).Preview(ctx, "dev")
	require.NoError(t, err)
	assert.Greater(t, fromLocal.Summary["create"], 100, "the CLI's host ran the platform's program")
	assert.Equal(t, steps(fromInline), steps(fromLocal))
	assert.Equal(t, findings(fromInline), findings(fromLocal))
}
