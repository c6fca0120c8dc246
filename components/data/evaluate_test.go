package data_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aifactory/platform/components/iamdoc"
)

// Decisions of one resource policy for one request.
const (
	allowed   = "allowed"
	denied    = "explicitly denied"
	noOpinion = "not decided by this policy"
)

// request is an S3 request as a resource policy sees it.
type request struct {
	principal string // IAM principal ARN; empty for a service principal
	service   string // service principal, e.g. logging.s3.amazonaws.com
	action    string
	resource  string
	keys      map[string]string // condition keys present in the request context
}

// evaluate applies one resource policy to a request the way AWS does for
// that policy alone: an explicit Deny wins, then an Allow, otherwise the
// policy has no opinion and identity policies decide. It understands the
// condition operators the platform writes and fails the test on any other,
// so a new operator can never be silently treated as matching.
func evaluate(t testing.TB, doc iamdoc.Document, r request) string {
	t.Helper()
	allow := false
	for _, st := range doc.Statement {
		if !principalMatches(st, r) || !actionMatches(st, r.action) || !resourceMatches(st, r.resource) || !conditionsHold(t, st.Condition, r.keys) {
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

func principalMatches(st iamdoc.Statement, r request) bool {
	p := st.Principal
	switch {
	case p == nil:
		return false
	case p.Any:
		return true
	case r.service != "":
		return p.Service.Contains(r.service)
	default:
		return p.AWS.Contains(r.principal)
	}
}

func actionMatches(st iamdoc.Statement, action string) bool {
	if len(st.NotAction) > 0 {
		return !anyGlob(st.NotAction, action, true)
	}
	return anyGlob(st.Action, action, true)
}

func resourceMatches(st iamdoc.Statement, resource string) bool {
	if len(st.NotResource) > 0 {
		return !anyGlob(st.NotResource, resource, false)
	}
	return anyGlob(st.Resource, resource, false)
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
			case "StringLike", "ArnLike", "ArnEquals":
				ok = present && anyGlob(values, v, false)
			case "StringNotLike", "ArnNotLike", "ArnNotEquals":
				ok = !present || !anyGlob(values, v, false)
			case "Bool":
				ok = present && anyFold(values, v)
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

func anyGlob(patterns iamdoc.Strings, s string, foldCase bool) bool {
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

func anyFold(values iamdoc.Strings, s string) bool {
	for _, v := range values {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
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

func TestEvaluatorFollowsAWSRules(t *testing.T) {
	doc := iamdoc.New(
		iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals("arn:aws:iam::1:role/r"), Action: iamdoc.Strings{"s3:Get*"}, Resource: iamdoc.Strings{"arn:aws:s3:::b/*"}},
		iamdoc.Statement{Effect: iamdoc.Deny, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"s3:*"}, Resource: iamdoc.Strings{"arn:aws:s3:::b/*"},
			Condition: iamdoc.Condition{"StringNotEquals": {"aws:SourceVpce": {"vpce-1"}}}},
	)
	inVpc := map[string]string{"aws:SourceVpce": "vpce-1"}
	tests := []struct {
		name string
		r    request
		want string
	}{
		{"allowed from the endpoint", request{principal: "arn:aws:iam::1:role/r", action: "s3:GetObject", resource: "arn:aws:s3:::b/k", keys: inVpc}, allowed},
		{"action names ignore case", request{principal: "arn:aws:iam::1:role/r", action: "S3:getobject", resource: "arn:aws:s3:::b/k", keys: inVpc}, allowed},
		{"missing key satisfies a negated operator", request{principal: "arn:aws:iam::1:role/r", action: "s3:GetObject", resource: "arn:aws:s3:::b/k"}, denied},
		{"other principal", request{principal: "arn:aws:iam::1:role/x", action: "s3:GetObject", resource: "arn:aws:s3:::b/k", keys: inVpc}, noOpinion},
		{"other resource", request{principal: "arn:aws:iam::1:role/r", action: "s3:GetObject", resource: "arn:aws:s3:::c/k"}, noOpinion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evaluate(t, doc, tt.r); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
