package image

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

// Exit codes of Main.
const (
	ExitOK      = 0
	ExitFailure = 1 // the build, a write or the push failed
	ExitUsage   = 2 // bad flags or values; nothing was built
)

// mainUsage is the usage text; %s lists the commands.
const mainUsage = `Usage: aifactory image [flags]

Builds the container image of one of the platform's commands without Docker,
reproducibly: the same source, flags and Go toolchain give the same digest on
any machine. With no destination it only builds and prints the digest.

Commands (--command):
%s
Flags:
`

func commandList() string {
	var b strings.Builder
	for _, c := range Commands() {
		fmt.Fprintf(&b, "  %-10s %s (%s, default arguments %q)\n", c.Name, c.About, c.Package, strings.Join(c.Cmd, " "))
	}
	return b.String()
}

// mainOutput is what Main prints with --json.
type mainOutput struct {
	Result
	Layout  string `json:"layout,omitempty"`
	Tarball string `json:"tarball,omitempty"`
	Pushed  string `json:"pushed,omitempty"`
}

// Main is `aifactory image`: it parses args (without the command name),
// builds the image and writes it to an OCI layout (--out-layout), a tarball
// (--out-tar) and/or a registry (--push), then prints the digests. It
// returns the exit code: ExitOK, ExitFailure or ExitUsage.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return run(ctx, args, stdout, stderr, os.Getenv, PushOptions{})
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, pushOpts PushOptions) int {
	fs := flag.NewFlagSet("aifactory image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, mainUsage, commandList())
		fs.PrintDefaults()
	}
	var (
		opts    Options
		epoch   string
		layout  = fs.String("out-layout", "", "write the image as an OCI layout `directory` (replaced if it holds one)")
		tarFile = fs.String("out-tar", "", "write the image as a docker load tarball `file`")
		push    = fs.String("push", "", "push to `registry/repository[:tag]`; ECR hosts use an ECR token from the AWS credentials")
		asJSON  = fs.Bool("json", false, "print the result as JSON")
	)
	fs.StringVar(&opts.Command, "command", DefaultCommand, "the `command` the image runs: "+strings.Join(CommandNames(), " or "))
	fs.StringVar(&opts.Version, "version", DefaultVersion, "version stamped into the binary and the image labels (a valid image tag)")
	fs.StringVar(&opts.Commit, "commit", DefaultCommit, "git commit stamped into the binary and the revision label")
	fs.StringVar(&opts.Arch, "arch", DefaultArch, "target architecture: "+strings.Join(Architectures, " or "))
	fs.StringVar(&epoch, "source-date-epoch", getenv("SOURCE_DATE_EPOCH"), "image creation time in Unix `seconds` (default $SOURCE_DATE_EPOCH, else 0); use the commit time")
	fs.StringVar(&opts.SourceDir, "source", "", "root `directory` of the "+ModulePath+" module (default: found from the working directory)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "aifactory image: unexpected argument %q; every input is a flag (see --help)\n", fs.Arg(0))
		return ExitUsage
	}
	usageErr := func(err error) int {
		fmt.Fprintf(stderr, "aifactory image: %v\n", err)
		return ExitUsage
	}
	if epoch != "" {
		secs, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil || secs < 0 {
			return usageErr(fmt.Errorf("source-date-epoch %q: use whole seconds since the Unix epoch, e.g. $(git log -1 --format=%%ct)", epoch))
		}
		opts.Created = time.Unix(secs, 0)
	}
	resolved, err := opts.withDefaults()
	if err != nil {
		return usageErr(err)
	}
	if opts.SourceDir != "" {
		if err := checkModuleRoot(opts.SourceDir); err != nil {
			return usageErr(err)
		}
		if err := checkCommandPackage(resolved.SourceDir, resolved.command); err != nil {
			return usageErr(err)
		}
	}
	if *push != "" {
		if _, err := ParsePushRef(*push); err != nil {
			return usageErr(err)
		}
	}

	fail := func(err error) int {
		fmt.Fprintf(stderr, "aifactory image: %v\n", err)
		return ExitFailure
	}
	built, err := Build(ctx, opts)
	if err != nil {
		return fail(err)
	}
	res, err := built.Result()
	if err != nil {
		return fail(err)
	}
	out := mainOutput{Result: res}
	if *layout != "" {
		r, err := WriteLayout(built.Image, *layout)
		if err != nil {
			return fail(err)
		}
		out.Layout = r.Reference
	}
	if *tarFile != "" {
		r, err := WriteTarball(built.Image, *tarFile, "")
		if err != nil {
			return fail(err)
		}
		out.Tarball = r.Reference
	}
	if *push != "" {
		r, err := Push(ctx, built.Image, *push, pushOpts)
		if err != nil {
			return fail(err)
		}
		out.Pushed = r.Reference
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fail(err)
		}
		return ExitOK
	}
	fmt.Fprintf(stdout, "digest    %s\n", out.Digest)
	fmt.Fprintf(stdout, "config    %s\n", out.ConfigDigest)
	fmt.Fprintf(stdout, "size      %d\n", out.Size)
	fmt.Fprintf(stdout, "platform  %s\n", out.Platform)
	fmt.Fprintf(stdout, "go        %s\n", out.GoVersion)
	for _, l := range []struct{ k, v string }{{"layout", out.Layout}, {"tarball", out.Tarball}, {"pushed", out.Pushed}} {
		if l.v != "" {
			fmt.Fprintf(stdout, "%-9s %s\n", l.k, l.v)
		}
	}
	return ExitOK
}
