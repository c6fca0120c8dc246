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
	"sync"
	"testing"

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
