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
