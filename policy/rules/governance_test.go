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
	// audit-trail
	trail := func(change map[string]any) []rules.Resource {
		props := map[string]any{
			"s3BucketName": "aifactory-dev-audit-trail-123456789012", "isMultiRegionTrail": true, "includeGlobalServiceEvents": true,
			"enableLogFileValidation": true, "kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/logs",
			"cloudWatchLogsGroupArn": "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/aifactory-dev:*",
		}
		for k, v := range change {
			if v == nil {
				delete(props, k)
				continue
			}
			props[k] = v
		}
		return one(res(tTrail, "trail", props))
	}
	add(
		controlCase{control: "audit-trail", name: "multi-region, validated, encrypted, in CloudWatch", want: pass, resources: trail(nil)},
		controlCase{control: "audit-trail", name: "global service events and logging by default", want: pass,
			resources: trail(map[string]any{"includeGlobalServiceEvents": nil, "enableLogging": nil})},
		controlCase{control: "audit-trail", name: "one region only", want: violation, contains: "records only its own region",
			resources: trail(map[string]any{"isMultiRegionTrail": false})},
		controlCase{control: "audit-trail", name: "no global services", want: violation, contains: "global services",
			resources: trail(map[string]any{"includeGlobalServiceEvents": false})},
		controlCase{control: "audit-trail", name: "logging stopped", want: violation, contains: "logging is off",
			resources: trail(map[string]any{"enableLogging": false})},
		controlCase{control: "audit-trail", name: "no log file validation", want: violation, contains: "log file validation is off",
			resources: trail(map[string]any{"enableLogFileValidation": nil})},
		controlCase{control: "audit-trail", name: "no key", want: violation, contains: "kmsKeyId is not set",
			resources: trail(map[string]any{"kmsKeyId": nil})},
		controlCase{control: "audit-trail", name: "AWS-managed key", want: violation, contains: "AWS-managed key",
			resources: trail(map[string]any{"kmsKeyId": "alias/aws/cloudtrail"})},
		controlCase{control: "audit-trail", name: "not in CloudWatch Logs", want: violation, contains: "does not deliver to CloudWatch Logs",
			resources: trail(map[string]any{"cloudWatchLogsGroupArn": nil})},
		controlCase{control: "audit-trail", name: "key not known yet", want: unverified, contains: "kmsKeyId",
			resources: trail(map[string]any{"kmsKeyId": computed})},
	)
	return cases
}
