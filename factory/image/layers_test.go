package image

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// baseLayerDiffIDs pin the base layers' uncompressed tars, by command. They
// depend only on this package and the golang.org/x/crypto/x509roots/fallback
// version in go.mod, not on the machine, the Go toolchain or the day: a
// change here changes every image digest. After bumping that module (for
// new roots), update them to the values the failure reports.
var baseLayerDiffIDs = map[string]string{
	// The optimiser's base (with /out) is the one it had before the builder
	// packed other commands: its digests did not move.
	"optimiser": "sha256:26d5b1c2680c7f7e91988279ae827797da49df4c12886a96d2a5a351e624bfe5",
	"cleanup":   "sha256:4730ae36032cc9e941c17f300763d4a8bc0bfea836d30d46a5d027db466cf5bb",
}

var baseLayerDiffID = baseLayerDiffIDs["optimiser"]

func TestBaseLayerIsPinned(t *testing.T) {
	require.Len(t, baseLayerDiffIDs, len(Commands()), "pin the base layer of every command")
	for _, c := range Commands() {
		tarBytes, err := tarLayer(baseEntries(c.Volumes...), baseTime)
		require.NoError(t, err)
		sum := sha256.Sum256(tarBytes)
		assert.Equal(t, baseLayerDiffIDs[c.Name], "sha256:"+hex.EncodeToString(sum[:]),
			"the %s base layer changed; if the CA bundle module was bumped on purpose, update baseLayerDiffIDs", c.Name)
	}
}

func TestCABundle(t *testing.T) {
	pemBytes := caBundle()
	var certs []*x509.Certificate
	for rest := pemBytes; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			assert.Empty(t, bytes.TrimSpace(rest), "nothing but certificates")
			break
		}
		require.Equal(t, "CERTIFICATE", block.Type)
		c, err := x509.ParseCertificate(block.Bytes)
		require.NoError(t, err)
		certs = append(certs, c)
	}

	unconstrained, constrained := 0, 0
	for r := range bundle.Roots() {
		if r.Constraint == nil {
			unconstrained++
		} else {
			constrained++
		}
	}
	assert.Equal(t, unconstrained, len(certs), "every unconstrained NSS root, once")
	assert.Greater(t, constrained, 0, "the bundle has constrained roots for this test to leave out")
	assert.Greater(t, len(certs), 100)

	// HTTPS to AWS endpoints chains to the Amazon roots.
	subjects := map[string]bool{}
	for _, c := range certs {
		subjects[c.Subject.CommonName] = true
	}
	for _, cn := range []string{"Amazon Root CA 1", "Amazon Root CA 2", "Amazon Root CA 3", "Amazon Root CA 4", "Starfield Services Root Certificate Authority - G2"} {
		assert.True(t, subjects[cn], cn)
	}
	assert.Equal(t, pemBytes, caBundle(), "deterministic")
}

// readTar lists a tar's headers and file contents by name.
func readTar(t *testing.T, b []byte) ([]*tar.Header, map[string][]byte) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(b))
	var headers []*tar.Header
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return headers, files
		}
		require.NoError(t, err)
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		headers = append(headers, h)
		files[h.Name] = data
	}
}

func TestTarLayer(t *testing.T) {
	entries := []entry{
		{Path: "etc/passwd", Mode: 0o644, Data: []byte("x\n")},
		{Path: "out/", Mode: 0o755, UID: NonRootUID, GID: NonRootGID},
		{Path: "etc/", Mode: 0o755},
	}
	b1, err := tarLayer(entries, fixedTime)
	require.NoError(t, err)
	reversed := []entry{entries[2], entries[1], entries[0]}
	b2, err := tarLayer(reversed, fixedTime)
	require.NoError(t, err)
	assert.Equal(t, b1, b2, "the order entries are given in does not matter")

	headers, files := readTar(t, b1)
	var names []string
	for _, h := range headers {
		names = append(names, h.Name)
		assert.Equal(t, fixedTime, h.ModTime.UTC(), h.Name)
		assert.True(t, h.AccessTime.IsZero() && h.ChangeTime.IsZero(), h.Name)
		assert.Empty(t, h.Uname+h.Gname, "numeric owners only")
	}
	assert.Equal(t, []string{"etc/", "etc/passwd", "out/"}, names)
	assert.Equal(t, byte(tar.TypeDir), headers[0].Typeflag)
	assert.Equal(t, []int{NonRootUID, NonRootGID}, []int{headers[2].Uid, headers[2].Gid})
	assert.Equal(t, []int{0, 0}, []int{headers[1].Uid, headers[1].Gid})
	assert.Equal(t, "x\n", string(files["etc/passwd"]))

	later, err := tarLayer(entries, fixedTime.Add(time.Second))
	require.NoError(t, err)
	assert.NotEqual(t, b1, later, "the time is part of the bytes")

	_, err = tarLayer(append(entries, entry{Path: "etc/", Mode: 0o700}), fixedTime)
	require.ErrorContains(t, err, "etc/ twice")
}

func TestBaseEntriesNameTheConfigUser(t *testing.T) {
	_, files := readTar(t, must(tarLayer(baseEntries(OutDir), baseTime)))
	uid, gid, _ := strings.Cut(User, ":")
	assert.Contains(t, strings.Split(string(files["etc/passwd"]), "\n"),
		NonRootUser+":x:"+uid+":"+gid+":"+NonRootUser+":"+HomeDir+":/sbin/nologin")
	assert.Contains(t, strings.Split(string(files["etc/group"]), "\n"), NonRootUser+":x:"+gid+":")
	assert.Equal(t, caBundle(), files[strings.TrimPrefix(CABundlePath, "/")])
}

func TestGzipLayerIsDeterministic(t *testing.T) {
	tarBytes := must(tarLayer(baseEntries(OutDir), baseTime))
	l1, err := gzipLayer(tarBytes)
	require.NoError(t, err)
	l2, err := gzipLayer(tarBytes)
	require.NoError(t, err)
	d1, err := l1.Digest()
	require.NoError(t, err)
	d2, err := l2.Digest()
	require.NoError(t, err)
	assert.Equal(t, d1, d2)
	diffID, err := l1.DiffID()
	require.NoError(t, err)
	assert.Equal(t, baseLayerDiffID, diffID.String())
	mt, err := l1.MediaType()
	require.NoError(t, err)
	assert.Equal(t, "application/vnd.oci.image.layer.v1.tar+gzip", string(mt))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
