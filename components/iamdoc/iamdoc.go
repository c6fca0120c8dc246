// Package iamdoc builds AWS policy documents (IAM, key, bucket, endpoint and
// access point policies) as Go values, so that components never concatenate
// JSON strings and tests can parse a policy back and assert its statements.
package iamdoc

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Version is the only policy language version the platform writes.
const Version = "2012-10-17"

// Document is a policy document.
type Document struct {
	Version   string      `json:"Version"`
	ID        string      `json:"Id,omitempty"`
	Statement []Statement `json:"Statement"`
}

// Statement is one policy statement. Principal is nil for identity
// policies; Condition maps an operator to its key/value pairs.
type Statement struct {
	Sid          string     `json:"Sid,omitempty"`
	Effect       string     `json:"Effect"`
	Principal    *Principal `json:"Principal,omitempty"`
	NotPrincipal *Principal `json:"NotPrincipal,omitempty"`
	Action       Strings    `json:"Action,omitempty"`
	NotAction    Strings    `json:"NotAction,omitempty"`
	Resource     Strings    `json:"Resource,omitempty"`
	NotResource  Strings    `json:"NotResource,omitempty"`
	Condition    Condition  `json:"Condition,omitempty"`
}

// Condition is a policy condition block: operator → key → values.
type Condition map[string]map[string]Strings

// Principal names who a resource policy statement applies to. Any set to
// true marshals as the bare "*" principal.
type Principal struct {
	Any           bool
	AWS           Strings
	Service       Strings
	Federated     Strings
	CanonicalUser Strings
}

// Effects.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// Strings is a list of strings that AWS accepts either as a single string
// or as an array; it marshals a single value as a plain string.
type Strings []string

// MarshalJSON writes one value as a string and several as an array.
func (s Strings) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return json.Marshal(s[0])
	}
	return json.Marshal([]string(s))
}

// UnmarshalJSON accepts a string or an array of strings.
func (s *Strings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("expected a string or an array of strings: %w", err)
	}
	*s = many
	return nil
}

// Contains reports whether v is one of the values.
func (s Strings) Contains(v string) bool { return slices.Contains(s, v) }

// MarshalJSON writes "*" for Any, otherwise the principal object.
func (p Principal) MarshalJSON() ([]byte, error) {
	if p.Any {
		return json.Marshal("*")
	}
	m := map[string]Strings{}
	for k, v := range map[string]Strings{"AWS": p.AWS, "Service": p.Service, "Federated": p.Federated, "CanonicalUser": p.CanonicalUser} {
		if len(v) > 0 {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads "*" or a principal object.
func (p *Principal) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return fmt.Errorf("principal %q: a string principal must be \"*\"", star)
		}
		*p = Principal{Any: true}
		return nil
	}
	var m map[string]Strings
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("principal: %w", err)
	}
	*p = Principal{AWS: m["AWS"], Service: m["Service"], Federated: m["Federated"], CanonicalUser: m["CanonicalUser"]}
	p.Any = p.AWS.Contains("*")
	return nil
}

// New returns a document with the current policy version.
func New(statements ...Statement) Document {
	return Document{Version: Version, Statement: statements}
}

// JSON marshals the document. Documents are built from Go values only, so a
// failure is a programming error and is returned rather than hidden.
func (d Document) JSON() (string, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("marshalling policy document: %w", err)
	}
	return string(b), nil
}

// Parse reads a policy document.
func Parse(s string) (Document, error) {
	var d Document
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return Document{}, fmt.Errorf("parsing policy document: %w", err)
	}
	return d, nil
}

// Services returns a principal for AWS service principals.
func Services(names ...string) *Principal { return &Principal{Service: names} }

// AWSPrincipals returns a principal for AWS account or role ARNs.
func AWSPrincipals(arns ...string) *Principal { return &Principal{AWS: arns} }

// Anyone is the "*" principal; use it only with conditions or in Deny statements.
func Anyone() *Principal { return &Principal{Any: true} }

// SidSuffix keeps the letters and digits of s with each word capitalised,
// as statement ids allow nothing else: "access-logs/" becomes "AccessLogs",
// so that a statement per team or prefix gets an id of its own.
func SidSuffix(s string) string {
	var b strings.Builder
	upper := true
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if upper {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	return b.String()
}
