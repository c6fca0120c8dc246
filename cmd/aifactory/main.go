// Command aifactory drives the platform without an AWS account.
//
//	aifactory preview [-stack dev]
//
// runs the stack's program through the real Pulumi engine with a stand-in
// AWS provider and a local state backend, and prints the resource plan. It
// is the offline check of what `pulumi preview -s <stack>` would do against AWS.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/aifactory/platform/internal/offline"
	"github.com/aifactory/platform/stacks/platform"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: aifactory <command> [flags]

commands:
  preview   preview a stack offline through the real Pulumi engine and print the plan
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "preview":
		return preview(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "aifactory: unknown command %q\n%s", args[0], usage)
		return 2
	}
}

func preview(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("preview", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "dev", "stack to preview: dev, staging or prod")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := previewStack(ctx, *stack, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "aifactory preview: %v\n", err)
		return 1
	}
	return 0
}

func previewStack(ctx context.Context, stack string, stdout, stderr io.Writer) error {
	root, err := offline.FindRoot()
	if err != nil {
		return err
	}
	if _, err := os.Stat(root + "/Pulumi." + stack + ".yaml"); err != nil {
		return fmt.Errorf("no stack file Pulumi.%s.yaml; choose dev, staging or prod", stack)
	}
	dir, err := os.MkdirTemp("", "aifactory-preview-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	env, err := offline.Prepare(ctx, offline.Options{Root: root, Dir: dir, Log: stderr})
	if err != nil {
		return err
	}
	s, err := env.Stack(ctx, stack, platform.Program, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Offline preview of stack %q (real Pulumi engine %s, stand-in AWS provider, no cloud calls)\n\n", stack, offline.CLIVersion)
	plan, err := offline.Preview(ctx, s)
	if werr := plan.Write(stdout); werr != nil {
		return werr
	}
	if err != nil {
		if len(plan.Failures) > 0 {
			return errors.New(plan.Failures[0])
		}
		return err
	}
	return nil
}
