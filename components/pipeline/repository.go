package pipeline

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// LifecyclePolicy is an ECR lifecycle policy as Go values.
type LifecyclePolicy struct {
	Rules []LifecycleRule `json:"rules"`
}

// LifecycleRule is one rule of a lifecycle policy.
type LifecycleRule struct {
	RulePriority int                `json:"rulePriority"`
	Description  string             `json:"description"`
	Selection    LifecycleSelection `json:"selection"`
	Action       LifecycleAction    `json:"action"`
}

// LifecycleSelection chooses the images a rule expires.
type LifecycleSelection struct {
	TagStatus   string `json:"tagStatus"`
	CountType   string `json:"countType"`
	CountNumber int    `json:"countNumber"`
}

// LifecycleAction is what a rule does to the images it selects.
type LifecycleAction struct {
	Type string `json:"type"`
}

// ImageLifecycle keeps the newest kept images, tagged or not, and expires
// the rest. Images are pushed by digest (often untagged) and referenced by
// digest, so a rule on untagged images alone would delete the very image a
// stack runs; counting every image keeps the current one, which is always
// among the newest, and the ones before it to roll back to.
func ImageLifecycle(kept int) LifecyclePolicy {
	return LifecyclePolicy{Rules: []LifecycleRule{{
		RulePriority: 1,
		Description:  fmt.Sprintf("Keep the %d most recent images, tagged or not; promotion references them by digest.", kept),
		Selection:    LifecycleSelection{TagStatus: "any", CountType: "imageCountMoreThan", CountNumber: kept},
		Action:       LifecycleAction{Type: "expire"},
	}}}
}

// repository creates the image repository: encrypted with the pipeline
// key, images scanned on push, tags immutable, a lifecycle policy, and a
// policy that admits this account only.
func (b *builder) repository() (*ecr.Repository, error) {
	a := b.a
	opts := b.protect()
	repo, err := ecr.NewRepository(b.ctx, b.child("images"), &ecr.RepositoryArgs{
		Name: pulumi.String(RepositoryName(a.Scope)),
		EncryptionConfigurations: ecr.RepositoryEncryptionConfigurationArray{&ecr.RepositoryEncryptionConfigurationArgs{
			EncryptionType: pulumi.String("KMS"),
			KmsKey:         a.PipelineKeyArn,
		}},
		ImageScanningConfiguration: &ecr.RepositoryImageScanningConfigurationArgs{ScanOnPush: pulumi.Bool(true)},
		// A pushed tag can never be moved to other content; stacks
		// reference digests anyway.
		ImageTagMutability: pulumi.String("IMMUTABLE"),
		// Outside prod a destroy removes the images with the repository.
		ForceDelete: pulumi.Bool(!a.Protect),
	}, opts...)
	if err != nil {
		return nil, err
	}
	lifecycle, err := json.Marshal(ImageLifecycle(a.ImagesKept))
	if err != nil {
		return nil, err
	}
	if _, err := ecr.NewLifecyclePolicy(b.ctx, b.child("images"), &ecr.LifecyclePolicyArgs{
		Repository: repo.Name,
		Policy:     pulumi.String(string(lifecycle)),
	}, b.parent); err != nil {
		return nil, err
	}
	policy, err := RepositoryPolicy(a.Scope).JSON()
	if err != nil {
		return nil, err
	}
	if _, err := ecr.NewRepositoryPolicy(b.ctx, b.child("images"), &ecr.RepositoryPolicyArgs{
		Repository: repo.Name,
		Policy:     pulumi.String(policy),
	}, b.parent); err != nil {
		return nil, err
	}
	return repo, nil
}
