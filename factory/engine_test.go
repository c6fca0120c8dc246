package factory_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/factory"
	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/finops/cost"
	"github.com/aifactory/platform/internal/enginetest"
	"github.com/aifactory/platform/internal/offline"
)

// The engine-level tests of the tool run it offline (real engine, stand-in
// AWS provider) on a scratch git checkout holding the repository's stack
// files and policy configs, plus three staging-like stacks for the
// promotion's gates: Pulumi.qa.yaml, whose log retention breaks the staging
// policy config, Pulumi.uat.yaml, which would run other images, and
// Pulumi.uat-cleanup.yaml, which would run another cleanup image only.

var (
	packOnce sync.Once
	pack     *engine.PolicyPack
	packErr  error
)

func policyPack(t testing.TB) *engine.PolicyPack {
	t.Helper()
	packOnce.Do(func() {
		root, err := offline.FindRoot()
		if err != nil {
			packErr = err
			return
		}
		dir, err := os.MkdirTemp("", "aifactory-tool-pack-")
		if err != nil {
			packErr = err
			return
		}
		pack, packErr = engine.BuildPolicyPack(context.Background(), root, dir)
	})
	require.NoError(t, packErr)
	return pack
}

// checkout builds the scratch repository and returns its root.
func checkout(t testing.TB) string {
	t.Helper()
	repo, err := offline.FindRoot()
	require.NoError(t, err)
	root := t.TempDir()
	copyFile := func(from, to string) {
		b, err := os.ReadFile(filepath.Join(repo, from))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, to)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, to), b, 0o644))
	}
	for _, f := range []string{"Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml",
		"policy/PulumiPolicy.yaml", "policy/config/dev.json", "policy/config/staging.json", "policy/config/prod.json"} {
		copyFile(f, f)
	}
	staging, err := os.ReadFile(filepath.Join(repo, "Pulumi.staging.yaml"))
	require.NoError(t, err)
	qa := strings.Replace(string(staging), "aifactory:logRetentionDays: 90", "aifactory:logRetentionDays: 30", 1)
	require.NotEqual(t, string(staging), qa, "Pulumi.staging.yaml sets aifactory:logRetentionDays: 90")
	require.NoError(t, os.WriteFile(filepath.Join(root, "Pulumi.qa.yaml"), []byte(qa), 0o644))
	// uat: a staging-like stack that would run another image.
	digest := regexp.MustCompile(`@sha256:[0-9a-f]{64}`)
	require.Regexp(t, digest, string(staging), "Pulumi.staging.yaml names its image by digest")
	uat := digest.ReplaceAllString(string(staging), "@sha256:"+strings.Repeat("0", 64))
	require.NoError(t, os.WriteFile(filepath.Join(root, "Pulumi.uat.yaml"), []byte(uat), 0o644))
	// uat-cleanup: a staging-like stack that would run another cleanup image
	// (the optimiser's is the promoted one).
	cleanupDigest := regexp.MustCompile(`(aifactory-staging-cleanup)@sha256:[0-9a-f]{64}`)
	require.Regexp(t, cleanupDigest, string(staging), "Pulumi.staging.yaml names its cleanup image by digest")
	uatCleanup := cleanupDigest.ReplaceAllString(string(staging), "$1@sha256:"+strings.Repeat("0", 64))
	require.NoError(t, os.WriteFile(filepath.Join(root, "Pulumi.uat-cleanup.yaml"), []byte(uatCleanup), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, ".gitignore"), []byte(".aifactory/\n"), 0o644))
	enginetest.Git(t, root, "init", "-q", "-b", "main")
	enginetest.Git(t, root, "add", "-A")
	enginetest.Git(t, root, "commit", "-q", "-m", "platform")
	return root
}

// newFactory opens the checkout offline with the tests' pack, operator and
// clock; with changes to its options, such as another program source.
func newFactory(t testing.TB, root string, env map[string]string, with ...func(*factory.Options)) *factory.Factory {
	t.Helper()
	o := factory.Options{
		Root: root, Offline: true, PolicyPack: policyPack(t), Operator: "ops@aifactory.example",
		Now: func() time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) }, Env: env,
	}
	for _, change := range with {
		change(&o)
	}
	f, err := factory.New(context.Background(), o)
	require.NoError(t, err)
	return f
}

// imageDigest is the digest of repository@sha256:….
func imageDigest(ref string) string {
	_, digest, _ := strings.Cut(ref, "@")
	return digest
}

