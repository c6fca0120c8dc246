// Package awsschema reads, from the pulumi-aws Go SDK the module pins,
// which AWS resource types exist and which of them accept tags. The
// untaggable list of package awstypes is generated from it, and a test of that
// package compares the list with it again, so the two never drift apart.
package awsschema

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Module is the pulumi-aws Go SDK module.
const Module = "github.com/pulumi/pulumi-aws/sdk/v6"

// Resource is one resource type of the SDK.
type Resource struct {
	// Token is the Pulumi type token, e.g. aws:s3/bucketV2:BucketV2.
	Token string
	// Taggable says whether the type's arguments include a tags map.
	Taggable bool
}

// SDKDir returns the directory of the SDK's go/aws packages, as the go
// command resolves the module for the repository.
func SDKDir() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", fmt.Errorf("go list -m %s: %w\n%s", Module, err, exit.Stderr)
		}
		return "", fmt.Errorf("go list -m %s: %w", Module, err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "go", "aws")
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("the %s sources are not in the module cache (run go mod download): %w", Module, err)
	}
	return dir, nil
}

var (
	registerPattern = regexp.MustCompile(`RegisterResource\("(aws:[^"]+)"`)
	argsPattern     = regexp.MustCompile(`(?s)\ntype (\w+)Args struct \{(.*?)\n\}`)
	tagsField       = regexp.MustCompile(`\n\s*Tags\s+pulumi\.StringMapInput\b`)
)

// Scan lists every resource type of the SDK under dir, sorted by token.
func Scan(dir string) ([]Resource, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.go"))
	if err != nil {
		return nil, err
	}
	var out []Resource
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		src := string(b)
		m := registerPattern.FindStringSubmatch(src)
		if m == nil {
			continue
		}
		token := m[1]
		name := token[strings.LastIndex(token, ":")+1:]
		taggable := false
		for _, a := range argsPattern.FindAllStringSubmatch(src, -1) {
			if a[1] == name && tagsField.MatchString(a[2]) {
				taggable = true
			}
		}
		out = append(out, Resource{Token: token, Taggable: taggable})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no resource types found under %s", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Token < out[j].Token })
	return out, nil
}

// Untaggable returns the tokens of the types that accept no tags, sorted.
func Untaggable(resources []Resource) []string {
	var out []string
	for _, r := range resources {
		if !r.Taggable {
			out = append(out, r.Token)
		}
	}
	return out
}
