package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// statement is one statement of an AWS policy document. The reader accepts
// every form AWS accepts: Statement as one object or a list, Action,
// NotAction, Resource, NotResource and principal entries as one string or a
// list, element names in any letter case, and booleans or numbers where the
// grammar says string. Whatever AWS would reject as malformed (an Effect
// other than Allow or Deny, Action together with NotAction, an element given
// twice in different letter cases) makes the whole document invalid, so
// that no control ever reads a meaning into it.
type statement struct {
	Sid    string
	Effect string
	// AnyPrincipal: "*", or "*" among the principal entries.
	AnyPrincipal bool
	// AWS holds account ids and IAM ARNs; Service, Federated and
	// CanonicalUser the other principal kinds.
	AWS, Service, Federated, CanonicalUser []string
	// NotPrincipal: the statement applies to everyone except the listed
	// principals.
	NotPrincipal bool
	// Action holds the action patterns; with NotAction set they are the
	// actions the statement does not apply to.
	Action    []string
	NotAction bool
	// Resource holds the resource patterns; with NotResource set they are
	// the resources the statement does not apply to.
	Resource    []string
	NotResource bool
	// Condition maps an operator to condition keys and their values.
	Condition map[string]map[string][]string
}

// allows and denies read the Effect. AWS accepts only "Allow" and "Deny";
// parsePolicy rejects anything else, so the two never overlap.
func (s statement) allows() bool { return strings.EqualFold(s.Effect, "Allow") }
func (s statement) denies() bool { return strings.EqualFold(s.Effect, "Deny") }

// parsePolicy reads a policy document from a property. ok is false when the
// property holds something that is not a valid policy document.
func parsePolicy(x val) (stmts []statement, st state, ok bool) {
	doc, st, ok := x.jsonValue()
	if st != known || !ok {
		return nil, st, ok
	}
	stmts, ok = readPolicy(doc)
	return stmts, known, ok
}

// readPolicy reads a decoded policy document.
func readPolicy(doc any) ([]statement, bool) {
	m, isMap := doc.(map[string]any)
	if !isMap {
		return nil, false
	}
	raw, found, ok := element(m, "Statement")
	if !found || !ok {
		return nil, false
	}
	var list []any
	switch s := raw.(type) {
	case []any:
		list = s
	case map[string]any:
		list = []any{s}
	default:
		return nil, false
	}
	stmts := make([]statement, 0, len(list))
	for _, e := range list {
		sm, isMap := e.(map[string]any)
		if !isMap {
			return nil, false
		}
		s, ok := readStatement(sm)
		if !ok {
			return nil, false
		}
		stmts = append(stmts, s)
	}
	return stmts, true
}

// element looks a policy element up by name in any letter case. ok is false
// when the name appears in more than one letter case.
func element(m map[string]any, name string) (v any, found, ok bool) {
	for k, e := range m {
		if !strings.EqualFold(k, name) {
			continue
		}
		if found {
			return nil, true, false
		}
		v, found = e, true
	}
	return v, found, true
}

func readStatement(m map[string]any) (statement, bool) {
	var s statement
	valid := true
	field := func(name string) (any, bool) {
		v, found, ok := element(m, name)
		valid = valid && ok
		return v, found
	}
	if v, found := field("Sid"); found {
		s.Sid = scalar(v)
	}
	effect, _ := field("Effect")
	s.Effect = scalar(effect)
	if !s.allows() && !s.denies() {
		return s, false
	}
	principal, hasPrincipal := field("Principal")
	notPrincipal, hasNotPrincipal := field("NotPrincipal")
	action, hasAction := field("Action")
	notAction, hasNotAction := field("NotAction")
	resource, hasResource := field("Resource")
	notResource, hasNotResource := field("NotResource")
	condition, hasCondition := field("Condition")
	if !valid || (hasPrincipal && hasNotPrincipal) || (hasAction && hasNotAction) || (hasResource && hasNotResource) {
		return s, false
	}
	switch {
	case hasPrincipal:
		if !readPrincipal(&s, principal) {
			return s, false
		}
	case hasNotPrincipal:
		if !readPrincipal(&s, notPrincipal) {
			return s, false
		}
		s.NotPrincipal = true
	}
	switch {
	case hasAction:
		s.Action = stringList(action)
	case hasNotAction:
		s.Action = stringList(notAction)
		s.NotAction = true
	}
	switch {
	case hasResource:
		s.Resource = stringList(resource)
	case hasNotResource:
		s.Resource = stringList(notResource)
		s.NotResource = true
	}
	if hasCondition && condition != nil {
		c, isMap := condition.(map[string]any)
		if !isMap {
			return s, false
		}
		s.Condition = map[string]map[string][]string{}
		for op, kv := range c {
			inner, isMap := kv.(map[string]any)
			if !isMap {
				return s, false
			}
			s.Condition[op] = map[string][]string{}
			for k, v := range inner {
				s.Condition[op][k] = stringList(v)
			}
		}
	}
	return s, true
}

