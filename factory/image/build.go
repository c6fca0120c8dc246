package image

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// OCI annotation keys the image config carries as labels.
const (
	LabelSource   = "org.opencontainers.image.source"
	LabelRevision = "org.opencontainers.image.revision"
	LabelVersion  = "org.opencontainers.image.version"
	LabelCreated  = "org.opencontainers.image.created"
	LabelTitle    = "org.opencontainers.image.title"
)

// Built is an image produced by Build.
type Built struct {
	// Image is the OCI image: write it with Push, WriteLayout or WriteTarball.
	Image v1.Image
	// Options are the options it was built with, defaults applied.
	Options Options
	// GoVersion is the toolchain that compiled the binary (go1.26.8), part
	// of what the digest depends on.
	GoVersion string
}

// Command is the program the image runs.
func (b *Built) Command() Command { return b.Options.command }

// Result describes an image that was built or written.
type Result struct {
	// Reference names the image by digest: repository@sha256:… after Push,
	// oci-layout://DIR@sha256:… after WriteLayout, docker-archive:FILE after
	// WriteTarball, empty after Build.
	Reference string `json:"reference,omitempty"`
	// Digest is the manifest digest, sha256:…: what stacks deploy.
	Digest string `json:"digest"`
	// ConfigDigest is the image config's digest (the "image id").
	ConfigDigest string `json:"configDigest"`
	// Size is what a registry stores for the image, in bytes: the manifest,
	// the config and the compressed layers.
	Size int64 `json:"size"`
	// Platform is os/arch[/variant], e.g. linux/amd64.
	Platform string `json:"platform"`
	// Command is the program the image runs (its title label).
	Command string `json:"command,omitempty"`
	// GoVersion is the toolchain that compiled the binary.
	GoVersion string `json:"goVersion,omitempty"`
}

// Build compiles the command of opts and assembles its image: a base layer
// (CA bundle, passwd, group, home and the command's volume directories) and
// the binary's layer. Nothing is written outside a temporary directory that
// is removed again.
func Build(ctx context.Context, opts Options) (*Built, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if o.SourceDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		if o.SourceDir, err = FindModuleRoot(wd); err != nil {
			return nil, err
		}
	} else if err := checkModuleRoot(o.SourceDir); err != nil {
		return nil, err
	}
	if err := checkCommandPackage(o.SourceDir, o.command); err != nil {
		return nil, err
	}
	if o.Environ == nil {
		o.Environ = os.Environ()
	}

	bin, err := compile(ctx, o)
	if err != nil {
		return nil, err
	}
	img, err := assemble(o, bin.Data)
	if err != nil {
		return nil, err
	}
	return &Built{Image: img, Options: o, GoVersion: bin.GoVersion}, nil
}

// Result describes the built image; Reference is empty.
func (b *Built) Result() (Result, error) {
	r, err := Describe(b.Image)
	r.GoVersion = b.GoVersion
	return r, err
}

// assemble lays the binary on the base and writes the config for o, which
// has been through withDefaults.
func assemble(o Options, bin []byte) (v1.Image, error) {
	c := o.command
	baseTar, err := tarLayer(baseEntries(c.Volumes...), baseTime)
	if err != nil {
		return nil, err
	}
	base, err := gzipLayer(baseTar)
	if err != nil {
		return nil, err
	}
	appTar, err := tarLayer(appEntries(c, bin), o.Created)
	if err != nil {
		return nil, err
	}
	app, err := gzipLayer(appTar)
	if err != nil {
		return nil, err
	}

	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.ConfigFile(img, configFile(o))
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: o.Created}
	return mutate.Append(img,
		mutate.Addendum{Layer: base, History: v1.History{
			Created:   created,
			CreatedBy: "aifactory image: base (CA certificates, passwd, group, " + strings.Join(append([]string{HomeDir}, c.Volumes...), ", ") + ")",
		}},
		mutate.Addendum{Layer: app, History: v1.History{
			Created:   created,
			CreatedBy: "aifactory image: go build " + c.Package + " (" + o.Version + ", " + o.Commit + ")",
		}},
	)
}

// configFile is the image config for o, without layers: mutate.Append adds
// the diff ids and history.
func configFile(o Options) *v1.ConfigFile {
	c := o.command
	var volumes map[string]struct{}
	for _, v := range c.Volumes {
		if volumes == nil {
			volumes = map[string]struct{}{}
		}
		volumes[v] = struct{}{}
	}
	cf := &v1.ConfigFile{
		Architecture: o.Arch,
		OS:           "linux",
		Created:      v1.Time{Time: o.Created},
		Config: v1.Config{
			User:       User,
			Entrypoint: []string{c.BinaryPath()},
			Cmd:        append([]string(nil), c.Cmd...),
			WorkingDir: HomeDir,
			Env: []string{
				"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				"SSL_CERT_FILE=" + CABundlePath,
			},
			Labels: map[string]string{
				LabelSource:   o.SourceURL,
				LabelRevision: o.Commit,
				LabelVersion:  o.Version,
				LabelCreated:  o.Created.Format(time.RFC3339),
				LabelTitle:    c.Name,
			},
			Volumes: volumes,
		},
		RootFS: v1.RootFS{Type: "layers"},
	}
	if o.Arch == "arm64" {
		cf.Variant = "v8"
	}
	return cf
}

// Describe returns the digests, stored size and platform of img.
func Describe(img v1.Image) (Result, error) {
	if img == nil {
		return Result{}, errNoImage
	}
	digest, err := img.Digest()
	if err != nil {
		return Result{}, err
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return Result{}, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return Result{}, err
	}
	manifest, err := img.RawManifest()
	if err != nil {
		return Result{}, err
	}
	config, err := img.RawConfigFile()
	if err != nil {
		return Result{}, err
	}
	size := int64(len(manifest) + len(config))
	layers, err := img.Layers()
	if err != nil {
		return Result{}, err
	}
	for _, l := range layers {
		n, err := l.Size()
		if err != nil {
			return Result{}, err
		}
		size += n
	}
	return Result{
		Digest:       digest.String(),
		ConfigDigest: cfgName.String(),
		Size:         size,
		Platform:     cf.Platform().String(),
		Command:      cf.Config.Labels[LabelTitle],
	}, nil
}

// FindModuleRoot returns the nearest directory at or above dir whose go.mod
// declares ModulePath.
func FindModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			if err := checkModuleRoot(d); err == nil {
				return d, nil
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("source dir: no go.mod of module %s at or above %s; run from the repository or set the source dir", ModulePath, dir)
		}
	}
}

// checkModuleRoot makes sure dir is the root of ModulePath.
func checkModuleRoot(dir string) error {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return fmt.Errorf("source dir %s: %w; set it to the root of the %s module", dir, err, ModulePath)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	module := ""
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			module = strings.Trim(strings.TrimSpace(rest), `"`)
			break
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("source dir %s: reading go.mod: %w", dir, err)
	}
	if module != ModulePath {
		return fmt.Errorf("source dir %s: go.mod declares module %q, not %s; set it to the root of %s", dir, module, ModulePath, ModulePath)
	}
	return nil
}

// checkCommandPackage makes sure the module at dir holds the command's main
// package.
func checkCommandPackage(dir string, c Command) error {
	if st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(c.Package))); err != nil || !st.IsDir() {
		return fmt.Errorf("source dir %s: no %s in it (the %s command); set it to the root of the %s module", dir, c.Package, c.Name, ModulePath)
	}
	return nil
}

var errNoImage = errors.New("no image: build one with Build first")
