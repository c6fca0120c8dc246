package factory

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clearBackendEnv unsets every variable that chooses a backend or its secrets.
func clearBackendEnv(t *testing.T) {
	t.Helper()
	for _, v := range []string{EnvBackend, EnvPassphrase, EnvPassphraseFile, EnvSecretsProvider} {
		t.Setenv(v, "")
	}
}

// stackFilesCopy is a scratch root with the project and dev stack files,
// which selecting a stack may write to (its encryption salt).
func stackFilesCopy(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi.dev.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(root, f), b, 0o644))
	}
	// The project's main directory, which the engine checks exists.
	require.NoError(t, os.Mkdir(filepath.Join(root, "stacks"), 0o755))
	return root
}

// pulumiCLI is the CLI the tests use, or a skip.
func pulumiCLI(t *testing.T) string {
	t.Helper()
	cli := os.Getenv(EnvPulumiCLI)
	if cli == "" {
		t.Skipf("set %s to the Pulumi CLI (make cli builds bin/pulumi)", EnvPulumiCLI)
	}
	return cli
}

func TestASelfManagedBackendNeedsASecret(t *testing.T) {
	for _, backend := range []string{"", "file:///tmp/state", "s3://aifactory-state?region=eu-west-1"} {
		t.Run(backend, func(t *testing.T) {
			clearBackendEnv(t)
			_, err := New(context.Background(), Options{Root: "..", StateDir: t.TempDir(), Backend: backend})
			require.Error(t, err)
			assert.Equal(t, ExitBadInput, Code(err))
			for _, v := range []string{EnvPassphrase, EnvPassphraseFile, EnvSecretsProvider} {
				assert.Contains(t, err.Error(), v, "the message names the variables that fix it")
			}
		})
	}
}

func TestBackendFlagBeatsTheEnvironment(t *testing.T) {
	cli := pulumiCLI(t)
	clearBackendEnv(t)
	t.Setenv(EnvPulumiCLI, cli)
	t.Setenv(EnvPassphrase, "test only")
	fromFlag, fromEnv, stateDir := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv(EnvBackend, "file://"+fromEnv)

	f, err := New(context.Background(), Options{Root: stackFilesCopy(t), StateDir: stateDir, Backend: "file://" + fromFlag})
	require.NoError(t, err)
	assert.Equal(t, "file://"+fromFlag, f.opts.Backend)
	assert.Equal(t, "passphrase", f.opts.SecretsProvider)
	_, err = f.stack(context.Background(), "dev")
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(fromFlag, ".pulumi", "stacks", Project, "dev.json"), "the stack lives in the flag's backend")
	assert.NoDirExists(t, filepath.Join(fromEnv, ".pulumi"), "and nothing in $%s's", EnvBackend)

	f, err = New(context.Background(), Options{Root: stackFilesCopy(t), StateDir: stateDir})
	require.NoError(t, err)
	assert.Equal(t, "file://"+fromEnv, f.opts.Backend, "without the flag, the environment's")

	t.Setenv(EnvBackend, "")
	f, err = New(context.Background(), Options{Root: stackFilesCopy(t), StateDir: stateDir})
	require.NoError(t, err)
	assert.Equal(t, "file://"+filepath.Join(stateDir, "state"), f.opts.Backend, "without either, the state directory")
}