// readPrincipal reads "*" or a principal object. ok is false for a value
// AWS does not accept as a principal.
func readPrincipal(s *statement, p any) bool {
	switch pv := p.(type) {
	case string:
		if pv != "*" {
			return false
		}
		s.AnyPrincipal = true
		return true
	case map[string]any:
		for k, v := range pv {
			values := stringList(v)
			switch strings.ToLower(k) {
			case "aws":
				s.AWS = append(s.AWS, values...)
			case "service":
				s.Service = append(s.Service, values...)
			case "federated":
				s.Federated = append(s.Federated, values...)
			case "canonicaluser":
				s.CanonicalUser = append(s.CanonicalUser, values...)
			default:
				return false
			}
			if slices.Contains(values, "*") {
				s.AnyPrincipal = true
			}
		}
		return true
	}
	return false
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
	if !s.denies() || s.NotAction {
		return false
	}
	values := s.conditionValues("aws:SecureTransport", "Bool", "BoolIfExists")
	if !slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(v, "false") }) {
		return false
	}
	return slices.ContainsFunc(s.Action, func(a string) bool { return a == "*" || strings.EqualFold(a, "s3:*") })
}

// globMatch matches s against an IAM pattern, where * matches any run of
// characters (slashes included) and ? any one character. fold makes the
// match case-insensitive, as for action names.
func globMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// coversAction reports whether the statement applies to an action: one of
// its Action patterns matches it (in any letter case), or, with NotAction,
// none of the excluded patterns does.
func (s statement) coversAction(action string) bool {
	matched := slices.ContainsFunc(s.Action, func(p string) bool { return globMatch(p, action, true) })
	if s.NotAction {
		return !matched
	}
	return matched
}

// coversAllActions reports whether the statement applies to every action
// (or every action a pattern stands for) that other lists: each of other's
// patterns is matched by one of s's. A NotAction on either side covers only
// when s applies to every action.
func (s statement) coversAllActions(other statement) bool {
	if s.NotAction {
		return len(s.Action) == 0
	}
	if other.NotAction {
		return slices.ContainsFunc(s.Action, isFullWildcard)
	}
	for _, a := range other.Action {
		if !slices.ContainsFunc(s.Action, func(p string) bool { return globMatch(p, a, true) }) {
			return false
		}
	}
	return len(other.Action) > 0
}

// coversAllResources is coversAllActions for resources. A statement without
// a Resource element (trust policies) applies to the resource it is
// attached to.
func (s statement) coversAllResources(other statement) bool {
	if s.NotResource {
		return false
	}
	if len(s.Resource) == 0 {
		return len(other.Resource) == 0 && !other.NotResource
	}
	if slices.Contains(s.Resource, "*") {
		return true
	}
	if other.NotResource || len(other.Resource) == 0 {
		return false
	}
	for _, r := range other.Resource {
		if !slices.ContainsFunc(s.Resource, func(p string) bool { return globMatch(p, r, false) }) {
			return false
		}
	}
	return true
}

// arn is an ARN split into its fields.
type arn struct {
	partition, service, region, account, resource string
}

func parseARN(s string) (arn, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return arn{}, false
	}
	return arn{parts[1], parts[2], parts[3], parts[4], parts[5]}, true
}

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// principalAccount returns the account an AWS principal entry belongs to:
// a bare account id or the account field of an IAM or STS ARN.
func principalAccount(p string) (string, bool) {
	if accountID.MatchString(p) {
		return p, true
	}
	if a, ok := parseARN(p); ok && accountID.MatchString(a.account) {
		return a.account, true
	}
	return "", false
}

