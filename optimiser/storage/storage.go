// Package storage reads inputs from and writes outputs to local directories,
// the bundled (embedded) files, or S3 (s3://bucket/prefix) behind the small
// ObjectStore interface, so that everything except the AWS client itself is
// tested on local files. Outputs are written as a set: all files or none.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// ObjectStore is the part of S3 the optimiser uses.
type ObjectStore interface {
	Get(ctx context.Context, bucket, key string) ([]byte, error)
	Put(ctx context.Context, bucket, key string, data []byte) error
	Delete(ctx context.Context, bucket, key string) error
	// List returns the keys directly under prefix (no deeper levels).
	List(ctx context.Context, bucket, prefix string) ([]string, error)
}

// ObjectStoreFactory creates the S3 client on first use, so that local runs
// never touch AWS configuration.
type ObjectStoreFactory func(ctx context.Context) (ObjectStore, error)

// Dir is a readable directory of input files.
type Dir interface {
	// List returns the names of the files in the directory.
	List(ctx context.Context) ([]string, error)
	Read(ctx context.Context, name string) ([]byte, error)
	// URI names the directory in outputs and errors.
	URI() string
}

// File is one output file; Name is relative to the output root and uses
// forward slashes.
type File struct {
	Name string
	Data []byte
}

// Sink receives a set of output files.
type Sink interface {
	// WriteAll writes every file or, on any error, none of them.
	WriteAll(ctx context.Context, files []File) error
	URI() string
}

// Resolver opens URIs: s3://bucket/prefix through the object store, anything
// else as a local path.
type Resolver struct {
	S3 ObjectStoreFactory
	s3 ObjectStore
}

// IsS3 reports whether a URI names S3.
func IsS3(uri string) bool { return strings.HasPrefix(uri, "s3://") }

func (r *Resolver) store(ctx context.Context) (ObjectStore, error) {
	if r.s3 != nil {
		return r.s3, nil
	}
	if r.S3 == nil {
		return nil, errors.New("s3:// locations are not available in this build")
	}
	s, err := r.S3(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting to S3: %w", err)
	}
	r.s3 = s
	return s, nil
}

// SplitS3 parses s3://bucket/key.
func SplitS3(uri string) (bucket, key string, err error) {
	rest := strings.TrimPrefix(uri, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q is not an s3://bucket/key URI", uri)
	}
	return bucket, key, nil
}

