package image

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/x509"
	"debug/elf"
	"encoding/pem"
	"go/build"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testVersion = "v9.9.9-test"
	testCommit  = "0123456789abcdef0123456789abcdef01234567"
)

// testOptions are the options of every real build in these tests.
func testOptions(sourceDir string) Options {
	return Options{SourceDir: sourceDir, Version: testVersion, Commit: testCommit, Created: fixedTime}
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := FindModuleRoot(".")
	require.NoError(t, err)
	return root
}

// The optimiser image built from the repository, once for the tests that
// only read it.
var repoBuild struct {
	once  sync.Once
	built *Built
	err   error
}

func builtFromRepo(t *testing.T) *Built {
	t.Helper()
	repoBuild.once.Do(func() {
		root, err := FindModuleRoot(".")
		if err != nil {
			repoBuild.err = err
			return
		}
		repoBuild.built, repoBuild.err = Build(context.Background(), testOptions(root))
	})
	require.NoError(t, repoBuild.err)
	return repoBuild.built
}

// copySource copies what the build reads from the repository to dst:
// go.mod, go.sum and the trees the command imports (for the optimiser, as
// optimiser/Dockerfile does, optimiser/ alone).
func copySource(t *testing.T, dst string, trees ...string) {
	t.Helper()
	if len(trees) == 0 {
		trees = []string{"optimiser", "facts/buildinfo"}
	}
	root := moduleRoot(t)
	require.NoError(t, os.MkdirAll(dst, 0o755))
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, f), b, 0o644))
	}
	for _, tree := range trees {
		require.NoError(t, os.CopyFS(filepath.Join(dst, tree), os.DirFS(filepath.Join(root, tree))))
	}
}

// filesystem is the flattened file system of an image.
type filesystem struct {
	headers map[string]*tar.Header
	data    map[string][]byte
}

func flatten(t *testing.T, img v1.Image) filesystem {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	fs := filesystem{headers: map[string]*tar.Header{}, data: map[string][]byte{}}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return fs
		}
		require.NoError(t, err)
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		name := strings.TrimSuffix(strings.TrimPrefix(h.Name, "/"), "/")
		fs.headers[name] = h
		fs.data[name] = b
	}
}

// TestBuildIsReproducible builds the image from two copies of the source
// in different directories, the second with an environment that would change
// the binary if it reached go build, and from the repository itself: all
// three give the same digest.
func TestBuildIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the optimiser twice")
	}
	srcA := filepath.Join(t.TempDir(), "a", "platform")
	srcB := filepath.Join(t.TempDir(), "b", "some", "deeper", "checkout")
	copySource(t, srcA)
	copySource(t, srcB)

	a, err := Build(context.Background(), testOptions(srcA))
	require.NoError(t, err)

	hostile := testOptions(srcB)
	hostile.Environ = append(os.Environ(),
		"GOFLAGS=-mod=mod -tags=netgo -gcflags=all=-N",
		"CGO_ENABLED=1", "GOOS=windows", "GOARCH=arm64", "GOAMD64=v3",
		"GOWORK="+filepath.Join(srcB, "missing.work"), "GOEXPERIMENT=jsonv2", "GOFIPS140=latest",
	)
	b, err := Build(context.Background(), hostile)
	require.NoError(t, err)

	ra, err := a.Result()
	require.NoError(t, err)
	rb, err := b.Result()
	require.NoError(t, err)
	rr, err := builtFromRepo(t).Result()
	require.NoError(t, err)
	assert.Equal(t, ra, rb)
	assert.Equal(t, ra, rr)
	t.Logf("digest %s config %s size %d (%s)", ra.Digest, ra.ConfigDigest, ra.Size, ra.GoVersion)

	// No path of the machine is in the binary, and no build id hashed from
	// the machine's inputs.
	bin := flatten(t, a.Image).data["optimiser"]
	require.NotEmpty(t, bin)
	exe := filepath.Join(t.TempDir(), "optimiser")
	require.NoError(t, os.WriteFile(exe, bin, 0o755))
	buildID, err := exec.Command("go", "tool", "buildid", exe).CombinedOutput()
	require.NoError(t, err, "%s", buildID)
	assert.Empty(t, strings.TrimSpace(string(buildID)))
	for _, p := range []string{srcA, srcB, moduleRoot(t), filepath.Join(build.Default.GOPATH, "pkg", "mod"), build.Default.GOROOT} {
		assert.False(t, bytes.Contains(bin, []byte(p)), "the binary contains %s", p)
	}
}

