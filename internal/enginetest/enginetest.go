// Package enginetest shares one offline Pulumi environment (see package
// offline) among the engine-level tests of a test binary: the CLI, the
// stand-in AWS provider, a private PULUMI_HOME and the policy pack are
// prepared once, on first use, and removed when the binary's tests end.
// Its helpers run operations through package factory/engine, so the tests read
// the same Result the platform tool reports.
//
//	func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }
//
//	func TestPreview(t *testing.T) {
//		env := enginetest.Env(t)
//		...
//	}
package enginetest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/internal/offline"
)

var (
	once   sync.Once
	shared *offline.Env
	errEnv error
	dir    string

	packOnce sync.Once
	pack     *engine.PolicyPack
	errPack  error
)

// Main runs the tests and removes the shared environment afterwards.
func Main(m *testing.M) int {
	code := m.Run()
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
	return code
}

// Env returns the shared environment, preparing it on first use. Engine
// tests are skipped only with -short; CI never passes it.
func Env(t testing.TB) *offline.Env {
	t.Helper()
	if testing.Short() {
		t.Skip("engine-level test: runs the real Pulumi engine; skipped with -short")
	}
	once.Do(func() {
		dir, errEnv = os.MkdirTemp("", "aifactory-enginetest-")
		if errEnv != nil {
			return
		}
		shared, errEnv = offline.Prepare(context.Background(), offline.Options{Dir: dir, Log: os.Stderr})
	})
	if errEnv != nil {
		t.Fatalf("preparing the offline Pulumi environment: %v", errEnv)
	}
	return shared
}

// ComponentStackFile is the stack config of component-level engine tests:
// like every shipped stack file, it makes any resource that bypasses the
// program's explicit AWS provider an error.
const ComponentStackFile = "config:\n  pulumi:disable-default-providers:\n    - aws\n"

// ComponentStack creates a stack named name for program with
// ComponentStackFile as its config.
func ComponentStack(t testing.TB, name string, program pulumi.RunFunc) auto.Stack {
	t.Helper()
	env := Env(t)
	config := filepath.Join(t.TempDir(), "Pulumi."+name+".yaml")
	if err := os.WriteFile(config, []byte(ComponentStackFile), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := env.Stack(context.Background(), name, program, config)
	if err != nil {
		t.Fatalf("creating stack %s: %v", name, err)
	}
	return s
}

// Pack returns the policy pack built for the shared environment, building
// it on first use.
func Pack(t testing.TB) *engine.PolicyPack {
	t.Helper()
	env := Env(t)
	packOnce.Do(func() {
		pack, errPack = engine.BuildPolicyPack(context.Background(), env.Root, filepath.Join(env.Dir, "policy-pack"))
	})
	if errPack != nil {
		t.Fatalf("building the policy pack: %v", errPack)
	}
	return pack
}

// EmptyPack builds a policy pack without policies (policy/internal/emptypack)
// into the shared environment and returns its path. Attached to a preview,
// it measures the engine's own cost of running any pack.
func EmptyPack(t testing.TB) string {
	t.Helper()
	env := Env(t)
	out := filepath.Join(env.Dir, "empty-pack", "emptypack")
	if err := env.GoBuild(context.Background(), env.Root, out, "./policy/internal/emptypack"); err != nil {
		t.Fatalf("building the empty policy pack: %v", err)
	}
	return out
}

// Preview previews s and fails the test unless it succeeds without errors.
func Preview(t testing.TB, s auto.Stack, opts ...optpreview.Option) engine.Result {
	t.Helper()
	res, err := engine.Preview(context.Background(), s, opts...)
	if err != nil || len(res.Failures) > 0 {
		t.Fatalf("preview of %s failed: %v %v\n%s", s.Name(), err, res.Failures, res.Stdout)
	}
	return res
}

// Up deploys s and fails the test unless it succeeds.
func Up(t testing.TB, s auto.Stack, opts ...optup.Option) engine.Result {
	t.Helper()
	res, err := engine.Up(context.Background(), s, opts...)
	if err != nil {
		t.Fatalf("up of %s failed: %v %v\n%s", s.Name(), err, res.Failures, res.Stdout)
	}
	return res
}

// ExpectNoChanges fails the test unless a preview of s plans nothing but
// "same": the program is stable once deployed.
func ExpectNoChanges(t testing.TB, s auto.Stack) {
	t.Helper()
	res := Preview(t, s, optpreview.ExpectNoChanges())
	for op, n := range res.Summary {
		if op != "same" {
			t.Errorf("after up, %d resources of %s would %s", n, s.Name(), op)
		}
	}
}

// Destroy destroys s and returns the deployment left in its state.
func Destroy(t testing.TB, s auto.Stack) string {
	t.Helper()
	ctx := context.Background()
	res, err := engine.Destroy(ctx, s)
	if err != nil {
		t.Fatalf("destroy of %s failed: %v %v\n%s", s.Name(), err, res.Failures, res.Stdout)
	}
	state, err := s.Export(ctx)
	if err != nil {
		t.Fatalf("exporting the state of %s: %v", s.Name(), err)
	}
	return string(state.Deployment)
}
