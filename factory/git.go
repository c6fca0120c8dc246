package factory

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	out, err := gitOutput(dir, "status", "--porcelain")
	if err != nil {
		return nil, err
	}
	var files []string
	for _, line := range strings.Split(out, "\n") {
		if len(line) > 3 {
			files = append(files, strings.TrimSpace(line[3:]))
		}
	}
	return files, nil
}

// commitOnBranch records content as the new version of file on branch,
// created from HEAD, without touching the checked-out branch, the index or
// the working tree: the commit is built with a private index.
func commitOnBranch(dir, branch, file string, content []byte, message, operator string) (string, error) {
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
	commit, err := gitInput(dir, who, []byte(message), "commit-tree", tree, "-p", "HEAD", "-F", "-")
	if err != nil {
		return "", err
	}
	// Create the branch only if it does not exist (the empty old value).
	if _, err := gitInput(dir, nil, nil, "update-ref", "refs/heads/"+branch, commit, ""); err != nil {
		return "", err
	}
	return commit, nil
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
