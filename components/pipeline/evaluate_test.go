package pipeline_test

import (
	"testing"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/internal/iameval"
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

// caller is the role an identity policy under test is attached to.
const caller = "arn:aws:iam::123456789012:role/aifactory-dev-caller"

// request is an API call as a policy sees it.
type request struct {
	action   string
	resource string
	keys     map[string]string // condition keys present in the request context
}

func (r request) iameval(principal, service string) iameval.Request {
	ctx := iameval.Context{}
	for k, v := range r.keys {
		ctx[k] = []string{v}
	}
	return iameval.Request{Principal: principal, Service: service, Action: r.action, Resource: r.resource, Context: ctx}
}

// evaluate applies one identity policy to a request with the platform's
// policy evaluator (internal/iameval): an explicit Deny wins, then an
// Allow, otherwise the request is implicitly denied. The evaluator fails
// on a condition operator it does not know, so a new operator is never
// silently treated as matching.
func evaluate(t testing.TB, doc iamdoc.Document, r request) string {
	t.Helper()
	for _, st := range doc.Statement {
		if st.Principal != nil || st.NotPrincipal != nil {
			t.Fatalf("evaluate: statement %q names a principal; identity policies do not", st.Sid)
		}
	}
	if d := decide(t, doc, r.iameval(caller, "")); d != noOpinion {
		return d
	}
	return implicitDeny
}

// evaluateResource applies one resource policy (access point, topic,
// queue, repository, secret) to a request by who, an IAM principal's ARN
// or a service principal ("cloudwatch.amazonaws.com"): an explicit Deny
// wins, then an Allow; otherwise the policy has no opinion.
func evaluateResource(t testing.TB, doc iamdoc.Document, who string, r request) string {
	t.Helper()
	for _, st := range doc.Statement {
		if st.Principal == nil && st.NotPrincipal == nil {
			t.Fatalf("evaluateResource: statement %q names no principal; resource policies do", st.Sid)
		}
	}
	if len(who) > len(".amazonaws.com") && who[len(who)-len(".amazonaws.com"):] == ".amazonaws.com" {
		return decide(t, doc, r.iameval("", who))
	}
	return decide(t, doc, r.iameval(who, ""))
}

func decide(t testing.TB, doc iamdoc.Document, r iameval.Request) string {
	t.Helper()
	got, err := iameval.Document(doc, r)
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	switch got {
	case iameval.Allowed:
		return allowed
	case iameval.Denied:
		return denied
	}
	return noOpinion
}
