package image

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// settings is what go build records for the request's build.
func settings(arch string, extra ...debug.BuildSetting) *debug.BuildInfo {
	levelKey, level := archLevel(arch)
	return &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Path:      ModulePath + "/optimiser/cmd/optimiser",
		Main:      debug.Module{Path: ModulePath, Version: "(devel)"},
		Settings: append([]debug.BuildSetting{
			{Key: "-buildmode", Value: "exe"},
			{Key: "-compiler", Value: "gc"},
			{Key: "-trimpath", Value: "true"},
			{Key: "CGO_ENABLED", Value: "0"},
			{Key: "GOARCH", Value: arch},
			{Key: "GOOS", Value: "linux"},
			{Key: levelKey, Value: level},
		}, extra...),
	}
}

func without(bi *debug.BuildInfo, key string) *debug.BuildInfo {
	var kept []debug.BuildSetting
	for _, s := range bi.Settings {
		if s.Key != key {
			kept = append(kept, s)
		}
	}
	bi.Settings = kept
	return bi
}

func TestCheckBuildSettings(t *testing.T) {
	tests := []struct {
		name    string
		bi      *debug.BuildInfo
		arch    string
		wantErr []string
	}{
		{name: "amd64", bi: settings("amd64"), arch: "amd64"},
		{name: "arm64", bi: settings("arm64"), arch: "arm64"},
		{name: "the module's default GODEBUG", bi: settings("amd64", debug.BuildSetting{Key: "DefaultGODEBUG", Value: "tlsmlkem=0"}), arch: "amd64"},
		{
			name: "experiment from go env", arch: "amd64",
			bi:      settings("amd64", debug.BuildSetting{Key: "GOEXPERIMENT", Value: "boringcrypto"}),
			wantErr: []string{"GOEXPERIMENT=boringcrypto", "go env -u GOEXPERIMENT"},
		},
		{
			name: "tags from go env", arch: "amd64",
			bi:      settings("amd64", debug.BuildSetting{Key: "-tags", Value: "netgo"}),
			wantErr: []string{"-tags=netgo", "go env -u GOFLAGS"},
		},
		{
			name: "race", arch: "amd64",
			bi:      settings("amd64", debug.BuildSetting{Key: "-race", Value: "true"}),
			wantErr: []string{"-race=true"},
		},
		{name: "wrong architecture", bi: settings("amd64"), arch: "arm64", wantErr: []string{"GOARCH=amd64, want arm64", "GOARM64=v8.0 missing", "GOAMD64=v1"}},
		{name: "cgo", bi: func() *debug.BuildInfo {
			bi := without(settings("amd64"), "CGO_ENABLED")
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: "CGO_ENABLED", Value: "1"})
			return bi
		}(), arch: "amd64", wantErr: []string{"CGO_ENABLED=1, want 0"}},
		{name: "paths kept", bi: without(settings("amd64"), "-trimpath"), arch: "amd64", wantErr: []string{"-trimpath=true missing"}},
		{name: "another module", bi: func() *debug.BuildInfo {
			bi := settings("amd64")
			bi.Main.Path = "example.com/fork"
			return bi
		}(), arch: "amd64", wantErr: []string{`module "example.com/fork"`, "source dir"}},
		{name: "another command", bi: func() *debug.BuildInfo {
			bi := settings("amd64")
			bi.Path = ModulePath + "/finops/cmd/cleanup"
			return bi
		}(), arch: "amd64", wantErr: []string{"the binary is " + ModulePath + "/finops/cmd/cleanup, not the optimiser command"}},
	}
	optimiser, err := LookupCommand("optimiser")
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkBuildSettings(tt.bi, optimiser, tt.arch)
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestTail(t *testing.T) {
	assert.Equal(t, "short", tail("short", 10))
	long := strings.Repeat("x", 20) + "\nlast line\n"
	assert.Equal(t, "…\nlast line\n", tail(long, 12))
}

func TestGoEnvProblems(t *testing.T) {
	ok := func() map[string]string {
		return map[string]string{"CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": "amd64", "GOFLAGS": "-mod=readonly", "GOEXPERIMENT": ""}
	}
	require.NoError(t, goEnvProblems(ok(), "amd64"))

	env := ok()
	env["GOEXPERIMENT"] = "jsonv2"
	err := goEnvProblems(env, "amd64")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "GOEXPERIMENT=jsonv2")
	assert.Contains(t, err.Error(), "go env -u GOEXPERIMENT")

	require.ErrorContains(t, goEnvProblems(ok(), "arm64"), `GOARCH=amd64, want "arm64"`)
}
