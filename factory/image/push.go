package image

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// PushOptions says how to reach the registry. The zero value uses ECR
// tokens from the AWS SDK's default credentials for ECR hosts and the Docker
// keychain for the others.
type PushOptions struct {
	// ECR opens the client that fetches ECR authorization tokens.
	// Default: DefaultECRClient.
	ECR NewECRClient
	// Keychain resolves credentials for registries that are not private ECR
	// hosts. Default: authn.DefaultKeychain (~/.docker/config.json and its
	// credential helpers), which is anonymous for a registry it does not know.
	Keychain authn.Keychain
	// Transport carries the registry requests. Default: remote.DefaultTransport.
	Transport http.RoundTripper
}

// PushRef is a parsed push destination: a repository and, optionally, a tag.
type PushRef struct {
	Repository name.Repository
	// Tag is empty for a push by digest only.
	Tag string
}

// ParsePushRef parses <registry>/<repository>[:tag]. The registry must be
// explicit and a digest is refused: the digest is what the push computes.
func ParsePushRef(ref string) (PushRef, error) {
	const fix = "use <registry>/<repository>[:tag], e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/optimiser"
	if strings.Contains(ref, "@") {
		return PushRef{}, fmt.Errorf("push reference %q: remove the @digest; the image's digest is computed, %s", ref, fix)
	}
	if t, err := name.NewTag(ref, name.StrictValidation); err == nil {
		return PushRef{Repository: t.Context(), Tag: t.TagStr()}, nil
	}
	repo, err := name.NewRepository(ref, name.StrictValidation)
	if err != nil {
		return PushRef{}, fmt.Errorf("push reference %q: %v; %s", ref, err, fix)
	}
	return PushRef{Repository: repo}, nil
}

// Push writes img to the registry of ref (<registry>/<repository>, with an
// optional :tag) and returns repository@sha256:… in Result.Reference. Without
// a tag the manifest is pushed by digest only; give a tag where a lifecycle
// rule expires untagged images. ECR repositories with immutable tags accept
// a tag once.
func Push(ctx context.Context, img v1.Image, ref string, opts PushOptions) (Result, error) {
	if img == nil {
		return Result{}, errNoImage
	}
	dest, err := ParsePushRef(ref)
	if err != nil {
		return Result{}, err
	}
	res, err := Describe(img)
	if err != nil {
		return Result{}, err
	}
	transport := opts.Transport
	if transport == nil {
		transport = remote.DefaultTransport
	}
	ropts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(ECRKeychain(opts.ECR, opts.Keychain)),
		remote.WithTransport(transport),
	}
	var target name.Reference = dest.Repository.Digest(res.Digest)
	if dest.Tag != "" {
		target = dest.Repository.Tag(dest.Tag)
	}
	if err := remote.Write(target, img, ropts...); err != nil {
		return Result{}, fmt.Errorf("pushing to %s: %w", target, err)
	}
	res.Reference = dest.Repository.Name() + "@" + res.Digest
	return res, nil
}
