package factory

import (
	"encoding/json"
	"fmt"
	"strings"
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

func TestReleaseKeepsTheFindingsWithoutTheirMessages(t *testing.T) {
	const bucket = "urn:pulumi:dev::aifactory::aifactory:data:DataPerimeter$aws:s3/bucketV2:BucketV2::data-bucket"
	const secret = "hunter2-the-value-of-a-secret-property"
	findings := []engine.Finding{
		{Pack: "aifactory", Policy: "team-budget", Level: engine.LevelAdvisory, Message: "team x over budget"},
		{Pack: "aifactory", Policy: "s3-sse-kms", Level: engine.LevelMandatory, URN: bucket, Resource: "data-bucket", Message: "property is " + secret},
		{Pack: "aifactory", Policy: "cannot-verify", Level: engine.LevelAdvisory, URN: "urn:pulumi:dev::aifactory::aws:iam/role:Role::r", Message: secret},
		// The same finding twice is recorded once; the counts keep both.
		{Pack: "aifactory", Policy: "s3-sse-kms", Level: engine.LevelMandatory, URN: bucket, Resource: "data-bucket", Message: "again"},
	}
	got, omitted := findingRecords(findings)
	assert.Zero(t, omitted)
	assert.Equal(t, []FindingRecord{
		{Level: engine.LevelMandatory, Policy: "s3-sse-kms", Type: "aws:s3/bucketV2:BucketV2", Resource: "data-bucket"},
		{Level: engine.LevelAdvisory, Policy: "cannot-verify", Type: "aws:iam/role:Role", Resource: "r"},
		{Level: engine.LevelAdvisory, Policy: "team-budget"},
	}, got, "mandatory first, then by policy; a stack finding names no resource")
	none, omitted := findingRecords(nil)
	assert.Nil(t, none)
	assert.Zero(t, omitted)

	dev, _, _ := chain(t)
	r := *dev
	r.Policy = policyCounts(findings)
	r.Findings, r.FindingsOmitted = findingRecords(findings)
	r.Preview = &PreviewRecord{Summary: map[string]int{"create": 3}, Policy: policyCounts(findings)}
	r.Preview.Findings, r.Preview.FindingsOmitted = findingRecords(findings)
	require.NoError(t, r.seal())
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.NotContains(t, string(b), secret, "no message reaches the stack tags")
	assert.NotContains(t, string(b), "over budget")
	assert.Equal(t, 2, r.Policy["mandatory/s3-sse-kms"])
	require.NoError(t, r.Verify())

	// The findings are sealed with the record.
	r.Findings[0].Resource = "other-bucket"
	assert.ErrorContains(t, r.Verify(), "altered")
	r.Findings[0].Resource = "data-bucket"
	r.Preview.Findings = r.Preview.Findings[1:]
	assert.ErrorContains(t, r.Verify(), "altered")
}

func TestURNType(t *testing.T) {
	for urn, want := range map[string]string{
		"urn:pulumi:dev::aifactory::aifactory:data:DataPerimeter$aws:s3/bucketV2:BucketV2::data-bucket": "aws:s3/bucketV2:BucketV2",
		"urn:pulumi:dev::aifactory::aws:iam/role:Role::r":                                               "aws:iam/role:Role",
		"urn:pulumi:dev::aifactory::a:b:C$d:e:F$aws:sns/topic:Topic::name::with::colons":                "aws:sns/topic:Topic",
		"urn:other:dev::aifactory::aws:iam/role:Role::r":                                                "",
		"":          "",
		"not-a-urn": "",
	} {
		assert.Equal(t, want, urnType(urn), urn)
	}
}

// TestAFullRecordStaysWithinTheStackTags: a prod release promoted from
// staging and dev, each with the most findings a record keeps in its
// update and its preview, all distinct, still packs into a few dozen tags
// of releaseTagChunk characters, and reads back whole.
func TestAFullRecordStaysWithinTheStackTags(t *testing.T) {
	many := func(env string) []engine.Finding {
		var out []engine.Finding
		for i := range MaxRecordedFindings + 50 {
			out = append(out, engine.Finding{
				Policy: fmt.Sprintf("policy-%02d", i%23), Level: []string{engine.LevelAdvisory, engine.LevelMandatory}[i%2],
				URN: fmt.Sprintf("urn:pulumi:%s::aifactory::aifactory:workspace:Workspace$aws:iam/role:Role::team-%03d-studio-execution", env, i),
			})
		}
		return out
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var prev *Release
	for _, env := range []string{"dev", "staging", "prod"} {
		r := Release{Stack: env, Environment: env, Commit: strings.Repeat("c", 40), Image: "r@sha256:" + strings.Repeat("a", 64),
			PackVersion: "1.0.0", PackHash: strings.Repeat("p", 64), ConfigHash: strings.Repeat("f", 64), Summary: map[string]int{"same": 400},
			Policy: policyCounts(many(env)), Time: at, Operator: "ops@aifactory.example"}
		r.Findings, r.FindingsOmitted = findingRecords(many(env))
		require.Len(t, r.Findings, MaxRecordedFindings)
		assert.Equal(t, 50, r.FindingsOmitted)
		if prev != nil {
			r.Parent, r.From = prev.Hash, prev
			r.Preview = &PreviewRecord{Summary: map[string]int{"same": 400}, Policy: policyCounts(many(env))}
			r.Preview.Findings, r.Preview.FindingsOmitted = findingRecords(many(env))
		}
		prev = sealed(t, r)
	}
	require.NoError(t, prev.Verify())
	b, err := json.Marshal(prev)
	require.NoError(t, err)
	text, err := packRecord(b)
	require.NoError(t, err)
	parts := (len(text) + releaseTagChunk - 1) / releaseTagChunk
	t.Logf("%d bytes of JSON, %d packed, %d tags", len(b), len(text), parts)
	assert.LessOrEqual(t, parts, 64, "a release record is a few dozen tags at most")
	back, err := unpackRecord(text)
	require.NoError(t, err)
	var r Release
	require.NoError(t, json.Unmarshal(back, &r))
	require.NoError(t, r.Verify(), "the record reads back whole")
}
