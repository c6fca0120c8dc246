package factory

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/aifactory/platform/factory/engine"
)

// Preview previews stack with the policy pack and the environment's
// policy config attached. A mandatory finding fails it with ExitPolicy.
func (f *Factory) Preview(ctx context.Context, stack string) (Result, error) {
	cfg, err := f.Config(stack)
	if err != nil {
		return Result{}, err
	}
	p, err := f.policyPack(ctx)
	if err != nil {
		return Result{}, err
	}
	s, err := f.stack(ctx, stack)
	if err != nil {
		return Result{}, err
	}
	var opts []optpreview.Option
	if p != nil {
		opts = p.PreviewOptions(cfg.Environment)
	}
	er, err := engine.Preview(f.progress(ctx, engine.OpPreview, stack), s, opts...)
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
}

// Up updates stack with the policy pack attached and, when it succeeds,
// writes the stack's release record.
func (f *Factory) Up(ctx context.Context, stack string, o UpOptions) (Result, error) {
	cfg, err := f.Config(stack)
	if err != nil {
		return Result{}, err
	}
	p, err := f.policyPack(ctx)
	if err != nil {
		return Result{}, err
	}
	s, err := f.stack(ctx, stack)
	if err != nil {
		return Result{}, err
	}
	var opts []optup.Option
	if p != nil {
		opts = p.UpOptions(cfg.Environment)
	}
	er, err := engine.Up(f.progress(ctx, engine.OpUp, stack), s, opts...)
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
	er, err := engine.Destroy(f.progress(ctx, engine.OpDestroy, stack), s, optdestroy.Message("aifactory destroy"))
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
	er, err := engine.Refresh(f.progress(ctx, engine.OpRefresh, stack), s)
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
