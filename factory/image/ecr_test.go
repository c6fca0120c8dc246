package image

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseECRHost(t *testing.T) {
	tests := []struct {
		host string
		want ECRRegistry
		ok   bool
	}{
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com", ECRRegistry{Host: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", AccountID: "123456789012", Region: "eu-west-1"}, true},
		{"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", ECRRegistry{Host: "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", AccountID: "123456789012", Region: "us-gov-west-1", FIPS: true}, true},
		{"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", ECRRegistry{Host: "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", AccountID: "123456789012", Region: "cn-north-1"}, true},
		{"123456789012.dkr-ecr.eu-central-1.on.aws", ECRRegistry{Host: "123456789012.dkr-ecr.eu-central-1.on.aws", AccountID: "123456789012", Region: "eu-central-1"}, true},
		{"123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM", ECRRegistry{Host: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", AccountID: "123456789012", Region: "eu-west-1"}, true},
		{"public.ecr.aws", ECRRegistry{}, false},
		{"12345678901.dkr.ecr.eu-west-1.amazonaws.com", ECRRegistry{}, false},      // 11-digit account
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com:443", ECRRegistry{}, false}, // ECR has no port
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example", ECRRegistry{}, false},
		{"evil.example/123456789012.dkr.ecr.eu-west-1.amazonaws.com", ECRRegistry{}, false},
		{"ghcr.io", ECRRegistry{}, false},
		{"127.0.0.1:5000", ECRRegistry{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got, ok := ParseECRHost(tt.host)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeECRToken(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, token    string
		user, password string
		wantErr        string
	}{
		{name: "token", token: b64("AWS:eyJwYXlsb2FkIjoi"), user: "AWS", password: "eyJwYXlsb2FkIjoi"},
		{name: "colon in password", token: b64("AWS:a:b"), user: "AWS", password: "a:b"},
		{name: "trailing newline", token: b64("AWS:pw") + "\n", user: "AWS", password: "pw"},
		{name: "not base64", token: "AWS:pw", wantErr: "not base64"},
		{name: "no colon", token: b64("AWSpw"), wantErr: "<user>:<password>"},
		{name: "empty password", token: b64("AWS:"), wantErr: "<user>:<password>"},
		{name: "empty", token: "", wantErr: "<user>:<password>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, pw, err := DecodeECRToken(tt.token)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.user, user)
			assert.Equal(t, tt.password, pw)
		})
	}
}

// fakeECR answers GetAuthorizationToken like ECR and counts the calls.
type fakeECR struct {
	token   string
	err     error
	calls   int
	regions []string
}

func (f *fakeECR) open(_ context.Context, reg ECRRegistry) (ECRClient, error) {
	f.regions = append(f.regions, reg.Region)
	return f, nil
}

func (f *fakeECR) GetAuthorizationToken(_ context.Context, in *ecr.GetAuthorizationTokenInput, _ ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	return &ecr.GetAuthorizationTokenOutput{AuthorizationData: []ecrtypes.AuthorizationData{
		{AuthorizationToken: aws.String(f.token), ProxyEndpoint: aws.String("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com")},
	}}, nil
}

// recordingKeychain returns fixed credentials and records what it was
// asked for.
type recordingKeychain struct {
	auth     authn.Authenticator
	resolved []string
}

func (k *recordingKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	k.resolved = append(k.resolved, r.RegistryStr())
	return k.auth, nil
}

func authConfig(t *testing.T, kc authn.Keychain, repo string) (*authn.AuthConfig, error) {
	t.Helper()
	r, err := name.NewRepository(repo)
	require.NoError(t, err)
	a, err := authn.Resolve(context.Background(), kc, r)
	if err != nil {
		return nil, err
	}
	return authn.Authorization(context.Background(), a)
}

func TestECRKeychain(t *testing.T) {
	fake := &fakeECR{token: base64.StdEncoding.EncodeToString([]byte("AWS:s3cret"))}
	next := &recordingKeychain{auth: &authn.Basic{Username: "dev", Password: "docker"}}
	kc := ECRKeychain(fake.open, next)

	for range 2 {
		cfg, err := authConfig(t, kc, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/optimiser")
		require.NoError(t, err)
		assert.Equal(t, "AWS", cfg.Username)
		assert.Equal(t, "s3cret", cfg.Password)
	}
	assert.Equal(t, 1, fake.calls, "one token per registry host")
	assert.Equal(t, []string{"eu-west-1"}, fake.regions)

	cfg, err := authConfig(t, kc, "ghcr.io/aifactory/optimiser")
	require.NoError(t, err)
	assert.Equal(t, "dev", cfg.Username)
	assert.Equal(t, []string{"ghcr.io"}, next.resolved, "only other registries reach the Docker keychain")
}

func TestECRKeychainErrors(t *testing.T) {
	tests := []struct {
		name    string
		fake    *fakeECR
		wantErr []string
	}{
		{name: "denied", fake: &fakeECR{err: errors.New("AccessDeniedException")}, wantErr: []string{"AccessDeniedException", "ecr:GetAuthorizationToken", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"}},
		{name: "bad token", fake: &fakeECR{token: "%%%"}, wantErr: []string{"not base64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kc := ECRKeychain(tt.fake.open, authn.NewMultiKeychain())
			_, err := authConfig(t, kc, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/optimiser")
			require.Error(t, err)
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestParsePushRef(t *testing.T) {
	tests := []struct {
		ref      string
		wantRepo string
		wantTag  string
		wantErr  string
	}{
		{ref: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/optimiser", wantRepo: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/optimiser"},
		{ref: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory/optimiser:v1.2.3", wantRepo: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory/optimiser", wantTag: "v1.2.3"},
		{ref: "localhost:5000/optimiser", wantRepo: "localhost:5000/optimiser"},
		{ref: "127.0.0.1:5000/optimiser:dev", wantRepo: "127.0.0.1:5000/optimiser", wantTag: "dev"},
		{ref: "optimiser", wantErr: "<registry>/<repository>"},
		{ref: "optimiser:v1", wantErr: "<registry>/<repository>"},
		{ref: "localhost:5000/optimiser@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", wantErr: "remove the @digest"},
		{ref: "localhost:5000/Optimiser", wantErr: "<registry>/<repository>"},
		{ref: "", wantErr: "<registry>/<repository>"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := ParsePushRef(tt.ref)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantRepo, got.Repository.Name())
			assert.Equal(t, tt.wantTag, got.Tag)
		})
	}
}