func TestBuildRefusesGoEnvExperiment(t *testing.T) {
	goenv := filepath.Join(t.TempDir(), "env")
	require.NoError(t, os.WriteFile(goenv, []byte("GOEXPERIMENT=jsonv2\n"), 0o644))
	o := testOptions(moduleRoot(t))
	o.Environ = append(os.Environ(), "GOENV="+goenv)
	_, err := Build(context.Background(), o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "GOEXPERIMENT=jsonv2")
	assert.Contains(t, err.Error(), "go env -u GOEXPERIMENT")
}

func TestBuildErrors(t *testing.T) {
	notModule := t.TempDir()
	tests := []struct {
		name    string
		opts    Options
		wantErr []string
	}{
		{name: "invalid options", opts: Options{Version: "a b", Arch: "386"}, wantErr: []string{"version", "arch"}},
		{name: "not the module", opts: Options{SourceDir: notModule}, wantErr: []string{"source dir " + notModule, "go.mod"}},
		{name: "no go command", opts: Options{SourceDir: moduleRoot(t), Go: filepath.Join(notModule, "go")}, wantErr: []string{filepath.Join(notModule, "go")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(context.Background(), tt.opts)
			require.Error(t, err)
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func newRegistry(t *testing.T) (host string) {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// anonymous keeps the tests from reading the machine's Docker config.
var anonymous = PushOptions{Keychain: authn.NewMultiKeychain()}

// TestPushPullRun pushes the optimiser image to an OCI registry, pulls it
// back by digest and checks what a Fargate task would run.
func TestPushPullRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the optimiser")
	}
	built := builtFromRepo(t)
	want, err := built.Result()
	require.NoError(t, err)
	host := newRegistry(t)
	ctx := context.Background()

	res, err := Push(ctx, built.Image, host+"/aifactory/optimiser", anonymous)
	require.NoError(t, err)
	assert.Equal(t, host+"/aifactory/optimiser@"+want.Digest, res.Reference)
	assert.Equal(t, want.Digest, res.Digest)

	ref, err := name.ParseReference(res.Reference)
	require.NoError(t, err)
	pulled, err := remote.Image(ref, remote.WithContext(ctx))
	require.NoError(t, err)
	got, err := Describe(pulled)
	require.NoError(t, err)
	assert.Equal(t, want.Digest, got.Digest)
	assert.Equal(t, want.ConfigDigest, got.ConfigDigest)
	assert.Equal(t, want.Size, got.Size)
	assert.Equal(t, "linux/amd64", got.Platform)
	mt, err := pulled.MediaType()
	require.NoError(t, err)
	assert.Equal(t, types.OCIManifestSchema1, mt)

	cf, err := pulled.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, []string{"/optimiser"}, cf.Config.Entrypoint)
	assert.Equal(t, []string{"run", "--out", "/out"}, cf.Config.Cmd)
	assert.Equal(t, "65532:65532", cf.Config.User)
	assert.Equal(t, "/home/nonroot", cf.Config.WorkingDir)
	assert.Contains(t, cf.Config.Env, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt")
	assert.Equal(t, map[string]struct{}{"/out": {}}, cf.Config.Volumes)
	assert.Equal(t, map[string]string{
		"org.opencontainers.image.source":   "https://github.com/aifactory/platform",
		"org.opencontainers.image.revision": testCommit,
		"org.opencontainers.image.version":  testVersion,
		"org.opencontainers.image.created":  "2026-11-23T01:44:55Z",
		"org.opencontainers.image.title":    "optimiser",
	}, cf.Config.Labels)
	assert.Equal(t, fixedTime, cf.Created.UTC())
	assert.Equal(t, "amd64", cf.Architecture)
	assert.Equal(t, "linux", cf.OS)
	require.Len(t, cf.History, 2)
	for _, h := range cf.History {
		assert.Equal(t, fixedTime, h.Created.UTC())
	}

	fs := flatten(t, pulled)
	// The config's user is the passwd entry of a non-root user.
	uid, gid, _ := strings.Cut(cf.Config.User, ":")
	var passwdUser string
	for _, line := range strings.Split(string(fs.data["etc/passwd"]), "\n") {
		f := strings.Split(line, ":")
		if len(f) == 7 && f[2] == uid {
			passwdUser = f[0]
			assert.Equal(t, gid, f[3])
			assert.NotEqual(t, "0", f[2])
		}
	}
	assert.Equal(t, "nonroot", passwdUser)
	assert.Contains(t, string(fs.data["etc/group"]), "nonroot:x:"+gid+":")

	// The CA bundle parses, certificate by certificate.
	certs := 0
	for rest := fs.data["etc/ssl/certs/ca-certificates.crt"]; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		_, err := x509.ParseCertificate(block.Bytes)
		require.NoError(t, err)
		certs++
	}
	assert.Greater(t, certs, 100)

	// Owners, modes and times of what the task relies on.
	bin := fs.headers["optimiser"]
	require.NotNil(t, bin)
	assert.Equal(t, int64(0o755), bin.Mode&0o7777)
	assert.Equal(t, []int{0, 0}, []int{bin.Uid, bin.Gid}, "root owns the binary: the task cannot replace it")
	assert.Equal(t, fixedTime, bin.ModTime.UTC())
	out := fs.headers["out"]
	require.NotNil(t, out)
	assert.Equal(t, []int{NonRootUID, NonRootGID}, []int{out.Uid, out.Gid})
	assert.Equal(t, time.Unix(0, 0).UTC(), fs.headers["etc/passwd"].ModTime.UTC())

	// The binary from the pulled image runs here.
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("cannot run a linux/amd64 binary on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	exe := filepath.Join(t.TempDir(), "optimiser")
	require.NoError(t, os.WriteFile(exe, fs.data["optimiser"], 0o755))
	cmd := exec.Command(exe, "version")
	cmd.Env = []string{"SSL_CERT_FILE=/nonexistent"}
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", output)
	assert.Equal(t, "optimiser "+testVersion+" (commit "+testCommit+", "+want.GoVersion+")\n", string(output))

	// A tagged push names the same digest.
	tagged, err := Push(ctx, built.Image, host+"/aifactory/optimiser:"+testVersion, anonymous)
	require.NoError(t, err)
	assert.Equal(t, res.Reference, tagged.Reference)
	tag, err := name.ParseReference(host + "/aifactory/optimiser:" + testVersion)
	require.NoError(t, err)
	byTag, err := remote.Image(tag)
	require.NoError(t, err)
	d, err := byTag.Digest()
	require.NoError(t, err)
	assert.Equal(t, want.Digest, d.String())
}

func TestBuildArm64(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the optimiser for arm64")
	}
	o := testOptions(moduleRoot(t))
	o.Arch = "arm64"
	built, err := Build(context.Background(), o)
	require.NoError(t, err)
	res, err := built.Result()
	require.NoError(t, err)
	assert.Equal(t, "linux/arm64/v8", res.Platform)

	exe := filepath.Join(t.TempDir(), "optimiser")
	require.NoError(t, os.WriteFile(exe, flatten(t, built.Image).data["optimiser"], 0o755))
	f, err := elf.Open(exe)
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, elf.EM_AARCH64, f.Machine)

	amd, err := builtFromRepo(t).Result()
	require.NoError(t, err)
	assert.NotEqual(t, amd.Digest, res.Digest)
}

// TestCleanupImageIsReproducibleAndRunsTheJob builds the cleanup job's
// image from two copies of the source in different directories, the second
// with a hostile environment: the digests agree, and the image runs the
// cleanup command as the non-root user with a dry run by default, stamped
// with the version and commit in facts/buildinfo.
func TestCleanupImageIsReproducibleAndRunsTheJob(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the cleanup job twice")
	}
	// The job imports finops/ and facts/tagkeys, nothing else of the module.
	srcA := filepath.Join(t.TempDir(), "a", "platform")
	srcB := filepath.Join(t.TempDir(), "b", "elsewhere", "checkout")
	copySource(t, srcA, "finops", "facts")
	copySource(t, srcB, "finops", "facts")

	oa := testOptions(srcA)
	oa.Command = "cleanup"
	a, err := Build(context.Background(), oa)
	require.NoError(t, err)
	ob := testOptions(srcB)
	ob.Command = "cleanup"
	ob.Environ = append(os.Environ(), "GOFLAGS=-mod=mod -tags=lambda.norpc", "CGO_ENABLED=1", "GOARCH=arm64", "GOAMD64=v3", "GOEXPERIMENT=jsonv2")
	b, err := Build(context.Background(), ob)
	require.NoError(t, err)
	ra, err := a.Result()
	require.NoError(t, err)
	rb, err := b.Result()
	require.NoError(t, err)
	assert.Equal(t, ra, rb)
	assert.Equal(t, "cleanup", ra.Command)
	assert.Equal(t, "cleanup", a.Command().Name)
	t.Logf("cleanup digest %s config %s size %d (%s)", ra.Digest, ra.ConfigDigest, ra.Size, ra.GoVersion)

	cf, err := a.Image.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, []string{"/cleanup"}, cf.Config.Entrypoint)
	assert.Equal(t, []string{"-dry-run=true"}, cf.Config.Cmd, "a bare run only reports")
	assert.Equal(t, User, cf.Config.User)
	assert.Empty(t, cf.Config.Volumes, "the job writes nothing")
	assert.Equal(t, "cleanup", cf.Config.Labels[LabelTitle])
	assert.Equal(t, testVersion, cf.Config.Labels[LabelVersion])
	require.Len(t, cf.History, 2)
	assert.Equal(t, "aifactory image: go build ./finops/cmd/cleanup ("+testVersion+", "+testCommit+")", cf.History[1].CreatedBy)

	fs := flatten(t, a.Image)
	assert.NotContains(t, fs.data, "optimiser")
	assert.NotContains(t, fs.headers, "out", "no optimiser output volume")
	bin := fs.headers["cleanup"]
	require.NotNil(t, bin)
	assert.Equal(t, []int{0, 0}, []int{bin.Uid, bin.Gid}, "root owns the binary: the task cannot replace it")
	assert.Equal(t, int64(0o755), bin.Mode&0o7777)
	for _, p := range []string{srcA, srcB, build.Default.GOROOT} {
		assert.False(t, bytes.Contains(fs.data["cleanup"], []byte(p)), "the binary contains %s", p)
	}

	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("cannot run a linux/amd64 binary on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	exe := filepath.Join(t.TempDir(), "cleanup")
	require.NoError(t, os.WriteFile(exe, fs.data["cleanup"], 0o755))
	cmd := exec.Command(exe, "-version")
	cmd.Env = []string{}
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", output)
	assert.Equal(t, "cleanup "+testVersion+" (commit "+testCommit+", "+ra.GoVersion+")\n", string(output))
	// Without configuration the job refuses to start: exit 2, nothing done.
	cmd = exec.Command(exe)
	cmd.Env = []string{}
	output, err = cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Contains(t, string(output), "Project is empty")

	// The optimiser built from the same inputs is another image.
	opt, err := builtFromRepo(t).Result()
	require.NoError(t, err)
	assert.NotEqual(t, opt.Digest, ra.Digest)
}
