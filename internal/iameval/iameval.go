// Package iameval evaluates AWS policy documents (iamdoc.Document values)
// against requests the way AWS does within one account, so that tests can
// prove what the platform's generated policies allow and deny instead of
// grepping them.
//
// It understands Allow and Deny, Action/NotAction, Resource/NotResource and
// Principal/NotPrincipal with wildcards, policy variables such as
// ${aws:PrincipalTag/team}, and the condition operators the platform writes
// (String*, Arn*, Bool, Null, Numeric*, IpAddress, with IfExists and the
// ForAllValues/ForAnyValue set prefixes). An operator it does not know is an
// error, never a silent match. Evaluate combines identity policies, a
// permissions boundary and resource policies as AWS does for a principal and
// a resource of the same account.
//
// The package is a leaf: it imports only components/iamdoc.
package iameval

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/aifactory/platform/components/iamdoc"
)

// Request is one API call as the policies see it.
type Request struct {
	// Principal is the caller's IAM ARN: a role ARN
	// (arn:aws:iam::<account>:role/<name>), as aws:PrincipalArn names a
	// role session. Empty for a service principal.
	Principal string
	// Service is the service principal for calls an AWS service makes on
	// its own behalf, such as logging.s3.amazonaws.com.
	Service string
	// Action is "service:Action"; matched case-insensitively.
	Action string
	// Resource is the ARN the action is authorised on ("*" for actions
	// without resource-level permissions).
	Resource string
	// Context holds the request's condition keys. Keys are matched
	// case-insensitively, as AWS does. aws:PrincipalArn,
	// aws:PrincipalAccount and aws:PrincipalIsAWSService are derived from
	// Principal and Service when not set.
	Context Context
}

// Context maps condition keys to their values; multi-valued keys (such as
// aws:TagKeys or sagemaker:InstanceTypes) hold several.
type Context map[string][]string

// With returns a copy of c with key set to values.
func (c Context) With(key string, values ...string) Context {
	out := make(Context, len(c)+1)
	for k, v := range c {
		out[k] = v
	}
	out[key] = values
	return out
}

// Keys builds a context from key/value pairs of single-valued keys.
func Keys(pairs ...string) Context {
	c := Context{}
	for i := 0; i+1 < len(pairs); i += 2 {
		c[pairs[i]] = []string{pairs[i+1]}
	}
	return c
}