func gateFailed(t *testing.T, res factory.Result, err error, gate string) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, factory.ExitRefused, factory.Code(err), err.Error())
	require.NotEmpty(t, res.Gates)
	last := res.Gates[len(res.Gates)-1]
	assert.Equal(t, gate, last.Name, last.Detail)
	assert.False(t, last.Passed)
	assert.Contains(t, err.Error(), gate)
}

// TestEngineToolLifecycle drives one scratch checkout through everything the
// tool does: preview, up with a release record, outputs, a concurrent
// update, drift, every promotion gate, a promotion through to prod with its
// release chain, and vending a team in and out.
func TestEngineToolLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("engine-level test: runs the real Pulumi engine; skipped with -short")
	}
	ctx := context.Background()
	root := checkout(t)
	driftFile := filepath.Join(t.TempDir(), "drift.json")
	require.NoError(t, os.WriteFile(driftFile, []byte(`{}`), 0o644))
	f := newFactory(t, root, map[string]string{"AIFACTORY_STANDIN_DRIFT": driftFile})
	head := enginetest.Git(t, root, "rev-parse", "HEAD")

	t.Run("preview", func(t *testing.T) {
		res, err := f.Preview(ctx, "dev")
		require.NoError(t, err)
		assert.Empty(t, res.Mandatory())
		assert.Greater(t, res.Summary["create"], 100)
		assert.Equal(t, "aifactory-guardrails", res.Policy[0].Pack, "the pack is attached by default")
	})

	t.Run("up records a release", func(t *testing.T) {
		res, err := f.Up(ctx, "dev", factory.UpOptions{})
		require.NoError(t, err)
		require.NotNil(t, res.Release)
		rel := res.Release
		assert.Equal(t, head, rel.Commit)
		assert.False(t, rel.Dirty, "the stack file is HEAD's")
		assert.Equal(t, "dev", rel.Stack)
		assert.Equal(t, "ops@aifactory.example", rel.Operator)
		assert.Equal(t, res.Summary, rel.Summary)
		assert.NotEmpty(t, rel.PackHash)
		assert.Len(t, rel.ConfigHash, 64)
		require.NoError(t, rel.Verify())
		stored, err := f.LastRelease(ctx, "dev")
		require.NoError(t, err)
		assert.Equal(t, rel.Hash, stored.Hash, "any later run reads the record")
	})

	t.Run("cost", func(t *testing.T) {
		res, err := f.Cost(ctx, "dev", factory.CostOptions{})
		require.NoError(t, err)
		rep := res.Cost
		require.NotNil(t, rep)
		assert.Empty(t, rep.Unpriced, "every costed resource of the dev stack is priced")
		services := map[string]bool{}
		for _, l := range rep.Lines {
			services[l.Service] = true
		}
		for _, svc := range []string{cost.ServiceStudio, cost.ServiceEMR, cost.ServiceEndpoint, cost.ServiceKMS} {
			assert.True(t, services[svc], "the dev stack has %s costs", svc)
		}
		jackpot := rep.Team("jackpot-analytics")
		assert.Greater(t, jackpot.Baseline, jackpot.Modelled, "the team's Spot cluster and idle shutdown save")
		assert.Greater(t, rep.Team("player-insights").Modelled, 0.0)
		assert.Greater(t, rep.Compute.Saving(), cost.HeadlineSaving, "the platform's limits save more than the headline claim on ML compute")
		assert.Less(t, rep.Total.Saving(), rep.Compute.Saving(), "fixed costs (endpoints, keys) are the same in both columns")
	})

	t.Run("outputs", func(t *testing.T) {
		res, err := f.Outputs(ctx, "dev")
		require.NoError(t, err)
		assert.NotEmpty(t, res.Outputs["vpcId"])
		assert.Len(t, res.Outputs["accessPointAliases"], 2)
	})

	t.Run("a second operation on a busy stack is told so", func(t *testing.T) {
		locks := filepath.Join(root, ".aifactory", "offline", "state", ".pulumi", "locks")
		// Prod's first update creates every resource: long enough to meet.
		done := make(chan error, 1)
		go func() {
			_, err := f.Up(ctx, "prod", factory.UpOptions{})
			done <- err
		}()
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if entries, _ := filepath.Glob(filepath.Join(locks, "*", "*", "*", "*.json")); len(entries) > 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		_, err := f.Refresh(ctx, "prod")
		require.NoError(t, <-done, "the first operation finishes")
		require.Error(t, err)
		assert.Equal(t, factory.ExitBusy, factory.Code(err), err.Error())
		assert.Contains(t, err.Error(), "stack prod is busy")
		assert.Contains(t, err.Error(), "pid", "it says who holds the stack")
	})

	t.Run("drift", func(t *testing.T) {
		res, err := f.Drift(ctx, "dev")
		require.NoError(t, err, "nothing changed outside the code")
		assert.Empty(t, res.Drift)

		// Someone shortens the flow logs' retention and drops their key in the console.
		require.NoError(t, os.WriteFile(driftFile, []byte(`{"aws:cloudwatch/logGroup:LogGroup::network-flow-logs": {"retentionInDays": 1, "kmsKeyId": null}}`), 0o644))
		defer func() { require.NoError(t, os.WriteFile(driftFile, []byte(`{}`), 0o644)) }()
		res, err = f.Drift(ctx, "dev")
		require.Error(t, err)
		assert.Equal(t, factory.ExitDrift, factory.Code(err), err.Error())
		require.Len(t, res.Drift, 1, "%+v", res.Drift)
		d := res.Drift[0]
		assert.Equal(t, "network-flow-logs", d.Name)
		assert.Equal(t, "changed", d.Kind)
		assert.ElementsMatch(t, []string{"kmsKeyId", "retentionInDays"}, d.Properties)
		require.NotEmpty(t, d.Violations, "the drift is classified by control")
		assert.Equal(t, "logs-kms-retention", d.Violations[0].Policy)
		assert.Equal(t, "mandatory", d.Violations[0].Level)
	})

	t.Run("promotion gates", func(t *testing.T) {
		_, err := f.Promote(ctx, "dev", "prod", factory.PromoteOptions{Yes: true})
		require.Error(t, err)
		assert.Equal(t, factory.ExitBadInput, factory.Code(err), "prod is promoted from staging")

		res, err := f.Promote(ctx, "staging", "prod", factory.PromoteOptions{Yes: true})
		gateFailed(t, res, err, factory.GateRelease)

		require.NoError(t, os.WriteFile(filepath.Join(root, "notes.txt"), []byte("wip"), 0o644))
		res, err = f.Promote(ctx, "dev", "staging", factory.PromoteOptions{Yes: true})
		gateFailed(t, res, err, factory.GateCleanTree)
		assert.Contains(t, res.Gates[len(res.Gates)-1].Detail, "notes.txt")
		require.NoError(t, os.Remove(filepath.Join(root, "notes.txt")))

		enginetest.Git(t, root, "commit", "-q", "--allow-empty", "-m", "unreleased")
		res, err = f.Promote(ctx, "dev", "staging", factory.PromoteOptions{Yes: true})
		gateFailed(t, res, err, factory.GateCleanTree)
		assert.Contains(t, res.Gates[len(res.Gates)-1].Detail, "HEAD is")
		enginetest.Git(t, root, "reset", "-q", "--hard", head)

		res, err = f.Promote(ctx, "dev", "uat", factory.PromoteOptions{Yes: true})
		gateFailed(t, res, err, factory.GateSameImage)
		res, err = f.Promote(ctx, "dev", "uat-cleanup", factory.PromoteOptions{Yes: true})
		gateFailed(t, res, err, factory.GateSameImage)
		assert.Contains(t, res.Gates[len(res.Gates)-1].Detail, "cleanup image sha256:"+strings.Repeat("0", 64))
		assert.Contains(t, res.Gates[len(res.Gates)-1].Detail, "aifactory:finops.cleanup.image")

		res, err = f.Promote(ctx, "dev", "qa", factory.PromoteOptions{Yes: true})
		gateFailed(t, res, err, factory.GatePolicy)
		assert.NotEmpty(t, res.Mandatory(), "the gating preview's findings are reported")

		// A refresh that fails makes dev's last update a failed one.
		require.NoError(t, os.WriteFile(driftFile, []byte(`not json`), 0o644))
		_, err = f.Refresh(ctx, "dev")
		require.Error(t, err)
		require.NoError(t, os.WriteFile(driftFile, []byte(`{}`), 0o644))
		res, err = f.Promote(ctx, "dev", "staging", factory.PromoteOptions{Yes: true})
		gateFailed(t, res, err, factory.GateLastUpdate)
		_, err = f.Refresh(ctx, "dev")
		require.NoError(t, err)

		res, err = f.Promote(ctx, "dev", "staging", factory.PromoteOptions{})
		require.NoError(t, err, "every gate passes")
		assert.Nil(t, res.Release, "without --yes nothing is applied")
		rel, err := f.LastRelease(ctx, "staging")
		require.NoError(t, err)
		assert.Nil(t, rel)
	})

	t.Run("promotion to prod and its release chain", func(t *testing.T) {
		res, err := f.Promote(ctx, "dev", "staging", factory.PromoteOptions{Yes: true})
		require.NoError(t, err)
		require.NotNil(t, res.Release)
		for _, g := range res.Gates {
			assert.True(t, g.Passed, g.Name)
		}

		// A promotion into prod that would replace a team's Studio profile
		// (stateful: the stand-in provider is told the profile must be
		// replaced) is refused until the profile is named.
		profile := "aws:sagemaker/userProfile:UserProfile::workspace-jackpot-analytics"
		replacing := newFactory(t, root, map[string]string{"AIFACTORY_STANDIN_DRIFT": driftFile, "AIFACTORY_STANDIN_REPLACE": profile})
		res, err = replacing.Promote(ctx, "staging", "prod", factory.PromoteOptions{Yes: true})
		gateFailed(t, res, err, factory.GateStatefulOps)
		detail := res.Gates[len(res.Gates)-1].Detail
		assert.Contains(t, detail, "replace workspace-jackpot-analytics (aws:sagemaker/userProfile:UserProfile)")
		assert.Contains(t, detail, "--allow-replace")
		assert.Nil(t, res.Release, "nothing is applied")
		res, err = replacing.Promote(ctx, "staging", "prod", factory.PromoteOptions{Yes: true, AllowReplace: []string{"workspace-player-insights"}})
		gateFailed(t, res, err, factory.GateStatefulOps)
		assert.Contains(t, res.Gates[len(res.Gates)-1].Detail, "workspace-jackpot-analytics", "naming another resource does not do")
		var urn string
		for _, c := range res.Changes {
			if c.Name == "workspace-jackpot-analytics" && c.Type == "aws:sagemaker/userProfile:UserProfile" {
				urn = c.URN
			}
		}
		require.True(t, strings.HasPrefix(urn, "urn:pulumi:prod::"), "the gating preview reports the profile with its URN")
		// Named (by URN here; a name does as well), the replacement goes ahead.
		res, err = replacing.Promote(ctx, "staging", "prod", factory.PromoteOptions{Yes: true, AllowReplace: []string{urn}})
		require.NoError(t, err)
		assert.Contains(t, gateNames(res.Gates), factory.GateStatefulOps)
		assert.Positive(t, res.Summary["replace"], "the named replacement was carried out: %v", res.Summary)

		verified, err := f.VerifyRelease(ctx, "prod")
		require.NoError(t, err)
		require.Len(t, verified.Chain, 3)
		assert.Equal(t, []string{"prod", "staging", "dev"}, []string{verified.Chain[0].Stack, verified.Chain[1].Stack, verified.Chain[2].Stack})
		for _, r := range verified.Chain {
			assert.Equal(t, head, r.Commit)
			// Both images travel by digest, each stack from its own repository.
			assert.Contains(t, r.Image, "aifactory-"+r.Stack+"-optimiser@sha256:")
			assert.Contains(t, r.CleanupImage, "aifactory-"+r.Stack+"-cleanup@sha256:")
			assert.Equal(t, imageDigest(verified.Chain[2].CleanupImage), imageDigest(r.CleanupImage))
		}
		_, err = f.VerifyRelease(ctx, "qa")
		assert.Equal(t, factory.ExitRefused, factory.Code(err), "qa has no release")
	})

	t.Run("vending a team", func(t *testing.T) {
		stackFile := filepath.Join(root, "Pulumi.dev.yaml")
		before, err := os.ReadFile(stackFile)
		require.NoError(t, err)

		bad, err := factory.ParseVendRequest([]byte(vendRequest("Fraud Signals")))
		require.NoError(t, err)
		_, err = f.Vend(ctx, bad, factory.VendOptions{Yes: true})
		assert.Equal(t, factory.ExitBadInput, factory.Code(err))
		assertFileIs(t, stackFile, before)

		// A request the pack refuses (the dev policy config made stricter)
		// fails at the preview and leaves the stack file as it was.
		policy := filepath.Join(root, "policy", "config", "dev.json")
		strict, err := os.ReadFile(policy)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(policy, []byte(strings.Replace(string(strict), `"minimumRetentionDays": 30`, `"minimumRetentionDays": 3653`, 1)), 0o644))
		req, err := factory.ParseVendRequest([]byte(vendRequest("fraud-signals")))
		require.NoError(t, err)
		_, err = f.Vend(ctx, req, factory.VendOptions{Yes: true})
		require.NoError(t, os.WriteFile(policy, strict, 0o644))
		assert.Equal(t, factory.ExitPolicy, factory.Code(err), "%v", err)
		assertFileIs(t, stackFile, before)

		// An update that fails part-way (the team's role cannot be created)
		// leaves the stack file as it was, and no branch.
		failing := newFactory(t, root, map[string]string{"AIFACTORY_STANDIN_DRIFT": driftFile,
			"AIFACTORY_STANDIN_FAIL_CREATE": "aws:iam/role:Role::workspace-fraud-signals"})
		_, err = failing.Vend(ctx, req, factory.VendOptions{Yes: true})
		require.Error(t, err)
		assert.Equal(t, factory.ExitFailure, factory.Code(err), "%v", err)
		assert.Contains(t, err.Error(), "AIFACTORY_STANDIN_FAIL_CREATE")
		assertFileIs(t, stackFile, before)
		assert.Empty(t, enginetest.Git(t, root, "branch", "--list", "vend/fraud-signals"), "nothing is committed")

		res, err := f.Vend(ctx, req, factory.VendOptions{Yes: true})
		require.NoError(t, err)
		v := res.Vended
		require.NotNil(t, v)
		assert.Equal(t, "vended", v.Action)
		assert.NotEmpty(t, v.StudioURL)
		assert.NotEmpty(t, v.AccessPointAlias)
		assert.Equal(t, "vend/fraud-signals", v.Branch)
		assert.Equal(t, v.Commit, enginetest.Git(t, root, "rev-parse", "vend/fraud-signals"))
		assert.Contains(t, enginetest.Git(t, root, "log", "-1", "--format=%B", "vend/fraud-signals"), "Preview: ")
		assert.Contains(t, enginetest.Git(t, root, "show", "vend/fraud-signals:Pulumi.dev.yaml"), "name: fraud-signals")
		assert.Equal(t, head, enginetest.Git(t, root, "rev-parse", "HEAD"), "the checked-out branch is not moved")

		// The applied stack file is not HEAD's: the release says so, names
		// the vend commit, and cannot be promoted until it is merged.
		rel := res.Release
		require.NotNil(t, rel)
		assert.Equal(t, head, rel.Commit)
		assert.True(t, rel.Dirty)
		assert.Equal(t, []string{"Pulumi.dev.yaml"}, rel.DirtyFiles)
		assert.Equal(t, "vend/fraud-signals", rel.Branch)
		assert.Equal(t, v.Commit, rel.BranchCommit)
		refused, err := f.Promote(ctx, "dev", "staging", factory.PromoteOptions{Yes: true})
		gateFailed(t, refused, err, factory.GateRelease)
		assert.Contains(t, refused.Gates[len(refused.Gates)-1].Detail, "merge vend/fraud-signals, then run `aifactory up dev`")
		outs, err := f.Outputs(ctx, "dev")
		require.NoError(t, err)
		assert.Len(t, outs.Outputs["accessPointAliases"], 3)

		_, err = f.Vend(ctx, req, factory.VendOptions{Yes: true})
		assert.Equal(t, factory.ExitBadInput, factory.Code(err), "a team is vended once")

		res, err = f.Offboard(ctx, "dev", "fraud-signals", factory.VendOptions{Yes: true})
		require.NoError(t, err)
		assert.Equal(t, "removed", res.Vended.Action)
		assertFileIs(t, stackFile, before)
		outs, err = f.Outputs(ctx, "dev")
		require.NoError(t, err)
		assert.Len(t, outs.Outputs["accessPointAliases"], 2)
	})

	t.Run("destroy", func(t *testing.T) {
		res, err := f.Destroy(ctx, "dev")
		require.NoError(t, err)
		assert.Positive(t, res.Summary["delete"])
	})
}

func gateNames(gates []factory.Gate) []string {
	var out []string
	for _, g := range gates {
		out = append(out, g.Name)
	}
	return out
}

func assertFileIs(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "%s is byte for byte as it was", filepath.Base(path))
}

func vendRequest(team string) string {
	return `team: ` + team + `
owner: fraud-signals@aifactory.example
costCenter: CC-5400-RISK
dataClassification: confidential
instanceType: ml.t3.medium
monthlyBudget: 1500
emr:
  template: spark-small
  identities:
    - type: ROLE
      name: fraud-signals-analysts
`
}