// unscopedFor reports whether the statement's resources include every
// resource of an IAM kind ("role", "user", "group", "policy"): NotResource,
// "*", or a pattern that matches a name nobody chose, such as
// arn:aws:iam::*:role/* or arn:aws:iam::123456789012:role/*.
func (s statement) unscopedFor(kind string) bool {
	if s.NotResource {
		return true
	}
	for _, p := range s.Resource {
		partition, account := "aws", "123456789012"
		if a, ok := parseARN(p); ok {
			if a.partition != "" && !strings.ContainsAny(a.partition, "*?") {
				partition = a.partition
			}
			if a.account != "" && !strings.ContainsAny(a.account, "*?") {
				account = a.account
			}
		}
		sample := fmt.Sprintf("arn:%s:iam::%s:%s/zq-any-path/zq-unscoped-name", partition, account, kind)
		if globMatch(p, sample, false) {
			return true
		}
	}
	return false
}

// deniedEverywhere reports whether an unconditional Deny of the document
// applies to the action on every resource, so that no Allow can grant it.
func deniedEverywhere(stmts []statement, action string) bool {
	for _, d := range stmts {
		if d.denies() && !d.hasCondition() && !d.NotResource && slices.Contains(d.Resource, "*") && d.coversAction(action) {
			return true
		}
	}
	return false
}

// Limiting conditions. A statement that admits any principal, a service or
// another account is limited when a condition ties it to something fixed:
// a source or principal account, ARN, organisation, VPC or VPC endpoint.
// The key's values must be known and fixed (no wildcard that admits
// anyone), and, where they name an account and the environment's accounts
// are known, must name one of those.

// keyKind says what the values of a limiting condition key name.
type keyKind int

const (
	notLimiting keyKind = iota
	accountValued
	arnValued
	orgValued
	networkValued
)

// limitingKey classifies a condition key (case-insensitive, as in IAM).
func limitingKey(key string) keyKind {
	k := strings.ToLower(key)
	switch k {
	case "aws:sourceaccount", "aws:principalaccount", "aws:resourceaccount", "aws:sourceowner",
		"s3:dataaccesspointaccount", "kms:calleraccount":
		return accountValued
	case "aws:sourcearn", "aws:principalarn", "s3:dataaccesspointarn":
		return arnValued
	case "aws:principalorgid", "aws:principalorgpaths", "aws:sourceorgid", "aws:sourceorgpaths",
		"aws:resourceorgid", "aws:resourceorgpaths":
		return orgValued
	case "aws:sourcevpc", "aws:sourcevpce":
		return networkValued
	}
	// kms:EncryptionContext:aws:logs:arn and its kind name the resource a
	// service encrypts for (AWS's pattern for CloudWatch Logs and others);
	// kms:EncryptionContext:aws:ecs:clusterAccount the account of the
	// Fargate cluster whose task storage is encrypted; and
	// kms:EncryptionContext:SourceArn the resource CloudWatch Logs vended
	// delivery decrypts for. The service sets them, the caller cannot.
	switch {
	case strings.HasPrefix(k, "kms:encryptioncontext:aws:") && strings.HasSuffix(k, ":arn"),
		k == "kms:encryptioncontext:sourcearn":
		return arnValued
	case strings.HasPrefix(k, "kms:encryptioncontext:aws:") && strings.HasSuffix(k, "account"):
		return accountValued
	}
	return notLimiting
}

// operator classes: positive operators admit only matching values; negated
// ones, in a Deny, deny everything that does not match.
type opClass int

const (
	opOther opClass = iota
	opPositive
	opNegated
)

