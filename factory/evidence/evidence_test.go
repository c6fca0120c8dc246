package evidence_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory"
	"github.com/aifactory/platform/factory/evidence"
	"github.com/aifactory/platform/policy/rules"
)

const (
	account = "123456789012"
	logsKey = "arn:aws:kms:eu-west-1:123456789012:key/logs"
	// ciphertext is what the state holds for a secret; it must never
	// appear in a bundle.
	ciphertext = "v1:c2VjcmV0LWNhc2gtNTAwMDAwMDA="
)

var stackFile = []byte("config:\n  aifactory:environment: dev\n")

// seal sets the record's hash as the tool does: the SHA-256 of its JSON
// without the hash.
func seal(t *testing.T, r factory.Release) factory.Release {
	t.Helper()
	r.Hash = ""
	b, err := json.Marshal(r)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	r.Hash = hex.EncodeToString(sum[:])
	return r
}

func release(t *testing.T) factory.Release {
	sum := sha256.Sum256(stackFile)
	return seal(t, factory.Release{
		Stack: "dev", Environment: "dev", Commit: "c0ffee", Image: "r@sha256:aa", PackVersion: "1.0.0", PackHash: "p",
		ConfigHash: hex.EncodeToString(sum[:]), Summary: map[string]int{"create": 9},
		Policy: map[string]int{"advisory/team-budget": 1},
		Time:   time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), Operator: "ops@aifactory.example",
	})
}

func urn(typ, name string) resource.URN {
	return resource.URN("urn:pulumi:dev::aifactory::" + typ + "::" + name)
}

func res(typ, name string, outputs map[string]any) apitype.ResourceV3 {
	return apitype.ResourceV3{URN: urn(typ, name), Custom: true, Type: tokens.Type(typ), ID: resource.ID(name + "-id"), Outputs: outputs}
}

func tags() map[string]any {
	return map[string]any{"team": "platform", "project": "aifactory", "cost-center": "CC-1", "environment": "dev",
		"data-classification": "internal", "owner": "ops@aifactory.example"}
}

// state is a small deployed stack: a compliant key, a log group without a
// key (a violation), a topic whose policy the state holds as a secret
// (unverified), a trail and the stack's audit outputs.
func state() apitype.DeploymentV3 {
	keyPolicy := `{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/aifactory-deployer"},"Action":"kms:*","Resource":"*"}]}`
	return apitype.DeploymentV3{Resources: []apitype.ResourceV3{
		{URN: "urn:pulumi:dev::aifactory::pulumi:pulumi:Stack::aifactory-dev", Type: "pulumi:pulumi:Stack", Outputs: map[string]any{
			"auditTrailArn": "arn:aws:cloudtrail:eu-west-1:123456789012:trail/aifactory-dev-trail", "auditBucketName": "aifactory-dev-audit-123456789012",
			"auditTrailPrefix": "cloudtrail", "auditLogGroupName": "/aws/cloudtrail/aifactory-dev-trail",
		}},
		{URN: "urn:pulumi:dev::aifactory::pulumi:providers:aws::aws", Custom: true, Type: "pulumi:providers:aws", ID: "p"},
		res("aws:kms/key:Key", "keys-logs", map[string]any{
			"enableKeyRotation": true, "rotationPeriodInDays": float64(365), "deletionWindowInDays": float64(7), "policy": keyPolicy,
			"keyUsage": "ENCRYPT_DECRYPT", "tags": tags(), "tagsAll": tags(), "arn": logsKey,
		}),
		res("aws:cloudwatch/logGroup:LogGroup", "flow-logs", map[string]any{"retentionInDays": float64(30), "tags": tags(), "tagsAll": tags()}),
		res("aws:sns/topic:Topic", "alarms", map[string]any{
			"kmsMasterKeyId": logsKey, "tags": tags(), "tagsAll": tags(),
			"policy": map[string]any{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": ciphertext},
		}),
		res("aws:cloudtrail/trail:Trail", "audit-trail", map[string]any{
			"isMultiRegionTrail": true, "includeGlobalServiceEvents": true, "enableLogging": true, "enableLogFileValidation": true,
			"kmsKeyId": logsKey, "cloudWatchLogsGroupArn": "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/aifactory-dev-trail:*",
			"tags": tags(), "tagsAll": tags(),
		}),
		res("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "audit-bucket", map[string]any{
			"rule": map[string]any{"defaultRetention": map[string]any{"mode": "COMPLIANCE", "days": float64(1)}},
		}),
		res("aws:cfg/rule:Rule", "audit-cmk-backing-key-rotation-enabled", map[string]any{
			"name": "aifactory-dev-cmk-backing-key-rotation-enabled", "source": map[string]any{"owner": "AWS", "sourceIdentifier": "CMK_BACKING_KEY_ROTATION_ENABLED"},
			"tags": map[string]any{"control": "kms-rotation", "fsbp": "KMS.4"}, "tagsAll": tags(),
		}),
		// A resource being deleted is not part of the stack any more.
		{URN: urn("aws:iam/user:User", "old"), Custom: true, Delete: true, Type: "aws:iam/user:User", ID: "old"},
	}}
}