func (c Context) lookup(key string) ([]string, bool) {
	if v, ok := c[key]; ok {
		return v, true
	}
	for k, v := range c {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// Effect is what one policy document says about a request.
type Effect int

// Effects of a single document.
const (
	// NotApplicable: no statement matches; the document has no opinion.
	NotApplicable Effect = iota
	// Allowed: an Allow statement matches and no Deny does.
	Allowed
	// Denied: a Deny statement matches.
	Denied
)

func (e Effect) String() string {
	switch e {
	case Allowed:
		return "allowed"
	case Denied:
		return "explicitly denied"
	}
	return "not applicable"
}

// Document applies one policy document to the request. Statements without
// a Principal (identity policies, boundaries) apply to the caller;
// statements with one apply when it names the caller (an account root
// ARN or bare account id names every principal of that account).
func Document(doc iamdoc.Document, r Request) (Effect, error) {
	r = r.normalised()
	allow := false
	for i, st := range doc.Statement {
		m, err := statementMatches(st, r)
		if err != nil {
			return NotApplicable, fmt.Errorf("statement %d (%s): %w", i, st.Sid, err)
		}
		if !m.applies {
			continue
		}
		switch st.Effect {
		case iamdoc.Deny:
			return Denied, nil
		case iamdoc.Allow:
			allow = true
		default:
			return NotApplicable, fmt.Errorf("statement %d (%s): effect %q is neither Allow nor Deny", i, st.Sid, st.Effect)
		}
	}
	if allow {
		return Allowed, nil
	}
	return NotApplicable, nil
}

// Decision is the outcome of evaluating every applicable policy.
type Decision int

// Decisions.
const (
	// ImplicitDeny: nothing allows the request.
	ImplicitDeny Decision = iota
	// Allow: the request is allowed.
	Allow
	// ExplicitDeny: a Deny statement in some policy matches.
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "allow"
	case ExplicitDeny:
		return "explicit deny"
	}
	return "implicit deny"
}

// Policies are the documents AWS consults for one request within one
// account.
type Policies struct {
	// Identity are the caller's identity policies (inline and attached).
	Identity []iamdoc.Document
	// Boundary, when set, is the caller's permissions boundary.
	Boundary *iamdoc.Document
	// Resource are the resource's policies (bucket and access point
	// policies, a key policy, an endpoint policy).
	Resource []iamdoc.Document
	// Endpoint are the policies of the VPC endpoints the request passes
	// through. They never grant anything: each must allow the request, or
	// it is denied whatever other policies say.
	Endpoint []iamdoc.Document
	// ResourceMustAllow is set for services whose resource policy is the
	// primary authority, as KMS key policies are: without an Allow in a
	// resource policy, for the caller or for its whole account, identity
	// policies grant nothing.
	ResourceMustAllow bool
}

// Result is a decision with the reason for it.
type Result struct {
	Decision Decision
	Reason   string
}

// Evaluate decides a request the way AWS does for a principal and a
// resource of the same account: an explicit Deny in any policy wins; a
// request passing a VPC endpoint needs that endpoint's policy to allow it;
// a resource policy that names the caller's role allows within the
// permissions boundary; otherwise an identity policy must allow and the
// boundary, when there is one, must allow too. For ResourceMustAllow
// services the resource policy must also allow the caller or its account.
func Evaluate(p Policies, r Request) (Result, error) {
	r = r.normalised()
	var (
		identityAllows, boundaryAllows bool
		resourceNamesCaller            bool
		resourceDelegates              bool
	)
	for i, doc := range p.Identity {
		e, err := Document(doc, r)
		if err != nil {
			return Result{}, fmt.Errorf("identity policy %d: %w", i, err)
		}
		if e == Denied {
			return Result{ExplicitDeny, fmt.Sprintf("identity policy %d denies", i)}, nil
		}
		identityAllows = identityAllows || e == Allowed
	}
	if p.Boundary != nil {
		e, err := Document(*p.Boundary, r)
		if err != nil {
			return Result{}, fmt.Errorf("permissions boundary: %w", err)
		}
		if e == Denied {
			return Result{ExplicitDeny, "the permissions boundary denies"}, nil
		}
		boundaryAllows = e == Allowed
	}
	for i, doc := range p.Resource {
		direct, delegated, denied, err := resourceDocument(doc, r)
		if err != nil {
			return Result{}, fmt.Errorf("resource policy %d: %w", i, err)
		}
		if denied {
			return Result{ExplicitDeny, fmt.Sprintf("resource policy %d denies", i)}, nil
		}
		resourceNamesCaller = resourceNamesCaller || direct
		resourceDelegates = resourceDelegates || delegated
	}
	for i, doc := range p.Endpoint {
		e, err := Document(doc, r)
		if err != nil {
			return Result{}, fmt.Errorf("endpoint policy %d: %w", i, err)
		}
		switch e {
		case Denied:
			return Result{ExplicitDeny, fmt.Sprintf("endpoint policy %d denies", i)}, nil
		case NotApplicable:
			return Result{ImplicitDeny, fmt.Sprintf("endpoint policy %d does not allow it", i)}, nil
		}
	}
	withinBoundary := p.Boundary == nil || boundaryAllows
	switch {
	case resourceNamesCaller && withinBoundary:
		return Result{Allow, "a resource policy allows the caller"}, nil
	case p.ResourceMustAllow && !resourceNamesCaller && !resourceDelegates:
		return Result{ImplicitDeny, "the resource policy allows neither the caller nor its account"}, nil
	case identityAllows && withinBoundary:
		return Result{Allow, "an identity policy allows within the boundary"}, nil
	case identityAllows:
		return Result{ImplicitDeny, "the permissions boundary does not allow it"}, nil
	}
	return Result{ImplicitDeny, "no policy allows it"}, nil
}

// resourceDocument reports whether the document allows the caller by
// name (or "*"), allows the caller's whole account (delegating to IAM),
// or denies.
func resourceDocument(doc iamdoc.Document, r Request) (direct, delegated, denied bool, err error) {
	for i, st := range doc.Statement {
		m, err := statementMatches(st, r)
		if err != nil {
			return false, false, false, fmt.Errorf("statement %d (%s): %w", i, st.Sid, err)
		}
		if !m.applies {
			continue
		}
		if st.Effect == iamdoc.Deny {
			return false, false, true, nil
		}
		if m.viaAccount {
			delegated = true
		} else {
			direct = true
		}
	}
	return direct, delegated, false, nil
}

func (r Request) normalised() Request {
	c := make(Context, len(r.Context)+3)
	for k, v := range r.Context {
		c[k] = v
	}
	if _, ok := c.lookup("aws:PrincipalIsAWSService"); !ok {
		c["aws:PrincipalIsAWSService"] = []string{strconv.FormatBool(r.Service != "")}
	}
	if r.Principal != "" {
		if _, ok := c.lookup("aws:PrincipalArn"); !ok {
			c["aws:PrincipalArn"] = []string{r.Principal}
		}
		if _, ok := c.lookup("aws:PrincipalAccount"); !ok {
			if acct := AccountOf(r.Principal); acct != "" {
				c["aws:PrincipalAccount"] = []string{acct}
			}
		}
	}
	r.Context = c
	return r
}

// AccountOf returns the account field of an ARN ("" if it has none).
func AccountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

type match struct {
	applies bool
	// viaAccount: the statement names the caller's account, not the caller.
	viaAccount bool
}

func statementMatches(st iamdoc.Statement, r Request) (match, error) {
	var m match
	switch {
	case st.Principal != nil && st.NotPrincipal != nil:
		return m, errors.New("both Principal and NotPrincipal")
	case st.Principal != nil:
		ok, viaAccount := principalMatches(*st.Principal, r)
		if !ok {
			return m, nil
		}
		m.viaAccount = viaAccount
	case st.NotPrincipal != nil:
		if ok, _ := principalMatches(*st.NotPrincipal, r); ok {
			return m, nil
		}
	}
	if (len(st.Action) > 0) == (len(st.NotAction) > 0) {
		return m, errors.New("exactly one of Action and NotAction is required")
	}
	if len(st.Action) > 0 && !anyMatch(st.Action, r.Action, true) {
		return m, nil
	}
	if len(st.NotAction) > 0 && anyMatch(st.NotAction, r.Action, true) {
		return m, nil
	}
	if len(st.Resource) > 0 && len(st.NotResource) > 0 {
		return m, errors.New("both Resource and NotResource")
	}
	if len(st.Resource) > 0 || len(st.NotResource) > 0 {
		resources, negated := st.Resource, false
		if len(st.NotResource) > 0 {
			resources, negated = st.NotResource, true
		}
		hit := false
		for _, pattern := range resources {
			p, ok := substitute(pattern, r.Context)
			if ok && glob(p, r.Resource, false) {
				hit = true
				break
			}
		}
		if hit == negated {
			return m, nil
		}
	} else if st.Principal == nil && st.NotPrincipal == nil {
		return m, errors.New("an identity policy statement needs Resource or NotResource")
	}
	ok, err := conditionsHold(st.Condition, r.Context)
	if err != nil || !ok {
		return m, err
	}
	m.applies = true
	return m, nil
}

func principalMatches(p iamdoc.Principal, r Request) (ok, viaAccount bool) {
	if p.Any {
		return true, false
	}
	if r.Service != "" {
		return p.Service.Contains(r.Service), false
	}
	if p.AWS.Contains(r.Principal) {
		return true, false
	}
	if acct := AccountOf(r.Principal); acct != "" {
		root := strings.Join([]string{"arn", partitionOf(r.Principal), "iam", "", acct, "root"}, ":")
		if p.AWS.Contains(root) || p.AWS.Contains(acct) {
			return true, true
		}
	}
	return false, false
}

func partitionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) < 3 {
		return "aws"
	}
	return parts[1]
}

