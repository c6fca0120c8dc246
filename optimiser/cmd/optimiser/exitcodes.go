package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/aifactory/platform/optimiser/sales"
)

// Exit codes.
const (
	exitOK         = 0
	exitError      = 1 // bad input, I/O or internal error
	exitUsage      = 2 // unknown command or flag
	exitInfeasible = 3 // no jackpot satisfies the constraints
	exitGate       = 4 // sales model worse than its quality gate
)

// usageError marks command-line mistakes (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// infeasibleError marks runs whose constraints admit no jackpot (exit 3).
type infeasibleError struct{ countries []string }

func (e *infeasibleError) Error() string {
	return fmt.Sprintf("no feasible jackpot for %s; see infeasible_because and conflicts above; nothing was written", strings.Join(e.countries, ", "))
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "optimiser:", err)
	return codeOf(err)
}

// codeOf maps an error to its exit code.
func codeOf(err error) int {
	var cf *countriesFailed
	if errors.As(err, &cf) {
		return cf.code
	}
	var ue *usageError
	var ie *infeasibleError
	var ge *sales.GateError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ie):
		return exitInfeasible
	case errors.As(err, &ge):
		return exitGate
	}
	return exitError
}
