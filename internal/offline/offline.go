// Package offline runs the platform's Pulumi program through the real Pulumi
// engine without an AWS account: the Pulumi CLI (found, or built from the
// version pinned in tools/pulumi), a local file:// state backend, and the
// stand-in AWS provider of ./standinaws in a private PULUMI_HOME. A stack
// runs the program inline (Stack) or, like `pulumi up` in the repository,
// from the project directory (LocalStack) through the stand-in Go language
// host of ./standingo.
//
// The offline preview of the README and every engine-level test use it, so
// both exercise the same engine, program and stack config that `pulumi up`
// uses against AWS; only the plugins behind the engine are test doubles.
package offline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/facts/versions"
	"github.com/aifactory/platform/internal/gobuild"
)

// Passphrase encrypts the offline stacks' secrets. Offline state is
// scratch data on the local disk, never a real stack's.
const Passphrase = "offline-only-not-a-secret"

// Options configures an offline environment.
type Options struct {
	// Root is the repository root (go.mod, Pulumi.yaml). Found from the
	// working directory when empty.
	Root string
	// Dir holds PULUMI_HOME, the state backend and stack work dirs. A new
	// temporary directory when empty; the caller owns and removes it.
	Dir string
	// Log receives progress lines (CLI build, plugin install). Discarded when nil.
	Log io.Writer
}

// Env is a prepared offline environment.
type Env struct {
	Root    string
	Dir     string
	Home    string
	Backend string
	// Extra are further environment variables of every command and plugin,
	// such as the stand-in provider's drift file.
	Extra   map[string]string
	cli     string
	command auto.PulumiCommand
	log     io.Writer

	hostMu  sync.Mutex
	hostDir string
}

// Prepare finds or builds the CLI, builds the stand-in provider and installs
// it into a private PULUMI_HOME.
func Prepare(ctx context.Context, opts Options) (*Env, error) {
	root := opts.Root
	if root == "" {
		var err error
		if root, err = FindRoot(); err != nil {
			return nil, err
		}
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "aifactory-offline-"); err != nil {
			return nil, err
		}
	}
	e := &Env{Root: root, Dir: dir, Home: filepath.Join(dir, "home"), Backend: "file://" + filepath.Join(dir, "state"), log: log}
	for _, d := range []string{e.Home, filepath.Join(dir, "state")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}

	unlock, err := lockBin(root)
	if err != nil {
		return nil, err
	}
	defer unlock()

	cliRoot, err := e.ensureCLI(ctx)
	if err != nil {
		return nil, err
	}
	e.cli = filepath.Join(cliRoot, "bin", "pulumi")
	if e.command, err = auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: cliRoot, SkipVersionCheck: true}); err != nil {
		return nil, fmt.Errorf("using the Pulumi CLI in %s: %w", cliRoot, err)
	}
	provider := filepath.Join(root, "bin", "plugins", "pulumi-resource-aws")
	if err := e.GoBuild(ctx, root, provider, "./internal/offline/standinaws"); err != nil {
		return nil, fmt.Errorf("building the stand-in AWS provider: %w", err)
	}
	if err := e.InstallPlugin(ctx, "resource", "aws", versions.AWSProvider, provider); err != nil {
		return nil, err
	}
	return e, nil
}

// FindRoot walks up from the working directory to the directory holding Pulumi.yaml and go.mod.
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fileExists(filepath.Join(dir, "Pulumi.yaml")) && fileExists(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the aifactory repository: no directory above holds Pulumi.yaml and go.mod")
		}
		dir = parent
	}
}

// CLIPath is the Pulumi CLI binary the environment runs.
func (e *Env) CLIPath() string { return e.cli }

// InstallPlugin installs a plugin binary into the environment's PULUMI_HOME,
// so the engine never searches PATH or downloads it.
func (e *Env) InstallPlugin(ctx context.Context, kind, name, version, binary string) error {
	cmd := exec.CommandContext(ctx, e.CLIPath(), "plugin", "install", kind, name, version, "-f", binary, "--non-interactive")
	cmd.Env = append(os.Environ(), e.envList()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("installing plugin %s %s %s: %w\n%s", kind, name, version, err, out)
	}
	return nil
}

