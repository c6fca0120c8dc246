package image

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedTime stands in for a commit time: tests never read the clock.
var fixedTime = time.Date(2026, 11, 23, 1, 44, 55, 0, time.UTC)

func TestOptionsDefaults(t *testing.T) {
	o, err := Options{}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, DefaultVersion, o.Version)
	assert.Equal(t, DefaultCommit, o.Commit)
	assert.Equal(t, DefaultArch, o.Arch)
	assert.Equal(t, DefaultSourceURL, o.SourceURL)
	assert.Equal(t, DefaultGo, o.Go)
	assert.Equal(t, time.Unix(0, 0).UTC(), o.Created)
	assert.Empty(t, o.SourceDir, "found on the file system by Build, not here")
	assert.Nil(t, o.Environ, "taken from the process by Build, not here")
}

func TestOptionsValidation(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr []string // each must appear in the error; none means valid
	}{
		{name: "release", opts: Options{Version: "v1.2.3", Commit: "98e1bd8d7a5359816d917eb982df2c55c71157f5", Arch: "arm64", Created: fixedTime}},
		{name: "short commit", opts: Options{Commit: "98e1bd8"}},
		{name: "version with build metadata characters", opts: Options{Version: "v1.2.3-rc.1_2"}},
		{name: "version with space", opts: Options{Version: "v1 2"}, wantErr: []string{`version "v1 2"`, "valid image tag"}},
		{name: "version with plus", opts: Options{Version: "v1.2.3+meta"}, wantErr: []string{"version"}},
		{name: "version starting with dot", opts: Options{Version: ".v1"}, wantErr: []string{"version"}},
		{name: "version too long", opts: Options{Version: strings.Repeat("v", 129)}, wantErr: []string{"version"}},
		{name: "upper-case commit", opts: Options{Commit: "98E1BD8"}, wantErr: []string{`commit "98E1BD8"`, "git rev-parse HEAD"}},
		{name: "commit not hex", opts: Options{Commit: "main"}, wantErr: []string{`commit "main"`}},
		{name: "commit too short", opts: Options{Commit: "98e1bd"}, wantErr: []string{"commit"}},
		{name: "arch", opts: Options{Arch: "386"}, wantErr: []string{`arch "386"`, "amd64, arm64"}},
		{name: "before the epoch", opts: Options{Created: time.Unix(-1, 0)}, wantErr: []string{"created", "git log -1 --format=%ct"}},
		{name: "beyond tar times", opts: Options{Created: time.Unix(1<<33, 0)}, wantErr: []string{"created"}},
		{name: "source URL", opts: Options{SourceURL: "https://x y"}, wantErr: []string{"source URL"}},
		{name: "every error at once", opts: Options{Version: "a b", Commit: "x", Arch: "mips"}, wantErr: []string{"version", "commit", "arch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.opts.withDefaults()
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

func TestOptionsCreatedIsUTCSeconds(t *testing.T) {
	local := time.FixedZone("CET", 3600)
	o, err := Options{Created: fixedTime.In(local).Add(999 * time.Millisecond)}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, fixedTime, o.Created)
	assert.Equal(t, time.UTC, o.Created.Location())
}

func TestGoBuildRequest(t *testing.T) {
	hostile := []string{
		"HOME=/home/dev",
		"PATH=/usr/local/go/bin:/usr/bin",
		"GOPROXY=https://proxy.example",
		"GOFLAGS=-mod=mod -tags=netgo -race",
		"CGO_ENABLED=1",
		"GOOS=darwin",
		"GOARCH=386",
		"GOAMD64=v3",
		"GOARM64=v9.0",
		"GOWORK=/home/dev/go.work",
		"GOEXPERIMENT=boringcrypto",
		"GOFIPS140=latest",
	}
	tests := []struct {
		arch      string
		wantLevel string
	}{
		{"amd64", "GOAMD64=v1"},
		{"arm64", "GOARM64=v8.0"},
	}
	for _, tt := range tests {
		t.Run(tt.arch, func(t *testing.T) {
			o, err := Options{
				SourceDir: "/src/platform", Version: "v1.2.3", Commit: "98e1bd8", Arch: tt.arch, Go: "/opt/go/bin/go",
			}.withDefaults()
			require.NoError(t, err)
			req, err := o.goBuildRequest(hostile, "/tmp/x/optimiser")
			require.NoError(t, err)

			assert.Equal(t, "/opt/go/bin/go", req.Go)
			assert.Equal(t, "/src/platform", req.Dir)
			assert.Equal(t, []string{
				"build", "-o", "/tmp/x/optimiser",
				"-trimpath", "-buildvcs=false", "-mod=readonly",
				"-ldflags", "-s -w -buildid= " +
					"-X github.com/aifactory/platform/facts/buildinfo.Version=v1.2.3 " +
					"-X github.com/aifactory/platform/facts/buildinfo.Commit=98e1bd8",
				"./optimiser/cmd/optimiser",
			}, req.Args)

			// What does not shape the binary passes through; every variable
			// that does is set by the request alone, once.
			assert.Subset(t, req.Env, []string{"HOME=/home/dev", "PATH=/usr/local/go/bin:/usr/bin", "GOPROXY=https://proxy.example"})
			env := map[string][]string{}
			for _, kv := range req.Env {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = append(env[k], v)
			}
			for k, want := range map[string]string{
				"CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": tt.arch, "GOFLAGS": "-mod=readonly",
				"GOWORK": "off", "GOFIPS140": "off",
			} {
				assert.Equal(t, []string{want}, env[k], k)
			}
			levelKey, level, _ := strings.Cut(tt.wantLevel, "=")
			assert.Equal(t, []string{level}, env[levelKey])
			assert.NotContains(t, env, "GOEXPERIMENT")
			other := map[string]string{"amd64": "GOARM64", "arm64": "GOAMD64"}[tt.arch]
			assert.NotContains(t, env, other)
		})
	}
}

func TestGoBuildRequestNeedsSourceDir(t *testing.T) {
	o, err := Options{}.withDefaults()
	require.NoError(t, err)
	_, err = o.goBuildRequest(nil, "/tmp/out")
	require.ErrorContains(t, err, "source dir")
}
