package factory

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// gitOutput runs git in dir and returns its trimmed standard output.
func gitOutput(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// isCheckout reports whether dir is inside a git work tree.
func isCheckout(dir string) bool {
	out, err := gitOutput(dir, "rev-parse", "--is-inside-work-tree")
	return err == nil && out == "true"
}

// headCommit is the commit checked out in dir, or "" outside a checkout.
func headCommit(dir string) string {
	out, err := gitOutput(dir, "rev-parse", "HEAD")
	if err != nil {
		return ""
	}
	return out
}

// dirtyFiles lists the files with uncommitted changes in dir (ignored
// files aside).
func dirtyFiles(dir string) ([]string, error) {
	return statusFiles(dir, "status", "--porcelain")
}

// statusFiles runs a porcelain git status and lists its paths. The output
// is read as it is: its first column may be a space.
func statusFiles(dir string, args ...string) ([]string, error) {
	out, err := gitBytes(dir, args...)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, line := range strings.Split(string(out), "\n") {
		if len(line) > 3 {
			files = append(files, strings.TrimSpace(line[3:]))
		}
	}
	return files, nil
}

// uncommitted lists what an update of stack would run from that HEAD does
// not hold: the stack file when it differs from HEAD's (or HEAD has none)
// and tracked files with uncommitted changes. Nil outside a checkout.
func (f *Factory) uncommitted(stack string) []string {
	if headCommit(f.root) == "" {
		return nil
	}
	set := map[string]bool{}
	if files, err := statusFiles(f.root, "status", "--porcelain", "--untracked-files=no"); err == nil {
		for _, file := range files {
			set[file] = true
		}
	}
	name := filepath.Base(f.StackFile(stack))
	current, err := os.ReadFile(f.StackFile(stack))
	committed, cerr := fileAtCommit(f.root, "HEAD", f.StackFile(stack))
	if err != nil || cerr != nil || !bytes.Equal(current, committed) {
		set[name] = true
	}
	var out []string
	for file := range set {
		out = append(out, file)
	}
	sort.Strings(out)
	return out
}

// fileAtCommit is the content of file (a path in dir) at commit.
func fileAtCommit(dir, commit, file string) ([]byte, error) {
	rel, err := filepath.Rel(dir, file)
	if err != nil {
		return nil, err
	}
	return gitBytes(dir, "show", commit+":./"+filepath.ToSlash(rel))
}

// checkConfigAtCommit checks that the stack file at commit hashes to the
// config hash a release recorded for it.
func checkConfigAtCommit(dir, commit, file, configHash string) error {
	b, err := fileAtCommit(dir, commit, file)
	if err != nil {
		return fmt.Errorf("commit %s has no %s; the release was not deployed from that commit's stack file", short(commit), filepath.Base(file))
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != configHash {
		return fmt.Errorf("%s at commit %s (config hash %s) is not the stack file the release was deployed with (config hash %s)",
			filepath.Base(file), short(commit), short(got), short(configHash))
	}
	return nil
}

// createBranch points the new branch at commit; it fails when the branch exists.
func createBranch(dir, branch, commit string) error {
	// Create the branch only if it does not exist (the empty old value).
	_, err := gitInput(dir, nil, nil, "update-ref", "refs/heads/"+branch, commit, "")
	return err
}

// commitFile builds a commit on top of HEAD that records content as the
// new version of file and returns it without pointing any branch at it:
// the checked-out branch, the index and the working tree are not touched
// (the commit is built with a private index).
func commitFile(dir, file string, content []byte, message, operator string) (string, error) {
	rel, err := gitOutput(dir, "ls-files", "--full-name", "--", file)
	if err != nil {
		return "", err
	}
	if rel == "" {
		// A file git does not track yet: its path relative to the top.
		top, err := gitOutput(dir, "rev-parse", "--show-toplevel")
		if err != nil {
			return "", err
		}
		if rel, err = filepath.Rel(top, file); err != nil {
			return "", err
		}
	}
	blob, err := gitInput(dir, nil, content, "hash-object", "-w", "--stdin")
	if err != nil {
		return "", err
	}
	index, err := os.CreateTemp("", "aifactory-index-")
	if err != nil {
		return "", err
	}
	index.Close()
	defer os.Remove(index.Name())
	env := []string{"GIT_INDEX_FILE=" + index.Name()}
	if _, err := gitInput(dir, env, nil, "read-tree", "HEAD"); err != nil {
		return "", err
	}
	if _, err := gitInput(dir, env, nil, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+filepath.ToSlash(rel)); err != nil {
		return "", err
	}
	tree, err := gitInput(dir, env, nil, "write-tree")
	if err != nil {
		return "", err
	}
	// Without a configured identity (a CI runner, say) the operator signs.
	var who []string
	if name, _ := gitOutput(dir, "config", "user.email"); name == "" {
		email := operator
		if !strings.Contains(email, "@") {
			email = operator + "@localhost"
		}
		who = []string{"GIT_AUTHOR_NAME=" + operator, "GIT_AUTHOR_EMAIL=" + email, "GIT_COMMITTER_NAME=" + operator, "GIT_COMMITTER_EMAIL=" + email}
	}
	return gitInput(dir, who, []byte(message), "commit-tree", tree, "-p", "HEAD", "-F", "-")
}

// gitInput runs git in dir with extra environment and standard input.
func gitInput(dir string, env []string, stdin []byte, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// gitBytes runs git in dir and returns its standard output as it is.
func gitBytes(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
