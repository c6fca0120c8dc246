// Package tagkeys names the tags the platform requires on every taggable
// AWS resource. It is a leaf: the tagging component that applies the tags,
// the stack config that supplies their values and the policy rules that
// check them all read the keys from here, and it imports nothing of the
// module.
package tagkeys

// Required tag keys. Every taggable resource must carry each with a non-empty value.
const (
	Team               = "team"
	Project            = "project"
	CostCenter         = "cost-center"
	Environment        = "environment"
	DataClassification = "data-classification"
	Owner              = "owner"
	// ExpiresAt marks ephemeral compute (EMR clusters, Studio spaces,
	// endpoints) with the RFC 3339 time after which clean-up may remove it.
	ExpiresAt = "expires-at"
)

// Required lists the tags every taggable resource must carry, in a stable order.
func Required() []string {
	return []string{Team, Project, CostCenter, Environment, DataClassification, Owner}
}

// Workload names the scheduled job a resource serves, where several jobs
// share one team's account and cluster: the weekly pipeline and the
// lifecycle cleanup job both run as Fargate tasks in the pipeline's
// cluster, so ECS and ECR costs of the platform team are not one job's.
// The jobs' task definitions (propagated to their tasks), image
// repositories and the pipeline's state machine carry it; it is a
// cost-allocation tag, not a required one.
const Workload = "workload"

// Values of Workload.
const (
	WorkloadWeeklyPipeline   = "weekly-pipeline"
	WorkloadLifecycleCleanup = "lifecycle-cleanup"
)

// CostAllocation lists the tags activated as cost-allocation tags: the
// required ones and Workload.
func CostAllocation() []string {
	return append(Required(), Workload)
}
