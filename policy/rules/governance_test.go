package rules_test

import (
	"testing"

	"github.com/aifactory/platform/policy/rules"
)

func TestGovernanceControls(t *testing.T) { runCases(t, governanceCases()) }

// governanceCases are the cases of the Governance category: Governance (governance.go).
func governanceCases() []controlCase {
	var cases []controlCase
	add := func(c ...controlCase) { cases = append(cases, c...) }
	b := compliantBucket("data")

	// s3-versioning-lifecycle
	ver := func(status any) *rules.Resource {
		r := dependsOn(res(tBucketVer, "data", map[string]any{"bucket": computed, "versioningConfiguration": map[string]any{"status": status}}), "bucket", b["bucket"])
		return &r
	}
	lc := func(status any) *rules.Resource {
		r := dependsOn(res(tBucketLC, "data", map[string]any{"bucket": computed, "rules": []any{map[string]any{"id": "x", "status": status}}}), "bucket", b["bucket"])
		return &r
	}
	add(
		controlCase{control: "s3-versioning-lifecycle", name: "versioned with lifecycle", want: pass, resources: b.list()},
		controlCase{control: "s3-versioning-lifecycle", name: "versioning suspended", want: violation, contains: "versioning is not Enabled",
			resources: b.replace("versioning", ver("Suspended")).list()},
		controlCase{control: "s3-versioning-lifecycle", name: "no versioning", want: violation, contains: "no versioning configuration",
			resources: b.replace("versioning", nil).list()},
		controlCase{control: "s3-versioning-lifecycle", name: "no lifecycle", want: violation, contains: "no lifecycle configuration",
			resources: b.replace("lifecycle", nil).list()},
		controlCase{control: "s3-versioning-lifecycle", name: "lifecycle disabled", want: violation, contains: "no lifecycle rule is Enabled",
			resources: b.replace("lifecycle", lc("Disabled")).list()},
		controlCase{control: "s3-versioning-lifecycle", name: "status computed", want: unverified, contains: "status",
			resources: b.replace("versioning", ver(computed)).list()},
	)

	// s3-versioning-lifecycle on the legacy s3.Bucket's inline settings.
	legacy := func(versioning, enabled any) rules.Resource {
		return res(tBucket, "legacy", map[string]any{"bucket": "aifactory-dev-legacy", "versioning": map[string]any{"enabled": versioning},
			"lifecycleRules": []any{map[string]any{"id": "expire", "enabled": enabled, "noncurrentVersionExpiration": map[string]any{"days": 30}}}})
	}
	add(
		controlCase{control: "s3-versioning-lifecycle", name: "legacy bucket versioned with a rule", want: pass, resources: one(legacy(true, true))},
		controlCase{control: "s3-versioning-lifecycle", name: "legacy bucket not versioned", want: violation, contains: "versioning.enabled is not true",
			resources: one(legacy(false, true))},
		controlCase{control: "s3-versioning-lifecycle", name: "legacy bucket with rules off", want: violation, contains: "no inline lifecycle rule is enabled",
			resources: one(legacy(true, false))},
		controlCase{control: "s3-versioning-lifecycle", name: "legacy bucket without either", want: violation, contains: "neither versioning inline nor",
			resources: one(res(tBucket, "legacy", map[string]any{"bucket": "aifactory-dev-legacy"}))},
		controlCase{control: "s3-versioning-lifecycle", name: "legacy rule state computed", want: unverified, contains: "enabled",
			resources: one(legacy(true, computed))},
	)

	// prod-protect
	prod := func(s *rules.Settings) { s.Environment = "prod" }
	add(
		controlCase{control: "prod-protect", name: "protected prod bucket", want: pass, settings: prod,
			resources: one(protected(res(tBucketV2, "data", map[string]any{"bucket": computed})))},
		controlCase{control: "prod-protect", name: "dev need not protect", want: pass,
			resources: one(res(tKey, "data", nil))},
		controlCase{control: "prod-protect", name: "unprotected prod key", want: violation, contains: "not protected from deletion",
			settings: prod, resources: one(res(tKey, "data", map[string]any{"policy": computed}))},
		controlCase{control: "prod-protect", name: "unprotected prod domain", want: violation, contains: "pulumi.Protect(true)",
			settings: prod, resources: one(res(tDomain, "studio", nil))},
	)
	return cases
}
