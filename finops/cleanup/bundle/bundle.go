// Package bundle builds the cleanup job's Lambda deployment package: the
// command finops/cmd/cleanup cross-compiled for the provided.al2023 runtime
// (linux/amd64, static, trimmed paths, no build id) and zipped as
// "bootstrap" with fixed times and modes. The same source gives the same
// bytes on every machine and every day, so a preview of an unchanged stack
// plans no change to the function's code.
package bundle

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Package is the command the bundle contains.
const Package = "./finops/cmd/cleanup"

// Module is the module the bundle is built from.
const Module = "github.com/aifactory/platform"

// Runtime and Architecture are the Lambda settings the bundle is built for.
const (
	Runtime      = "provided.al2023"
	Architecture = "x86_64"
	Handler      = "bootstrap"
)

var (
	mu    sync.Mutex
	built = map[string]string{}
)

// Zip builds the bundle once per process and returns the path of the zip,
// under <module root>/bin/lambda/. The go command caches the compilation,
// so a later process rebuilds in seconds.
func Zip(ctx context.Context) (string, error) {
	root, err := FindRoot()
	if err != nil {
		return "", err
	}
	mu.Lock()
	defer mu.Unlock()
	if p, ok := built[root]; ok {
		return p, nil
	}
	p, err := Build(ctx, root, filepath.Join(root, "bin", "lambda"))
	if err != nil {
		return "", err
	}
	built[root] = p
	return p, nil
}

// Build compiles the command in the module at root and writes
// dir/cleanup.zip atomically.
func Build(ctx context.Context, root, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmpDir, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmpDir)
	bin := filepath.Join(tmpDir, Handler)
	cmd := exec.CommandContext(ctx, goCommand(), "build", "-trimpath", "-buildvcs=false", "-tags", "lambda.norpc",
		"-ldflags", "-s -w -buildid=", "-o", bin, Package)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=-mod=readonly", "GOAMD64=v1")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the cleanup function (%s): %w\n%s", Package, err, out)
	}
	exe, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	zipped, err := zipBootstrap(exe)
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "cleanup.zip")
	tmp := filepath.Join(tmpDir, "cleanup.zip")
	if err := os.WriteFile(tmp, zipped, 0o644); err != nil {
		return "", err
	}
	return out, os.Rename(tmp, out)
}

// zipBootstrap zips the executable as "bootstrap", mode 0755, with the zip
// format's earliest time: no build-dependent metadata.
func zipBootstrap(exe []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: Handler, Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(exe); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// FindRoot walks up from the working directory to the module's go.mod.
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module "+Module+"\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("building the cleanup function needs the platform's source: run the program from inside the repository (no go.mod of " + Module + " above the working directory)")
		}
		dir = parent
	}
}

func goCommand() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
