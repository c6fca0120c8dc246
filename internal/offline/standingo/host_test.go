package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/aifactory/platform/internal/gobuild"
)

func TestEngineAddress(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
		err  string
	}{
		{args: []string{"127.0.0.1:4242"}, want: "127.0.0.1:4242"},
		{args: []string{"--tracing", "http://127.0.0.1:9411", "127.0.0.1:4242"}, want: "127.0.0.1:4242"},
		{args: []string{"-v=9", "--logtostderr", "127.0.0.1:4242"}, want: "127.0.0.1:4242"},
		{args: nil, err: "engine address is missing"},
		{args: []string{"127.0.0.1:4242", "--logtostderr"}, err: "engine address is missing"},
	} {
		got, err := engineAddress(tc.args)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, "%v", tc.args)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
}

func info(dir, entry string, options map[string]any) *pulumirpc.ProgramInfo {
	o, err := structpb.NewStruct(options)
	if err != nil {
		panic(err)
	}
	return &pulumirpc.ProgramInfo{RootDirectory: "/repo", ProgramDirectory: dir, EntryPoint: entry, Options: o}
}

func TestProgramOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  *pulumirpc.RunRequest
		want program
		err  string
	}{
		{name: "program info", req: &pulumirpc.RunRequest{Pwd: "/repo/stacks", Info: info("/repo/stacks", ".", nil)},
			want: program{dir: "/repo/stacks", entry: ".", pwd: "/repo/stacks"}},
		{name: "entry point is made relative for go build", req: &pulumirpc.RunRequest{Info: info("/repo", "cmd/prog", nil)},
			want: program{dir: "/repo", entry: "./cmd/prog", pwd: "/repo"}},
		{name: "older engine without program info", req: &pulumirpc.RunRequest{Pwd: "/repo", Program: "."},
			want: program{dir: "/repo", entry: ".", pwd: "/repo"}},
		{name: "prebuilt binary relative to the program", req: &pulumirpc.RunRequest{Info: info("/repo", ".", map[string]any{"binary": "bin/prog"})},
			want: program{dir: "/repo", entry: ".", pwd: "/repo", binary: "/repo/bin/prog"}},
		{name: "empty binary", req: &pulumirpc.RunRequest{Info: info("/repo", ".", map[string]any{"binary": ""})}, err: "runtime option binary"},
		{name: "unknown option names itself", req: &pulumirpc.RunRequest{Info: info("/repo", ".", map[string]any{"buildTarget": "x"})}, err: "runtime option buildTarget"},
		{name: "no directory", req: &pulumirpc.RunRequest{}, err: "no program directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := programOf(tc.req)
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestProgramEnvIsWhatTheSDKReads(t *testing.T) {
	env, err := programEnv(&pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:1", Project: "aifactory", Stack: "dev", Organization: "org",
		Config:           map[string]string{"aifactory:teams": `[{"name":"a"}]`, "aws:region": "eu-west-1"},
		ConfigSecretKeys: []string{"z:b", "a:a"},
		DryRun:           true, Parallel: 16, Info: info("/repo/stacks", ".", nil),
	}, "127.0.0.1:2")
	require.NoError(t, err)
	got := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	assert.Equal(t, "127.0.0.1:1", got["PULUMI_MONITOR"])
	assert.Equal(t, "127.0.0.1:2", got["PULUMI_ENGINE"])
	assert.Equal(t, "aifactory", got["PULUMI_PROJECT"])
	assert.Equal(t, "dev", got["PULUMI_STACK"])
	assert.Equal(t, "org", got["PULUMI_ORGANIZATION"])
	assert.Equal(t, "/repo", got["PULUMI_ROOT_DIRECTORY"])
	assert.Equal(t, "true", got["PULUMI_DRY_RUN"])
	assert.Equal(t, "16", got["PULUMI_PARALLEL"])
	var config map[string]string
	require.NoError(t, json.Unmarshal([]byte(got["PULUMI_CONFIG"]), &config))
	assert.Equal(t, `[{"name":"a"}]`, config["aifactory:teams"])
	assert.Equal(t, `["a:a","z:b"]`, got["PULUMI_CONFIG_SECRET_KEYS"])
}

// program.go of a tiny module: it prints what it was started with and
// exits with the code in its first argument.
const probe = `package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	wd, _ := os.Getwd()
	fmt.Println("stack=" + os.Getenv("PULUMI_STACK") + " dry=" + os.Getenv("PULUMI_DRY_RUN") + " wd=" + wd)
	code, _ := strconv.Atoi(os.Args[1])
	os.Exit(code)
}
`

func probeModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/probe\n\ngo 1.26\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(probe), 0o644))
	return dir
}

func TestRunBuildsAndRunsTheProgram(t *testing.T) {
	dir := probeModule(t)
	prebuilt := filepath.Join(t.TempDir(), "prebuilt")
	require.NoError(t, gobuild.Build(context.Background(), dir, prebuilt, "."))
	for _, tc := range []struct {
		name    string
		code    string
		options map[string]any
		want    *pulumirpc.RunResponse
		errText string
	}{
		{name: "success", code: "0", want: &pulumirpc.RunResponse{}},
		{name: "an error the program logged is a bail", code: "32", want: &pulumirpc.RunResponse{Bail: true}},
		{name: "any other failure is an error", code: "3", errText: "exit status 3"},
		{name: "a prebuilt binary runs as it is", code: "0", options: map[string]any{"binary": prebuilt}, want: &pulumirpc.RunResponse{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			h := &host{engine: "127.0.0.1:2", stdout: &out, stderr: &out}
			resp, err := h.Run(context.Background(), &pulumirpc.RunRequest{
				Stack: "dev", DryRun: true, Pwd: dir, Args: []string{tc.code}, Info: info(dir, ".", tc.options),
			})
			require.NoError(t, err)
			if tc.errText != "" {
				assert.Contains(t, resp.GetError(), tc.errText)
				assert.False(t, resp.GetBail())
			} else {
				assert.Equal(t, tc.want.GetBail(), resp.GetBail())
				assert.Empty(t, resp.GetError())
			}
			assert.Contains(t, out.String(), "stack=dev dry=true wd="+dir)
		})
	}
}

func TestRunReportsABuildFailure(t *testing.T) {
	dir := probeModule(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { undefined() }\n"), 0o644))
	h := &host{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	resp, err := h.Run(context.Background(), &pulumirpc.RunRequest{Pwd: dir, Info: info(dir, ".", nil)})
	require.NoError(t, err)
	assert.Contains(t, resp.GetError(), "building the Go program in "+dir)
	assert.Contains(t, resp.GetError(), "undefined")
}
