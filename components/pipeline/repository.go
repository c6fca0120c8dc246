package pipeline

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"

	"github.com/aifactory/platform/components/internal/ecsjob"
)

// The lifecycle policy as Go values (components/internal/ecsjob, shared
// with the cleanup job's repository).
type (
	LifecyclePolicy    = ecsjob.LifecyclePolicy
	LifecycleRule      = ecsjob.LifecycleRule
	LifecycleSelection = ecsjob.LifecycleSelection
	LifecycleAction    = ecsjob.LifecycleAction
)

// ImageLifecycle keeps the newest kept images, tagged or not, and expires
// the rest: the digest a stack runs is always among them
// (ecsjob.ImageLifecycle).
func ImageLifecycle(kept int) LifecyclePolicy { return ecsjob.ImageLifecycle(kept) }

// repository creates the image repository: encrypted with the pipeline
// key, images scanned on push, tags immutable, a lifecycle policy, and a
// policy that admits this account only.
func (b *builder) repository() (*ecr.Repository, error) {
	a := b.a
	return ecsjob.Repository{
		Scope:      a.Scope,
		Name:       RepositoryName(a.Scope),
		KeyArn:     a.PipelineKeyArn,
		ImagesKept: a.ImagesKept,
		Protect:    a.Protect,
		Workload:   Workload,
	}.New(b.Ctx, b.Child("images"), b.Parent)
}
