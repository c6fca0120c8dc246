package ecsjob

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/internal/build"
	"github.com/aifactory/platform/components/scope"
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

// Repository is a job's image repository.
type Repository struct {
	scope.Scope
	// Name is the repository's name.
	Name string
	// KeyArn encrypts the images.
	KeyArn pulumi.StringInput
	// ImagesKept is how many of the most recent images the lifecycle keeps.
	ImagesKept int
	// Protect protects the repository, keeps it when it leaves the program
	// and never force-deletes its images (prod).
	Protect bool
	// Workload is the job's workload tag value (tagkeys.Workload): image
	// storage and scans are billed to the repository.
	Workload string
}

// New creates the repository, its lifecycle policy and its policy, all
// named name and parented by parent: encrypted with the key, images
// scanned on push, tags immutable, and admitting this account only.
func (r Repository) New(ctx *pulumi.Context, name string, parent pulumi.ResourceOption) (*ecr.Repository, error) {
	if err := checkWorkload("Repository", r.Workload); err != nil {
		return nil, err
	}
	repo, err := ecr.NewRepository(ctx, name, &ecr.RepositoryArgs{
		Name: pulumi.String(r.Name),
		EncryptionConfigurations: ecr.RepositoryEncryptionConfigurationArray{&ecr.RepositoryEncryptionConfigurationArgs{
			EncryptionType: pulumi.String("KMS"),
			KmsKey:         r.KeyArn,
		}},
		ImageScanningConfiguration: &ecr.RepositoryImageScanningConfigurationArgs{ScanOnPush: pulumi.Bool(true)},
		// A pushed tag can never be moved to other content; stacks
		// reference digests anyway.
		ImageTagMutability: pulumi.String("IMMUTABLE"),
		// Outside prod a destroy removes the images with the repository.
		ForceDelete: pulumi.Bool(!r.Protect),
		Tags:        WorkloadTags(r.Workload),
	}, build.Stateful(parent, r.Protect)...)
	if err != nil {
		return nil, err
	}
	lifecycle, err := json.Marshal(ImageLifecycle(r.ImagesKept))
	if err != nil {
		return nil, err
	}
	if _, err := ecr.NewLifecyclePolicy(ctx, name, &ecr.LifecyclePolicyArgs{
		Repository: repo.Name,
		Policy:     pulumi.String(string(lifecycle)),
	}, parent); err != nil {
		return nil, err
	}
	policy, err := RepositoryPolicy(r.Scope).JSON()
	if err != nil {
		return nil, err
	}
	if _, err := ecr.NewRepositoryPolicy(ctx, name, &ecr.RepositoryPolicyArgs{
		Repository: repo.Name,
		Policy:     pulumi.String(policy),
	}, parent); err != nil {
		return nil, err
	}
	return repo, nil
}
