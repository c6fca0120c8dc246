package pipeline_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aifactory/platform/components/iamdoc"
)

// Decisions of one policy for one request.
const (
	allowed      = "allowed"
	denied       = "explicitly denied"
	implicitDeny = "implicitly denied"
	// noOpinion is a resource policy that neither allows nor denies: the
	// identity policies decide.
	noOpinion = "not decided by this policy"
)

// request is an API call as a policy sees it.
type request struct {
	action   string
	resource string
	keys     map[string]string // condition keys present in the request context
}

// evaluate applies one identity policy to a request the way AWS does for
// that policy alone: an explicit Deny wins, then an Allow, otherwise the
// request is implicitly denied. It follows components/data's evaluator of
// resource policies, and fails the test on a condition operator it does
// not know, so a new operator is never silently treated as matching.
func evaluate(t testing.TB, doc iamdoc.Document, r request) string {
	t.Helper()
	for _, st := range doc.Statement {
		if st.Principal != nil || st.NotPrincipal != nil {
			t.Fatalf("evaluate: statement %q names a principal; identity policies do not", st.Sid)
		}
	}
	switch d := decide(t, doc, r, func(iamdoc.Statement) bool { return true }); d {
	case noOpinion:
		return implicitDeny
	default:
		return d
	}
}

// evaluateResource applies one resource policy (access point, topic,
// queue, repository, secret) to a request by caller, an IAM principal's ARN
// or a service principal ("cloudwatch.amazonaws.com"): an explicit Deny
// wins, then an Allow; otherwise the policy has no opinion. An IAM caller's
// ARN is its aws:PrincipalArn and its account its aws:PrincipalAccount;
// a service carries neither.
func evaluateResource(t testing.TB, doc iamdoc.Document, caller string, r request) string {
	t.Helper()
	service := strings.HasSuffix(caller, ".amazonaws.com")
	keys := map[string]string{}
	if !service {
		keys["aws:PrincipalArn"] = caller
		if parts := strings.Split(caller, ":"); len(parts) > 4 {
			keys["aws:PrincipalAccount"] = parts[4]
		}
	}
	for k, v := range r.keys {
		keys[k] = v
	}
	r.keys = keys
	return decide(t, doc, r, func(st iamdoc.Statement) bool {
		p := st.Principal
		switch {
		case p == nil:
			t.Fatalf("evaluateResource: statement %q names no principal; resource policies do", st.Sid)
			return false
		case p.Any:
			return true
		case service:
			return p.Service.Contains(caller)
		default:
			return p.AWS.Contains(caller)
		}
	})
}

func decide(t testing.TB, doc iamdoc.Document, r request, principalMatches func(iamdoc.Statement) bool) string {
	t.Helper()
	allow := false
	for _, st := range doc.Statement {
		if !principalMatches(st) || !actionMatches(st, r.action) || !resourceMatches(st, r.resource) || !conditionsHold(t, st.Condition, r.keys) {
			continue
		}
		if st.Effect == iamdoc.Deny {
			return denied
		}
		allow = true
	}
	if allow {
		return allowed
	}
	return noOpinion
}

func actionMatches(st iamdoc.Statement, action string) bool {
	if len(st.NotAction) > 0 {
		return !matchesAny(st.NotAction, action, true)
	}
	return matchesAny(st.Action, action, true)
}

// resourceMatches: a statement without Resource (repository policies)
// applies to the resource the policy is attached to.
func resourceMatches(st iamdoc.Statement, resource string) bool {
	switch {
	case len(st.NotResource) > 0:
		return !matchesAny(st.NotResource, resource, false)
	case len(st.Resource) == 0:
		return true
	}
	return matchesAny(st.Resource, resource, false)
}

