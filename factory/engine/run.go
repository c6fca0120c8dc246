package engine

import (
	"context"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

// These functions run one engine operation on a prepared Automation API
// stack and collect its event stream into a Result. A failed operation
// still returns what was collected, so a caller can read the policy
// findings or diagnostics that failed it.

type progressKey struct{}

// WithProgress returns a context whose operations report every resource
// step to progress as the engine streams it.
func WithProgress(ctx context.Context, progress func(Change)) context.Context {
	return context.WithValue(ctx, progressKey{}, progress)
}

func start(ctx context.Context, op Operation, s auto.Stack) (*collector, time.Time) {
	progress, _ := ctx.Value(progressKey{}).(func(Change))
	return newCollector(op, s.Name(), progress), time.Now()
}

// Preview previews s.
func Preview(ctx context.Context, s auto.Stack, opts ...optpreview.Option) (Result, error) {
	c, began := start(ctx, OpPreview, s)
	ch, wait := c.stream()
	out, err := s.Preview(ctx, append(opts, optpreview.EventStreams(ch))...)
	wait(err != nil)
	res := c.result()
	res.Stdout, res.Duration = out.StdOut, time.Since(began)
	if len(res.Summary) == 0 {
		for op, n := range out.ChangeSummary {
			res.Summary[string(op)] = n
		}
	}
	return res, err
}

// Up updates s and reads its outputs.
func Up(ctx context.Context, s auto.Stack, opts ...optup.Option) (Result, error) {
	c, began := start(ctx, OpUp, s)
	ch, wait := c.stream()
	out, err := s.Up(ctx, append(opts, optup.EventStreams(ch), optup.SuppressProgress())...)
	wait(err != nil)
	res := c.result()
	res.Stdout, res.Duration = out.StdOut, time.Since(began)
	if err == nil {
		res.Outputs = plainOutputs(out.Outputs)
	}
	return res, err
}

// Destroy destroys every resource of s.
func Destroy(ctx context.Context, s auto.Stack, opts ...optdestroy.Option) (Result, error) {
	c, began := start(ctx, OpDestroy, s)
	ch, wait := c.stream()
	out, err := s.Destroy(ctx, append(opts, optdestroy.EventStreams(ch), optdestroy.SuppressProgress())...)
	wait(err != nil)
	res := c.result()
	res.Stdout, res.Duration = out.StdOut, time.Since(began)
	return res, err
}

// Refresh reads the real state of every resource of s into its state; with
// optrefresh.PreviewOnly it only reports the differences (drift).
func Refresh(ctx context.Context, s auto.Stack, opts ...optrefresh.Option) (Result, error) {
	c, began := start(ctx, OpRefresh, s)
	ch, wait := c.stream()
	out, err := s.Refresh(ctx, append(opts, optrefresh.EventStreams(ch), optrefresh.SuppressProgress())...)
	wait(err != nil)
	res := c.result()
	res.Stdout, res.Duration = out.StdOut, time.Since(began)
	return res, err
}

// PreviewRefresh reads the real state of every resource of s and reports
// what differs from the stored state, without changing it: drift.
func PreviewRefresh(ctx context.Context, s auto.Stack, opts ...optrefresh.Option) (Result, error) {
	c, began := start(ctx, OpRefresh, s)
	ch, wait := c.stream()
	out, err := s.PreviewRefresh(ctx, append(opts, optrefresh.EventStreams(ch), optrefresh.SuppressProgress())...)
	wait(err != nil)
	res := c.result()
	res.Stdout, res.Duration = out.StdOut, time.Since(began)
	return res, err
}

// Outputs reads the current outputs of s.
func Outputs(ctx context.Context, s auto.Stack) (map[string]any, error) {
	out, err := s.Outputs(ctx)
	if err != nil {
		return nil, err
	}
	return plainOutputs(out), nil
}

// plainOutputs drops the secret flags, replacing secret values, so that a
// result can be printed or written without leaking them.
func plainOutputs(m auto.OutputMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if v.Secret {
			out[k] = "[secret]"
			continue
		}
		out[k] = v.Value
	}
	return out
}
