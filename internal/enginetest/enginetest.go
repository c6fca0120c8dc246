// Package enginetest shares one offline Pulumi environment (see package
// offline) among the engine-level tests of a test binary: the CLI, the
// stand-in AWS provider and a private PULUMI_HOME are prepared once, on
// first use, and removed when the binary's tests end.
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
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/internal/offline"
)

var (
	once   sync.Once
	shared *offline.Env
	errEnv error
	dir    string
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

// Preview previews s and fails the test unless it succeeds without errors.
func Preview(t testing.TB, s auto.Stack, opts ...optpreview.Option) offline.Plan {
	t.Helper()
	plan, err := offline.Preview(context.Background(), s, opts...)
	if err != nil || len(plan.Failures) > 0 {
		t.Fatalf("preview of %s failed: %v %v\n%s", s.Name(), err, plan.Failures, plan.Stdout)
	}
	return plan
}

// Up deploys s and fails the test unless it succeeds.
func Up(t testing.TB, s auto.Stack) auto.UpResult {
	t.Helper()
	up, err := s.Up(context.Background(), optup.SuppressProgress())
	if err != nil {
		t.Fatalf("up of %s failed: %v\n%s", s.Name(), err, up.StdErr)
	}
	return up
}

// ExpectNoChanges fails the test unless a preview of s plans nothing but
// "same": the program is stable once deployed.
func ExpectNoChanges(t testing.TB, s auto.Stack) {
	t.Helper()
	plan := Preview(t, s, optpreview.ExpectNoChanges())
	for op, n := range plan.Summary {
		if op != "same" {
			t.Errorf("after up, %d resources of %s would %s", n, s.Name(), op)
		}
	}
}

// Destroy destroys s and returns the deployment left in its state.
func Destroy(t testing.TB, s auto.Stack) string {
	t.Helper()
	ctx := context.Background()
	res, err := s.Destroy(ctx, optdestroy.SuppressProgress())
	if err != nil {
		t.Fatalf("destroy of %s failed: %v\n%s", s.Name(), err, res.StdErr)
	}
	state, err := s.Export(ctx)
	if err != nil {
		t.Fatalf("exporting the state of %s: %v", s.Name(), err)
	}
	return string(state.Deployment)
}
