// Package s3fake serves the real S3 protocol in process for tests: the
// gofakes3 server with its in-memory backend behind httptest, and an AWS SDK
// v2 S3 client pointed at it (path-style addressing, static credentials).
// It can refuse chosen PUTs the way S3 does (403 AccessDenied), to test what
// a failed write leaves behind.
package s3fake

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Server is an in-process S3 endpoint and a client for it.
type Server struct {
	URL    string
	Client *s3.Client

	mu      sync.Mutex
	failPut func(bucket, key string) bool
	puts    []string
}

// Start serves S3 until the test ends and creates the buckets.
func Start(t testing.TB, buckets ...string) *Server {
	t.Helper()
	backend := s3mem.New()
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatalf("creating bucket %s: %v", b, err)
		}
	}
	s := &Server{}
	faker := gofakes3.New(backend)
	srv := httptest.NewServer(s.intercept(faker.Server()))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	s.Client = s3.New(s3.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient:   srv.Client(),
	})
	return s
}

// FailPuts makes every PUT of an object for which match returns true fail
// with 403 AccessDenied; nil stops failing.
func (s *Server) FailPuts(match func(bucket, key string) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failPut = match
}

// Puts lists the bucket/key of every PUT received (refused ones included).
func (s *Server) Puts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.puts...)
}

const accessDenied = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`

func (s *Server) intercept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
			s.mu.Lock()
			s.puts = append(s.puts, bucket+"/"+key)
			fail := s.failPut != nil && key != "" && s.failPut(bucket, key)
			s.mu.Unlock()
			if fail {
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, accessDenied)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// PutObject stores an object through the S3 API.
func (s *Server) PutObject(t testing.TB, bucket, key string, data []byte) {
	t.Helper()
	if _, err := s.Client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
	}); err != nil {
		t.Fatalf("putting s3://%s/%s: %v", bucket, key, err)
	}
}

// Objects returns every object in the bucket under prefix, by key, read
// through the S3 API.
func (s *Server) Objects(t testing.TB, bucket, prefix string) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	out := map[string][]byte{}
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("listing s3://%s/%s: %v", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			g, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			if err != nil {
				t.Fatalf("getting s3://%s/%s: %v", bucket, aws.ToString(o.Key), err)
			}
			b, err := io.ReadAll(g.Body)
			g.Body.Close()
			if err != nil {
				t.Fatalf("reading s3://%s/%s: %v", bucket, aws.ToString(o.Key), err)
			}
			out[aws.ToString(o.Key)] = b
		}
	}
	return out
}

// Keys returns the sorted keys of Objects.
func Keys(objects map[string][]byte) []string {
	out := make([]string, 0, len(objects))
	for k := range objects {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
