package factory

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteSaysAReleaseIsDirty(t *testing.T) {
	clean := &Release{Hash: "aaaaaaaaaaaaaaaa", Commit: "cccccccccccccccc"}
	for _, tc := range []struct {
		name    string
		release *Release
		want    string
	}{
		{name: "clean", release: clean},
		{name: "uncommitted stack file", want: "release aaaaaaaaaaaa is dirty: it ran from changes not in commit cccccccccccc: Pulumi.dev.yaml; it cannot be promoted",
			release: &Release{Hash: clean.Hash, Commit: clean.Commit, Dirty: true, DirtyFiles: []string{"Pulumi.dev.yaml"}}},
		{name: "vended on a branch", want: "(held on branch vend/fraud at bbbbbbbbbbbb): Pulumi.dev.yaml, README.md;",
			release: &Release{Hash: clean.Hash, Commit: clean.Commit, Dirty: true, DirtyFiles: []string{"Pulumi.dev.yaml", "README.md"},
				Branch: "vend/fraud", BranchCommit: "bbbbbbbbbbbbbbbb"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, Result{Release: tc.release}.Write(&out))
			assert.Contains(t, out.String(), "release aaaaaaaaaaaa: commit cccccccccccc")
			if tc.want == "" {
				assert.NotContains(t, out.String(), "dirty")
				return
			}
			assert.Contains(t, out.String(), tc.want)
		})
	}
}