// conditionsHold evaluates a condition block: every operator and every key
// must hold; within a key, any policy value may match.
func conditionsHold(c iamdoc.Condition, ctx Context) (bool, error) {
	for op, byKey := range c {
		for key, values := range byKey {
			ok, err := evaluateCondition(op, key, values, ctx)
			if err != nil {
				return false, fmt.Errorf("condition %s %s: %w", op, key, err)
			}
			if !ok {
				return false, nil
			}
		}
	}
	return true, nil
}

// comparison compares one request value with one policy value.
type comparison func(requestValue, policyValue string) (bool, error)

var operators = map[string]struct {
	cmp     comparison
	negated bool
}{
	"StringEquals":              {stringEquals, false},
	"StringNotEquals":           {stringEquals, true},
	"StringEqualsIgnoreCase":    {stringEqualsFold, false},
	"StringNotEqualsIgnoreCase": {stringEqualsFold, true},
	"StringLike":                {stringLike, false},
	"StringNotLike":             {stringLike, true},
	"ArnEquals":                 {arnLike, false},
	"ArnLike":                   {arnLike, false},
	"ArnNotEquals":              {arnLike, true},
	"ArnNotLike":                {arnLike, true},
	"Bool":                      {boolEquals, false},
	"NumericEquals":             {numeric(func(a, b float64) bool { return a == b }), false},
	"NumericNotEquals":          {numeric(func(a, b float64) bool { return a == b }), true},
	"NumericLessThan":           {numeric(func(a, b float64) bool { return a < b }), false},
	"NumericLessThanEquals":     {numeric(func(a, b float64) bool { return a <= b }), false},
	"NumericGreaterThan":        {numeric(func(a, b float64) bool { return a > b }), false},
	"NumericGreaterThanEquals":  {numeric(func(a, b float64) bool { return a >= b }), false},
	"IpAddress":                 {ipInRange, false},
	"NotIpAddress":              {ipInRange, true},
}

