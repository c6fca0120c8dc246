package image

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TarballRepositoryPrefix and the command's name (the image's title label)
// name the image inside a tarball when no tag is given: docker load tags it
// aifactory/<command>:<version>.
const TarballRepositoryPrefix = "aifactory/"

// DefaultTarballRepository names an image without a title label.
const DefaultTarballRepository = TarballRepositoryPrefix + DefaultCommand

// WriteLayout writes img as an OCI image layout directory at dir, replacing
// an earlier layout there, and returns oci-layout://DIR@sha256:… in
// Result.Reference (the form docker buildx and other OCI tools read). The
// layout is written beside dir and renamed into place, so dir holds either
// the old layout or the new one, never a partial one. A dir that exists and
// is not an OCI layout is refused rather than replaced.
func WriteLayout(img v1.Image, dir string) (Result, error) {
	if img == nil {
		return Result{}, errNoImage
	}
	res, err := Describe(img)
	if err != nil {
		return Result{}, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return Result{}, err
	}
	if err := checkReplaceableLayout(dir); err != nil {
		return Result{}, err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return Result{}, fmt.Errorf("out-layout %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return Result{}, fmt.Errorf("out-layout %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return Result{}, fmt.Errorf("out-layout %s: %w", dir, err)
	}
	var opts []layout.Option
	if cf, err := img.ConfigFile(); err == nil && cf.Config.Labels[LabelVersion] != "" {
		opts = append(opts, layout.WithAnnotations(map[string]string{
			"org.opencontainers.image.ref.name": cf.Config.Labels[LabelVersion],
		}))
	}
	if err := p.AppendImage(img, opts...); err != nil {
		return Result{}, fmt.Errorf("out-layout %s: %w", dir, err)
	}
	// The layout writer creates blobs readable by their owner only; the
	// layout is an artefact to share, like any other build output.
	if err := shareable(tmp); err != nil {
		return Result{}, fmt.Errorf("out-layout %s: %w", dir, err)
	}
	if err := replaceDir(tmp, dir); err != nil {
		return Result{}, fmt.Errorf("out-layout %s: %w", dir, err)
	}
	res.Reference = "oci-layout://" + dir + "@" + res.Digest
	return res, nil
}

// checkReplaceableLayout allows a missing dir, an empty one or an OCI
// layout.
func checkReplaceableLayout(dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("out-layout %s: %w", dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("out-layout %s: it is a file; choose a directory path", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "oci-layout")); err == nil {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("out-layout %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("out-layout %s: the directory is not empty and holds no OCI layout; remove it or choose another directory", dir)
	}
	return nil
}

// shareable makes the directories under root 0755 and the files 0644.
func shareable(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(path, 0o755)
		}
		return os.Chmod(path, 0o644)
	})
}

// replaceDir moves tmp to dir, replacing what dir held.
func replaceDir(tmp, dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir)
		return err
	}
	return os.RemoveAll(old)
}

// WriteTarball writes img to file as a tarball that `docker load` and
// `crane push` read, tagged tag (default aifactory/<title label>:<version
// label>, e.g. aifactory/cleanup:v1.2.3). The file is written beside its
// final name and renamed, so it is never left half-written. Result.Reference
// is docker-archive:FILE.
func WriteTarball(img v1.Image, file, tag string) (Result, error) {
	if img == nil {
		return Result{}, errNoImage
	}
	res, err := Describe(img)
	if err != nil {
		return Result{}, err
	}
	if tag == "" {
		repository, version := DefaultTarballRepository, DefaultVersion
		if cf, err := img.ConfigFile(); err == nil {
			if v := cf.Config.Labels[LabelVersion]; v != "" {
				version = v
			}
			if title := cf.Config.Labels[LabelTitle]; title != "" {
				repository = TarballRepositoryPrefix + title
			}
		}
		tag = repository + ":" + version
	}
	ref, err := name.NewTag(tag)
	if err != nil {
		return Result{}, fmt.Errorf("tarball tag %q: %v; use <repository>:<tag>, e.g. %s:v1.2.3", tag, err, DefaultTarballRepository)
	}
	file, err = filepath.Abs(file)
	if err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return Result{}, fmt.Errorf("out-tar %s: %w", file, err)
	}
	f, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp-")
	if err != nil {
		return Result{}, fmt.Errorf("out-tar %s: %w", file, err)
	}
	defer os.Remove(f.Name()) // a no-op once renamed
	if err := tarball.Write(ref, img, f); err != nil {
		f.Close()
		return Result{}, fmt.Errorf("out-tar %s: %w", file, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return Result{}, fmt.Errorf("out-tar %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return Result{}, fmt.Errorf("out-tar %s: %w", file, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return Result{}, err
	}
	if err := os.Rename(f.Name(), file); err != nil {
		return Result{}, fmt.Errorf("out-tar %s: %w", file, err)
	}
	res.Reference = "docker-archive:" + file
	return res, nil
}