// OpenDir opens a directory URI.
func (r *Resolver) OpenDir(ctx context.Context, uri string) (Dir, error) {
	if IsS3(uri) {
		s, bucket, prefix, err := r.s3Directory(ctx, uri)
		if err != nil {
			return nil, err
		}
		return &s3Dir{store: s, bucket: bucket, prefix: prefix}, nil
	}
	info, err := os.Stat(uri)
	if err != nil {
		return nil, fmt.Errorf("directory %s: %w", uri, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", uri)
	}
	return FSDir(os.DirFS(uri), uri), nil
}

// ReadFile reads one file URI.
func (r *Resolver) ReadFile(ctx context.Context, uri string) ([]byte, error) {
	if IsS3(uri) {
		s, err := r.store(ctx)
		if err != nil {
			return nil, err
		}
		bucket, key, err := SplitS3(uri)
		if err != nil {
			return nil, err
		}
		return s.Get(ctx, bucket, key)
	}
	return os.ReadFile(uri)
}

// OpenSink opens an output directory URI.
func (r *Resolver) OpenSink(ctx context.Context, uri string) (Sink, error) {
	if IsS3(uri) {
		s, bucket, prefix, err := r.s3Directory(ctx, uri)
		if err != nil {
			return nil, err
		}
		return &s3Sink{store: s, bucket: bucket, prefix: prefix}, nil
	}
	return LocalSink(uri), nil
}

// s3Directory returns the store, bucket and key prefix of an s3:// directory
// URI; a non-empty prefix always ends in "/".
func (r *Resolver) s3Directory(ctx context.Context, uri string) (ObjectStore, string, string, error) {
	s, err := r.store(ctx)
	if err != nil {
		return nil, "", "", err
	}
	bucket, prefix, err := SplitS3(uri)
	if err != nil {
		return nil, "", "", err
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return s, bucket, prefix, nil
}

// FSDir exposes an fs.FS (a local directory or the bundled files) as a Dir.
func FSDir(fsys fs.FS, uri string) Dir { return &fsDir{fsys: fsys, uri: uri} }

type fsDir struct {
	fsys fs.FS
	uri  string
}

func (d *fsDir) List(context.Context) ([]string, error) {
	entries, err := fs.ReadDir(d.fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", d.uri, err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func (d *fsDir) Read(_ context.Context, name string) ([]byte, error) {
	b, err := fs.ReadFile(d.fsys, name)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", d.join(name), err)
	}
	return b, nil
}

func (d *fsDir) URI() string { return d.uri }

func (d *fsDir) join(name string) string {
	if strings.HasPrefix(d.uri, "bundled:") {
		return d.uri + "/" + name
	}
	return filepath.Join(d.uri, name)
}

type s3Dir struct {
	store          ObjectStore
	bucket, prefix string
}

func (d *s3Dir) List(ctx context.Context) ([]string, error) {
	keys, err := d.store.List(ctx, d.bucket, d.prefix)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", d.URI(), err)
	}
	var names []string
	for _, k := range keys {
		if name := strings.TrimPrefix(k, d.prefix); name != "" && !strings.Contains(name, "/") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

func (d *s3Dir) Read(ctx context.Context, name string) ([]byte, error) {
	b, err := d.store.Get(ctx, d.bucket, d.prefix+name)
	if err != nil {
		return nil, fmt.Errorf("reading %s%s: %w", d.URI(), name, err)
	}
	return b, nil
}

func (d *s3Dir) URI() string { return "s3://" + d.bucket + "/" + d.prefix }

// s3Sink puts objects in order and, if a later one fails, undoes the ones
// already put: an object that existed before gets its previous content back,
// a new one is deleted. Callers put metadata.json last, so a reader that
// waits for metadata.json never sees half a set.
type s3Sink struct {
	store          ObjectStore
	bucket, prefix string
}

func (s *s3Sink) WriteAll(ctx context.Context, files []File) error {
	if err := checkNames(files); err != nil {
		return err
	}
	previous, err := s.previousContents(ctx, files)
	if err != nil {
		return err
	}
	var done []string
	for _, f := range files {
		key := s.prefix + f.Name
		if err := s.store.Put(ctx, s.bucket, key, f.Data); err != nil {
			failed := fmt.Errorf("writing s3://%s/%s: %w", s.bucket, key, err)
			if undo := s.undo(ctx, done, previous); undo != nil {
				return &UndoError{Err: failed, Undo: undo}
			}
			return failed
		}
		done = append(done, key)
	}
	return nil
}

// previousContents reads the objects that the write would overwrite,
// listing each output's directory (List sees one level only).
func (s *s3Sink) previousContents(ctx context.Context, files []File) (map[string][]byte, error) {
	existing := map[string][]string{}
	previous := map[string][]byte{}
	for _, f := range files {
		key := s.prefix + f.Name
		dir := s.prefix
		if d := path.Dir(f.Name); d != "." {
			dir += d + "/"
		}
		keys, listed := existing[dir]
		if !listed {
			var err error
			if keys, err = s.store.List(ctx, s.bucket, dir); err != nil {
				return nil, fmt.Errorf("listing s3://%s/%s before writing: %w", s.bucket, dir, err)
			}
			existing[dir] = keys
		}
		if !slices.Contains(keys, key) {
			continue
		}
		b, err := s.store.Get(ctx, s.bucket, key)
		if err != nil {
			return nil, fmt.Errorf("reading s3://%s/%s before overwriting it: %w", s.bucket, key, err)
		}
		previous[key] = b
	}
	return previous, nil
}

func (s *s3Sink) undo(ctx context.Context, done []string, previous map[string][]byte) error {
	var errs []error
	for _, k := range done {
		var err error
		if b, ok := previous[k]; ok {
			err = s.store.Put(ctx, s.bucket, k, b)
		} else {
			err = s.store.Delete(ctx, s.bucket, k)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("undoing s3://%s/%s: %w", s.bucket, k, err))
		}
	}
	return errors.Join(errs...)
}

// UndoError is a failed write whose undo failed too: some outputs of this
// run may be left in place.
type UndoError struct {
	Err  error
	Undo error
}

func (e *UndoError) Error() string {
	return fmt.Sprintf("%v; undoing the outputs already written failed too, so some may be left: %v", e.Err, e.Undo)
}

func (e *UndoError) Unwrap() error { return e.Err }

func (s *s3Sink) URI() string { return "s3://" + s.bucket + "/" + s.prefix }

func checkNames(files []File) error {
	seen := map[string]bool{}
	for _, f := range files {
		clean := path.Clean(f.Name)
		if f.Name == "" || clean != f.Name || strings.HasPrefix(clean, "../") || clean == ".." || path.IsAbs(clean) {
			return fmt.Errorf("output name %q must be a clean relative path", f.Name)
		}
		if seen[clean] {
			return fmt.Errorf("output %q is written twice", f.Name)
		}
		seen[clean] = true
	}
	return nil
}
