package storage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/aifactory/platform/optimiser/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func listTree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestLocalSinkWritesTheWholeSet(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out", "optimiser")
	sink := storage.LocalSink(root)
	files := []storage.File{{Name: "NL/recommendation.json", Data: []byte("r")}, {Name: "NL/metadata.json", Data: []byte("m")}}
	require.NoError(t, sink.WriteAll(context.Background(), files))
	assert.Equal(t, []string{"NL/metadata.json", "NL/recommendation.json"}, listTree(t, root))
	b, _ := os.ReadFile(filepath.Join(root, "NL", "metadata.json"))
	assert.Equal(t, "m", string(b))

	// Replacing an existing set leaves no temporary or backup files.
	files[0].Data = []byte("r2")
	require.NoError(t, sink.WriteAll(context.Background(), files))
	assert.Equal(t, []string{"NL/metadata.json", "NL/recommendation.json"}, listTree(t, root))
	b, _ = os.ReadFile(filepath.Join(root, "NL", "recommendation.json"))
	assert.Equal(t, "r2", string(b))
}

func TestLocalSinkWritesNothingWhenOneFileFails(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "NL"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "NL", "recommendation.json"), []byte("old"), 0o644))
	// A directory where metadata.json should go.
	require.NoError(t, os.MkdirAll(filepath.Join(root, "NL", "metadata.json", "x"), 0o755))

	err := storage.LocalSink(root).WriteAll(context.Background(), []storage.File{
		{Name: "NL/recommendation.json", Data: []byte("new")},
		{Name: "NL/metadata.json", Data: []byte("new")},
	})
	require.ErrorContains(t, err, "directory of that name is in the way")
	b, _ := os.ReadFile(filepath.Join(root, "NL", "recommendation.json"))
	assert.Equal(t, "old", string(b), "the previous recommendation is untouched")
	assert.Equal(t, []string{"NL/recommendation.json"}, listTree(t, root), "no temporary files left behind")
}

func TestLocalSinkRemovesDirectoriesItCreatedOnFailure(t *testing.T) {
	root := t.TempDir()
	blocker := filepath.Join(root, "file")
	require.NoError(t, os.WriteFile(blocker, []byte("x"), 0o644))
	err := storage.LocalSink(root).WriteAll(context.Background(), []storage.File{
		{Name: "NL/recommendation.json", Data: []byte("r")},
		{Name: "file/metadata.json", Data: []byte("m")},
	})
	require.Error(t, err)
	assert.Equal(t, []string{"file"}, listTree(t, root))
	_, statErr := os.Stat(filepath.Join(root, "NL"))
	assert.True(t, errors.Is(statErr, os.ErrNotExist), "NL/ was created for this write and must be gone")
}

func TestSinkRejectsUnsafeNames(t *testing.T) {
	for _, name := range []string{"../escape.json", "/abs.json", "a//b.json", ""} {
		err := storage.LocalSink(t.TempDir()).WriteAll(context.Background(), []storage.File{{Name: name, Data: []byte("x")}})
		assert.Error(t, err, name)
	}
}

// memoryStore is an in-memory ObjectStore that can fail on chosen keys.
type memoryStore struct {
	objects map[string][]byte
	failPut string
}

func (m *memoryStore) Get(_ context.Context, bucket, key string) ([]byte, error) {
	b, ok := m.objects[bucket+"/"+key]
	if !ok {
		return nil, errors.New("NoSuchKey")
	}
	return b, nil
}

func (m *memoryStore) Put(_ context.Context, bucket, key string, data []byte) error {
	if key == m.failPut {
		return errors.New("AccessDenied")
	}
	m.objects[bucket+"/"+key] = data
	return nil
}

func (m *memoryStore) Delete(_ context.Context, bucket, key string) error {
	delete(m.objects, bucket+"/"+key)
	return nil
}

func (m *memoryStore) List(_ context.Context, bucket, prefix string) ([]string, error) {
	var out []string
	for k := range m.objects {
		rest, ok := strings.CutPrefix(k, bucket+"/")
		// Like S3 with a "/" delimiter: keys directly under the prefix only.
		if ok && strings.HasPrefix(rest, prefix) && !strings.Contains(strings.TrimPrefix(rest, prefix), "/") {
			out = append(out, rest)
		}
	}
	return out, nil
}

