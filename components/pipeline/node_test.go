package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// aslDir is the Node project that validates and executes definitions:
// asl-validator and aws-local-stepfunctions, pinned by its lockfile.
const aslDir = "testdata/asl"

// nodeInstallHint tells how to get the Node dependencies.
const nodeInstallHint = "run `make test`, or `npm ci --prefix components/pipeline/testdata/asl` from the repository root"

// requireNode returns the node executable once the test project's
// dependencies are installed. Without them the test fails, because the
// workflow is unproven without a real States Language implementation;
// only -short skips.
func requireNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if testing.Short() {
			t.Skip("-short: node is not installed, skipping the States Language checks")
		}
		t.Fatalf("node is not on PATH; the workflow is checked with Node.js 20 or newer: install it, then %s", nodeInstallHint)
	}
	for _, pkg := range []string{"asl-validator", "aws-local-stepfunctions"} {
		if _, err := os.Stat(filepath.Join(aslDir, "node_modules", pkg, "package.json")); err != nil {
			if testing.Short() {
				t.Skipf("-short: %s is not installed in %s, skipping the States Language checks", pkg, aslDir)
			}
			t.Fatalf("%s is not installed in components/pipeline/%s/node_modules: %s", pkg, aslDir, nodeInstallHint)
		}
	}
	return node
}

// runNode runs a script of the test project with in as JSON on stdin and
// decodes its JSON stdout into out.
func runNode(t *testing.T, script string, in, out any) {
	t.Helper()
	node := requireNode(t)
	payload, err := json.Marshal(in)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = aslDir
	cmd.Stdin = bytes.NewReader(payload)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "node %s failed:\n%s", script, stderr.String())
	require.NoError(t, json.Unmarshal(stdout.Bytes(), out), "node %s printed something other than JSON:\n%s\nstderr:\n%s", script, stdout.String(), stderr.String())
}
