// Command policy is the AI Factory policy pack's plugin. The Pulumi engine
// starts it for `pulumi preview --policy-pack policy` (through the Go
// language host, which builds this directory) or, built with
// `go build -o <dir>/aifactory-guardrails ./policy`, for
// `--policy-pack <dir>/aifactory-guardrails`. The controls are in ./rules;
// ./pack turns them into policyx policies, and ./analyzer serves those to
// the engine.
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/aifactory/platform/policy/analyzer"
	"github.com/aifactory/platform/policy/pack"
)

func main() {
	// The plugin lives for one preview or update and allocates afresh for
	// every resource it is asked about; collecting garbage less often
	// leaves the CPU to the engine and provider running alongside it.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(800)
	}
	if err := analyzer.Main(pack.New); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
