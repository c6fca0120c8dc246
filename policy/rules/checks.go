package rules

import (
	"fmt"
	"strings"
)

// Helpers shared by the controls. Each reads one property, reports a
// violation or an unverified finding, and says whether the value passed.

// requireKey demands a customer-managed KMS key reference at x: set, and
// not an AWS-managed key (alias/aws/...). A computed reference is
// unverified; the stack settles it when it comes from a key of the stack.
func (c *check) requireKey(x val, fix string) bool {
	switch x.st {
	case absent:
		c.violation(fmt.Sprintf("%s is not set, so AWS encrypts with an AWS-owned or AWS-managed key", x.path), fix)
		return false
	case unknown:
		c.unverifiedKey(x)
		return false
	}
	s, st := x.str()
	if st != known {
		c.violation(fmt.Sprintf("%s is not a key ARN, id or alias", x.path), fix)
		return false
	}
	if isAWSManagedKey(s) {
		c.violation(fmt.Sprintf("%s names an AWS-managed key (alias/aws/...), which the platform cannot scope or audit", x.path), fix)
		return false
	}
	return true
}

// isAWSManagedKey reports whether a key reference names an AWS-managed key.
func isAWSManagedKey(ref string) bool {
	return strings.HasPrefix(ref, "alias/aws/") || strings.Contains(ref, ":alias/aws/")
}

// requireTrue demands a boolean property that is true. unset says what an
// absent value means (AWS's default) when that default is false.
func (c *check) requireTrue(x val, problem, fix string) bool {
	b, st := x.boolean()
	switch {
	case st == unknown:
		c.unverified(x)
		return false
	case st == absent || !b:
		c.violation(problem, fix)
		return false
	}
	return true
}

// forbidTrue reports a boolean property that is true; absent counts as
// false (the AWS default of the properties it is used on).
func (c *check) forbidTrue(x val, problem, fix string) bool {
	b, st := x.boolean()
	switch {
	case st == unknown:
		c.unverified(x)
		return false
	case st == known && b:
		c.violation(problem, fix)
		return false
	}
	return true
}

// requireEqual demands a string property equal (case-insensitively) to one of want.
func (c *check) requireEqual(x val, problem, fix string, want ...string) bool {
	s, st := x.str()
	if st == unknown {
		c.unverified(x)
		return false
	}
	for _, w := range want {
		if st == known && strings.EqualFold(s, w) {
			return true
		}
	}
	c.violation(problem, fix)
	return false
}

// requirePresent demands that a property is set. A computed value counts as
// set: it will hold whatever the resource it comes from produces.
func (c *check) requirePresent(x val, problem, fix string) bool {
	if x.st == absent {
		c.violation(problem, fix)
		return false
	}
	return true
}

// requireAtMost demands a number no greater than limit. An absent value
// takes def when def >= 0 and is a violation otherwise.
func (c *check) requireAtMost(x val, limit, def float64, problem, fix string) bool {
	return c.requireNumber(x, def, func(n float64) bool { return n <= limit }, problem, fix)
}

// requireAtLeast demands a number no smaller than limit, with the same
// default rule as requireAtMost.
func (c *check) requireAtLeast(x val, limit, def float64, problem, fix string) bool {
	return c.requireNumber(x, def, func(n float64) bool { return n >= limit }, problem, fix)
}

// requireNumber demands a number that satisfies ok; an unknown value cannot
// be decided yet, and an absent one takes def (or is a violation when def < 0).
func (c *check) requireNumber(x val, def float64, ok func(float64) bool, problem, fix string) bool {
	n, st := x.number()
	switch {
	case st == unknown:
		c.unverified(x)
		return false
	case st == absent && def < 0:
		c.violation(problem, fix)
		return false
	case st == absent:
		n = def
	}
	if !ok(n) {
		c.violation(problem, fix)
		return false
	}
	return true
}

// props is shorthand for a top-level property of the checked resource.
func (c *check) prop(key string) val { return prop(c.r.Properties, key) }
