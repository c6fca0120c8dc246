// Package fakeaws is an in-process AWS endpoint for tests: one httptest
// server that speaks the wire protocols of the calls the platform's jobs
// make, so the real AWS SDK for Go v2 is pointed at it with a base endpoint
// and exercised end to end (serialisation, signing, error parsing, retries).
//
//   - SageMaker, EMR, Cost Explorer and CloudWatch Logs: AWS JSON 1.1 (POST /, X-Amz-Target,
//     application/x-amz-json-1.1, errors as {"__type": ...});
//   - EC2: the EC2 Query protocol (form-encoded Action=..., XML responses,
//     errors as <Response><Errors><Error>);
//   - SNS: the AWS Query protocol (form-encoded, XML, <ErrorResponse>).
//
// It holds a small world of resources (Studio domains, apps and spaces, EMR
// clusters, EBS volumes and snapshots, endpoints, notebook instances, SNS
// messages, recorded Cost Explorer answers, log events), applies the mutations the calls
// ask for, records every call, and injects the faults AWS really returns:
// throttling (ThrottlingException, Throttling, RequestLimitExceeded with
// HTTP 400, which the SDK's standard retryer retries) and per-resource
// failures that are not retryable.
package fakeaws

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Account and Region are the fake's account and region; ARNs use them.
const (
	Account = "123456789012"
	Region  = "eu-west-1"
)

// Call is one request the server answered.
type Call struct {
	// Service is the signing name: sagemaker, elasticmapreduce, ec2, sns, ce.
	Service string
	// Op is the operation, e.g. DeleteApp.
	Op string
	// Target names the resource the call acted on, when it has one.
	Target string
	// Error is the error code returned, if any.
	Error string
}

// Fault is an error the server returns instead of performing a call.
type Fault struct {
	Code    string
	Message string
	// Status is the HTTP status; 400 when zero.
	Status int
}

// Server is the fake endpoint. Its fields are the world; change them only
// before a run or through the helper methods, which lock.
type Server struct {
	*httptest.Server

	mu        sync.Mutex
	calls     []Call
	throttles map[string]int
	failures  map[string]Fault
	seq       int

	Domains   []*Domain
	Apps      []*App
	Spaces    []*Space
	Clusters  []*Cluster
	Volumes   []*Volume
	Snapshots []*Snapshot
	Endpoints []*Endpoint
	Notebooks []*Notebook
	// ModelPackages are the model registries' versions.
	ModelPackages []*ModelPackage
	Messages      []Message
	// CostAndUsage answers GetCostAndUsage calls (recorded responses, raw
	// JSON): a request without a page token gets the first whose
	// GroupDefinitions are its GroupBy, a later page the response after
	// the one whose NextPageToken it carries.
	CostAndUsage []string
	// CostRequests holds the JSON bodies of the GetCostAndUsage calls.
	CostRequests []string
	// LogEvents are the CloudWatch Logs events by log group;
	// FilterLogEvents answers LogsPageSize of them a page (all when 0).
	LogEvents    map[string][]LogEvent
	LogsPageSize int
	// CompleteSnapshots makes new snapshots completed at once.
	CompleteSnapshots bool
	// OnCall, when set, is told about every call as it is answered (under
	// the server's lock: it must not call the server's methods).
	OnCall func(Call)
}

// New starts a server and stops it when the test ends.
func New(t testing.TB) *Server {
	s := &Server{throttles: map[string]int{}, failures: map[string]Fault{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Config returns an SDK config pointed at the server: static credentials,
// the fake region, the server's URL as base endpoint, and the standard
// retryer with short backoffs so that throttling tests run fast.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDFAKE", "secret", ""),
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   s.Client(),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 6
				o.MaxBackoff = 20 * time.Millisecond
			})
		},
	}
}

// Throttle makes the next n calls of op fail with the service's
// throttling error.
func (s *Server) Throttle(op string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttles[op] = n
}

// Fail makes every call of op on target (an id or name) fail with f.
func (s *Server) Fail(op, target string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[op+" "+target] = f
}

// Calls returns the calls answered so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Mutations returns the successful calls that change the world, as
// "Op target", sorted.
func (s *Server) Mutations() []string {
	var out []string
	for _, c := range s.Calls() {
		if c.Error == "" && isMutation(c.Op) {
			out = append(out, c.Op+" "+c.Target)
		}
	}
	sort.Strings(out)
	return out
}

func isMutation(op string) bool {
	for _, p := range []string{"Delete", "Terminate", "Stop", "Create", "Publish"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// Count returns how many calls of op were made (including failed ones).
func (s *Server) Count(op string) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Op == op {
			n++
		}
	}
	return n
}

func (s *Server) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%017x", prefix, s.seq)
}

var scopePattern = regexp.MustCompile(`Credential=[^/]+/[0-9]{8}/[^/]+/([^/]+)/aws4_request`)

// service returns the signing name from the SigV4 credential scope.
func service(r *http.Request) string {
	m := scopePattern.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return ""
	}
	return m[1]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "only POST", http.StatusMethodNotAllowed)
		return
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		s.serveJSON(w, r, target)
		return
	}
	switch svc := service(r); svc {
	case "ec2":
		s.serveEC2(w, r)
	case "sns":
		s.serveSNS(w, r)
	default:
		http.Error(w, "fakeaws: unknown service "+svc, http.StatusBadRequest)
	}
}

// before records a call and returns the fault to answer with, if any.
// Callers hold s.mu.
func (s *Server) before(svc, op, target, throttleCode string) *Fault {
	c := Call{Service: svc, Op: op, Target: target}
	var f *Fault
	if n := s.throttles[op]; n > 0 {
		s.throttles[op] = n - 1
		f = &Fault{Code: throttleCode, Message: "Rate exceeded"}
	} else if fault, ok := s.failures[op+" "+target]; ok {
		f = &fault
	}
	if f != nil {
		c.Error = f.Code
	}
	s.calls = append(s.calls, c)
	if s.OnCall != nil {
		s.OnCall(c)
	}
	return f
}

// Tags is a resource's tags.
type Tags map[string]string

func (t Tags) list() []map[string]string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]map[string]string, 0, len(t))
	for _, k := range keys {
		out = append(out, map[string]string{"Key": k, "Value": t[k]})
	}
	return out
}

// Message is a message published to a topic.
type Message struct {
	TopicArn string
	Subject  string
	Body     string
}