// EnvVars are the variables every command of the environment runs with.
func (e *Env) EnvVars() map[string]string {
	vars := map[string]string{
		"PULUMI_HOME":                                 e.Home,
		"PULUMI_BACKEND_URL":                          e.Backend,
		"PULUMI_CONFIG_PASSPHRASE":                    Passphrase,
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		// Plugins come from the private PULUMI_HOME only: a language host
		// or provider on the machine's PATH never stands in for them.
		"PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
		// The engine saves the state file only once an operation ends, not
		// after every resource step. The intermediate checkpoints let a
		// real stack account for resources an interrupted update already
		// created; offline resources are the stand-in's inventions, so an
		// interrupted offline update loses nothing real. Rewriting the
		// whole state file per step is what dominated the time of an
		// offline update (a dev stack from empty: 35 s with checkpoints,
		// 11 s without). Stacks against AWS keep the engine's default.
		"PULUMI_SKIP_CHECKPOINTS": "true",
	}
	for k, v := range e.Extra {
		vars[k] = v
	}
	return vars
}

func (e *Env) envList() []string {
	var out []string
	for k, v := range e.EnvVars() {
		out = append(out, k+"="+v)
	}
	return out
}

// Stack creates or selects stack in a fresh work dir holding the
// repository's Pulumi.yaml and Pulumi.<stack>.yaml, with program as its
// inline program. configFile, when set, replaces Pulumi.<stack>.yaml.
func (e *Env) Stack(ctx context.Context, stack string, program pulumi.RunFunc, configFile string) (auto.Stack, error) {
	work, err := e.workDir(stack, configFile, "")
	if err != nil {
		return auto.Stack{}, err
	}
	s, err := auto.UpsertStackInlineSource(ctx, stack, "aifactory", program, e.workspace(work)...)
	if err != nil {
		return auto.Stack{}, fmt.Errorf("preparing stack %q: %w", stack, err)
	}
	return s, nil
}

// LocalStack is Stack with the repository's project directory as the
// program: the CLI runs the Go program Pulumi.yaml names (stacks/) through
// a Go language host, as `pulumi up` in the repository does. The host is
// the stand-in of ./standingo, built on first use and named in the work
// dir's Pulumi.yaml as the project's language plugin (the CLI refuses to
// install a plugin it bundles, and ignores PATH offline). It shares the
// work dir, state and stack with Stack, so either source can continue
// where the other left off.
func (e *Env) LocalStack(ctx context.Context, stack, configFile string) (auto.Stack, error) {
	host, err := e.languageHost(ctx)
	if err != nil {
		return auto.Stack{}, err
	}
	work, err := e.workDir(stack, configFile, host)
	if err != nil {
		return auto.Stack{}, err
	}
	s, err := auto.UpsertStackLocalSource(ctx, stack, work, e.workspace(work)...)
	if err != nil {
		return auto.Stack{}, fmt.Errorf("preparing stack %q: %w", stack, err)
	}
	return s, nil
}

// workspace are the Automation API options of every offline stack.
func (e *Env) workspace(work string) []auto.LocalWorkspaceOption {
	return []auto.LocalWorkspaceOption{
		auto.WorkDir(work),
		auto.Pulumi(e.command),
		auto.PulumiHome(e.Home),
		auto.EnvVars(e.EnvVars()),
		auto.SecretsProvider("passphrase"),
	}
}

// workDir prepares a stack's work dir under Dir: the repository's
// Pulumi.yaml with its main made absolute, so that a local source builds
// the repository's own program, and a copy of the stack file. A non-empty
// languageHost is the directory of the Go language host to run it with.
func (e *Env) workDir(stack, configFile, languageHost string) (string, error) {
	if configFile == "" {
		configFile = filepath.Join(e.Root, "Pulumi."+stack+".yaml")
	}
	work := filepath.Join(e.Dir, "work", stack)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return "", err
	}
	proj, err := workspace.LoadProject(filepath.Join(e.Root, "Pulumi.yaml"))
	if err != nil {
		return "", err
	}
	proj.Main = filepath.Join(e.Root, proj.Main)
	if languageHost != "" {
		proj.Plugins = &workspace.Plugins{Languages: []workspace.PluginOptions{{Name: "go", Path: languageHost}}}
	}
	if err := proj.Save(filepath.Join(work, "Pulumi.yaml")); err != nil {
		return "", err
	}
	// The config is copied on every run, so an edit of the stack file (a
	// vended team, say) reaches the next operation; the encryption salt the
	// CLI added to the copy on first use is kept.
	target := filepath.Join(work, "Pulumi."+stack+".yaml")
	if err := refreshStackFile(configFile, target); err != nil {
		return "", fmt.Errorf("stack %q: %w", stack, err)
	}
	return work, nil
}

