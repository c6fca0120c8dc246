// Command standingo is a stand-in for Pulumi's Go language host
// (pulumi-language-go), the plugin through which the Pulumi CLI runs a
// `runtime: go` project directory. It is a test double, like the stand-in
// AWS provider beside it: the offline environment installs it so that the
// tool's local program source (aifactory --source local) runs through the
// real engine on a machine that has no official language host.
//
// What it does, and what it deliberately does not:
//   - Run builds the project's main package with the go command (or runs
//     the prebuilt binary the project's `binary` runtime option names) and
//     starts it with the variables the Go SDK's pulumi.Run reads: the
//     monitor and engine addresses, project, stack, organisation, root
//     directory, config and its secret keys, dry run and parallelism. A
//     program that exits with the SDK's "error already logged" status
//     (32) is reported as a bail, any other failure with its output.
//   - The program's standard output and error go to the engine, which
//     shows them as the program's diagnostics.
//   - GetRequiredPackages reports none: the offline environment installs
//     the only provider the program uses, exactly as for the inline source.
//   - InstallDependencies does nothing: the go command fetches modules
//     when it builds.
//   - Everything else (templates, code generation, `pulumi about`,
//     debugging, packing SDKs) answers Unimplemented, which the engine
//     tolerates for an old host. The official host does all of it.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

func main() {
	engine, err := engineAddress(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	h := &host{engine: engine, stdout: os.Stdout, stderr: os.Stderr}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "serving the language host: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of standard output.
	fmt.Println(handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "language host stopped: %v\n", err)
		os.Exit(1)
	}
}

// engineAddress is the engine's address: the last argument, as the engine
// passes it after any flags of the official host (such as --tracing
// <endpoint>), which the stand-in has no use for.
func engineAddress(args []string) (string, error) {
	if len(args) == 0 || args[len(args)-1] == "" || strings.HasPrefix(args[len(args)-1], "-") {
		return "", fmt.Errorf("usage: pulumi-language-go [flags] <engine address>: the engine address is missing")
	}
	return args[len(args)-1], nil
}
