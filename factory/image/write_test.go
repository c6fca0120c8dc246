package image

import (
	"archive/tar"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteLayout(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "out")
	dir := filepath.Join(parent, "image")

	tests := []struct {
		name string
		img  v1.Image
	}{
		{"new directory", smallImage(t, "first binary")},
		{"replaces the earlier layout", smallImage(t, "second binary")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := Describe(tt.img)
			require.NoError(t, err)
			res, err := WriteLayout(tt.img, dir)
			require.NoError(t, err)
			assert.Equal(t, "oci-layout://"+dir+"@"+want.Digest, res.Reference)
			assert.Equal(t, want.Digest, res.Digest)

			idx, err := layout.ImageIndexFromPath(dir)
			require.NoError(t, err)
			m, err := idx.IndexManifest()
			require.NoError(t, err)
			require.Len(t, m.Manifests, 1, "one image: the layout is replaced, not appended to")
			assert.Equal(t, want.Digest, m.Manifests[0].Digest.String())
			assert.Equal(t, testVersion, m.Manifests[0].Annotations["org.opencontainers.image.ref.name"])
			img, err := idx.Image(m.Manifests[0].Digest)
			require.NoError(t, err)
			got, err := Describe(img)
			require.NoError(t, err)
			assert.Equal(t, want, got, "the layout holds every blob of the image")

			entries, err := os.ReadDir(parent)
			require.NoError(t, err)
			require.Len(t, entries, 1, "no temporary directory is left beside the layout")
			require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				require.NoError(t, err)
				info, err := d.Info()
				require.NoError(t, err)
				want := os.FileMode(0o644)
				if d.IsDir() {
					want = 0o755
				}
				assert.Equal(t, want, info.Mode().Perm(), p)
				return nil
			}))
		})
	}
}

func TestWriteLayoutRefusesOtherDirectories(t *testing.T) {
	img := smallImage(t, "binary")

	notLayout := t.TempDir()
	keep := filepath.Join(notLayout, "notes.txt")
	require.NoError(t, os.WriteFile(keep, []byte("mine"), 0o644))
	_, err := WriteLayout(img, notLayout)
	require.ErrorContains(t, err, "holds no OCI layout")
	b, err := os.ReadFile(keep)
	require.NoError(t, err)
	assert.Equal(t, "mine", string(b), "left as it was")

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err = WriteLayout(img, file)
	require.ErrorContains(t, err, "it is a file")

	_, err = WriteLayout(nil, t.TempDir())
	require.ErrorContains(t, err, "no image")
}

func TestWriteTarball(t *testing.T) {
	img := smallImage(t, "binary")
	want, err := Describe(img)
	require.NoError(t, err)
	dir := t.TempDir()

	tests := []struct {
		name, tag, wantTag string
	}{
		{name: "default tag", wantTag: DefaultTarballRepository + ":" + testVersion},
		{name: "given tag", tag: "registry.example/optimiser:v1", wantTag: "registry.example/optimiser:v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, "sub", "optimiser.tar")
			res, err := WriteTarball(img, file, tt.tag)
			require.NoError(t, err)
			assert.Equal(t, "docker-archive:"+file, res.Reference)
			assert.Equal(t, want.Digest, res.Digest)

			// docker load reads manifest.json for the tag and the config.
			var manifest []struct {
				Config   string
				RepoTags []string
			}
			require.NoError(t, json.Unmarshal(tarMember(t, file, "manifest.json"), &manifest))
			require.Len(t, manifest, 1)
			assert.Equal(t, []string{tt.wantTag}, manifest[0].RepoTags)

			loaded, err := tarball.ImageFromPath(file, nil)
			require.NoError(t, err)
			cfg, err := loaded.ConfigName()
			require.NoError(t, err)
			assert.Equal(t, want.ConfigDigest, cfg.String())

			entries, err := os.ReadDir(filepath.Dir(file))
			require.NoError(t, err)
			assert.Len(t, entries, 1, "no temporary file is left beside the tarball")
		})
	}

	_, err = WriteTarball(img, filepath.Join(dir, "x.tar"), "Not A Tag")
	require.ErrorContains(t, err, "tarball tag")
	_, err = os.Stat(filepath.Join(dir, "x.tar"))
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing written")
}

func tarMember(t *testing.T, file, member string) []byte {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		require.NoError(t, err, "no %s in %s", member, file)
		if h.Name == member {
			b, err := io.ReadAll(tr)
			require.NoError(t, err)
			return b
		}
	}
}
