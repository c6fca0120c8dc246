package evidence_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory"
	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/factory/evidence"
	"github.com/aifactory/platform/internal/enginetest"
	"github.com/aifactory/platform/internal/offline"
	"github.com/aifactory/platform/policy/rules"
)

// The engine-level test runs the tool offline (real engine, stand-in AWS
// provider) on a scratch git checkout of the repository's stack files and
// policy configs, as the tool's own engine tests do.

func checkout(t *testing.T) string {
	t.Helper()
	repo, err := offline.FindRoot()
	require.NoError(t, err)
	root := t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml",
		"policy/PulumiPolicy.yaml", "policy/config/dev.json", "policy/config/staging.json", "policy/config/prod.json"} {
		b, err := os.ReadFile(filepath.Join(repo, f))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, f), b, 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, ".gitignore"), []byte(".aifactory/\nevidence/\n"), 0o644))
	enginetest.Git(t, root, "init", "-q", "-b", "main")
	enginetest.Git(t, root, "add", "-A")
	enginetest.Git(t, root, "commit", "-q", "-m", "platform")
	return root
}

func TestEngineEvidenceOfAnOfflineDevRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("engine-level test: runs the real Pulumi engine; skipped with -short")
	}
	ctx := context.Background()
	root := checkout(t)
	// A platform budget below what the stack is modelled to cost: the
	// update reports it (team-budget-fit, advisory in dev), so the release
	// has a finding to record.
	stackFile := filepath.Join(root, "Pulumi.dev.yaml")
	original, err := os.ReadFile(stackFile)
	require.NoError(t, err)
	tight := bytes.Replace(original, []byte("platformBudget:\n      monthlyUsd: 400"), []byte("platformBudget:\n      monthlyUsd: 1"), 1)
	require.NotEqual(t, original, tight, "the dev stack file's platform budget")
	require.NoError(t, os.WriteFile(stackFile, tight, 0o644))
	enginetest.Git(t, root, "commit", "-q", "-am", "a platform budget the stack does not fit")
	repo, err := offline.FindRoot()
	require.NoError(t, err)
	pack, err := engine.BuildPolicyPack(ctx, repo, t.TempDir())
	require.NoError(t, err)
	f, err := factory.New(ctx, factory.Options{
		Root: root, Offline: true, PolicyPack: pack, Operator: "ops@aifactory.example",
		Now: func() time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) },
	})
	require.NoError(t, err)
	head := enginetest.Git(t, root, "rev-parse", "HEAD")

	// No release yet: refused, nothing written.
	none := filepath.Join(t.TempDir(), "none")
	_, err = evidence.Generate(ctx, f, "dev", none)
	require.Error(t, err)
	assert.Equal(t, factory.ExitRefused, factory.Code(err), err.Error())
	assert.Contains(t, err.Error(), "aifactory up dev")
	assert.NoDirExists(t, none)

	up, err := f.Up(ctx, "dev", factory.UpOptions{})
	require.NoError(t, err)
	require.NotNil(t, up.Release)

	// The working tree moves on after the release; the bundle still reads
	// the release's commit.
	dev := filepath.Join(root, "policy", "config", "dev.json")
	released, err := os.ReadFile(dev)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dev, bytes.Replace(released, []byte(`"minimumRetentionDays": 30`), []byte(`"minimumRetentionDays": 3653`), 1), 0o644))

	first := filepath.Join(t.TempDir(), "first")
	report, err := evidence.Generate(ctx, f, "dev", first)
	require.NoError(t, err, "the deployed dev stack breaks no mandatory control")
	assert.Equal(t, up.Release.Hash, report.Release)
	assert.Empty(t, report.MandatoryViolations)

	second := filepath.Join(t.TempDir(), "second")
	_, err = evidence.Generate(ctx, f, "dev", second)
	require.NoError(t, err)
	for _, name := range []string{evidence.JSONFile, evidence.MarkdownFile, evidence.SumsFile} {
		a, err := os.ReadFile(filepath.Join(first, name))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(second, name))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(a, b), "%s: the same release gives the same bundle", name)
	}
	// Generating into the same directory again replaces it whole.
	_, err = evidence.Generate(ctx, f, "dev", first)
	require.NoError(t, err)

	data, err := os.ReadFile(filepath.Join(first, evidence.JSONFile))
	require.NoError(t, err)
	var b evidence.Bundle
	require.NoError(t, json.Unmarshal(data, &b))

	// Every catalogue control appears with a result.
	require.Len(t, b.Controls, len(rules.Catalogue()))
	results := map[string]string{}
	for i, c := range rules.Catalogue() {
		assert.Equal(t, c.Name, b.Controls[i].Name)
		assert.Contains(t, evidence.Results, b.Controls[i].Result, c.Name)
		assert.Len(t, b.Controls[i].Levels, 3, c.Name)
		results[c.Name] = b.Controls[i].Result
	}
	for _, name := range []string{"s3-sse-kms", "kms-rotation", "logs-kms-retention", "vpc-flow-logs", "audit-trail", "iam-trust-confused-deputy",
		"resource-policy-no-public", "s3-versioning-lifecycle", "required-tags"} {
		assert.Equal(t, evidence.Pass, results[name], "%s on the deployed dev stack: %+v", name, findingsOf(b, name))
	}
	assert.Equal(t, evidence.NotApplicable, results["iam-no-users-or-keys"], "the platform creates no users")
	assert.Equal(t, "commit "+head, b.Catalogue.ConfigSources["dev"], "the policy configs of the release's commit")
	for _, c := range b.Controls {
		if c.Name == "logs-kms-retention" {
			assert.Equal(t, 30, int(c.Settings["minimumRetentionDays"].(float64)), "not the working tree's later value")
		}
	}

	// The release and its record.
	assert.True(t, b.Release.Verified)
	assert.True(t, b.Release.StackFileMatches)
	assert.Equal(t, head, b.Release.Record.Commit)
	assert.Equal(t, up.Release.Summary, b.Release.Record.Summary)
	require.Len(t, b.Chain, 1)

	// The policy results of the release: a plain up runs no preview, so
	// the record holds the update's findings, each distinct one once,
	// without its message, and the bundle lists every one.
	assert.Nil(t, b.Release.Record.Preview)
	distinct := map[factory.FindingRecord]bool{}
	for _, f := range up.Policy {
		distinct[factory.FindingRecord{Level: f.Level, Policy: f.Policy, Resource: f.Resource}] = true
	}
	t.Logf("the update had %d findings, %d distinct", len(up.Policy), len(distinct))
	require.NotEmpty(t, up.Policy, "the tight budget is reported during the update")
	assert.Contains(t, b.Release.Record.Findings, factory.FindingRecord{Level: engine.LevelAdvisory, Policy: "team-budget-fit",
		Type: "aws:budgets/budget:Budget", Resource: "finops-platform"}, "the platform team's budget")
	assert.Equal(t, len(up.Policy), sum(b.Release.Record.Policy), "the counts keep every finding")
	record, err := json.Marshal(b.Release.Record)
	require.NoError(t, err)
	for _, f := range up.Policy {
		require.NotEmpty(t, f.Message)
		assert.NotContains(t, string(record), f.Message, "the record keeps no finding's message")
	}
	require.Len(t, b.Release.Record.Findings, min(len(distinct), factory.MaxRecordedFindings))
	assert.Equal(t, up.Release.Findings, b.Release.Record.Findings)
	mdText, err := os.ReadFile(filepath.Join(first, evidence.MarkdownFile))
	require.NoError(t, err)
	assert.Contains(t, string(mdText), "A plain `aifactory up` runs no preview of its own")
	assert.Contains(t, string(mdText), "| update | advisory | `team-budget-fit` | `finops-platform` (aws:budgets/budget:Budget) |")
	for _, f := range b.Release.Record.Findings {
		assert.True(t, distinct[factory.FindingRecord{Level: f.Level, Policy: f.Policy, Resource: f.Resource}], "%+v was a finding of the update", f)
		assert.Contains(t, string(mdText), "| update | "+f.Level+" | `"+f.Policy+"` |")
	}

	// Every deployed Config rule names its control; each control's rules are listed with it.
	require.NotEmpty(t, b.ConfigRules)
	for _, cr := range b.ConfigRules {
		_, ok := rules.Lookup(cr.Control)
		assert.True(t, ok, "%s names control %q", cr.Name, cr.Control)
	}
	for _, c := range b.Controls {
		if c.Name == "audit-trail" {
			assert.Len(t, c.ConfigRules, 4)
		}
	}

	// Every resource of the state, with the properties that prove its controls.
	state, err := f.State(ctx, "dev")
	require.NoError(t, err)
	aws := 0
	for _, r := range state.Resources {
		if r.Custom && strings.HasPrefix(string(r.Type), "aws:") {
			aws++
		}
	}
	assert.Equal(t, aws, len(b.Resources))
	seen := map[string]bool{}
	for _, r := range b.Resources {
		for p := range r.Properties {
			seen[p] = true
		}
	}
	for _, c := range b.Controls {
		// No ACL on any bucket is how s3-acl-no-public passes: its proof
		// is the absence of the properties it reads.
		if c.Result != evidence.Pass || c.Name == "s3-acl-no-public" {
			continue
		}
		found := len(c.EvidenceProperties) == 0
		for _, p := range c.EvidenceProperties {
			found = found || seen[p]
		}
		assert.True(t, found, "%s passes, and the bundle shows at least one property that proves it", c.Name)
	}

	// How to verify the trail.
	tr := b.CloudTrail
	require.True(t, tr.Present)
	assert.Equal(t, "aifactory-dev-audit-123456789012", tr.Bucket)
	assert.Equal(t, "COMPLIANCE", tr.ObjectLockMode)
	assert.Equal(t, 1, tr.RetentionDays)
	assert.Contains(t, tr.ValidateCommand, "--start-time 2026-12-02T09:00:00Z")
	md, err := os.ReadFile(filepath.Join(first, evidence.MarkdownFile))
	require.NoError(t, err)
	assert.Contains(t, string(md), "aws cloudtrail validate-logs --trail-arn "+tr.TrailArn)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func findingsOf(b evidence.Bundle, control string) []evidence.FindingResult {
	for _, c := range b.Controls {
		if c.Name == control {
			return c.Findings
		}
	}
	return nil
}