func TestS3LocationsGoThroughTheObjectStore(t *testing.T) {
	mem := &memoryStore{objects: map[string][]byte{
		"data/configs/nl.yaml":          []byte("nl"),
		"data/configs/gb.yaml":          []byte("gb"),
		"data/configs/archive/old.yaml": []byte("old"),
		"data/history/nl.csv":           []byte("csv"),
	}}
	created := 0
	r := &storage.Resolver{S3: func(context.Context) (storage.ObjectStore, error) { created++; return mem, nil }}
	ctx := context.Background()

	dir, err := r.OpenDir(ctx, "s3://data/configs")
	require.NoError(t, err)
	names, err := dir.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"gb.yaml", "nl.yaml"}, names, "only files directly in the prefix")
	b, err := dir.Read(ctx, "nl.yaml")
	require.NoError(t, err)
	assert.Equal(t, "nl", string(b))

	b, err = r.ReadFile(ctx, "s3://data/history/nl.csv")
	require.NoError(t, err)
	assert.Equal(t, "csv", string(b))
	assert.Equal(t, 1, created, "one client for all S3 access")

	sink, err := r.OpenSink(ctx, "s3://data/out")
	require.NoError(t, err)
	require.NoError(t, sink.WriteAll(ctx, []storage.File{{Name: "NL/recommendation.json", Data: []byte("r")}}))
	assert.Equal(t, []byte("r"), mem.objects["data/out/NL/recommendation.json"])
}

func TestS3SinkRemovesWhatItWroteWhenALaterPutFails(t *testing.T) {
	mem := &memoryStore{objects: map[string][]byte{}, failPut: "out/NL/metadata.json"}
	r := &storage.Resolver{S3: func(context.Context) (storage.ObjectStore, error) { return mem, nil }}
	sink, err := r.OpenSink(context.Background(), "s3://bucket/out/")
	require.NoError(t, err)
	err = sink.WriteAll(context.Background(), []storage.File{
		{Name: "NL/recommendation.json", Data: []byte("r")},
		{Name: "NL/metadata.json", Data: []byte("m")},
	})
	require.ErrorContains(t, err, "AccessDenied")
	assert.Empty(t, mem.objects)
}

func TestS3SinkRestoresLastWeeksOutputsWhenALaterPutFails(t *testing.T) {
	mem := &memoryStore{objects: map[string][]byte{
		"bucket/out/NL/recommendation.json": []byte("last week"),
		"bucket/out/NL/metadata.json":       []byte("last week's metadata"),
	}, failPut: "out/NL/metadata.json"}
	r := &storage.Resolver{S3: func(context.Context) (storage.ObjectStore, error) { return mem, nil }}
	sink, err := r.OpenSink(context.Background(), "s3://bucket/out/")
	require.NoError(t, err)
	err = sink.WriteAll(context.Background(), []storage.File{
		{Name: "NL/recommendation.json", Data: []byte("this week")},
		{Name: "NL/metadata.json", Data: []byte("m")},
	})
	require.ErrorContains(t, err, "AccessDenied")
	var undo *storage.UndoError
	assert.False(t, errors.As(err, &undo), "the undo succeeded")
	assert.Equal(t, "last week", string(mem.objects["bucket/out/NL/recommendation.json"]), "an overwritten output gets its content back, it is not deleted")
	assert.Equal(t, "last week's metadata", string(mem.objects["bucket/out/NL/metadata.json"]))
}

func TestS3SinkSaysWhenItsUndoFailed(t *testing.T) {
	mem := &failingDeleteStore{memoryStore{objects: map[string][]byte{}, failPut: "out/NL/metadata.json"}}
	r := &storage.Resolver{S3: func(context.Context) (storage.ObjectStore, error) { return mem, nil }}
	sink, err := r.OpenSink(context.Background(), "s3://bucket/out/")
	require.NoError(t, err)
	err = sink.WriteAll(context.Background(), []storage.File{
		{Name: "NL/recommendation.json", Data: []byte("r")},
		{Name: "NL/metadata.json", Data: []byte("m")},
	})
	var undo *storage.UndoError
	require.ErrorAs(t, err, &undo)
	assert.ErrorContains(t, err, "some may be left")
	assert.ErrorContains(t, err, "out/NL/recommendation.json")
}

// failingDeleteStore cannot delete, as with a missing s3:DeleteObject grant.
type failingDeleteStore struct{ memoryStore }

func (*failingDeleteStore) Delete(context.Context, string, string) error {
	return errors.New("AccessDenied on delete")
}

func TestS3WithoutAClientIsAClearError(t *testing.T) {
	_, err := (&storage.Resolver{}).OpenDir(context.Background(), "s3://bucket/x")
	assert.ErrorContains(t, err, "s3:// locations are not available")
	_, err = (&storage.Resolver{S3: func(context.Context) (storage.ObjectStore, error) { return nil, errors.New("no region") }}).ReadFile(context.Background(), "s3://b/k")
	assert.ErrorContains(t, err, "no region")
	_, _, err = storage.SplitS3("s3:///key")
	assert.Error(t, err)
}

func TestFSDirListsFilesOnly(t *testing.T) {
	d := storage.FSDir(fstest.MapFS{"a.yaml": {Data: []byte("a")}, "sub/b.yaml": {Data: []byte("b")}}, "bundled:configs")
	names, err := d.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"a.yaml"}, names)
	_, err = d.Read(context.Background(), "missing.yaml")
	assert.ErrorContains(t, err, "bundled:configs/missing.yaml")
}
