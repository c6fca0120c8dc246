// Package naming holds the checks every component makes of the names and
// account it is given, so that all components accept the same values and
// say the same thing about a wrong one.
package naming

import (
	"fmt"
	"regexp"
)

var (
	prefixPattern  = regexp.MustCompile(`^[a-z][a-z0-9-]{1,40}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
)

// CheckPrefix checks the prefix that starts a component's resource names,
// such as "aifactory-dev": 2-41 lower-case letters, digits and hyphens,
// starting with a letter. The error names the field and the fix.
func CheckPrefix(prefix string) error {
	if !prefixPattern.MatchString(prefix) {
		return fmt.Errorf("Prefix %q: use 2-41 lower-case letters, digits and hyphens", prefix)
	}
	return nil
}

// IsAccountID reports whether id is an AWS account id (12 digits).
func IsAccountID(id string) bool { return accountPattern.MatchString(id) }
