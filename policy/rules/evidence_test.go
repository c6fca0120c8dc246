package rules_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/facts/awstypes/awsschema"
	"github.com/aifactory/platform/policy/rules"
)

var (
	propsOnce sync.Once
	props     map[string]map[string]bool
	propsErr  error
)

// sdkProperties reads, from the pinned pulumi-aws SDK, the properties of
// every resource type: the pulumi tags of the resource struct's fields.
func sdkProperties(t *testing.T) map[string]map[string]bool {
	t.Helper()
	propsOnce.Do(func() {
		dir, err := awsschema.SDKDir()
		if err != nil {
			propsErr = err
			return
		}
		register := regexp.MustCompile(`RegisterResource\("(aws:[^"]+)"`)
		field := regexp.MustCompile("`pulumi:\"(\\w+)\"`")
		files, err := filepath.Glob(filepath.Join(dir, "*", "*.go"))
		if err != nil {
			propsErr = err
			return
		}
		props = map[string]map[string]bool{}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				propsErr = err
				return
			}
			src := string(b)
			m := register.FindStringSubmatch(src)
			if m == nil {
				continue
			}
			token := m[1]
			name := token[strings.LastIndex(token, ":")+1:]
			start := strings.Index(src, "\ntype "+name+" struct {")
			if start < 0 {
				continue
			}
			end := strings.Index(src[start:], "\n}")
			set := map[string]bool{}
			for _, fm := range field.FindAllStringSubmatch(src[start:start+end], -1) {
				set[fm[1]] = true
			}
			props[token] = set
		}
	})
	require.NoError(t, propsErr)
	return props
}

// TestEveryControlNamesTheProperties that prove it, and each is a property
// of one of the types the control inspects, so the evidence bundle never
// shows an empty column for a misspelt name.
func TestEveryControlNamesThePropertiesThatProveIt(t *testing.T) {
	sdk := sdkProperties(t)
	for _, c := range rules.Catalogue() {
		got := c.EvidenceProperties()
		if c.Name == "iam-no-users-or-keys" || c.Name == "prod-protect" {
			assert.Empty(t, got, "%s is proven by what is absent or by the protect option", c.Name)
			continue
		}
		require.NotEmpty(t, got, "%s names no evidence properties", c.Name)
		for _, p := range got {
			found := false
			for _, typ := range c.ResourceTypes {
				if typ == rules.AllAWSTypes {
					for _, set := range sdk {
						found = found || set[p]
					}
					continue
				}
				found = found || sdk[typ][p]
			}
			assert.True(t, found, "%s: no type it inspects (%v) has a property %q", c.Name, c.ResourceTypes, p)
		}
	}
}

func TestPolicyConfigGivesEachControlItsSettings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "config", "prod.json"))
	require.NoError(t, err)
	pc, err := rules.ParsePolicyConfig(b)
	require.NoError(t, err)
	assert.Equal(t, 30, pc.Settings("kms-rotation").MinKMSDeletionWindowDays)
	assert.Equal(t, "prod", pc.Settings("prod-protect").Environment)
	assert.Equal(t, rules.DefaultSettings(), pc.Settings("no-such-control"))
}
