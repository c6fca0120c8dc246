// Package factory is the platform tool: the Go API through which people
// (with the aifactory CLI) and other programs preview, deploy, promote,
// vend and check the platform's stacks, on the Pulumi Automation API.
//
//	f, err := factory.New(ctx, factory.Options{Offline: true})
//	res, err := f.Preview(ctx, "dev")
//	fmt.Println(res.SummaryLine(), len(res.Mandatory()))
//
// Every operation attaches the policy pack with the stack's environment
// config unless Options.NoPolicy says otherwise, and reports one Result.
// Errors carry an exit code (see Code): bad input, a policy violation, a
// busy stack, a refused promotion, drift, or any other failure.
//
// A Factory works on the stacks of one repository checkout: Pulumi.yaml,
// the Pulumi.<stack>.yaml files and the policy pack's directory.
package factory

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
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/internal/offline"
	"github.com/aifactory/platform/internal/stackconfig"
	"github.com/aifactory/platform/stacks/platform"
)

// Project is the Pulumi project of every stack.
const Project = "aifactory"

// Source is where the Pulumi program comes from.
type Source string

// Program sources.
const (
	// SourceInline runs the platform's program (stacks/platform) in this
	// process as an Automation API inline program. It needs only the Pulumi
	// CLI.
	SourceInline Source = "inline"
	// SourceLocal lets the Pulumi CLI run the project directory (runtime:
	// go, main: stacks/) through its Go language host, as `pulumi up` in
	// the repository does: the official CLI's pulumi-language-go, or
	// offline the stand-in of internal/offline/standingo. The program and
	// the results are the same as inline.
	SourceLocal Source = "local"
)

// Environment variables the tool reads.
const (
	EnvBackend         = "PULUMI_BACKEND_URL"
	EnvPassphrase      = "PULUMI_CONFIG_PASSPHRASE"
	EnvPassphraseFile  = "PULUMI_CONFIG_PASSPHRASE_FILE"
	EnvSecretsProvider = "AIFACTORY_SECRETS_PROVIDER"
	EnvOperator        = "AIFACTORY_OPERATOR"
	EnvPulumiCLI       = "PULUMI_CLI"
)

// Options configures a Factory. Zero values take the documented defaults.
type Options struct {
	// Root is the repository root (Pulumi.yaml, Pulumi.<stack>.yaml,
	// policy/); found from the working directory when empty.
	Root string
	// Offline runs the real engine with the stand-in AWS provider (no AWS
	// account, no cloud calls), a local state backend under StateDir and a
	// fixed passphrase: the mode of `make run` and of the tests.
	Offline bool
	// Source is SourceInline (the default) or SourceLocal.
	Source Source
	// Backend is the state backend URL (file://, s3://, https://api.pulumi.com);
	// $PULUMI_BACKEND_URL, else file://<StateDir>/state. Offline mode always
	// uses its own local backend.
	Backend string
	// SecretsProvider is the stack's secrets provider (such as
	// awskms://alias/...); $AIFACTORY_SECRETS_PROVIDER, else the passphrase
	// from $PULUMI_CONFIG_PASSPHRASE(_FILE). Outside offline mode a
	// self-managed backend needs one of them: there is no default secret.
	SecretsProvider string
	// StateDir holds the local state, offline plugins and work copies;
	// <Root>/.aifactory when empty.
	StateDir string
	// NoPolicy runs without the policy pack. Never the default.
	NoPolicy bool
	// PolicyPack is a pack already built (by a test or a CI cache); built
	// from <Root>/policy on first use when nil.
	PolicyPack *engine.PolicyPack
	// Progress receives one line per resource operation as the engine
	// streams it, with a running count; nil keeps the tool quiet.
	Progress io.Writer
	// Log receives set-up messages (building the CLI or the pack); discarded when nil.
	Log io.Writer
	// Operator names who runs an update in its release record:
	// $AIFACTORY_OPERATOR, else git's user.email, else $USER.
	Operator string
	// Now is the clock of release records and vending; time.Now when nil.
	Now func() time.Time
	// Program is the inline program; stacks/platform.Program when nil.
	Program pulumi.RunFunc
	// Env are further environment variables of the engine and its plugins.
	Env map[string]string
	// ModelRegistry answers the approval status of the model versions a
	// stack serves, checked before every update and promotion; SageMaker
	// with the default AWS credentials when nil, and no check offline.
	ModelRegistry ModelRegistry
}