func input(t *testing.T) evidence.Input {
	t.Helper()
	in := evidence.Input{
		Stack: "dev", Environment: "dev", Release: release(t), State: state(),
		PolicyConfigs: map[string][]byte{}, ConfigSources: map[string]string{},
		StackFile: stackFile, StackFileSource: "commit c0ffee",
	}
	for _, env := range []string{"prod", "dev", "staging"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "policy", "config", env+".json"))
		require.NoError(t, err)
		in.PolicyConfigs[env], in.ConfigSources[env] = b, "commit c0ffee"
	}
	return in
}

func byName(b evidence.Bundle) map[string]evidence.ControlResult {
	out := map[string]evidence.ControlResult{}
	for _, c := range b.Controls {
		out[c.Name] = c
	}
	return out
}

func TestEveryControlOfTheCatalogueHasAResult(t *testing.T) {
	b, err := evidence.Build(input(t))
	require.NoError(t, err)
	require.Len(t, b.Controls, len(rules.Catalogue()))
	total := 0
	for i, c := range rules.Catalogue() {
		got := b.Controls[i]
		assert.Equal(t, c.Name, got.Name, "catalogue order")
		assert.Contains(t, evidence.Results, got.Result, c.Name)
		assert.Equal(t, []string{"dev", "staging", "prod"}, keys(got.Levels), c.Name)
		assert.Equal(t, got.Levels["dev"], got.Level)
		assert.NotNil(t, got.FSBP)
		total++
	}
	sum := 0
	for _, n := range b.Totals {
		sum += n
	}
	assert.Equal(t, total, sum, "the totals count every control once")

	controls := byName(b)
	assert.Equal(t, evidence.Pass, controls["kms-rotation"].Result, "%+v", controls["kms-rotation"].Findings)
	assert.Equal(t, []string{"aifactory-dev-cmk-backing-key-rotation-enabled"}, controls["kms-rotation"].ConfigRules)
	assert.Equal(t, evidence.Pass, controls["audit-trail"].Result, "%+v", controls["audit-trail"].Findings)
	logs := controls["logs-kms-retention"]
	assert.Equal(t, evidence.Violation, logs.Result)
	require.Len(t, logs.Findings, 1)
	assert.Contains(t, logs.Findings[0].Message, "kmsKeyId is not set")
	assert.Equal(t, map[string]any{"minimumRetentionDays": 30}, logs.Settings)
	topic := controls["resource-policy-no-public"]
	assert.Equal(t, evidence.Unverified, topic.Result, "a secret policy cannot be verified from the state")
	require.Len(t, topic.Findings, 1)
	assert.Contains(t, topic.Findings[0].Message, "policy is a secret in the state")
	assert.Equal(t, evidence.NotApplicable, controls["sagemaker-kms"].Result, "no Studio domain or notebook in this stack")
	assert.Equal(t, evidence.NotApplicable, controls["iam-no-users-or-keys"].Result, "the user being deleted is not deployed")
	assert.Equal(t, evidence.Pass, controls["required-tags"].Result, "%+v", controls["required-tags"].Findings)
	assert.Equal(t, []string{"logs-kms-retention"}, b.MandatoryViolations())
}

func TestDisabledControlsAreReportedDisabled(t *testing.T) {
	in := input(t)
	var cfg map[string]map[string]any
	require.NoError(t, json.Unmarshal(in.PolicyConfigs["dev"], &cfg))
	cfg["logs-kms-retention"]["enforcementLevel"] = "disabled"
	b, err := json.Marshal(cfg)
	require.NoError(t, err)
	in.PolicyConfigs["dev"] = b
	bundle, err := evidence.Build(in)
	require.NoError(t, err)
	assert.Equal(t, evidence.Disabled, byName(bundle)["logs-kms-retention"].Result)
	assert.Equal(t, "mandatory", byName(bundle)["logs-kms-retention"].Levels["prod"])
	assert.Empty(t, bundle.MandatoryViolations())
}

