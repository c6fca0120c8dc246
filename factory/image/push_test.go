package image

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallImage is the image's structure around a stand-in binary: enough for
// the registry and file tests, without compiling the optimiser.
func smallImage(t *testing.T, bin string) v1.Image {
	t.Helper()
	o, err := Options{Version: testVersion, Commit: testCommit, Created: fixedTime}.withDefaults()
	require.NoError(t, err)
	img, err := assemble(o, []byte(bin))
	require.NoError(t, err)
	return img
}

// requireBasic lets through only requests that log in as user:password,
// answering the others with the challenge ECR itself sends.
func requireBasic(user, password string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ecrRegistry serves an OCI registry over TLS that requires the ECR login
// AWS:<password>, and a transport that sends every host's requests to it, so
// a push to <account>.dkr.ecr.<region>.amazonaws.com goes through the ECR
// code path to a real registry on this machine.
func ecrRegistry(t *testing.T, password string) http.RoundTripper {
	t.Helper()
	srv := httptest.NewTLSServer(requireBasic("AWS", password, registry.New(registry.Logger(log.New(io.Discard, "", 0)))))
	t.Cleanup(srv.Close)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.ServerName = "example.com" // a name in httptest's certificate
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	return tr
}

func TestPushToECR(t *testing.T) {
	const repo = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory/optimiser"
	img := smallImage(t, "stand-in binary")
	want, err := Describe(img)
	require.NoError(t, err)
	token := base64.StdEncoding.EncodeToString([]byte("AWS:s3cret"))

	tests := []struct {
		name    string
		fake    *fakeECR
		wantErr []string
	}{
		{name: "token accepted", fake: &fakeECR{token: token}},
		{name: "token refused", fake: &fakeECR{token: base64.StdEncoding.EncodeToString([]byte("AWS:expired"))}, wantErr: []string{"401 Unauthorized"}},
		{name: "no AWS credentials", fake: &fakeECR{err: errors.New("no EC2 IMDS role found")}, wantErr: []string{"no EC2 IMDS role found", "ecr:GetAuthorizationToken"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			transport := ecrRegistry(t, "s3cret")
			docker := &recordingKeychain{auth: authn.Anonymous}
			res, err := Push(context.Background(), img, repo, PushOptions{ECR: tt.fake.open, Keychain: docker, Transport: transport})
			assert.Empty(t, docker.resolved, "ECR hosts never use the Docker keychain")
			if len(tt.wantErr) > 0 {
				require.Error(t, err)
				for _, w := range tt.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, repo+"@"+want.Digest, res.Reference)
			assert.Equal(t, 1, tt.fake.calls)
			assert.Equal(t, []string{"eu-west-1"}, tt.fake.regions)

			// The registry holds the manifest under that digest.
			ref, err := name.ParseReference(res.Reference)
			require.NoError(t, err)
			pulled, err := remote.Image(ref, remote.WithTransport(transport),
				remote.WithAuth(&authn.Basic{Username: "AWS", Password: "s3cret"}))
			require.NoError(t, err)
			d, err := pulled.Digest()
			require.NoError(t, err)
			assert.Equal(t, want.Digest, d.String())
		})
	}
}

func TestPushWithDockerKeychain(t *testing.T) {
	srv := httptest.NewServer(requireBasic("ci", "docker-pw", registry.New(registry.Logger(log.New(io.Discard, "", 0)))))
	t.Cleanup(srv.Close)
	repo := strings.TrimPrefix(srv.URL, "http://") + "/optimiser"
	img := smallImage(t, "stand-in binary")

	kc := &recordingKeychain{auth: &authn.Basic{Username: "ci", Password: "docker-pw"}}
	res, err := Push(context.Background(), img, repo, PushOptions{Keychain: kc})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(res.Reference, repo+"@sha256:"))
	assert.Equal(t, []string{strings.TrimPrefix(srv.URL, "http://")}, kc.resolved)

	_, err = Push(context.Background(), img, repo, anonymous)
	require.ErrorContains(t, err, "401 Unauthorized")
}

func TestPushRefusesBadInput(t *testing.T) {
	img := smallImage(t, "stand-in binary")
	_, err := Push(context.Background(), img, "optimiser", anonymous)
	require.ErrorContains(t, err, "<registry>/<repository>")
	_, err = Push(context.Background(), nil, "localhost:5000/optimiser", anonymous)
	require.ErrorContains(t, err, "no image")
}
