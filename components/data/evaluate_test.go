package data_test

import (
	"testing"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/internal/iameval"
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

// evaluate applies one resource policy to a request with the platform's
// policy evaluator (internal/iameval): an explicit Deny wins, then an
// Allow, otherwise the policy has no opinion and identity policies decide.
// The evaluator knows the condition operators the platform writes and
// fails the test on any other, so a new operator can never be silently
// treated as matching.
func evaluate(t testing.TB, doc iamdoc.Document, r request) string {
	t.Helper()
	ctx := iameval.Context{}
	for k, v := range r.keys {
		ctx[k] = []string{v}
	}
	got, err := iameval.Document(doc, iameval.Request{Principal: r.principal, Service: r.service, Action: r.action, Resource: r.resource, Context: ctx})
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