func TestTheSameReleaseAndStateGiveTheSameBytes(t *testing.T) {
	first, err := evidence.Build(input(t))
	require.NoError(t, err)
	a, err := first.Files()
	require.NoError(t, err)
	for range 3 {
		again, err := evidence.Build(input(t))
		require.NoError(t, err)
		b, err := again.Files()
		require.NoError(t, err)
		for name := range a {
			assert.True(t, bytes.Equal(a[name], b[name]), "%s differs between two builds", name)
		}
	}
	// The only times are the release record's.
	for name, data := range a {
		for _, stamp := range findTimes(string(data)) {
			assert.Equal(t, "2026-12-02T09:00:00Z", stamp, "%s holds a time that is not the release's", name)
		}
	}
}

func TestSecretsNeverReachTheBundle(t *testing.T) {
	b, err := evidence.Build(input(t))
	require.NoError(t, err)
	files, err := b.Files()
	require.NoError(t, err)
	for name, data := range files {
		assert.NotContains(t, string(data), ciphertext, name)
	}
	var topic evidence.ResourceEvidence
	for _, r := range b.Resources {
		if r.Name == "alarms" {
			topic = r
		}
	}
	assert.Equal(t, "[secret]", topic.Properties["policy"])
	assert.Equal(t, logsKey, topic.Properties["kmsMasterKeyId"], "the properties that prove sns-kms are shown")
}

func TestReleaseChainAndTrailAreInTheBundle(t *testing.T) {
	in := input(t)
	b, err := evidence.Build(in)
	require.NoError(t, err)
	assert.True(t, b.Release.Verified)
	assert.True(t, b.Release.StackFileMatches)
	assert.Nil(t, b.Release.Record.From, "the chain holds the records it was promoted from")
	require.Len(t, b.Chain, 1)
	assert.Equal(t, in.Release.Hash, b.Chain[0].Hash)
	assert.Equal(t, map[string]int{"advisory/team-budget": 1}, b.Release.Record.Policy)

	tr := b.CloudTrail
	assert.True(t, tr.Present)
	assert.Equal(t, "eu-west-1", tr.Region)
	assert.Equal(t, account, tr.Account)
	assert.Equal(t, "cloudtrail/AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/", tr.DigestPrefix)
	assert.Equal(t, "COMPLIANCE", tr.ObjectLockMode)
	assert.Equal(t, 1, tr.RetentionDays)
	assert.Equal(t, "aws cloudtrail validate-logs --trail-arn arn:aws:cloudtrail:eu-west-1:123456789012:trail/aifactory-dev-trail --start-time 2026-12-02T09:00:00Z --verbose",
		tr.ValidateCommand)
	md := string(b.Markdown())
	for _, want := range []string{"## Release", "### Release chain", "## Controls", "## AWS Config rules", "## Verifying the CloudTrail digest files",
		"## Resources", tr.ValidateCommand, "COMPLIANCE mode for 1 days", "| [`logs-kms-retention`](#logs-kms-retention)", "**violation**", "1 advisory/team-budget"} {
		assert.Contains(t, md, want)
	}
	for _, c := range rules.Catalogue() {
		assert.Contains(t, md, "#### "+c.Name+"\n", "every control has its section")
	}
}

