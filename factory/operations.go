package factory

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/internal/stackconfig"
)

// operation is a stack made ready for an operation: its config, the
// policy pack (nil when switched off) and the Automation API stack.
type operation struct {
	cfg  *stackconfig.Config
	pack *engine.PolicyPack
	s    auto.Stack
}

// prepare reads and validates the stack's config, builds the pack and
// prepares the stack, in that order, so bad input fails before any work.
func (f *Factory) prepare(ctx context.Context, stack string) (operation, error) {
	cfg, err := f.Config(stack)
	if err != nil {
		return operation{}, err
	}
	p, err := f.policyPack(ctx)
	if err != nil {
		return operation{}, err
	}
	s, err := f.stack(ctx, stack)
	if err != nil {
		return operation{}, err
	}
	return operation{cfg: cfg, pack: p, s: s}, nil
}

// Preview previews stack with the policy pack and the environment's
// policy config attached. A mandatory finding fails it with ExitPolicy.
func (f *Factory) Preview(ctx context.Context, stack string) (Result, error) {
	op, err := f.prepare(ctx, stack)
	if err != nil {
		return Result{}, err
	}
	cfg, p, s := op.cfg, op.pack, op.s
	var opts []optpreview.Option
	if p != nil {
		opts = p.PreviewOptions(cfg.Environment)
	}
	er, err := whileCheckpointIsWritten(ctx, func() (engine.Result, error) {
		return engine.Preview(f.progress(ctx, engine.OpPreview, stack), s, opts...)
	})
	res := Result{Result: er}
	return res, classify(stack, &res, err)
}

// UpOptions tune an update.
type UpOptions struct {
	// From is the release the update promotes; it becomes the new record's
	// parent. Set by Promote.
	From *Release
	// Preview is the preview that gated the update; its summary and policy
	// findings go into the release record. Set by Promote.
	Preview *engine.Result
	// Branch and BranchCommit name the commit that holds the stack file
	// being applied when it is not committed on the checked-out branch
	// (vending commits it on vend/<team>). Set by Vend.
	Branch, BranchCommit string
}

// Up updates stack with the policy pack attached and, when it succeeds,
// writes the stack's release record.
func (f *Factory) Up(ctx context.Context, stack string, o UpOptions) (Result, error) {
	op, err := f.prepare(ctx, stack)
	if err != nil {
		return Result{}, err
	}
	cfg, p, s := op.cfg, op.pack, op.s
	if err := f.checkModelApprovals(ctx, stack, cfg); err != nil {
		return Result{Result: engine.Result{Operation: engine.OpUp, Stack: stack}}, err
	}
	var opts []optup.Option
	if p != nil {
		opts = p.UpOptions(cfg.Environment)
	}
	er, err := whileCheckpointIsWritten(ctx, func() (engine.Result, error) {
		return engine.Up(f.progress(ctx, engine.OpUp, stack), s, opts...)
	})
	res := Result{Result: er}
	if err := classify(stack, &res, err); err != nil {
		return res, err
	}
	rel, err := f.newRelease(stack, cfg, er, o)
	if err != nil {
		return res, err
	}
	if err := writeRelease(ctx, s, rel); err != nil {
		return res, err
	}
	res.Release = &rel
	return res, nil
}

// Destroy removes every resource of stack. Protected resources (prod's
// stateful ones) stop it, as they should.
func (f *Factory) Destroy(ctx context.Context, stack string) (Result, error) {
	if _, err := f.Config(stack); err != nil {
		return Result{}, err
	}
	s, err := f.stack(ctx, stack)
	if err != nil {
		return Result{}, err
	}
	er, err := whileCheckpointIsWritten(ctx, func() (engine.Result, error) {
		return engine.Destroy(f.progress(ctx, engine.OpDestroy, stack), s, optdestroy.Message("aifactory destroy"))
	})
	res := Result{Result: er}
	return res, classify(stack, &res, err)
}

// Refresh reads the real state of every resource of stack into its state.
func (f *Factory) Refresh(ctx context.Context, stack string) (Result, error) {
	if _, err := f.Config(stack); err != nil {
		return Result{}, err
	}
	s, err := f.stack(ctx, stack)
	if err != nil {
		return Result{}, err
	}
	er, err := whileCheckpointIsWritten(ctx, func() (engine.Result, error) {
		return engine.Refresh(f.progress(ctx, engine.OpRefresh, stack), s)
	})
	res := Result{Result: er}
	return res, classify(stack, &res, err)
}

// Outputs reads the outputs of stack (secret values are masked).
func (f *Factory) Outputs(ctx context.Context, stack string) (Result, error) {
	if _, err := f.Config(stack); err != nil {
		return Result{}, err
	}
	s, err := f.stack(ctx, stack)
	if err != nil {
		return Result{}, err
	}
	out, err := engine.Outputs(ctx, s)
	if err != nil {
		return Result{}, fmt.Errorf("reading the outputs of %s: %w", stack, err)
	}
	return Result{Result: engine.Result{Operation: "outputs", Stack: stack, Outputs: out}}, nil
}