// Factory runs the tool's operations on the stacks of one repository.
type Factory struct {
	opts Options
	root string
	// module is the aifactory Go module the pack and the stand-in are
	// built from: root, unless the stack files live elsewhere.
	module  string
	offline *offline.Env
	command auto.PulumiCommand

	packOnce sync.Once
	pack     *engine.PolicyPack
	packErr  error
}

// New prepares a Factory: it finds the repository, the Pulumi CLI (and
// offline, the stand-in provider) and checks the backend and secrets.
func New(ctx context.Context, opts Options) (*Factory, error) {
	if opts.Source == "" {
		opts.Source = SourceInline
	}
	if opts.Source != SourceInline && opts.Source != SourceLocal {
		return nil, BadInput(fmt.Errorf("source %q: use %q or %q", opts.Source, SourceInline, SourceLocal))
	}
	root := opts.Root
	if root == "" {
		var err error
		if root, err = offline.FindRoot(); err != nil {
			return nil, BadInput(err)
		}
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(root, "Pulumi.yaml")); err != nil {
		return nil, BadInput(fmt.Errorf("root %s: no Pulumi.yaml; run the tool in the repository or pass its root", root))
	}
	if opts.StateDir == "" {
		opts.StateDir = filepath.Join(root, ".aifactory")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Program == nil {
		opts.Program = platform.Program
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	opts.Operator = operator(opts.Operator, root)
	f := &Factory{opts: opts, root: root, pack: opts.PolicyPack}
	if f.pack != nil {
		f.packOnce.Do(func() {})
	}
	f.module = root
	if !fileExists(filepath.Join(root, "go.mod")) {
		if module, err := offline.FindRoot(); err == nil {
			f.module = module
		}
	}
	if opts.Offline {
		env, err := offline.Prepare(ctx, offline.Options{Root: f.module, Dir: filepath.Join(opts.StateDir, "offline"), Log: opts.Log})
		if err != nil {
			return nil, err
		}
		env.Extra = opts.Env
		f.offline = env
		return f, nil
	}
	if err := f.prepareOnline(); err != nil {
		return nil, err
	}
	return f, nil
}

// prepareOnline finds the CLI and settles the backend and secrets provider.
func (f *Factory) prepareOnline() error {
	o := &f.opts
	if o.Backend == "" {
		o.Backend = os.Getenv(EnvBackend)
	}
	if o.Backend == "" {
		dir := filepath.Join(o.StateDir, "state")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		o.Backend = "file://" + dir
	}
	if o.SecretsProvider == "" {
		o.SecretsProvider = os.Getenv(EnvSecretsProvider)
	}
	cloud := strings.HasPrefix(o.Backend, "https://") || strings.HasPrefix(o.Backend, "http://")
	if o.SecretsProvider == "" && !cloud && os.Getenv(EnvPassphrase) == "" && os.Getenv(EnvPassphraseFile) == "" {
		return BadInput(fmt.Errorf("backend %s keeps secrets with a passphrase or a secrets provider, and there is no default: set %s (or %s), or %s=awskms://alias/<key>",
			o.Backend, EnvPassphrase, EnvPassphraseFile, EnvSecretsProvider))
	}
	if o.SecretsProvider == "" && !cloud {
		o.SecretsProvider = "passphrase"
	}
	cli := os.Getenv(EnvPulumiCLI)
	if cli == "" {
		if local := filepath.Join(f.root, "bin", "pulumi"); fileExists(local) {
			cli = local
		} else if p, err := exec.LookPath("pulumi"); err == nil {
			cli = p
		}
	}
	if cli == "" {
		return BadInput(errors.New("no Pulumi CLI: install it (https://www.pulumi.com/docs/install/), set PULUMI_CLI, or build the pinned one with `make cli`"))
	}
	if o.Source == SourceLocal {
		if err := findLanguageHost(cli, o.Env); err != nil {
			return BadInput(err)
		}
	}
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: cliRoot(cli), SkipVersionCheck: true})
	if err != nil {
		return fmt.Errorf("using the Pulumi CLI %s: %w", cli, err)
	}
	f.command = cmd
	return nil
}

