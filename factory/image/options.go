package image

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// ModulePath is the Go module the images are built from.
const ModulePath = "github.com/aifactory/platform"

// Defaults of Options, applied to zero fields.
const (
	DefaultVersion   = "dev"
	DefaultCommit    = "unknown"
	DefaultArch      = "amd64"
	DefaultSourceURL = "https://github.com/aifactory/platform"
	DefaultGo        = "go"
)

// Architectures the image can be built for; the OS is always linux.
var Architectures = []string{"amd64", "arm64"}

// Options says what to build. The zero value builds version "dev" of the
// optimiser from the working directory's module for linux/amd64 with a
// Unix-epoch timestamp.
type Options struct {
	// Command is the program the image runs, one of CommandNames().
	// Default: DefaultCommand, the optimiser.
	Command string

	// SourceDir is the root of the github.com/aifactory/platform module.
	// Default: the nearest directory at or above the working directory whose
	// go.mod declares that module.
	SourceDir string

	// Version is stamped into the command's buildinfo.Version and the
	// org.opencontainers.image.version label; it must be a valid image tag
	// (letters, digits, '_', '.', '-'; at most 128). Default: "dev".
	Version string

	// Commit is stamped into the command's buildinfo.Commit and the
	// org.opencontainers.image.revision label: a hexadecimal git commit of
	// 7-40 digits, or "unknown". Default: "unknown".
	Commit string

	// Arch is the target architecture, "amd64" or "arm64". Default: "amd64".
	Arch string

	// Created is the image's creation time (config, history and the
	// application layer's file times), truncated to whole seconds. Use the
	// commit time (SOURCE_DATE_EPOCH) to keep builds reproducible; never the
	// wall clock. Default: the Unix epoch.
	Created time.Time

	// SourceURL is the org.opencontainers.image.source label.
	// Default: DefaultSourceURL.
	SourceURL string

	// Go is the go command. Default: "go" from PATH. The toolchain's version
	// is part of what the digest depends on.
	Go string

	// Environ is the environment go build starts from. Default: the
	// process's. Variables that change the binary (GOOS, GOARCH,
	// CGO_ENABLED, GOFLAGS, GOAMD64, GOARM64, GOWORK, GOEXPERIMENT,
	// GOFIPS140, ...) are replaced, whatever their value here.
	Environ []string

	// command is Command resolved by withDefaults.
	command Command
}

var (
	tagPattern    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	commitPattern = regexp.MustCompile(`^[0-9a-f]{7,40}$`)
	// USTAR stores times as 11 octal digits of seconds.
	maxTarTime = time.Unix(1<<33-1, 0)
)

// withDefaults returns o with every zero field set to its default, or the
// fields that are wrong, each with its fix. It does not touch the file
// system: SourceDir and Environ stay empty when unset.
func (o Options) withDefaults() (Options, error) {
	if o.Command == "" {
		o.Command = DefaultCommand
	}
	if o.Version == "" {
		o.Version = DefaultVersion
	}
	if o.Commit == "" {
		o.Commit = DefaultCommit
	}
	if o.Arch == "" {
		o.Arch = DefaultArch
	}
	if o.SourceURL == "" {
		o.SourceURL = DefaultSourceURL
	}
	if o.Go == "" {
		o.Go = DefaultGo
	}
	o.Created = o.Created.UTC().Truncate(time.Second)
	if o.Created.IsZero() {
		o.Created = time.Unix(0, 0).UTC()
	}

	var errs []error
	cmd, err := LookupCommand(o.Command)
	if err != nil {
		errs = append(errs, err)
	}
	o.command = cmd
	if !tagPattern.MatchString(o.Version) {
		errs = append(errs, fmt.Errorf("version %q: use a valid image tag (letters, digits, '_', '.', '-', not starting with '.' or '-', at most 128), e.g. v1.2.3", o.Version))
	}
	if o.Commit != DefaultCommit && !commitPattern.MatchString(o.Commit) {
		errs = append(errs, fmt.Errorf("commit %q: use a lower-case hexadecimal git commit of 7-40 digits (git rev-parse HEAD) or %q", o.Commit, DefaultCommit))
	}
	if !validArch(o.Arch) {
		errs = append(errs, fmt.Errorf("arch %q: use one of %s", o.Arch, strings.Join(Architectures, ", ")))
	}
	if o.Created.Before(time.Unix(0, 0)) || o.Created.After(maxTarTime) {
		errs = append(errs, fmt.Errorf("created %s: use a time between the Unix epoch and %s, such as the commit time (git log -1 --format=%%ct)", o.Created.Format(time.RFC3339), maxTarTime.UTC().Format(time.RFC3339)))
	}
	if strings.ContainsAny(o.SourceURL, " \t\n") {
		errs = append(errs, fmt.Errorf("source URL %q: remove the white space", o.SourceURL))
	}
	if o.SourceDir != "" && !filepath.IsAbs(o.SourceDir) {
		abs, err := filepath.Abs(o.SourceDir)
		if err != nil {
			errs = append(errs, fmt.Errorf("source dir %q: %w", o.SourceDir, err))
		}
		o.SourceDir = abs
	}
	return o, errors.Join(errs...)
}

