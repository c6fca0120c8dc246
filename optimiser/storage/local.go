package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// rename is os.Rename; tests replace it to fail part-way through a commit.
var rename = os.Rename

func kind(info os.FileInfo) string {
	if info.IsDir() {
		return "directory"
	}
	return "non-regular file"
}

// LocalSink writes into a local directory.
func LocalSink(dir string) Sink { return &localSink{dir: dir} }

type localSink struct{ dir string }

func (s *localSink) URI() string { return s.dir }

// WriteAll stages every file as a temporary file next to its target and
// syncs it; only when all are staged are they renamed into place. A file
// being replaced is kept aside until every rename succeeded, so a failure
// part-way restores the previous set instead of leaving half a new one.
func (s *localSink) WriteAll(_ context.Context, files []File) (err error) {
	if err := checkNames(files); err != nil {
		return err
	}
	var createdDirs []string
	var stage []staged
	defer func() {
		if err == nil {
			return
		}
		for _, st := range stage {
			os.Remove(st.tmp)
		}
		for i := len(createdDirs) - 1; i >= 0; i-- {
			os.Remove(createdDirs[i]) // only succeeds if still empty
		}
	}()

	for _, f := range files {
		target := filepath.Join(s.dir, filepath.FromSlash(f.Name))
		dirs, err := mkdirAll(filepath.Dir(target))
		createdDirs = append(createdDirs, dirs...)
		if err != nil {
			return fmt.Errorf("creating %s: %w", filepath.Dir(target), err)
		}
		if info, statErr := os.Lstat(target); statErr == nil && !info.Mode().IsRegular() {
			return fmt.Errorf("cannot write %s: a %s of that name is in the way", target, kind(info))
		}
		tmp, err := writeTemp(target, f.Data)
		if err != nil {
			return err
		}
		stage = append(stage, staged{tmp: tmp, target: target})
	}

	// Commit: move existing targets aside, then rename staged files in.
	var renamed []int
	rollback := func() {
		for _, i := range renamed {
			os.Remove(stage[i].target)
		}
		for _, st := range stage {
			if st.backup != "" {
				os.Rename(st.backup, st.target)
			}
		}
	}
	for i := range stage {
		if _, statErr := os.Lstat(stage[i].target); statErr == nil {
			backup := stage[i].target + ".previous"
			if err := rename(stage[i].target, backup); err != nil {
				rollback()
				return fmt.Errorf("replacing %s: %w", stage[i].target, err)
			}
			stage[i].backup = backup
		}
		if err := rename(stage[i].tmp, stage[i].target); err != nil {
			rollback()
			return fmt.Errorf("writing %s: %w", stage[i].target, err)
		}
		renamed = append(renamed, i)
	}
	for _, st := range stage {
		if st.backup != "" {
			os.Remove(st.backup)
		}
	}
	for _, d := range uniqueDirs(stage) {
		syncDir(d)
	}
	return nil
}

// staged is one output: its temporary file, its final name and, while the
// set is being committed, the previous file it replaces.
type staged struct{ tmp, target, backup string }

func uniqueDirs(stage []staged) []string {
	seen := map[string]bool{}
	var out []string
	for _, st := range stage {
		d := filepath.Dir(st.target)
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// mkdirAll creates dir and its missing parents and returns those it created,
// outermost first, so that a failed write can remove them again.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		missing = append([]string{d}, missing...)
		if filepath.Dir(d) == d {
			break
		}
	}
	var created []string
	for _, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return created, err
		}
		created = append(created, d)
	}
	return created, nil
}

func writeTemp(target string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("staging %s: %w", target, err)
	}
	name := f.Name()
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("staging %s: %w", target, err)
	}
	if err := os.Chmod(name, 0o644); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("staging %s: %w", target, err)
	}
	return name, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
