package buildinfo

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRead(t *testing.T) {
	vcs := func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261123014455-0123456789ab"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"},
		}}, true
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	tests := []struct {
		name            string
		version, commit string
		buildInfo       func() (*debug.BuildInfo, bool)
		want            Info
		wantString      string
	}{
		{"stamped by the image builder", "v1.2.3", "98e1bd8", vcs,
			Info{Version: "v1.2.3", Commit: "98e1bd8", GoVersion: "go1.26.8", Modified: true}, "v1.2.3 (commit 98e1bd8, modified, go1.26.8)"},
		{"from the VCS settings", "", "", vcs,
			Info{Version: "v0.0.0-20261123014455-0123456789ab", Commit: "0123456789abcdef", GoVersion: "go1.26.8", Modified: true}, ""},
		{"nothing known", "", "", none,
			Info{Version: "(devel)", Commit: "unknown", GoVersion: "go1.26.8"}, "(devel) (commit unknown, go1.26.8)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := read(tt.version, tt.commit, "go1.26.8", tt.buildInfo)
			assert.Equal(t, tt.want, got)
			if tt.wantString != "" {
				assert.Equal(t, tt.wantString, got.String())
			}
		})
	}
}