func evaluateCondition(op, key string, policyValues iamdoc.Strings, ctx Context) (bool, error) {
	base, ifExists := strings.CutSuffix(op, "IfExists")
	set := ""
	if prefix, rest, ok := strings.Cut(base, ":"); ok {
		set, base = prefix, rest
	}
	requestValues, present := ctx.lookup(key)
	if base == "Null" {
		if set != "" || ifExists {
			return false, fmt.Errorf("operator %s takes no set prefix or IfExists", op)
		}
		if len(policyValues) != 1 {
			return false, errors.New("Null takes exactly one value, true or false")
		}
		switch strings.ToLower(policyValues[0]) {
		case "true":
			return !present, nil
		case "false":
			return present, nil
		}
		return false, fmt.Errorf("Null value %q is neither true nor false", policyValues[0])
	}
	o, known := operators[base]
	if !known {
		return false, fmt.Errorf("operator %s is not understood; teach the evaluator before using it", op)
	}
	// anyPolicyValue reports whether one request value matches any value
	// of the policy (policy variables resolved first; an unresolved one
	// matches nothing).
	anyPolicyValue := func(v string) (bool, error) {
		for _, pv := range policyValues {
			resolved, ok := substitute(pv, ctx)
			if !ok {
				continue
			}
			hit, err := o.cmp(v, resolved)
			if err != nil {
				return false, err
			}
			if hit {
				return true, nil
			}
		}
		return false, nil
	}
	switch set {
	case "ForAllValues":
		// Every request value must satisfy the operator; no values at all
		// satisfies it (the reason Null checks go with it).
		for _, v := range requestValues {
			hit, err := anyPolicyValue(v)
			if err != nil {
				return false, err
			}
			if hit == o.negated {
				return false, nil
			}
		}
		return true, nil
	case "ForAnyValue":
		for _, v := range requestValues {
			hit, err := anyPolicyValue(v)
			if err != nil {
				return false, err
			}
			if hit != o.negated {
				return true, nil
			}
		}
		return false, nil
	case "":
	default:
		return false, fmt.Errorf("set operator prefix %q is not ForAllValues or ForAnyValue", set)
	}
	if !present {
		// A missing key matches no value: negated operators hold, others
		// do not, unless IfExists makes the condition hold either way.
		return ifExists || o.negated, nil
	}
	hit := false
	for _, v := range requestValues {
		h, err := anyPolicyValue(v)
		if err != nil {
			return false, err
		}
		hit = hit || h
	}
	return hit != o.negated, nil
}

