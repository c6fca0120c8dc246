package image

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func noEnv(string) string { return "" }

func TestMainUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		getenv     func(string) string
		wantCode   int
		wantStderr []string
	}{
		{name: "help", args: []string{"--help"}, wantCode: ExitOK, wantStderr: []string{"-out-layout directory", "-push registry/repository[:tag]", "-source-date-epoch seconds"}},
		{name: "unknown flag", args: []string{"--tag", "x"}, wantCode: ExitUsage, wantStderr: []string{"-tag"}},
		{name: "argument", args: []string{"push"}, wantCode: ExitUsage, wantStderr: []string{`unexpected argument "push"`}},
		{name: "version", args: []string{"--version", "1 2"}, wantCode: ExitUsage, wantStderr: []string{`version "1 2"`}},
		{name: "commit and arch together", args: []string{"--commit", "HEAD", "--arch", "386"}, wantCode: ExitUsage, wantStderr: []string{`commit "HEAD"`, `arch "386"`}},
		{name: "epoch flag", args: []string{"--source-date-epoch", "yesterday"}, wantCode: ExitUsage, wantStderr: []string{`source-date-epoch "yesterday"`, "git log -1 --format=%ct"}},
		{name: "negative epoch", args: []string{"--source-date-epoch", "-5"}, wantCode: ExitUsage, wantStderr: []string{"source-date-epoch"}},
		{
			name: "epoch from the environment", args: nil, wantCode: ExitUsage, wantStderr: []string{`source-date-epoch "1.5"`},
			getenv: func(k string) string { return map[string]string{"SOURCE_DATE_EPOCH": "1.5"}[k] },
		},
		{name: "push reference", args: []string{"--push", "optimiser:v1"}, wantCode: ExitUsage, wantStderr: []string{"<registry>/<repository>"}},
		{name: "source dir", args: []string{"--source", "/nonexistent/platform"}, wantCode: ExitUsage, wantStderr: []string{"source dir /nonexistent/platform"}},
		{name: "unknown command", args: []string{"--command", "optimizer"}, wantCode: ExitUsage, wantStderr: []string{`command "optimizer": use one of optimiser, cleanup`}},
		{name: "help lists the commands", args: []string{"--help"}, wantCode: ExitOK, wantStderr: []string{"optimiser  the weekly jackpot optimiser", "cleanup    the lifecycle cleanup job of the finops component", "-command command"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := tt.getenv
			if getenv == nil {
				getenv = noEnv
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr, getenv, anonymous)
			assert.Equal(t, tt.wantCode, code, stderr.String())
			assert.Empty(t, stdout.String())
			for _, w := range tt.wantStderr {
				assert.Contains(t, stderr.String(), w)
			}
		})
	}
}

// TestMainBuildsWritesAndPushes runs the command the Makefile runs: the
// digest it prints is the library's for the same inputs, and the layout and
// the registry hold that image.
func TestMainBuildsWritesAndPushes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the optimiser")
	}
	want, err := builtFromRepo(t).Result()
	require.NoError(t, err)
	host := newRegistry(t)
	dir := filepath.Join(t.TempDir(), "out", "image")
	tarFile := filepath.Join(t.TempDir(), "optimiser.tar")
	// The time comes from SOURCE_DATE_EPOCH, as in the Makefile.
	getenv := func(k string) string {
		return map[string]string{"SOURCE_DATE_EPOCH": strconv.FormatInt(fixedTime.Unix(), 10)}[k]
	}

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{
		"--version", testVersion, "--commit", testCommit,
		"--out-layout", dir, "--out-tar", tarFile, "--push", host + "/optimiser", "--json",
	}, &stdout, &stderr, getenv, anonymous)
	require.Equal(t, ExitOK, code, stderr.String())

	var out mainOutput
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), stdout.String())
	assert.Equal(t, want, out.Result)
	assert.Equal(t, "oci-layout://"+dir+"@"+want.Digest, out.Layout)
	assert.Equal(t, "docker-archive:"+tarFile, out.Tarball)
	assert.Equal(t, host+"/optimiser@"+want.Digest, out.Pushed)

	idx, err := layout.ImageIndexFromPath(dir)
	require.NoError(t, err)
	m, err := idx.IndexManifest()
	require.NoError(t, err)
	require.Len(t, m.Manifests, 1)
	assert.Equal(t, want.Digest, m.Manifests[0].Digest.String())

	// Without --json: one line per value, the digest first.
	stdout.Reset()
	code = run(context.Background(), []string{
		"--version", testVersion, "--commit", testCommit, "--source-date-epoch", strconv.FormatInt(fixedTime.Unix(), 10),
	}, &stdout, &stderr, noEnv, anonymous)
	require.Equal(t, ExitOK, code, stderr.String())
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	assert.Equal(t, []string{
		"digest    " + want.Digest,
		"config    " + want.ConfigDigest,
		"size      " + strconv.FormatInt(want.Size, 10),
		"platform  linux/amd64",
		"go        " + want.GoVersion,
	}, lines)
}

func TestMainRefusesASourceWithoutTheCommand(t *testing.T) {
	src := filepath.Join(t.TempDir(), "platform")
	copySource(t, src) // go.mod, go.sum, optimiser/ and facts/buildinfo/ only
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--command", "cleanup", "--source", src}, &stdout, &stderr, noEnv, anonymous)
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, stderr.String(), "no ./finops/cmd/cleanup in it (the cleanup command)")
	assert.Empty(t, stdout.String())
}
