// Package scopetest is the canonical scope of component tests: the dev
// environment of the fake account the mocks and the stand-in provider
// report, so that every component test builds the same names and ARNs.
package scopetest

import "github.com/aifactory/platform/components/scope"

// AccountID is the account the mocks and the stand-in provider report.
const AccountID = "123456789012"

// Scope returns the canonical scope for an environment (dev, staging, prod).
func Scope(environment string) scope.Scope {
	return scope.Scope{
		Prefix:      "aifactory-" + environment,
		Environment: environment,
		AccountID:   AccountID,
		Region:      "eu-west-1",
		Partition:   "aws",
	}
}

// Dev is the scope of most component tests.
func Dev() scope.Scope { return Scope("dev") }
