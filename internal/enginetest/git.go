package enginetest

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Git runs git in dir as a fixed author and committer, so that the
// scratch checkouts of the tool's tests commit on any machine, and returns
// its trimmed output; a failing command fails the test with that output.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@aifactory.example",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@aifactory.example")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
	return strings.TrimSpace(string(out))
}
