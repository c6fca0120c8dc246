package factory

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory/engine"
)

func sealed(t *testing.T, r Release) *Release {
	t.Helper()
	require.NoError(t, r.seal())
	return &r
}

func chain(t *testing.T) (*Release, *Release, *Release) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	base := Release{Commit: "c0ffee", Image: "r@sha256:aa", CleanupImage: "c@sha256:cc", PackVersion: "1.0.0", PackHash: "p", ConfigHash: "c", Summary: map[string]int{"create": 3}, Time: at, Operator: "ops@x"}
	dev := base
	dev.Stack, dev.Environment = "dev", "dev"
	d := sealed(t, dev)
	staging := base
	staging.Stack, staging.Environment, staging.Parent, staging.From = "staging", "staging", d.Hash, d
	s := sealed(t, staging)
	prod := base
	prod.Stack, prod.Environment, prod.Parent, prod.From = "prod", "prod", s.Hash, s
	return d, s, sealed(t, prod)
}

func TestReleaseChainVerifiesBackToDev(t *testing.T) {
	dev, staging, prod := chain(t)
	assert.NoError(t, dev.Verify())
	assert.NoError(t, staging.Verify())
	assert.NoError(t, prod.Verify())
	got := prod.Chain()
	require.Len(t, got, 3)
	assert.Equal(t, []string{"prod", "staging", "dev"}, []string{got[0].Stack, got[1].Stack, got[2].Stack})
}

func TestReleaseVerifyChecksEveryLink(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(dev, staging, prod *Release) *Release
		want string
	}{
		{"altered record", func(_, _, p *Release) *Release { p.Operator = "mallory"; return p }, "altered"},
		{"altered parent record", func(_, s, p *Release) *Release { s.Commit = "bad"; return p }, "altered"},
		{"not promoted", func(_, s, _ *Release) *Release { s.From, s.Parent = nil, ""; _ = s.seal(); return s }, "was not promoted"},
		{"skipped environment", func(d, _, p *Release) *Release {
			p.From, p.Parent = d, d.Hash
			_ = p.seal()
			return p
		}, "promoted from dev, not from staging"},
		{"promoted from a dirty release", func(d, s, _ *Release) *Release {
			d.Dirty, d.DirtyFiles = true, []string{"Pulumi.dev.yaml"}
			_ = d.seal()
			s.From, s.Parent = d, d.Hash
			_ = s.seal()
			return s
		}, "dirty release of dev (Pulumi.dev.yaml)"},
		{"other commit", func(d, s, _ *Release) *Release { s.Commit = "other"; _ = s.seal(); return s }, "commit"},
		{"other image", func(d, s, _ *Release) *Release { s.Image = "r@sha256:bb"; _ = s.seal(); return s }, "image"},
		{"same image from its own repository", func(d, s, _ *Release) *Release {
			s.Image = "staging-repo@sha256:aa"
			_ = s.seal()
			return s
		}, ""},
		{"other cleanup image", func(d, s, _ *Release) *Release { s.CleanupImage = "c@sha256:dd"; _ = s.seal(); return s }, "cleanup image sha256:dd"},
		{"same cleanup image from its own repository", func(d, s, _ *Release) *Release {
			s.CleanupImage = "staging-cleanup@sha256:cc"
			_ = s.seal()
			return s
		}, ""},
		{"dev with a parent", func(d, _, _ *Release) *Release {
			other := sealed(t, Release{Stack: "qa", Environment: "staging"})
			d.From, d.Parent = other, other.Hash
			_ = d.seal()
			return d
		}, "where releases start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, s, p := chain(t)
			err := tc.edit(d, s, p).Verify()
			if tc.want == "" {
				assert.NoError(t, err, "the digest is what is promoted")
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestUnnamedDestructiveStepsOnStatefulOrProtectedResources(t *testing.T) {
	changes := []engine.Change{
		{Op: "replace", Type: "aws:s3/bucketV2:BucketV2", Name: "data-data", URN: "urn:a::data-data"},
		{Op: "delete", Type: "aws:iam/role:Role", Name: "r", URN: "urn:a::r"},
		{Op: "delete", Type: "aws:iam/role:Role", Name: "p", URN: "urn:a::p", Protected: true},
		{Op: "update", Type: "aws:kms/key:Key", Name: "k", URN: "urn:a::k"},
		{Op: "create-replacement", Type: "aws:kms/key:Key", Name: "keys-data", URN: "urn:a::keys-data"},
	}
	assert.Equal(t, []string{
		"create-replacement keys-data (aws:kms/key:Key)",
		"delete p (aws:iam/role:Role)",
		"replace data-data (aws:s3/bucketV2:BucketV2)",
	}, unnamedDestructive(changes, nil))
	assert.Equal(t, []string{"delete p (aws:iam/role:Role)"}, unnamedDestructive(changes, []string{"data-data", "urn:a::keys-data"}))
}

func TestReleaseRecordPacksIntoTagsAndBack(t *testing.T) {
	_, _, prod := chain(t)
	b, err := json.Marshal(prod)
	require.NoError(t, err)
	text, err := packRecord(b)
	require.NoError(t, err)
	assert.NotEqual(t, byte('-'), text[0], "a tag value never starts like a flag")
	assert.Less(t, len(text), len(b), "compressed")
	back, err := unpackRecord(text)
	require.NoError(t, err)
	assert.JSONEq(t, string(b), string(back))
	_, err = unpackRecord("not base64!")
	assert.Error(t, err)
}

func TestReleaseRecordsPolicyFindingsAndTheGatingPreview(t *testing.T) {
	dev, _, _ := chain(t)
	b, err := json.Marshal(dev)
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"policy"`, "a record without findings reads as records written before the field existed")
	assert.NotContains(t, string(b), `"preview"`)

	counts := policyCounts([]engine.Finding{
		{Policy: "team-budget", Level: engine.LevelAdvisory}, {Policy: "team-budget", Level: engine.LevelAdvisory},
		{Policy: "cannot-verify", Level: engine.LevelAdvisory},
	})
	assert.Equal(t, map[string]int{"advisory/team-budget": 2, "advisory/cannot-verify": 1}, counts)
	assert.Nil(t, policyCounts(nil))

	r := *dev
	r.Policy = counts
	r.Preview = &PreviewRecord{Summary: map[string]int{"same": 3}, Policy: counts}
	require.NoError(t, r.seal())
	require.NoError(t, r.Verify())
	r.Policy["advisory/team-budget"] = 0
	assert.ErrorContains(t, r.Verify(), "altered", "the findings are sealed with the record")
}