func TestThePolicyResultsOfTheReleaseAreInTheBundle(t *testing.T) {
	in := input(t)
	r := in.Release
	r.Findings = []factory.FindingRecord{
		{Level: "advisory", Policy: "team-budget"},
		{Level: "advisory", Policy: "cannot-verify", Type: "aws:iam/role:Role", Resource: "studio-role"},
	}
	in.Release = seal(t, r)
	b, err := evidence.Build(in)
	require.NoError(t, err)
	assert.Equal(t, r.Findings, b.Release.Record.Findings, "the JSON bundle carries the recorded findings")
	md := string(b.Markdown())
	for _, want := range []string{
		"### Policy results of the release",
		"| update | advisory | `team-budget` | the stack |",
		"| update | advisory | `cannot-verify` | `studio-role` (aws:iam/role:Role) |",
		"A plain `aifactory up` runs no preview of its own, so they are the update's only",
	} {
		assert.Contains(t, md, want)
	}
	assert.NotContains(t, md, "| gating preview |")

	// A promotion's record: the gating preview's findings too, and the
	// ones a record leaves out are counted.
	r.Preview = &factory.PreviewRecord{Summary: map[string]int{"same": 9}, Policy: map[string]int{"mandatory/s3-sse-kms": 1},
		Findings:        []factory.FindingRecord{{Level: "mandatory", Policy: "s3-sse-kms", Type: "aws:s3/bucketV2:BucketV2", Resource: "data"}},
		FindingsOmitted: 3}
	in.Release = seal(t, r)
	b, err = evidence.Build(in)
	require.NoError(t, err)
	md = string(b.Markdown())
	assert.Contains(t, md, "| gating preview | mandatory | `s3-sse-kms` | `data` (aws:s3/bucketV2:BucketV2) |")
	assert.Contains(t, md, "| gating preview | - | 3 more distinct findings |")
	assert.Contains(t, md, "those of the preview that gated it in dev")

	// A release without findings says so.
	in = input(t)
	b, err = evidence.Build(in)
	require.NoError(t, err)
	assert.Contains(t, string(b.Markdown()), "| - | - | none | - |")
}

func TestAStackFileOtherThanTheReleasedOneIsFlagged(t *testing.T) {
	in := input(t)
	in.StackFile = []byte("config:\n  aifactory:environment: dev\n  aifactory:protect: false\n")
	b, err := evidence.Build(in)
	require.NoError(t, err)
	assert.False(t, b.Release.StackFileMatches)
	assert.Contains(t, string(b.Markdown()), "is NOT that file")
}

func TestAnAlteredReleaseIsRefused(t *testing.T) {
	in := input(t)
	in.Release.Operator = "mallory@aifactory.example"
	_, err := evidence.Build(in)
	require.Error(t, err)
	assert.Equal(t, factory.ExitRefused, factory.Code(err))
	assert.Contains(t, err.Error(), "altered")
}

func TestAPolicyConfigThatCannotBeReadIsAnError(t *testing.T) {
	in := input(t)
	in.PolicyConfigs["staging"] = []byte(`{"no-such-control": {"enforcementLevel": "mandatory"}}`)
	_, err := evidence.Build(in)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "staging")
	assert.Contains(t, err.Error(), "no-such-control")
}

func TestWriteReplacesABundleAtomically(t *testing.T) {
	b, err := evidence.Build(input(t))
	require.NoError(t, err)
	parent := t.TempDir()
	dir := filepath.Join(parent, "dev-release")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stale.txt"), []byte("old"), 0o644))
	require.NoError(t, evidence.Write(dir, b))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"SHA256SUMS", "evidence.json", "evidence.md"}, names, "the old bundle is gone, whole")
	left, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Len(t, left, 1, "no temporary directory is left beside it")

	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		hash, name, ok := strings.Cut(line, "  ")
		require.True(t, ok, line)
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		sum := sha256.Sum256(data)
		assert.Equal(t, hex.EncodeToString(sum[:]), hash, name)
	}
	var decoded evidence.Bundle
	data, err := os.ReadFile(filepath.Join(dir, "evidence.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &decoded))
	assert.Equal(t, evidence.Format, decoded.Format)
}

func TestWriteRefusesAFileInTheWayAndLeavesItAlone(t *testing.T) {
	b, err := evidence.Build(input(t))
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "bundle")
	require.NoError(t, os.WriteFile(file, []byte("keep"), 0o644))
	err = evidence.Write(file, b)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--out")
	kept, _ := os.ReadFile(file)
	assert.Equal(t, "keep", string(kept))
}

func keys(m map[string]string) []string {
	var out []string
	for _, env := range []string{"dev", "staging", "prod"} {
		if _, ok := m[env]; ok {
			out = append(out, env)
		}
	}
	if len(out) != len(m) {
		return nil
	}
	return out
}

// findTimes returns the RFC 3339 times in s.
func findTimes(s string) []string {
	var out []string
	for i := 0; i+20 <= len(s); i++ {
		candidate := s[i : i+20]
		if _, err := time.Parse(time.RFC3339, candidate); err == nil {
			out = append(out, candidate)
		}
	}
	return out
}
