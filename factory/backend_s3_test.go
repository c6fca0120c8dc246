package factory

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// s3Server serves the S3 protocol in process (gofakes3, in memory) with one
// bucket, and records the keys written to it.
func s3Server(t *testing.T, bucket string) (url string, backend *s3mem.Backend, puts func() []string) {
	t.Helper()
	backend = s3mem.New()
	require.NoError(t, backend.CreateBucket(bucket))
	var (
		mu   sync.Mutex
		keys []string
	)
	faker := gofakes3.New(backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			mu.Lock()
			keys = append(keys, r.URL.Path)
			mu.Unlock()
		}
		faker.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, backend, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), keys...)
	}
}

// TestS3Backend runs the tool against an s3:// backend: the Pulumi CLI's
// own S3 client (the Go CDK's, AWS SDK v2) talks the real protocol to an
// in-process server, pointed at it with the backend URL's endpoint and
// path-style parameters.
func TestS3Backend(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Pulumi CLI against an in-process S3 server; skipped with -short")
	}
	cli := pulumiCLI(t)
	clearBackendEnv(t)
	t.Setenv(EnvPulumiCLI, cli)
	t.Setenv(EnvPassphrase, "test only")
	endpoint, _, puts := s3Server(t, "aifactory-state")
	backend := "s3://aifactory-state?region=eu-west-1&endpoint=" + endpoint + "&use_path_style=true&disable_https=true" +
		"&request_checksum_calculation=when_required&response_checksum_validation=when_required"

	// An empty program: the backend is what is under test, and outside
	// offline mode a resource would need the real AWS provider.
	program := func(ctx *pulumi.Context) error {
		ctx.Export("backend", pulumi.String("s3"))
		return nil
	}
	f, err := New(context.Background(), Options{
		Root: stackFilesCopy(t), StateDir: t.TempDir(), Backend: backend, NoPolicy: true, Program: program, Operator: "ops@aifactory.example",
		Env: map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_EC2_METADATA_DISABLED": "true"},
	})
	require.NoError(t, err)
	ctx := context.Background()
	res, err := f.Up(ctx, "dev", UpOptions{})
	require.NoError(t, err)
	require.NotNil(t, res.Release)
	assert.Equal(t, "s3", res.Outputs["backend"])

	written := strings.Join(puts(), "\n")
	assert.Contains(t, written, "/aifactory-state/.pulumi/stacks/"+Project+"/dev.json", "the checkpoint is in the bucket")

	// A second Factory, as any later run, reads the record and the outputs back from S3.
	again, err := New(ctx, Options{Root: f.Root(), StateDir: t.TempDir(), Backend: backend, NoPolicy: true, Program: program,
		Env: map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_EC2_METADATA_DISABLED": "true"}})
	require.NoError(t, err)
	rel, err := again.LastRelease(ctx, "dev")
	require.NoError(t, err)
	require.NotNil(t, rel)
	assert.Equal(t, res.Release.Hash, rel.Hash)
	require.NoError(t, rel.Verify())
	outs, err := again.Outputs(ctx, "dev")
	require.NoError(t, err)
	assert.Equal(t, "s3", outs.Outputs["backend"])
}
