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