func stringEquals(a, b string) (bool, error)     { return a == b, nil }
func stringEqualsFold(a, b string) (bool, error) { return strings.EqualFold(a, b), nil }
func stringLike(a, b string) (bool, error)       { return glob(b, a, false), nil }
func arnLike(a, b string) (bool, error)          { return glob(b, a, false), nil }

func boolEquals(a, b string) (bool, error) {
	pb, err := strconv.ParseBool(b)
	if err != nil {
		return false, fmt.Errorf("Bool value %q is neither true nor false", b)
	}
	ab, err := strconv.ParseBool(a)
	if err != nil {
		return false, nil
	}
	return ab == pb, nil
}

func numeric(f func(a, b float64) bool) comparison {
	return func(a, b string) (bool, error) {
		pb, err := strconv.ParseFloat(b, 64)
		if err != nil {
			return false, fmt.Errorf("%q is not a number", b)
		}
		pa, err := strconv.ParseFloat(a, 64)
		if err != nil {
			return false, nil
		}
		return f(pa, pb), nil
	}
}

func ipInRange(a, b string) (bool, error) {
	prefix, err := netip.ParsePrefix(b)
	if err != nil {
		addr, aerr := netip.ParseAddr(b)
		if aerr != nil {
			return false, fmt.Errorf("%q is not an IP address or CIDR range", b)
		}
		prefix = netip.PrefixFrom(addr, addr.BitLen())
	}
	addr, err := netip.ParseAddr(a)
	if err != nil {
		return false, nil
	}
	return prefix.Contains(addr), nil
}

var variablePattern = regexp.MustCompile(`\$\{([^}]*)\}`)

// substitute resolves policy variables in s: ${key} becomes the single
// value of key in the context, ${*}, ${?} and ${$} the literal characters.
// ok is false when a variable cannot be resolved.
func substitute(s string, ctx Context) (string, bool) {
	if !strings.Contains(s, "${") {
		return s, true
	}
	ok := true
	out := variablePattern.ReplaceAllStringFunc(s, func(v string) string {
		key := v[2 : len(v)-1]
		switch key {
		case "*", "?", "$":
			return literalMarker + key
		}
		values, present := ctx.lookup(key)
		if !present || len(values) != 1 {
			ok = false
			return ""
		}
		return values[0]
	})
	return out, ok
}

// literalMarker flags a character that a policy variable escaped, so that
// glob matching takes it literally rather than as a wildcard.
const literalMarker = "\x00"

var (
	globCache sync.Map // pattern + "\x01" + fold → *regexp.Regexp
)

// glob matches s against an IAM pattern with "*" (any run of characters)
// and "?" (one character).
func glob(pattern, s string, foldCase bool) bool {
	key := pattern + "\x01" + strconv.FormatBool(foldCase)
	if re, ok := globCache.Load(key); ok {
		return re.(*regexp.Regexp).MatchString(s)
	}
	var b strings.Builder
	b.WriteString("^")
	if foldCase {
		b.WriteString("(?i)")
	}
	literal := false
	for _, r := range pattern {
		switch {
		case r == 0:
			literal = true
			continue
		case literal:
			b.WriteString(regexp.QuoteMeta(string(r)))
		case r == '*':
			b.WriteString(".*")
		case r == '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
		literal = false
	}
	b.WriteString("$")
	re := regexp.MustCompile(b.String())
	globCache.Store(key, re)
	return re.MatchString(s)
}

func anyMatch(patterns iamdoc.Strings, s string, foldCase bool) bool {
	for _, p := range patterns {
		if glob(p, s, foldCase) {
			return true
		}
	}
	return false
}
