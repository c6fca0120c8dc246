package kms

import (
	"errors"
	"fmt"
	"slices"

	"github.com/aifactory/platform/components/scope"
)

// Deletion window bounds AWS accepts.
const (
	MinDeletionWindowDays = 7
	MaxDeletionWindowDays = 30
)

// Args configures the keys.
type Args struct {
	// Scope names the aliases alias/<Prefix>-<purpose> and scopes the key
	// policies to its account and region.
	scope.Scope
	// DeletionWindowDays is the waiting period before a scheduled deletion,
	// 7-30 days. Required: an environment must choose it.
	DeletionWindowDays int
	// Protect protects the keys from deletion by Pulumi.
	Protect bool
	// Purposes to create keys for; all purposes when empty.
	Purposes []Purpose
	// Administrators are the IAM role ARNs of this account that administer
	// the keys (the role the platform deploys as); at least one. KMS
	// refuses a key policy that would lock out the role applying it, so a
	// wrong value fails the update instead of orphaning the keys.
	Administrators []string
	// DirectUsers are, per purpose, the role ARNs of this account that use
	// the key directly rather than through an AWS service (EMR nodes
	// encrypting local disks with the data key).
	DirectUsers map[Purpose][]string
}

func (a *Args) validate() error {
	var errs []error
	if err := a.Scope.Validate(); err != nil {
		errs = append(errs, err)
	}
	if a.DeletionWindowDays < MinDeletionWindowDays || a.DeletionWindowDays > MaxDeletionWindowDays {
		errs = append(errs, fmt.Errorf("DeletionWindowDays %d: set it between %d and %d",
			a.DeletionWindowDays, MinDeletionWindowDays, MaxDeletionWindowDays))
	}
	for _, p := range a.Purposes {
		if !slices.Contains(AllPurposes(), p) {
			errs = append(errs, fmt.Errorf("Purposes: unknown purpose %q; use one of %v", p, AllPurposes()))
		}
	}
	if len(a.Administrators) == 0 {
		errs = append(errs, errors.New("Administrators: name the role the platform deploys as; a key nobody administers cannot be rotated, re-scoped or deleted"))
	}
	for _, arn := range a.Administrators {
		if !scope.RoleInAccount(arn, a.AccountID) {
			errs = append(errs, fmt.Errorf("Administrators: %q is not an IAM role ARN of account %s", arn, a.AccountID))
		}
	}
	for p, arns := range a.DirectUsers {
		if !slices.Contains(AllPurposes(), p) {
			errs = append(errs, fmt.Errorf("DirectUsers: unknown purpose %q; use one of %v", p, AllPurposes()))
		}
		for _, arn := range arns {
			if !scope.RoleInAccount(arn, a.AccountID) {
				errs = append(errs, fmt.Errorf("DirectUsers[%s]: %q is not an IAM role ARN of account %s", p, arn, a.AccountID))
			}
		}
	}
	return errors.Join(errs...)
}