func validArch(arch string) bool {
	for _, a := range Architectures {
		if a == arch {
			return true
		}
	}
	return false
}

// goBuild is one go build invocation: what to run, where, with what
// environment.
type goBuild struct {
	Go   string
	Dir  string
	Args []string
	Env  []string
}

// controlledEnv lists the variables that change what go build produces; the
// request sets each of them itself so that a developer's shell or CI cannot.
// GOEXPERIMENT can also come from `go env -w`, which only a non-empty
// variable overrides and which has no neutral value: the built binary's
// recorded settings catch it (see checkBuildSettings).
var controlledEnv = []string{
	"CGO_ENABLED", "GOOS", "GOARCH", "GOFLAGS", "GOWORK", "GOEXPERIMENT", "GOFIPS140",
	"GOAMD64", "GOARM64", "GOARM", "GO386", "GOMIPS", "GOMIPS64", "GOPPC64", "GORISCV64", "GOWASM",
}

// archLevel is the microarchitecture level each target is built for: the
// baseline, so the image runs on every machine of that architecture and a
// GOAMD64 in someone's environment cannot change the digest.
func archLevel(arch string) (string, string) {
	if arch == "arm64" {
		return "GOARM64", "v8.0"
	}
	return "GOAMD64", "v1"
}

// ldflags stamps version and commit into a command's buildinfo package (as
// optimiser/Dockerfile does for the optimiser), strips the symbol and DWARF
// tables, and empties the build id, which would otherwise hash inputs that
// differ between machines.
func ldflags(buildinfoPackage, version, commit string) string {
	return strings.Join([]string{
		"-s", "-w", "-buildid=",
		"-X", buildinfoPackage + ".Version=" + version,
		"-X", buildinfoPackage + ".Commit=" + commit,
	}, " ")
}

// goBuildRequest is the go build that writes the command's binary to out.
// o must have been through withDefaults and have SourceDir set; environ is
// the environment to start from.
func (o Options) goBuildRequest(environ []string, out string) (goBuild, error) {
	if o.SourceDir == "" {
		return goBuild{}, errors.New("source dir: set it to the root of the " + ModulePath + " module")
	}
	if o.command.Package == "" {
		return goBuild{}, errors.New("command: resolve the options with withDefaults first")
	}
	env := make([]string, 0, len(environ)+10)
	for _, kv := range environ {
		key, _, _ := strings.Cut(kv, "=")
		if !controlled(key) {
			env = append(env, kv)
		}
	}
	levelKey, level := archLevel(o.Arch)
	env = append(env,
		"CGO_ENABLED=0",
		"GOOS=linux",
		"GOARCH="+o.Arch,
		levelKey+"="+level,
		// Non-empty, so it also overrides GOFLAGS set with `go env -w`.
		"GOFLAGS=-mod=readonly",
		"GOWORK=off",
		"GOFIPS140=off",
	)
	return goBuild{
		Go:  o.Go,
		Dir: o.SourceDir,
		Args: []string{
			"build", "-o", out,
			"-trimpath", "-buildvcs=false", "-mod=readonly",
			"-ldflags", ldflags(o.command.BuildinfoPackage, o.Version, o.Commit),
			o.command.Package,
		},
		Env: env,
	}, nil
}

func controlled(key string) bool {
	for _, c := range controlledEnv {
		if key == c {
			return true
		}
	}
	return false
}
