package factory

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/aifactory/platform/internal/enginetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scratchRepo is a git checkout with a stack file and one other tracked file.
func scratchRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{"Pulumi.yaml": "name: aifactory\n", "Pulumi.dev.yaml": "config:\n  aifactory:environment: dev\n", "main.go": "package main\n"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	enginetest.Git(t, dir, "init", "-q", "-b", "main")
	enginetest.Git(t, dir, "add", "-A")
	enginetest.Git(t, dir, "commit", "-q", "-m", "platform")
	return dir
}

func TestUncommittedNamesWhatHEADDoesNotHold(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(t *testing.T, dir string)
		want []string
	}{
		{"clean", func(*testing.T, string) {}, nil},
		{"untracked files do not count", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("wip"), 0o644))
		}, nil},
		{"a changed stack file", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.dev.yaml"), []byte("config: {}\n"), 0o644))
		}, []string{"Pulumi.dev.yaml"}},
		{"a changed tracked file", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package other\n"), 0o644))
		}, []string{"main.go"}},
		{"a staged stack file", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.dev.yaml"), []byte("config: {}\n"), 0o644))
			enginetest.Git(t, dir, "add", "Pulumi.dev.yaml")
		}, []string{"Pulumi.dev.yaml"}},
		{"a stack file HEAD does not have", func(t *testing.T, dir string) {
			enginetest.Git(t, dir, "rm", "-q", "--cached", "Pulumi.dev.yaml")
			enginetest.Git(t, dir, "commit", "-q", "-m", "untrack")
		}, []string{"Pulumi.dev.yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := scratchRepo(t)
			tc.edit(t, dir)
			f := &Factory{root: dir}
			assert.Equal(t, tc.want, f.uncommitted("dev"))
		})
	}
	assert.Nil(t, (&Factory{root: t.TempDir()}).uncommitted("dev"), "outside a checkout")
}

func TestDirtyFilesReadsTheFirstLineWhole(t *testing.T) {
	dir := scratchRepo(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.dev.yaml"), []byte("config: {}\n"), 0o644))
	files, err := dirtyFiles(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"Pulumi.dev.yaml"}, files, "' M Pulumi.dev.yaml' starts with a space")
}

func TestCheckConfigAtCommit(t *testing.T) {
	dir := scratchRepo(t)
	head := enginetest.Git(t, dir, "rev-parse", "HEAD")
	file := filepath.Join(dir, "Pulumi.dev.yaml")
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	good := hex.EncodeToString(sum[:])
	assert.NoError(t, checkConfigAtCommit(dir, head, file, good))

	other := sha256.Sum256([]byte("config: {}\n"))
	err = checkConfigAtCommit(dir, head, file, hex.EncodeToString(other[:]))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not the stack file the release was deployed with")

	err = checkConfigAtCommit(dir, head, filepath.Join(dir, "Pulumi.prod.yaml"), good)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has no Pulumi.prod.yaml")
}

func TestCommitFileMovesNoBranchUntilAsked(t *testing.T) {
	dir := scratchRepo(t)
	head := enginetest.Git(t, dir, "rev-parse", "HEAD")
	file := filepath.Join(dir, "Pulumi.dev.yaml")
	commit, err := commitFile(dir, file, []byte("config: {}\n"), "dev: vended team x", "ops@aifactory.example")
	require.NoError(t, err)
	assert.Equal(t, head, enginetest.Git(t, dir, "rev-parse", "HEAD"))
	assert.Equal(t, head, enginetest.Git(t, dir, "rev-parse", commit+"^"), "built on HEAD")
	assert.Equal(t, "config: {}", enginetest.Git(t, dir, "show", commit+":Pulumi.dev.yaml"))
	assert.Empty(t, enginetest.Git(t, dir, "branch", "--list", "vend/x"), "no branch before it is asked for")

	require.NoError(t, createBranch(dir, "vend/x", commit))
	assert.Equal(t, commit, enginetest.Git(t, dir, "rev-parse", "vend/x"))
	assert.Error(t, createBranch(dir, "vend/x", head), "an existing branch is not moved")
	files, err := dirtyFiles(dir)
	require.NoError(t, err)
	assert.Empty(t, files, "the working tree and the index are untouched")
}
