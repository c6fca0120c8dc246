// Command aifactory is the platform tool: it previews, deploys, promotes,
// vends and checks the platform's stacks through the Pulumi Automation API
// (package factory), with the policy pack attached to every operation.
//
//	aifactory preview dev                 plan of a stack, checked by the policy pack
//	aifactory up dev                      deploy, and record the release
//	aifactory promote dev staging --yes   promote dev's release through the gates
//	aifactory vend request.yaml --yes     give a team its workspace
//	aifactory drift prod                  compare the real state with the code
//	aifactory cost dev                    modelled monthly cost and saving
//	aifactory report dev --month 2026-02  the month's FinOps report from Cost Explorer
//	aifactory evidence prod               the evidence bundle of prod's release, for auditors
//
// --offline runs the real engine with a stand-in AWS provider and a local
// state backend: no AWS account is needed (the README's `make run`).
// Exit codes: 0 success, 1 failure, 2 bad input, 3 policy violation,
// 4 stack busy, 5 refused by a gate, 6 drift.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/aifactory/platform/factory"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand: it parses its flags and runs.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() map[string]command {
	return map[string]command{
		"preview":  {"preview a stack with the policy pack", preview},
		"up":       {"deploy a stack and record its release", up},
		"destroy":  {"destroy every resource of a stack", destroy},
		"refresh":  {"read the real state of a stack's resources into its state", refresh},
		"outputs":  {"print a stack's outputs", outputs},
		"promote":  {"promote a release to the next environment through its gates", promote},
		"release":  {"verify a stack's release chain back to dev (release verify <stack>)", release},
		"vend":     {"give a team its workspace from a request file, or offboard it", vend},
		"drift":    {"report resources whose real state differs from the code", drift},
		"cost":     {"model a stack's monthly cost per team and service, and its saving", costCommand},
		"report":   {"write a stack's monthly FinOps report from Cost Explorer and the cleanup job's log", reportCommand},
		"evidence": {"write the evidence bundle of a stack's release for auditors", evidenceCommand},
		"image":    {"build the optimiser or cleanup image without Docker, and push it", image},
	}
}

var order = []string{"preview", "up", "destroy", "refresh", "outputs", "promote", "release", "vend", "drift", "cost", "report", "evidence", "image"}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: aifactory <command> [flags] [arguments]\n\ncommands:")
	for _, name := range order {
		fmt.Fprintf(w, "  %-9s %s\n", name, commands()[name].summary)
	}
	fmt.Fprintf(w, `
Run "aifactory <command> -h" for a command's flags.

exit codes: %d success, %d failure, %d bad input, %d policy violation,
            %d stack busy, %d refused by a gate, %d drift
`, factory.ExitOK, factory.ExitFailure, factory.ExitBadInput, factory.ExitPolicy, factory.ExitBusy, factory.ExitRefused, factory.ExitDrift)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return factory.ExitBadInput
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return factory.ExitOK
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "aifactory: unknown command %q\n", args[0])
		usage(stderr)
		return factory.ExitBadInput
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}