// operatorClass classifies a condition operator. ...IfExists admits a
// request without the key, so a positive IfExists limits nothing; in a
// Deny, a negated IfExists denies such a request, which is stricter.
// ForAllValues admits a request without the key; ForAnyValue on a negated
// operator does not deny one.
func operatorClass(op string) opClass {
	o := strings.ToLower(op)
	if strings.HasPrefix(o, "forallvalues:") {
		return opOther
	}
	anyValue := strings.HasPrefix(o, "foranyvalue:")
	o = strings.TrimPrefix(o, "foranyvalue:")
	ifExists := strings.HasSuffix(o, "ifexists")
	o = strings.TrimSuffix(o, "ifexists")
	switch o {
	case "stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike":
		if ifExists {
			return opOther
		}
		return opPositive
	case "stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike":
		if anyValue {
			return opOther
		}
		return opNegated
	}
	return opOther
}

// accountSet is the environment's accounts; empty when not known.
type accountSet []string

func (a accountSet) known() bool { return len(a) > 0 }

// admits reports whether id may be named: any account while the
// environment's are not known, else one of them.
func (a accountSet) admits(id string) bool { return !a.known() || slices.Contains(a, id) }

// fixedValue reports whether a value of a limiting key names something
// fixed, and an account of the environment where it names an account.
func fixedValue(kind keyKind, v string, own accountSet) bool {
	switch kind {
	case accountValued:
		return accountID.MatchString(v) && own.admits(v)
	case arnValued:
		a, ok := parseARN(v)
		if !ok || a.partition == "" || a.service == "" || strings.ContainsAny(a.partition+a.service, "*?") {
			return false
		}
		if a.account == "" {
			// S3 ARNs carry no account; the bucket's name must be fixed.
			return a.resource != "" && !strings.ContainsAny(a.resource[:1], "*?")
		}
		return accountID.MatchString(a.account) && own.admits(a.account)
	case orgValued:
		id, _, _ := strings.Cut(v, "/")
		return strings.HasPrefix(id, "o-") && len(id) > 2 && !strings.ContainsAny(id, "*?")
	case networkValued:
		return (strings.HasPrefix(v, "vpc-") || strings.HasPrefix(v, "vpce-")) && !strings.ContainsAny(v, "*?")
	}
	return false
}

// keyFilter says which limiting keys count for a control (trust policies
// count only source keys, endpoint policies no network keys).
type keyFilter func(key string) keyKind

// limitsItself reports whether the statement carries a positive condition
// on a counted key whose values are all fixed.
func (s statement) limitsItself(keys keyFilter, own accountSet) bool {
	for op, kv := range s.Condition {
		if operatorClass(op) != opPositive {
			continue
		}
		for k, values := range kv {
			kind := keys(k)
			if kind == notLimiting || len(values) == 0 {
				continue
			}
			if !slices.ContainsFunc(values, func(v string) bool { return !fixedValue(kind, v, own) }) {
				return true
			}
		}
	}
	return false
}

// limitsByDeny reports whether d, a Deny of the same document, denies
// everything allow grants unless a counted key matches fixed values: the
// data perimeter form {Deny, Principal *, StringNotEquals aws:PrincipalAccount}.
// Every condition of the Deny must be such a negated condition; any other
// condition could let a request past the Deny.
func (d statement) limitsByDeny(allow statement, keys keyFilter, own accountSet) bool {
	if !d.denies() || d.NotPrincipal || len(d.Condition) == 0 {
		return false
	}
	coversPrincipal := d.AnyPrincipal || (len(allow.Service) > 0 && !allow.AnyPrincipal && len(allow.AWS) == 0 &&
		!slices.ContainsFunc(allow.Service, func(svc string) bool { return !slices.Contains(d.Service, svc) }))
	if !coversPrincipal || !d.coversAllActions(allow) || !d.coversAllResources(allow) {
		return false
	}
	for op, kv := range d.Condition {
		if operatorClass(op) != opNegated {
			return false
		}
		for k, values := range kv {
			kind := keys(k)
			if kind == notLimiting || len(values) == 0 {
				return false
			}
			if slices.ContainsFunc(values, func(v string) bool { return !fixedValue(kind, v, own) }) {
				return false
			}
		}
	}
	return true
}

// limited reports whether statement i of the document is limited by its
// own conditions or by a Deny of the document.
func limited(stmts []statement, i int, keys keyFilter, own accountSet) bool {
	if stmts[i].limitsItself(keys, own) {
		return true
	}
	return slices.ContainsFunc(stmts, func(d statement) bool { return d.limitsByDeny(stmts[i], keys, own) })
}
