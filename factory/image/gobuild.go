package image

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
)

// binary is the built command and the toolchain that built it.
type binary struct {
	Data      []byte
	GoVersion string
}

// compile runs the go build of o (which has been through withDefaults and
// has SourceDir and Environ set) into a temporary directory and returns the
// binary once its recorded settings and ELF headers show it is the static
// binary for o.Arch that was asked for.
func compile(ctx context.Context, o Options) (binary, error) {
	tmp, err := os.MkdirTemp("", "aifactory-image-")
	if err != nil {
		return binary{}, err
	}
	defer os.RemoveAll(tmp)
	c := o.command
	out := filepath.Join(tmp, c.Name)

	req, err := o.goBuildRequest(o.Environ, out)
	if err != nil {
		return binary{}, err
	}
	if err := checkGoEnv(ctx, req, o.Arch); err != nil {
		return binary{}, err
	}
	cmd := exec.CommandContext(ctx, req.Go, req.Args...)
	cmd.Dir = req.Dir
	cmd.Env = req.Env
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Run(); err != nil {
		return binary{}, fmt.Errorf("go build %s in %s: %w\n%s", c.Package, req.Dir, err, tail(output.String(), 4000))
	}

	bi, err := buildinfo.ReadFile(out)
	if err != nil {
		return binary{}, fmt.Errorf("reading the build settings of the %s binary: %w", c.Name, err)
	}
	if err := checkBuildSettings(bi, c, o.Arch); err != nil {
		return binary{}, err
	}
	if err := checkStaticELF(out, c.Name, o.Arch); err != nil {
		return binary{}, err
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return binary{}, err
	}
	return binary{Data: data, GoVersion: bi.GoVersion}, nil
}

// goEnvKeys are the settings the go command is asked for before building.
var goEnvKeys = []string{"CGO_ENABLED", "GOOS", "GOARCH", "GOFLAGS", "GOEXPERIMENT"}

// checkGoEnv asks the go command which settings it will build with: the
// go env file (`go env -w`) can still set GOEXPERIMENT, which an environment
// variable overrides only with a non-empty value. Failing here costs a
// fraction of a second; a build with an experiment would recompile
// everything and only then fail checkBuildSettings.
func checkGoEnv(ctx context.Context, req goBuild, arch string) error {
	cmd := exec.CommandContext(ctx, req.Go, append([]string{"env", "-json"}, goEnvKeys...)...)
	cmd.Dir = req.Dir
	cmd.Env = req.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s env in %s: %w\n%s", req.Go, req.Dir, err, tail(stderr.String(), 4000))
	}
	var env map[string]string
	if err := json.Unmarshal(out, &env); err != nil {
		return fmt.Errorf("%s env -json: %w", req.Go, err)
	}
	return goEnvProblems(env, arch)
}

// goEnvProblems compares `go env` with what the build request sets.
func goEnvProblems(env map[string]string, arch string) error {
	want := map[string]string{"CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": arch, "GOFLAGS": "-mod=readonly", "GOEXPERIMENT": ""}
	var problems []string
	for _, k := range goEnvKeys {
		if env[k] != want[k] {
			problems = append(problems, fmt.Sprintf("%s=%s, want %q: it comes from the go env file (go env GOENV); remove it with go env -u %s", k, env[k], want[k], k))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the go command would not build reproducibly:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// checkBuildSettings compares the settings go build recorded in the binary
// with the ones the request asked for. Anything else (GOEXPERIMENT or
// -tags from `go env -w`, a -race, a cgo build) would make the digest depend
// on the machine, so it is an error naming the setting.
func checkBuildSettings(bi *debug.BuildInfo, c Command, arch string) error {
	if bi.Main.Path != ModulePath {
		return fmt.Errorf("the binary was built from module %q, not %s: set the source dir to the root of %s", bi.Main.Path, ModulePath, ModulePath)
	}
	if want := ModulePath + strings.TrimPrefix(c.Package, "."); bi.Path != want {
		return fmt.Errorf("the binary is %s, not the %s command %s", bi.Path, c.Name, want)
	}
	levelKey, level := archLevel(arch)
	want := map[string]string{
		"-buildmode":  "exe",
		"-compiler":   "gc",
		"-trimpath":   "true",
		"CGO_ENABLED": "0",
		"GOARCH":      arch,
		"GOOS":        "linux",
		levelKey:      level,
	}
	var problems []string
	seen := map[string]bool{}
	for _, s := range bi.Settings {
		seen[s.Key] = true
		w, ok := want[s.Key]
		switch {
		// The module's go line decides it, not the machine.
		case s.Key == "DefaultGODEBUG":
		case !ok:
			problems = append(problems, fmt.Sprintf("unexpected build setting %s=%s: unset it in the environment and in `go env` (go env -u %s)", s.Key, s.Value, envName(s.Key)))
		case s.Value != w:
			problems = append(problems, fmt.Sprintf("build setting %s=%s, want %s", s.Key, s.Value, w))
		}
	}
	for k, v := range want {
		if !seen[k] {
			problems = append(problems, fmt.Sprintf("build setting %s=%s missing", k, v))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("the %s binary was not built reproducibly:\n  %s", c.Name, strings.Join(problems, "\n  "))
	}
	return nil
}

// envName maps a recorded build setting to the variable that sets it.
func envName(key string) string {
	if strings.HasPrefix(key, "-") {
		return "GOFLAGS"
	}
	return key
}

// checkStaticELF makes sure the binary is a Linux executable for arch with
// no program interpreter, i.e. one that runs on an image without libc.
func checkStaticELF(path, name, arch string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("the %s binary is not an ELF file: %w", name, err)
	}
	defer f.Close()
	want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]
	if f.Machine != want {
		return fmt.Errorf("the %s binary is for %s, want %s (%s)", name, f.Machine, want, arch)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("the %s binary is dynamically linked: build it with CGO_ENABLED=0", name)
		}
	}
	return nil
}

// tail keeps the last n bytes of s, from a line start.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "…\n" + s
}
