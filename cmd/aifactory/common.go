package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/aifactory/platform/factory"
)

// globals are the flags every stack command takes.
type globals struct {
	stack    string
	offline  bool
	json     bool
	backend  string
	source   string
	stateDir string
	policy   bool
	root     string
}

func (g *globals) register(fs *flag.FlagSet, stackFlag bool) {
	if stackFlag {
		fs.StringVar(&g.stack, "stack", "", "the stack (or give it as the first argument)")
	}
	fs.BoolVar(&g.offline, "offline", false, "run the real engine with the stand-in AWS provider and a local state backend (no AWS account)")
	fs.BoolVar(&g.json, "json", false, "print one JSON result object instead of text")
	fs.StringVar(&g.backend, "backend", "", "state backend URL (default $PULUMI_BACKEND_URL, else file://<root>/.aifactory/state)")
	fs.StringVar(&g.source, "source", string(factory.SourceInline), "program source: inline (needs only the Pulumi CLI) or local (the CLI's Go language host)")
	fs.StringVar(&g.stateDir, "state-dir", "", "directory of local state and offline plugins (default <root>/.aifactory)")
	fs.BoolVar(&g.policy, "policy", true, "attach the policy pack with the stack's environment config")
	fs.StringVar(&g.root, "root", "", "repository root (default: found from the working directory)")
}

// parse parses flags, allowing them before and after the positional
// arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// stackArg takes the stack from -stack or the first positional argument.
func (g *globals) stackArg(positional []string) (string, []string, error) {
	if g.stack != "" {
		return g.stack, positional, nil
	}
	if len(positional) == 0 {
		return "", nil, factory.BadInput(errors.New("name the stack: dev, staging or prod"))
	}
	return positional[0], positional[1:], nil
}

// open prepares the factory the flags describe.
func (g *globals) open(ctx context.Context, stderr io.Writer) (*factory.Factory, error) {
	opts := factory.Options{
		Root: g.root, Offline: g.offline, Backend: g.backend, Source: factory.Source(g.source),
		StateDir: g.stateDir, NoPolicy: !g.policy, Log: stderr,
	}
	opts.Progress = progressTo(stderr, g.json)
	return factory.New(ctx, opts)
}

// progressTo is where the progress lines go: stderr when it is a terminal
// and the result is text. Pipes, files and CI logs get the result only.
func progressTo(stderr io.Writer, json bool) io.Writer {
	if f, ok := stderr.(*os.File); ok && !json && term.IsTerminal(int(f.Fd())) {
		return stderr
	}
	return nil
}

// parseFailed ends a command whose flags did not parse. The flag package
// has printed the error and the usage to stderr; with --json (wherever it
// stands among the arguments, even after the bad flag) one result object
// follows on stdout too, as for any other bad input.
func (g *globals) parseFailed(name string, args []string, err error, stdout, stderr io.Writer) int {
	if errors.Is(err, flag.ErrHelp) || !(g.json || jsonRequested(args)) {
		return factory.ExitBadInput
	}
	if jerr := writeJSON(stdout, factory.Result{}, factory.BadInput(fmt.Errorf("aifactory %s: %w", name, err))); jerr != nil {
		fmt.Fprintf(stderr, "aifactory %s: %v\n", name, jerr)
		return factory.ExitFailure
	}
	return factory.ExitBadInput
}

// jsonRequested reports whether args ask for --json (or -json, --json=true).
func jsonRequested(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "json" {
			continue
		}
		if !hasValue {
			return true
		}
		if b, err := strconv.ParseBool(value); err == nil {
			return b
		}
	}
	return false
}

// finish prints the result and the error and returns the exit code.
func (g *globals) finish(name string, res factory.Result, err error, stdout, stderr io.Writer) int {
	if g.json {
		if jerr := writeJSON(stdout, res, err); jerr != nil {
			fmt.Fprintf(stderr, "aifactory %s: %v\n", name, jerr)
			return factory.ExitFailure
		}
	} else if werr := res.Write(stdout); werr != nil {
		fmt.Fprintf(stderr, "aifactory %s: %v\n", name, werr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "aifactory %s: %s\n", name, strings.TrimSpace(err.Error()))
	}
	return factory.Code(err)
}

// flagSet is a flag set whose parse errors exit with ExitBadInput.
func flagSet(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: aifactory %s %s\n\nflags:\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// writeJSON prints the result as one JSON object with the exit code and,
// for a failure, the error.
func writeJSON(w io.Writer, res factory.Result, err error) error {
	b, merr := json.Marshal(res)
	if merr != nil {
		return merr
	}
	var m map[string]any
	if merr := json.Unmarshal(b, &m); merr != nil {
		return merr
	}
	m["exitCode"] = factory.Code(err)
	if err != nil {
		m["error"] = err.Error()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}
