// Package gobuild builds the project's helper binaries (the stand-in AWS
// provider, the policy pack, the pinned Pulumi CLI) with the go command of
// the running toolchain, atomically: an interrupted build never leaves a
// half-written binary where a later run would pick it up.
package gobuild

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Build runs `go build -o out args...` in dir, building into a temporary
// file beside out and renaming it into place.
func Build(ctx context.Context, dir, out string, args ...string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp := out + ".tmp"
	cmd := exec.CommandContext(ctx, Go(), append([]string{"build", "-o", tmp}, args...)...)
	cmd.Dir = dir
	if output, err := cmd.CombinedOutput(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(args, " "), err, output)
	}
	return os.Rename(tmp, out)
}

// Go is the go command of the toolchain that built the running program,
// or the one on PATH.
func Go() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