// languageHost builds the host once per Env; a failed build (a cancelled
// context, say) is tried again by the next call.
func (e *Env) languageHost(ctx context.Context) (string, error) {
	e.hostMu.Lock()
	defer e.hostMu.Unlock()
	if e.hostDir == "" {
		dir, err := e.buildLanguageHost(ctx)
		if err != nil {
			return "", err
		}
		e.hostDir = dir
	}
	return e.hostDir, nil
}

// buildLanguageHost builds the stand-in Go language host and returns its
// directory. It lives in bin/languages, never beside bin/pulumi, where the
// CLI would take it for its bundled host outside offline mode too.
func (e *Env) buildLanguageHost(ctx context.Context) (string, error) {
	unlock, err := lockBin(e.Root)
	if err != nil {
		return "", err
	}
	defer unlock()
	dir := filepath.Join(e.Root, "bin", "languages")
	if err := e.GoBuild(ctx, e.Root, filepath.Join(dir, "pulumi-language-go"), "./internal/offline/standingo"); err != nil {
		return "", fmt.Errorf("building the stand-in Go language host: %w", err)
	}
	return dir, nil
}

// ensureCLI returns the root of a directory holding bin/pulumi: $PULUMI_CLI,
// then the project's bin/, then pulumi on PATH, and otherwise builds the
// pinned version into bin/.
func (e *Env) ensureCLI(ctx context.Context) (string, error) {
	if p := os.Getenv("PULUMI_CLI"); p != "" {
		return e.cliRootFor(p)
	}
	local := filepath.Join(e.Root, "bin", "pulumi")
	if fileExists(local) {
		return e.Root, nil
	}
	if p, err := exec.LookPath("pulumi"); err == nil {
		return e.cliRootFor(p)
	}
	fmt.Fprintf(e.log, "building the Pulumi CLI %s from tools/pulumi (a few minutes the first time) ...\n", versions.PulumiCLI)
	ldflags := "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=" + versions.PulumiCLI
	if err := e.GoBuild(ctx, filepath.Join(e.Root, "tools", "pulumi"), local, "-ldflags", ldflags, "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"); err != nil {
		return "", fmt.Errorf("building the Pulumi CLI (or install the official one and put it on PATH): %w", err)
	}
	return e.Root, nil
}

// cliRootFor links a CLI binary into <Dir>/cli/bin when it does not already
// live in a bin directory, because the Automation API looks for <root>/bin/pulumi.
func (e *Env) cliRootFor(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if filepath.Base(filepath.Dir(abs)) == "bin" && filepath.Base(abs) == "pulumi" {
		return filepath.Dir(filepath.Dir(abs)), nil
	}
	root := filepath.Join(e.Dir, "cli")
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		return "", err
	}
	link := filepath.Join(root, "bin", "pulumi")
	_ = os.Remove(link)
	return root, os.Symlink(abs, link)
}

// GoBuild runs `go build -o out args...` in dir, atomically (see package gobuild).
func (e *Env) GoBuild(ctx context.Context, dir, out string, args ...string) error {
	return gobuild.Build(ctx, dir, out, args...)
}

// lockBin serialises builds into bin/ between processes: go test runs
// packages in parallel, and each may prepare an environment.
func lockBin(root string) (func(), error) {
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(root, "bin", ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking bin/: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// refreshStackFile copies the stack file from to to, keeping the
// encryptionsalt line of an existing to.
func refreshStackFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(to); err == nil {
		for _, line := range strings.Split(string(old), "\n") {
			if strings.HasPrefix(line, "encryptionsalt:") && !strings.Contains(string(b), "\nencryptionsalt:") && !strings.HasPrefix(string(b), "encryptionsalt:") {
				b = append([]byte(line+"\n"), b...)
			}
		}
	}
	return os.WriteFile(to, b, 0o644)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
