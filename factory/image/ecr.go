package image

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"
)

// ECRRegistry is a private ECR registry, parsed from its host name.
type ECRRegistry struct {
	Host      string
	AccountID string
	Region    string
	// FIPS is set for the ecr-fips endpoints; the token then comes from the
	// region's FIPS API endpoint too.
	FIPS bool
}

// ecrHost matches the private registry endpoints of every AWS partition:
// <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn], the dual-stack
// <account>.dkr-ecr[-fips].<region>.on.aws (and its China form), and the
// isolated partitions' domains.
var ecrHost = regexp.MustCompile(`^([0-9]{12})\.dkr[.-]ecr(-fips)?\.([a-z0-9][a-z0-9-]*)\.(amazonaws\.com|amazonaws\.com\.cn|amazonaws\.eu|on\.aws|on\.amazonwebservices\.com\.cn|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$`)

// ParseECRHost reports whether host (a registry host, no scheme or path) is
// a private ECR registry, and which account and region it belongs to.
// Public ECR (public.ecr.aws) is not: it uses the Docker keychain.
func ParseECRHost(host string) (ECRRegistry, bool) {
	m := ecrHost.FindStringSubmatch(strings.ToLower(host))
	if m == nil {
		return ECRRegistry{}, false
	}
	return ECRRegistry{Host: m[0], AccountID: m[1], Region: m[3], FIPS: m[2] != ""}, true
}

// DecodeECRToken splits an ECR authorization token (base64 of
// "AWS:<password>") into the user name and password a registry login takes.
func DecodeECRToken(token string) (username, password string, err error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil {
		return "", "", fmt.Errorf("ECR authorization token: not base64: %w", err)
	}
	username, password, ok := strings.Cut(string(raw), ":")
	if !ok || username == "" || password == "" {
		return "", "", errors.New(`ECR authorization token: want base64 of "<user>:<password>"`)
	}
	return username, password, nil
}

// ECRClient is the one ECR call a push needs; *ecr.Client implements it.
type ECRClient interface {
	GetAuthorizationToken(ctx context.Context, in *ecr.GetAuthorizationTokenInput, optFns ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error)
}

// NewECRClient opens an ECR client for a registry.
type NewECRClient func(ctx context.Context, reg ECRRegistry) (ECRClient, error)

// DefaultECRClient is an ECR client in the registry's region with the AWS
// SDK's default credential chain (environment, shared config and SSO
// profiles, web identity, container and instance roles).
func DefaultECRClient(ctx context.Context, reg ECRRegistry) (ECRClient, error) {
	opts := []func(*config.LoadOptions) error{config.WithRegion(reg.Region)}
	if reg.FIPS {
		opts = append(opts, config.WithUseFIPSEndpoint(aws.FIPSEndpointStateEnabled))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("AWS config for %s: %w", reg.Host, err)
	}
	return ecr.NewFromConfig(cfg), nil
}

// ECRKeychain resolves private ECR registries to the caller's ECR
// authorization token (one GetAuthorizationToken per registry host, kept
// for the keychain's life: a token lasts 12 hours) and every other registry
// with next. A token is valid for every registry the caller's AWS identity
// may use, so the call names no registry id.
func ECRKeychain(newClient NewECRClient, next authn.Keychain) authn.Keychain {
	if newClient == nil {
		newClient = DefaultECRClient
	}
	if next == nil {
		next = authn.DefaultKeychain
	}
	return &ecrKeychain{newClient: newClient, next: next, tokens: map[string]authn.AuthConfig{}}
}

type ecrKeychain struct {
	newClient NewECRClient
	next      authn.Keychain

	mu     sync.Mutex
	tokens map[string]authn.AuthConfig
}

func (k *ecrKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), target)
}

func (k *ecrKeychain) ResolveContext(ctx context.Context, target authn.Resource) (authn.Authenticator, error) {
	reg, ok := ParseECRHost(target.RegistryStr())
	if !ok {
		return authn.Resolve(ctx, k.next, target)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if cfg, ok := k.tokens[reg.Host]; ok {
		return authn.FromConfig(cfg), nil
	}
	cfg, err := ecrLogin(ctx, k.newClient, reg)
	if err != nil {
		return nil, err
	}
	k.tokens[reg.Host] = cfg
	return authn.FromConfig(cfg), nil
}

// ecrLogin fetches and decodes the authorization token for reg.
func ecrLogin(ctx context.Context, newClient NewECRClient, reg ECRRegistry) (authn.AuthConfig, error) {
	client, err := newClient(ctx, reg)
	if err != nil {
		return authn.AuthConfig{}, err
	}
	out, err := client.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return authn.AuthConfig{}, fmt.Errorf("ECR authorization token for %s: %w; check the AWS credentials (AWS_PROFILE, AWS_REGION) and that they allow ecr:GetAuthorizationToken", reg.Host, err)
	}
	if len(out.AuthorizationData) == 0 || out.AuthorizationData[0].AuthorizationToken == nil {
		return authn.AuthConfig{}, fmt.Errorf("ECR authorization token for %s: the response has none", reg.Host)
	}
	user, pass, err := DecodeECRToken(*out.AuthorizationData[0].AuthorizationToken)
	if err != nil {
		return authn.AuthConfig{}, fmt.Errorf("%s: %w", reg.Host, err)
	}
	return authn.AuthConfig{Username: user, Password: pass}, nil
}