// findLanguageHost checks that the CLI will find a Go language host for
// the local source, where the CLI looks for it: beside its own binary (the
// official CLI bundles one), on PATH, or installed as a plugin. PATH and
// PULUMI_HOME are the CLI's: env (Options.Env) over the tool's own.
func findLanguageHost(cli string, env map[string]string) error {
	const host = "pulumi-language-go"
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	if abs, err := filepath.EvalSymlinks(cli); err == nil && fileExists(filepath.Join(filepath.Dir(abs), host)) {
		return nil
	}
	for _, dir := range filepath.SplitList(getenv("PATH")) {
		if dir != "" && fileExists(filepath.Join(dir, host)) {
			return nil
		}
	}
	home := getenv("PULUMI_HOME")
	if home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			home = filepath.Join(h, ".pulumi")
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(home, "plugins", "language-go-*", host)); len(matches) > 0 {
		return nil
	}
	return fmt.Errorf("source local: the Pulumi CLI %s has no Go language host (%s beside it, on PATH or in $PULUMI_HOME/plugins); install the official CLI, which bundles it, or use --source inline", cli, host)
}

// cliRoot is the directory above bin/ of a CLI binary, as the Automation
// API wants it; a binary elsewhere is run from its own directory.
func cliRoot(cli string) string {
	abs, err := filepath.Abs(cli)
	if err != nil {
		return filepath.Dir(cli)
	}
	if filepath.Base(filepath.Dir(abs)) == "bin" {
		return filepath.Dir(filepath.Dir(abs))
	}
	return filepath.Dir(abs)
}

// Root is the repository root the factory works in.
func (f *Factory) Root() string { return f.root }

// StackFile is the path of a stack's config file.
func (f *Factory) StackFile(stack string) string {
	return filepath.Join(f.root, "Pulumi."+stack+".yaml")
}

// Config reads and validates a stack's config as the program will.
func (f *Factory) Config(stack string) (*stackconfig.Config, error) {
	b, err := os.ReadFile(f.StackFile(stack))
	if err != nil {
		return nil, BadInput(fmt.Errorf("stack %q: no %s; choose one of %s", stack, filepath.Base(f.StackFile(stack)), strings.Join(f.Stacks(), ", ")))
	}
	cfg, err := stackconfig.ParseFile(stack, b)
	if err != nil {
		return nil, BadInput(err)
	}
	return cfg, nil
}

// Stacks lists the stacks that have a stack file, in promotion order first.
func (f *Factory) Stacks() []string {
	var out []string
	for _, env := range stackconfig.Environments {
		if fileExists(f.StackFile(env)) {
			out = append(out, env)
		}
	}
	return out
}

// stack prepares the Automation API stack for an operation. While another
// operation is writing the stack's checkpoint, a file backend can hand out
// a half-written one; selecting the stack is then tried again shortly.
func (f *Factory) stack(ctx context.Context, name string) (auto.Stack, error) {
	if _, err := f.Config(name); err != nil {
		return auto.Stack{}, err
	}
	return whileCheckpointIsWritten(ctx, func() (auto.Stack, error) { return f.selectStack(ctx, name) })
}

