package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/pem"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The non-root user every image runs as: distroless's "nonroot".
const (
	NonRootUID  = 65532
	NonRootGID  = 65532
	NonRootUser = "nonroot"
	// User is the image config's user, numeric so that runtimes which
	// check for a non-root user (runAsNonRoot) need not read /etc/passwd.
	User = "65532:65532"
)

// Paths inside the image. A command's binary is at Command.BinaryPath.
const (
	CABundlePath = "/etc/ssl/certs/ca-certificates.crt"
	HomeDir      = "/home/nonroot"
	// OutDir is the optimiser's output volume.
	OutDir = "/out"
)

// baseTime is the file time of the base layer: a constant rather than the
// source date, so the base layer's digest is the same for every commit and
// a registry stores it once.
var baseTime = time.Unix(0, 0).UTC()

// entry is one file or directory of a layer.
type entry struct {
	Path     string // without a leading slash; directories end in '/'
	Mode     int64
	UID, GID int
	Data     []byte
}

func (e entry) dir() bool { return strings.HasSuffix(e.Path, "/") }

// baseEntries is the minimal root file system a static command needs: CA
// certificates for HTTPS to AWS, user and group databases naming the
// non-root user, the resolver order, a home directory and the command's
// volume mount points (the optimiser's /out), owned by the non-root user so
// a volume created from them is writable.
func baseEntries(volumes ...string) []entry {
	entries := []entry{
		{Path: "etc/", Mode: 0o755},
		{Path: "etc/group", Mode: 0o644, Data: []byte("root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n")},
		{Path: "etc/nsswitch.conf", Mode: 0o644, Data: []byte("hosts: files dns\n")},
		{Path: "etc/passwd", Mode: 0o644, Data: []byte(
			"root:x:0:0:root:/root:/sbin/nologin\n" +
				"nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n" +
				"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{Path: "etc/ssl/", Mode: 0o755},
		{Path: "etc/ssl/certs/", Mode: 0o755},
		{Path: strings.TrimPrefix(CABundlePath, "/"), Mode: 0o644, Data: caBundle()},
		{Path: "home/", Mode: 0o755},
		{Path: "home/nonroot/", Mode: 0o700, UID: NonRootUID, GID: NonRootGID},
	}
	for _, v := range volumes {
		entries = append(entries, entry{Path: strings.Trim(v, "/") + "/", Mode: 0o755, UID: NonRootUID, GID: NonRootGID})
	}
	return entries
}

// appEntries is the application layer: the command's binary, owned by root
// and executable by everyone, so the non-root user can run but not replace it.
func appEntries(c Command, bin []byte) []entry {
	return []entry{{Path: strings.TrimPrefix(c.BinaryPath(), "/"), Mode: 0o755, Data: bin}}
}

// caBundle is the Mozilla NSS root store as pinned by the
// golang.org/x/crypto/x509roots/fallback module version in go.mod, in PEM.
// It is the same on every machine, unlike the build host's /etc/ssl. Roots
// that NSS trusts only with extra constraints (such as "distrust after" a
// date) are left out: a PEM file cannot carry the constraint, and trusting
// them without it would be wider than NSS.
func caBundle() []byte {
	var b bytes.Buffer
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		if err := pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate}); err != nil {
			panic(err) // writing to a bytes.Buffer cannot fail
		}
	}
	return b.Bytes()
}

// tarLayer writes entries, sorted by path, as an uncompressed tar with fixed
// times, numeric owners and no user or group names, so its bytes depend on
// nothing but the entries and mtime.
func tarLayer(entries []entry, mtime time.Time) ([]byte, error) {
	sorted := append([]entry(nil), entries...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for i, e := range sorted {
		if i > 0 && sorted[i-1].Path == e.Path {
			return nil, fmt.Errorf("layer lists %s twice", e.Path)
		}
		h := &tar.Header{
			Name:    e.Path,
			Mode:    e.Mode,
			Uid:     e.UID,
			Gid:     e.GID,
			ModTime: mtime,
			Format:  tar.FormatUSTAR,
		}
		if e.dir() {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(e.Data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("layer entry %s: %w", e.Path, err)
		}
		if _, err := tw.Write(e.Data); err != nil {
			return nil, fmt.Errorf("layer entry %s: %w", e.Path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// gzipLayer compresses a tar once, with a gzip header that carries no name
// or time, and wraps it as an OCI layer. The compressed bytes, and so the
// layer digest, depend only on the tar and Go's compress/flate.
func gzipLayer(tarBytes []byte) (v1.Layer, error) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(tarBytes); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	compressed := b.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(compressed)), nil
	}, tarball.WithMediaType(types.OCILayer))
}