func conditionsHold(t testing.TB, c iamdoc.Condition, keys map[string]string) bool {
	t.Helper()
	for op, byKey := range c {
		for key, values := range byKey {
			v, present := keys[key]
			var ok bool
			switch op {
			case "StringEquals":
				ok = present && values.Contains(v)
			case "StringNotEquals":
				ok = !present || !values.Contains(v)
			// The Arn operators take wildcards, ArnEquals as much as ArnLike.
			case "StringLike", "ArnLike", "ArnEquals":
				ok = present && matchesAny(values, v, false)
			case "StringNotLike", "ArnNotLike", "ArnNotEquals":
				ok = !present || !matchesAny(values, v, false)
			case "Bool":
				ok = present && values.Contains(strings.ToLower(v))
			case "NumericLessThan":
				ok = present && anyLess(t, v, values)
			default:
				t.Fatalf("evaluate: condition operator %s is not understood; teach the evaluator before using it", op)
			}
			if !ok {
				return false
			}
		}
	}
	return true
}

func anyLess(t testing.TB, s string, limits iamdoc.Strings) bool {
	t.Helper()
	got, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("evaluate: %q is not a number", s)
	}
	for _, l := range limits {
		limit, err := strconv.ParseFloat(l, 64)
		if err != nil {
			t.Fatalf("evaluate: %q is not a number", l)
		}
		if got < limit {
			return true
		}
	}
	return false
}

func matchesAny(patterns iamdoc.Strings, s string, foldCase bool) bool {
	for _, p := range patterns {
		expr := "^" + strings.ReplaceAll(strings.ReplaceAll(regexp.QuoteMeta(p), `\*`, ".*"), `\?`, ".") + "$"
		if foldCase {
			expr = "(?i)" + expr
		}
		if regexp.MustCompile(expr).MatchString(s) {
			return true
		}
	}
	return false
}

func TestEvaluatorFollowsAWSRules(t *testing.T) {
	doc := iamdoc.New(
		iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"s3:Get*"}, Resource: iamdoc.Strings{"arn:aws:s3:::b/*"}},
		iamdoc.Statement{Effect: iamdoc.Deny, Action: iamdoc.Strings{"s3:*"}, Resource: iamdoc.Strings{"arn:aws:s3:::b/secret/*"}},
		iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"s3:ListBucket"}, Resource: iamdoc.Strings{"arn:aws:s3:::b"},
			Condition: iamdoc.Condition{"StringLike": {"s3:prefix": {"p/*"}}}},
	)
	for _, tc := range []struct {
		r    request
		want string
	}{
		{request{"s3:GetObject", "arn:aws:s3:::b/k", nil}, allowed},
		{request{"S3:getobject", "arn:aws:s3:::b/k", nil}, allowed},
		{request{"s3:GetObject", "arn:aws:s3:::b/secret/k", nil}, denied},
		{request{"s3:PutObject", "arn:aws:s3:::b/k", nil}, implicitDeny},
		{request{"s3:ListBucket", "arn:aws:s3:::b", map[string]string{"s3:prefix": "p/x"}}, allowed},
		{request{"s3:ListBucket", "arn:aws:s3:::b", nil}, implicitDeny},
	} {
		if got := evaluate(t, doc, tc.r); got != tc.want {
			t.Errorf("%+v: got %s, want %s", tc.r, got, tc.want)
		}
	}
	res := iamdoc.New(
		iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals("arn:aws:iam::1:role/r"), Action: iamdoc.Strings{"s3:GetObject"}, Resource: iamdoc.Strings{"*"}},
		iamdoc.Statement{Effect: iamdoc.Deny, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"s3:*"}, Resource: iamdoc.Strings{"*"},
			Condition: iamdoc.Condition{"ArnNotEquals": {"aws:PrincipalArn": {"arn:aws:iam::1:role/r"}}}},
	)
	if got := evaluateResource(t, res, "arn:aws:iam::1:role/r", request{action: "s3:GetObject", resource: "x"}); got != allowed {
		t.Errorf("named principal: got %s", got)
	}
	if got := evaluateResource(t, res, "arn:aws:iam::1:role/o", request{action: "s3:GetObject", resource: "x"}); got != denied {
		t.Errorf("other principal: got %s", got)
	}
	if got := evaluateResource(t, res, "arn:aws:iam::1:role/r", request{action: "s3:PutObject", resource: "x"}); got != noOpinion {
		t.Errorf("no statement: got %s", got)
	}
	if got := evaluateResource(t, res, "sns.amazonaws.com", request{action: "s3:GetObject", resource: "x"}); got != denied {
		t.Errorf("a service carries no aws:PrincipalArn, so a negated condition on it holds: got %s", got)
	}
}
