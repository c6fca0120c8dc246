// Command aifactory drives the platform without an AWS account.
//
//	aifactory preview [-stack dev] [-policy=true]
//
// runs the stack's program through the real Pulumi engine with a stand-in
// AWS provider and a local state backend, with the policy pack and the
// stack's policy config attached, and prints the resource plan and the
// pack's findings. It is the offline check of what
// `pulumi preview -s <stack> --policy-pack policy` would do against AWS; a
// mandatory policy violation fails it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"

	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/facts/versions"
	"github.com/aifactory/platform/internal/offline"
	"github.com/aifactory/platform/policy/pack"
	"github.com/aifactory/platform/stacks/platform"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
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
	withPolicy := fs.Bool("policy", true, "attach the policy pack with the stack's policy config")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := previewStack(ctx, *stack, *withPolicy, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "aifactory preview: %v\n", err)
		return 1
	}
	return 0
}

func previewStack(ctx context.Context, stack string, withPolicy bool, stdout, stderr io.Writer) error {
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
	var opts []optpreview.Option
	packNote := "no policy pack"
	if withPolicy {
		p, err := engine.BuildPolicyPack(ctx, env.Root, filepath.Join(dir, "policy-pack"))
		if err != nil {
			return err
		}
		opts = p.PreviewOptions(stack)
		packNote = "policy pack " + pack.Name + " with policy/config/" + stack + ".json"
	}
	fmt.Fprintf(stdout, "Offline preview of stack %q (real Pulumi engine %s, stand-in AWS provider, %s; no cloud calls)\n\n",
		stack, versions.PulumiCLI, packNote)
	res, err := engine.Preview(ctx, s, opts...)
	if werr := res.Write(stdout); werr != nil {
		return werr
	}
	if err != nil {
		if len(res.Failures) > 0 {
			return errors.New(res.Failures[0])
		}
		return err
	}
	return nil
}
