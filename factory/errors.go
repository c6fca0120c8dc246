package factory

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
)

// Exit codes of the aifactory CLI, one per kind of outcome, so scripts and
// CI can tell them apart.
const (
	// ExitOK: the operation succeeded.
	ExitOK = 0
	// ExitFailure: anything else went wrong (engine, provider, I/O).
	ExitFailure = 1
	// ExitBadInput: a flag, a request or a stack file is invalid; nothing ran.
	ExitBadInput = 2
	// ExitPolicy: a mandatory policy finding stopped the operation.
	ExitPolicy = 3
	// ExitBusy: another operation holds the stack.
	ExitBusy = 4
	// ExitRefused: a gate refused (a promotion gate, or a served model
	// version that is not Approved); nothing was applied.
	ExitRefused = 5
	// ExitDrift: the real state differs from the code (drift).
	ExitDrift = 6
)

// Error is an error with the exit code the CLI returns for it.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// BadInput marks err as invalid input.
func BadInput(err error) error { return &Error{Code: ExitBadInput, Err: err} }

// Refused marks err as a refused promotion gate.
func Refused(err error) error { return &Error{Code: ExitRefused, Err: err} }

// Code is the exit code for err: ExitOK for nil, the code an Error carries,
// and ExitFailure otherwise.
func Code(err error) int {
	if err == nil {
		return ExitOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ExitFailure
}

// BusyError says that another operation holds the stack's lock.
type BusyError struct {
	Stack string
	// Holder says who or what holds the lock, as the backend records it
	// (user, host, process, time), when it is known.
	Holder string
}

func (e *BusyError) Error() string {
	msg := fmt.Sprintf("stack %s is busy: another operation is running on it", e.Stack)
	if e.Holder != "" {
		msg += " (held by " + e.Holder + ")"
	}
	return msg + "; wait for it to finish, or if it died, clear it with `pulumi cancel --stack " + e.Stack + "`"
}

// PolicyError says that mandatory policy findings stopped an operation.
type PolicyError struct {
	Stack    string
	Findings int
}

func (e *PolicyError) Error() string {
	return fmt.Sprintf("stack %s: %d mandatory policy finding(s) stopped the operation; fix the resources they name", e.Stack, e.Findings)
}

// lockHolder matches the DIY backend's description of a lock: "created by
// user@host (pid 123) at 2026-01-01T00:00:00Z".
var lockHolder = regexp.MustCompile(`created by ([^\s]+) \(pid (\d+)\) at ([^\s]+)`)

// classify turns an engine error into the tool's error kinds: a busy stack
// and a policy violation get their own exit codes; an engine error keeps
// its first diagnostic instead of the CLI's whole output.
func classify(stack string, res *Result, err error) error {
	if err == nil {
		return nil
	}
	if auto.IsConcurrentUpdateError(err) {
		holder := ""
		if m := lockHolder.FindStringSubmatch(err.Error()); m != nil {
			holder = fmt.Sprintf("%s, pid %s, since %s", m[1], m[2], m[3])
		}
		return &Error{Code: ExitBusy, Err: &BusyError{Stack: stack, Holder: holder}}
	}
	if n := len(res.Mandatory()); n > 0 {
		return &Error{Code: ExitPolicy, Err: &PolicyError{Stack: stack, Findings: n}}
	}
	if len(res.Failures) > 0 {
		return fmt.Errorf("stack %s: %s", stack, strings.Join(res.Failures, "; "))
	}
	return fmt.Errorf("stack %s: %w", stack, err)
}