// whileCheckpointIsWritten runs step again while it fails because a file
// backend handed out a checkpoint another operation is still writing. The
// step failed before it changed anything, and it soon meets either the
// finished checkpoint or the other operation's lock (a busy stack).
func whileCheckpointIsWritten[T any](ctx context.Context, step func() (T, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		v, err := step()
		if err == nil || attempt == 20 || !strings.Contains(err.Error(), "failed to load checkpoint") {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (f *Factory) selectStack(ctx context.Context, name string) (auto.Stack, error) {
	if f.offline != nil && f.opts.Source == SourceLocal {
		return f.offline.LocalStack(ctx, name, f.StackFile(name))
	}
	if f.offline != nil {
		return f.offline.Stack(ctx, name, f.opts.Program, f.StackFile(name))
	}
	env := map[string]string{EnvBackend: f.opts.Backend, "PULUMI_SKIP_UPDATE_CHECK": "true"}
	for k, v := range f.opts.Env {
		env[k] = v
	}
	opts := []auto.LocalWorkspaceOption{auto.WorkDir(f.root), auto.Pulumi(f.command), auto.EnvVars(env)}
	if f.opts.SecretsProvider != "" {
		opts = append(opts, auto.SecretsProvider(f.opts.SecretsProvider))
	}
	var (
		s   auto.Stack
		err error
	)
	if f.opts.Source == SourceLocal {
		s, err = auto.UpsertStackLocalSource(ctx, name, f.root, opts...)
	} else {
		s, err = auto.UpsertStackInlineSource(ctx, name, Project, f.opts.Program, opts...)
	}
	if err != nil {
		return auto.Stack{}, fmt.Errorf("preparing stack %q: %w", name, err)
	}
	return s, nil
}

// policyPack builds the pack once per Factory, unless it is switched off.
func (f *Factory) policyPack(ctx context.Context) (*engine.PolicyPack, error) {
	if f.opts.NoPolicy {
		return nil, nil
	}
	f.packOnce.Do(func() {
		fmt.Fprintln(f.opts.Log, "building the policy pack from policy/ ...")
		f.pack, f.packErr = engine.BuildPolicyPack(ctx, f.module, filepath.Join(f.opts.StateDir, "policy-pack"))
	})
	if f.packErr != nil || f.pack == nil {
		return f.pack, f.packErr
	}
	// The environments' policy configs are the repository's own.
	p := *f.pack
	if fileExists(filepath.Join(f.root, "policy", "config")) {
		p.Dir = filepath.Join(f.root, "policy")
	}
	return &p, nil
}

// progress returns a context that reports each resource step to
// Options.Progress with a running count.
func (f *Factory) progress(ctx context.Context, op engine.Operation, stack string) context.Context {
	if f.opts.Progress == nil {
		return ctx
	}
	return engine.WithProgress(ctx, progressLines(f.opts.Progress, op, stack))
}

// progressLines writes one line per resource operation (steps that leave a
// resource as it is are not operations) with a running count:
// "up dev [3] create aws:kms/key:Key keys-data". Safe for concurrent use.
func progressLines(w io.Writer, op engine.Operation, stack string) func(engine.Change) {
	var mu sync.Mutex
	n := 0
	return func(c engine.Change) {
		if c.Op == "same" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		n++
		fmt.Fprintf(w, "%s %s [%d] %s %s %s\n", op, stack, n, c.Op, c.Type, c.Name)
	}
}

// operator names who runs the tool.
func operator(given, root string) string {
	if given != "" {
		return given
	}
	if v := os.Getenv(EnvOperator); v != "" {
		return v
	}
	if out, err := gitOutput(root, "config", "user.email"); err == nil && out != "" {
		return out
	}
	if v := os.Getenv("USER"); v != "" {
		return v
	}
	return "unknown"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
