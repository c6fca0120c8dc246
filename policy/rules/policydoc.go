package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// statement is one statement of an AWS policy document, read leniently:
// AWS accepts a single statement or a list, strings or lists of strings, and
// booleans or numbers where the grammar says string, and so does this reader.
type statement struct {
	Effect       string
	AnyPrincipal bool     // "*" or {"AWS": "*"}
	AWS          []string // account, role or user ARNs
	Service      []string
	Federated    []string
	NotPrincipal bool
	Action       []string
	NotAction    bool
	Resource     []string
	Condition    map[string]map[string][]string
}

func (s statement) allows() bool { return strings.EqualFold(s.Effect, "Allow") }

// parsePolicy reads a policy document from a property. ok is false when the
// property holds something that is not a policy document.
func parsePolicy(x val) (stmts []statement, st state, ok bool) {
	doc, st, ok := x.jsonValue()
	if st != known || !ok {
		return nil, st, ok
	}
	m, isMap := doc.(map[string]any)
	if !isMap {
		return nil, known, false
	}
	raw := m["Statement"]
	var list []any
	switch s := raw.(type) {
	case []any:
		list = s
	case map[string]any:
		list = []any{s}
	default:
		return nil, known, false
	}
	for _, e := range list {
		sm, isMap := e.(map[string]any)
		if !isMap {
			return nil, known, false
		}
		stmts = append(stmts, readStatement(sm))
	}
	return stmts, known, true
}

func readStatement(m map[string]any) statement {
	s := statement{Effect: scalar(m["Effect"])}
	if p, ok := m["Principal"]; ok {
		readPrincipal(&s, p)
	}
	if _, ok := m["NotPrincipal"]; ok {
		s.NotPrincipal = true
	}
	if a, ok := m["Action"]; ok {
		s.Action = stringList(a)
	} else if a, ok := m["NotAction"]; ok {
		s.Action = stringList(a)
		s.NotAction = true
	}
	s.Resource = stringList(m["Resource"])
	if c, ok := m["Condition"].(map[string]any); ok {
		s.Condition = map[string]map[string][]string{}
		for op, kv := range c {
			inner, ok := kv.(map[string]any)
			if !ok {
				continue
			}
			s.Condition[op] = map[string][]string{}
			for k, v := range inner {
				s.Condition[op][k] = stringList(v)
			}
		}
	}
	return s
}

func readPrincipal(s *statement, p any) {
	switch pv := p.(type) {
	case string:
		s.AnyPrincipal = pv == "*"
	case map[string]any:
		s.AWS = stringList(pv["AWS"])
		s.Service = stringList(pv["Service"])
		s.Federated = stringList(pv["Federated"])
		s.AnyPrincipal = slices.Contains(s.AWS, "*")
	}
}

func stringList(v any) []string {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			out = append(out, scalar(e))
		}
		return out
	}
	return []string{scalar(v)}
}

func scalar(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	case bool, float64:
		return fmt.Sprint(t)
	}
	return ""
}

// hasCondition reports whether the statement limits itself with any condition.
func (s statement) hasCondition() bool { return len(s.Condition) > 0 }

// conditionValues returns the values a condition key is compared with
// under any of the given operators (case-insensitive key match, as in IAM).
func (s statement) conditionValues(key string, ops ...string) []string {
	var out []string
	for op, kv := range s.Condition {
		if len(ops) > 0 && !slices.ContainsFunc(ops, func(o string) bool { return strings.EqualFold(o, op) }) {
			continue
		}
		for k, v := range kv {
			if strings.EqualFold(k, key) {
				out = append(out, v...)
			}
		}
	}
	return out
}

var serviceWildcard = regexp.MustCompile(`^[A-Za-z0-9-]+:\*+$`)

// isFullWildcard reports whether an action means every action of every service.
func isFullWildcard(action string) bool { return action == "*" || action == "*:*" }

// isServiceWildcard reports whether an action means every action of one service.
func isServiceWildcard(action string) bool { return serviceWildcard.MatchString(action) }

// deniesInsecureTransport reports whether a statement denies requests that
// do not use TLS: Deny, a condition aws:SecureTransport = false, and an
// action that covers S3.
func (s statement) deniesInsecureTransport() bool {
	if !strings.EqualFold(s.Effect, "Deny") || s.NotAction {
		return false
	}
	values := s.conditionValues("aws:SecureTransport", "Bool", "BoolIfExists")
	if !slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(v, "false") }) {
		return false
	}
	return slices.ContainsFunc(s.Action, func(a string) bool { return a == "*" || strings.EqualFold(a, "s3:*") })
}
