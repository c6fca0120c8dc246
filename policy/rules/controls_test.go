package rules_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/policy/rules"
)

type outcome string

const (
	pass       outcome = "pass"
	violation  outcome = "violation"
	unverified outcome = "unverified"
)

// controlCase is one resource (or, for stack controls, one set of
// resources) and what the control must conclude about it.
type controlCase struct {
	control   string
	name      string
	resources []rules.Resource
	settings  func(*rules.Settings)
	want      outcome
	// contains must appear in a finding's message of the wanted kind.
	contains string
}

func one(r rules.Resource) []rules.Resource { return []rules.Resource{r} }

func devSettings() rules.Settings {
	s := rules.DefaultSettings()
	s.Environment = "dev"
	return s
}

// evaluate runs a control the way the pack does: the control, then the
// stack's dependencies settle what they can.
func evaluate(t testing.TB, tc controlCase) []rules.Finding {
	t.Helper()
	c, ok := rules.Lookup(tc.control)
	require.True(t, ok, "no control %q", tc.control)
	s := devSettings()
	if tc.settings != nil {
		tc.settings(&s)
	}
	return rules.Settle(c.Evaluate(tc.resources, s), tc.resources)
}

func split(findings []rules.Finding) (violations, unverifieds []rules.Finding) {
	for _, f := range findings {
		if f.Verdict == rules.Violation {
			violations = append(violations, f)
		} else {
			unverifieds = append(unverifieds, f)
		}
	}
	return violations, unverifieds
}

func messages(fs []rules.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Message)
	}
	return strings.Join(out, "\n")
}

func TestControlCases(t *testing.T) {
	for _, tc := range controlCases() {
		t.Run(tc.control+"/"+tc.name, func(t *testing.T) {
			findings := evaluate(t, tc)
			violations, unverifieds := split(findings)
			switch tc.want {
			case pass:
				assert.Empty(t, findings, "compliant resource must pass:\n%s", messages(findings))
			case violation:
				require.NotEmpty(t, violations, "must be a violation; unverified:\n%s", messages(unverifieds))
				assert.Contains(t, messages(violations), tc.contains)
			case unverified:
				assert.Empty(t, violations, "a value that is not known yet must never fail the control:\n%s", messages(violations))
				require.NotEmpty(t, unverifieds, "an undecidable control must say so rather than pass")
				assert.Contains(t, messages(unverifieds), tc.contains)
			}
			for _, f := range findings {
				assert.Equal(t, tc.control, f.Control)
				assert.NotEmpty(t, f.URN)
				if f.Verdict == rules.Violation {
					assert.Contains(t, f.Message, "Fix: ", "a violation says how to fix it")
				}
			}
		})
	}
}

// TestEveryControlHasCases makes the table cover the whole catalogue: a
// compliant and a violating resource, and a computed value, per control.
func TestEveryControlHasCases(t *testing.T) {
	type coverage struct{ pass, violation, computed bool }
	got := map[string]*coverage{}
	for _, tc := range controlCases() {
		c := got[tc.control]
		if c == nil {
			c = &coverage{}
			got[tc.control] = c
		}
		c.pass = c.pass || tc.want == pass
		c.violation = c.violation || tc.want == violation
		for _, r := range tc.resources {
			c.computed = c.computed || hasComputed(r)
		}
	}
	for _, c := range rules.Catalogue() {
		cov := got[c.Name]
		require.NotNil(t, cov, "control %s has no test cases", c.Name)
		assert.True(t, cov.pass, "%s: no compliant case", c.Name)
		assert.True(t, cov.violation, "%s: no violating case", c.Name)
		assert.True(t, cov.computed, "%s: no case with a computed value", c.Name)
	}
}

func hasComputed(r rules.Resource) bool {
	for _, v := range r.Properties.All {
		if v.HasComputed() {
			return true
		}
	}
	return false
}

func controlCases() []controlCase {
	var cases []controlCase
	add := func(c ...controlCase) { cases = append(cases, c...) }

	// required-tags
	add(
		controlCase{control: "required-tags", name: "tags from provider defaults in tagsAll", want: pass,
			resources: one(res(tBucketV2, "data", map[string]any{"tagsAll": fullTags()}))},
		controlCase{control: "required-tags", name: "own tags", want: pass,
			resources: one(res(tLogGroup, "logs", map[string]any{"tags": fullTags()}))},
		controlCase{control: "required-tags", name: "untaggable type without tags", want: pass,
			resources: one(res(tAccessPoint, "team-a", map[string]any{"bucket": "b"}))},
		controlCase{control: "required-tags", name: "components are not AWS resources", want: pass,
			resources: one(res("aifactory:data:Perimeter", "data", nil))},
		controlCase{control: "required-tags", name: "untagged bucket", want: violation, contains: "team, project, cost-center, environment, data-classification, owner",
			resources: one(res(tBucketV2, "data", nil))},
		controlCase{control: "required-tags", name: "blank and missing keys", want: violation, contains: "team, owner",
			resources: one(res(tBucketV2, "data", map[string]any{"tags": with(without(fullTags(), "owner"), "team", "  ")}))},
		controlCase{control: "required-tags", name: "environment of another stack", want: violation, contains: `tag "environment" is "prod" but this stack's environment is "dev"`,
			resources: one(res(tBucketV2, "data", map[string]any{"tags": with(fullTags(), "environment", "prod")}))},
		controlCase{control: "required-tags", name: "own tag wins over the default", want: violation, contains: `"prod"`,
			resources: one(res(tBucketV2, "data", map[string]any{"tags": map[string]any{"environment": "prod"}, "tagsAll": fullTags()}))},
		controlCase{control: "required-tags", name: "configured keys", want: violation, contains: "expires-at",
			settings:  func(s *rules.Settings) { s.RequiredTagKeys = append(s.RequiredTagKeys, "expires-at") },
			resources: one(res(tBucketV2, "data", map[string]any{"tags": fullTags()}))},
		controlCase{control: "required-tags", name: "tags computed", want: unverified, contains: "tags is computed",
			resources: one(res(tBucketV2, "data", map[string]any{"tags": computed, "tagsAll": computed}))},
		controlCase{control: "required-tags", name: "one value computed", want: unverified, contains: "tags.owner",
			resources: one(res(tBucketV2, "data", map[string]any{"tags": with(fullTags(), "owner", computed)}))},
	)

	// ttl-tag
	add(
		controlCase{control: "ttl-tag", name: "expires-at time", want: pass,
			resources: one(res(tCluster, "spark", map[string]any{"tags": with(fullTags(), "expires-at", "2030-01-31T18:00:00Z")}))},
		controlCase{control: "ttl-tag", name: "expires-at date from default tags", want: pass,
			resources: one(res(tSpace, "lab", map[string]any{"tagsAll": with(fullTags(), "expires-at", "2030-01-31")}))},
		controlCase{control: "ttl-tag", name: "long-lived types need none", want: pass,
			resources: one(res(tBucketV2, "data", map[string]any{"tags": fullTags()}))},
		controlCase{control: "ttl-tag", name: "missing", want: violation, contains: `without an "expires-at" tag`,
			resources: one(res(tCluster, "spark", map[string]any{"tags": fullTags()}))},
		controlCase{control: "ttl-tag", name: "not a time", want: violation, contains: "not an RFC 3339",
			resources: one(res(tCluster, "spark", map[string]any{"tags": with(fullTags(), "expires-at", "next tuesday")}))},
		controlCase{control: "ttl-tag", name: "computed", want: unverified, contains: "expires-at",
			resources: one(res(tCluster, "spark", map[string]any{"tags": with(fullTags(), "expires-at", computed)}))},
	)

	// s3-sse-kms
	b := compliantBucket("data")
	sse := func(alg any, key any, bucketKey any) *rules.Resource {
		r := dependsOn(res(tBucketSSE, "data", map[string]any{"bucket": computed, "rules": []any{map[string]any{
			"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": alg, "kmsMasterKeyId": key},
			"bucketKeyEnabled":                   bucketKey,
		}}}), "bucket", b["bucket"])
		return &r
	}
	logTarget := dependsOn(res(tBucketLogging, "data", map[string]any{"bucket": computed, "targetBucket": computed}), "targetBucket", b["bucket"])
	named := res(tBucketV2, "named", map[string]any{"bucket": "aifactory-dev-named"})
	namedSSE := res(tBucketSSE, "named", map[string]any{"bucket": "aifactory-dev-named", "rules": []any{map[string]any{
		"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": keyARN},
		"bucketKeyEnabled":                   true,
	}}})
	add(
		controlCase{control: "s3-sse-kms", name: "KMS with a key of the stack, matched by dependency", want: pass, resources: b.list()},
		controlCase{control: "s3-sse-kms", name: "matched by known bucket name", want: pass, resources: []rules.Resource{named, namedSSE}},
		controlCase{control: "s3-sse-kms", name: "log target bucket on SSE-S3", want: pass,
			resources: append(b.replace("sse", sse("AES256", nil, nil)).list(), logTarget)},
		controlCase{control: "s3-sse-kms", name: "no encryption configuration", want: violation, contains: "no server-side encryption configuration",
			resources: b.replace("sse", nil).list()},
		controlCase{control: "s3-sse-kms", name: "configuration of another bucket", want: violation, contains: "no server-side encryption configuration",
			resources: []rules.Resource{named, res(tBucketSSE, "other", map[string]any{"bucket": "someone-elses", "rules": namedSSE.Properties.Get("rules")})}},
		controlCase{control: "s3-sse-kms", name: "SSE-S3 on a data bucket", want: violation, contains: "only a server access log target bucket may use SSE-S3",
			resources: b.replace("sse", sse("AES256", nil, nil)).list()},
		controlCase{control: "s3-sse-kms", name: "AWS-managed key", want: violation, contains: "AWS-managed key",
			resources: b.replace("sse", sse("aws:kms", "alias/aws/s3", true)).list()},
		controlCase{control: "s3-sse-kms", name: "bucket key off", want: violation, contains: "bucketKeyEnabled is not true",
			resources: b.replace("sse", sse("aws:kms", keyARN, false)).list()},
		controlCase{control: "s3-sse-kms", name: "bucket reference computed without dependency", want: unverified, contains: "is not known yet",
			resources: b.replace("sse", ptr(res(tBucketSSE, "data", map[string]any{"bucket": computed, "rules": b["sse"].Properties.Get("rules")}))).list()},
		controlCase{control: "s3-sse-kms", name: "key computed from outside the stack", want: unverified, contains: "kmsMasterKeyId",
			resources: b.replace("sse", sse("aws:kms", computed, true)).list()},
	)

	// ebs-encrypted
	ltWith := func(ebs map[string]any) rules.Resource {
		return res(tLaunchTemplate, "nodes", map[string]any{"blockDeviceMappings": []any{map[string]any{"deviceName": "/dev/xvda", "ebs": ebs}}})
	}
	add(
		controlCase{control: "ebs-encrypted", name: "volume with CMK", want: pass,
			resources: one(res(tVolume, "scratch", map[string]any{"encrypted": true, "kmsKeyId": keyARN}))},
		controlCase{control: "ebs-encrypted", name: "launch template with CMK", want: pass,
			resources: one(ltWith(map[string]any{"encrypted": "true", "kmsKeyId": keyARN}))},
		controlCase{control: "ebs-encrypted", name: "unencrypted volume", want: violation, contains: "encrypted is not true",
			resources: one(res(tVolume, "scratch", map[string]any{"encrypted": false, "kmsKeyId": keyARN}))},
		controlCase{control: "ebs-encrypted", name: "volume on the default key", want: violation, contains: "kmsKeyId is not set",
			resources: one(res(tVolume, "scratch", map[string]any{"encrypted": true}))},
		controlCase{control: "ebs-encrypted", name: "launch template without block devices", want: violation, contains: "blockDeviceMappings is not set",
			resources: one(res(tLaunchTemplate, "nodes", map[string]any{"instanceType": "m5.xlarge"}))},
		controlCase{control: "ebs-encrypted", name: "launch template volume unencrypted", want: violation, contains: `encrypted is not "true"`,
			resources: one(ltWith(map[string]any{"encrypted": "false", "kmsKeyId": keyARN}))},
		controlCase{control: "ebs-encrypted", name: "key computed", want: unverified, contains: "kmsKeyId",
			resources: one(res(tVolume, "scratch", map[string]any{"encrypted": true, "kmsKeyId": computed}))},
	)

	// emr-security-configuration
	secConfig := func(mutate func(rest map[string]any)) string {
		rest := map[string]any{
			"S3EncryptionConfiguration": map[string]any{"EncryptionMode": "SSE-KMS", "AwsKmsKey": keyARN},
			"LocalDiskEncryptionConfiguration": map[string]any{
				"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": keyARN, "EnableEbsEncryption": true,
			},
		}
		if mutate != nil {
			mutate(rest)
		}
		return jsonOf(map[string]any{"EncryptionConfiguration": map[string]any{
			"EnableAtRestEncryption": true, "EnableInTransitEncryption": false, "AtRestEncryptionConfiguration": rest,
		}})
	}
	add(
		controlCase{control: "emr-security-configuration", name: "S3 and local disk encrypted", want: pass,
			resources: one(res(tSecConfig, "emr", map[string]any{"configuration": secConfig(nil)}))},
		controlCase{control: "emr-security-configuration", name: "cluster with configuration and log key", want: pass,
			resources: one(res(tCluster, "spark", map[string]any{"securityConfiguration": computed, "logEncryptionKmsKeyId": keyARN}))},
		controlCase{control: "emr-security-configuration", name: "cluster without configuration", want: violation, contains: "securityConfiguration is not set",
			resources: one(res(tCluster, "spark", map[string]any{"logEncryptionKmsKeyId": keyARN}))},
		controlCase{control: "emr-security-configuration", name: "cluster logs unencrypted", want: violation, contains: "logEncryptionKmsKeyId is not set",
			resources: one(res(tCluster, "spark", map[string]any{"securityConfiguration": "emr"}))},
		controlCase{control: "emr-security-configuration", name: "EMRFS on SSE-S3", want: violation, contains: "EncryptionMode is not SSE-KMS",
			resources: one(res(tSecConfig, "emr", map[string]any{"configuration": secConfig(func(r map[string]any) {
				r["S3EncryptionConfiguration"] = map[string]any{"EncryptionMode": "SSE-S3"}
			})}))},
		controlCase{control: "emr-security-configuration", name: "EBS not encrypted", want: violation, contains: "EnableEbsEncryption is not true",
			resources: one(res(tSecConfig, "emr", map[string]any{"configuration": secConfig(func(r map[string]any) {
				r["LocalDiskEncryptionConfiguration"].(map[string]any)["EnableEbsEncryption"] = false
			})}))},
		controlCase{control: "emr-security-configuration", name: "at-rest encryption off", want: violation, contains: "at-rest encryption is not enabled",
			resources: one(res(tSecConfig, "emr", map[string]any{"configuration": jsonOf(map[string]any{"EncryptionConfiguration": map[string]any{"EnableAtRestEncryption": false}})}))},
		controlCase{control: "emr-security-configuration", name: "configuration computed", want: unverified, contains: "configuration is computed",
			resources: one(res(tSecConfig, "emr", map[string]any{"configuration": computed}))},
	)

	// single-key controls
	keyControls := []struct{ control, typ, prop string }{
		{"sagemaker-kms", tDomain, "kmsKeyId"},
		{"sagemaker-kms", tNotebook, "kmsKeyId"},
		{"sns-kms", tTopic, "kmsMasterKeyId"},
		{"sqs-kms", tQueue, "kmsMasterKeyId"},
		{"scheduler-kms", tSchedule, "kmsKeyArn"},
		{"emr-studio-kms", tStudio, "encryptionKeyArn"},
	}
	for _, k := range keyControls {
		add(
			controlCase{control: k.control, name: "customer-managed key on " + k.typ, want: pass,
				resources: one(res(k.typ, "x", map[string]any{k.prop: keyARN}))},
			controlCase{control: k.control, name: "no key on " + k.typ, want: violation, contains: k.prop + " is not set",
				resources: one(res(k.typ, "x", map[string]any{"sqsManagedSseEnabled": true}))},
			controlCase{control: k.control, name: "AWS-managed key on " + k.typ, want: violation, contains: "AWS-managed key",
				resources: one(res(k.typ, "x", map[string]any{k.prop: "arn:aws:kms:eu-west-1:123456789012:alias/aws/sns"}))},
			controlCase{control: k.control, name: "key of the stack on " + k.typ, want: pass,
				resources: []rules.Resource{dependsOn(res(k.typ, "x", map[string]any{k.prop: computed}), k.prop, res(tKey, "k", nil))}},
			controlCase{control: k.control, name: "computed key on " + k.typ, want: unverified, contains: k.prop,
				resources: one(res(k.typ, "x", map[string]any{k.prop: computed}))},
		)
	}

	// logs-kms-retention
	add(
		controlCase{control: "logs-kms-retention", name: "key and a year", want: pass,
			resources: one(res(tLogGroup, "flow", map[string]any{"kmsKeyId": keyARN, "retentionInDays": 365}))},
		controlCase{control: "logs-kms-retention", name: "dev minimum", want: pass, settings: func(s *rules.Settings) { s.MinLogRetentionDays = 30 },
			resources: one(res(tLogGroup, "flow", map[string]any{"kmsKeyId": keyARN, "retentionInDays": 30}))},
		controlCase{control: "logs-kms-retention", name: "below the minimum", want: violation, contains: "minimum of 365 days",
			resources: one(res(tLogGroup, "flow", map[string]any{"kmsKeyId": keyARN, "retentionInDays": 30}))},
		controlCase{control: "logs-kms-retention", name: "retention unset", want: violation, contains: "retentionInDays is unset",
			resources: one(res(tLogGroup, "flow", map[string]any{"kmsKeyId": keyARN}))},
		controlCase{control: "logs-kms-retention", name: "no key", want: violation, contains: "kmsKeyId is not set",
			resources: one(res(tLogGroup, "flow", map[string]any{"retentionInDays": 365}))},
		controlCase{control: "logs-kms-retention", name: "retention computed", want: unverified, contains: "retentionInDays",
			resources: one(res(tLogGroup, "flow", map[string]any{"kmsKeyId": keyARN, "retentionInDays": computed}))},
	)

	// ecr-hardened
	repo := map[string]any{
		"encryptionConfigurations":   []any{map[string]any{"encryptionType": "KMS", "kmsKey": keyARN}},
		"imageScanningConfiguration": map[string]any{"scanOnPush": true},
		"imageTagMutability":         "IMMUTABLE",
	}
	add(
		controlCase{control: "ecr-hardened", name: "KMS, scanned, immutable", want: pass, resources: one(res(tRepo, "optimiser", repo))},
		controlCase{control: "ecr-hardened", name: "mutable tags", want: violation, contains: "image tags are mutable",
			resources: one(res(tRepo, "optimiser", with(repo, "imageTagMutability", "MUTABLE")))},
		controlCase{control: "ecr-hardened", name: "AES256 default", want: violation, contains: "encryptionConfigurations is not set",
			resources: one(res(tRepo, "optimiser", without(repo, "encryptionConfigurations")))},
		controlCase{control: "ecr-hardened", name: "KMS with the AWS-managed key", want: violation, contains: "kmsKey is not set",
			resources: one(res(tRepo, "optimiser", with(repo, "encryptionConfigurations", []any{map[string]any{"encryptionType": "KMS"}})))},
		controlCase{control: "ecr-hardened", name: "no scan on push", want: violation, contains: "not scanned on push",
			resources: one(res(tRepo, "optimiser", with(repo, "imageScanningConfiguration", map[string]any{"scanOnPush": false})))},
		controlCase{control: "ecr-hardened", name: "encryption computed", want: unverified, contains: "encryptionConfigurations",
			resources: one(res(tRepo, "optimiser", with(repo, "encryptionConfigurations", computed)))},
	)

	// sfn-encryption-logging
	sm := map[string]any{
		"encryptionConfiguration": map[string]any{"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": keyARN},
		"loggingConfiguration":    map[string]any{"level": "ALL", "logDestination": computed},
		"definition":              "{}",
	}
	add(
		controlCase{control: "sfn-encryption-logging", name: "CMK and ALL", want: pass, resources: one(res(tStateMachine, "weekly", sm))},
		controlCase{control: "sfn-encryption-logging", name: "errors only", want: violation, contains: "level is not ALL",
			resources: one(res(tStateMachine, "weekly", with(sm, "loggingConfiguration", map[string]any{"level": "ERROR", "logDestination": "arn"})))},
		controlCase{control: "sfn-encryption-logging", name: "no logging", want: violation, contains: "logDestination is not set",
			resources: one(res(tStateMachine, "weekly", without(sm, "loggingConfiguration")))},
		controlCase{control: "sfn-encryption-logging", name: "AWS-owned key", want: violation, contains: "not CUSTOMER_MANAGED_KMS_KEY",
			resources: one(res(tStateMachine, "weekly", with(sm, "encryptionConfiguration", map[string]any{"type": "AWS_OWNED_KEY"})))},
		controlCase{control: "sfn-encryption-logging", name: "key computed", want: unverified, contains: "kmsKeyId",
			resources: one(res(tStateMachine, "weekly", with(sm, "encryptionConfiguration", map[string]any{"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": computed})))},
	)

	// kms-rotation
	rootPolicy := doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals("arn:aws:iam::123456789012:root"), Action: iamdoc.Strings{"kms:*"}, Resource: iamdoc.Strings{"*"}})
	key := map[string]any{"enableKeyRotation": true, "deletionWindowInDays": 30, "policy": rootPolicy}
	add(
		controlCase{control: "kms-rotation", name: "rotated, 30 days, account policy", want: pass, resources: one(res(tKey, "data", key))},
		controlCase{control: "kms-rotation", name: "window defaults to 30", want: pass, resources: one(res(tKey, "data", without(key, "deletionWindowInDays")))},
		controlCase{control: "kms-rotation", name: "dev window", want: pass, settings: func(s *rules.Settings) { s.MinKMSDeletionWindowDays = 7 },
			resources: one(res(tKey, "data", with(key, "deletionWindowInDays", 7)))},
		controlCase{control: "kms-rotation", name: "asymmetric keys cannot rotate", want: pass,
			resources: one(res(tKey, "signing", map[string]any{"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"}))},
		controlCase{control: "kms-rotation", name: "star principal with conditions", want: pass,
			resources: one(res(tKey, "data", with(key, "policy", doc(iamdoc.Statement{
				Effect: iamdoc.Allow, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"kms:Decrypt"}, Resource: iamdoc.Strings{"*"},
				Condition: iamdoc.Condition{"StringEquals": {"kms:CallerAccount": {"123456789012"}}},
			}))))},
		controlCase{control: "kms-rotation", name: "no rotation", want: violation, contains: "key rotation is off",
			resources: one(res(tKey, "data", without(key, "enableKeyRotation")))},
		controlCase{control: "kms-rotation", name: "short window", want: violation, contains: "minimum of 30 days",
			resources: one(res(tKey, "data", with(key, "deletionWindowInDays", 7)))},
		controlCase{control: "kms-rotation", name: "star principal", want: violation, contains: `allows the "*" principal without a condition`,
			resources: one(res(tKey, "data", with(key, "policy", doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"kms:*"}, Resource: iamdoc.Strings{"*"}}))))},
		controlCase{control: "kms-rotation", name: "policy computed", want: unverified, contains: "policy is computed",
			resources: one(res(tKey, "data", with(key, "policy", computed)))},
	)

	// ecs-storage-kms
	ecsCluster := map[string]any{
		"configuration": map[string]any{"managedStorageConfiguration": map[string]any{"fargateEphemeralStorageKmsKeyId": keyARN, "kmsKeyId": keyARN}},
		"settings":      []any{map[string]any{"name": "containerInsights", "value": "enabled"}},
	}
	add(
		controlCase{control: "ecs-storage-kms", name: "keys and insights", want: pass, resources: one(res(tECSCluster, "pipeline", ecsCluster))},
		controlCase{control: "ecs-storage-kms", name: "insights off", want: violation, contains: "Container Insights is not enabled",
			resources: one(res(tECSCluster, "pipeline", with(ecsCluster, "settings", []any{map[string]any{"name": "containerInsights", "value": "disabled"}})))},
		controlCase{control: "ecs-storage-kms", name: "no storage keys", want: violation, contains: "fargateEphemeralStorageKmsKeyId is not set",
			resources: one(res(tECSCluster, "pipeline", without(ecsCluster, "configuration")))},
		controlCase{control: "ecs-storage-kms", name: "settings computed", want: unverified, contains: "settings",
			resources: one(res(tECSCluster, "pipeline", with(ecsCluster, "settings", computed)))},
	)

	// s3-public-access-block
	pab := func(flags map[string]any) *rules.Resource {
		r := dependsOn(res(tBucketPAB, "data", with(flags, "bucket", computed)), "bucket", b["bucket"])
		return &r
	}
	allBlocked := map[string]any{"blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": true}
	add(
		controlCase{control: "s3-public-access-block", name: "all four blocks", want: pass, resources: b.list()},
		controlCase{control: "s3-public-access-block", name: "no block", want: violation, contains: "no public access block",
			resources: b.replace("pab", nil).list()},
		controlCase{control: "s3-public-access-block", name: "public buckets allowed", want: violation, contains: "restrictPublicBuckets is not true",
			resources: b.replace("pab", pab(with(allBlocked, "restrictPublicBuckets", false))).list()},
		controlCase{control: "s3-public-access-block", name: "block computed", want: unverified, contains: "blockPublicPolicy",
			resources: b.replace("pab", pab(with(allBlocked, "blockPublicPolicy", computed))).list()},
	)

	// s3-access-point-vpc
	add(
		controlCase{control: "s3-access-point-vpc", name: "VPC origin, AWS-default blocks", want: pass,
			resources: one(res(tAccessPoint, "team-a", map[string]any{"bucket": computed, "vpcConfiguration": map[string]any{"vpcId": computed}}))},
		controlCase{control: "s3-access-point-vpc", name: "internet origin", want: violation, contains: "Internet network origin",
			resources: one(res(tAccessPoint, "team-a", map[string]any{"bucket": "b"}))},
		controlCase{control: "s3-access-point-vpc", name: "public policy allowed", want: violation, contains: "blockPublicPolicy is false",
			resources: one(res(tAccessPoint, "team-a", map[string]any{"vpcConfiguration": map[string]any{"vpcId": "vpc-1"},
				"publicAccessBlockConfiguration": map[string]any{"blockPublicPolicy": false}}))},
		controlCase{control: "s3-access-point-vpc", name: "block computed", want: unverified, contains: "blockPublicAcls",
			resources: one(res(tAccessPoint, "team-a", map[string]any{"vpcConfiguration": map[string]any{"vpcId": "vpc-1"},
				"publicAccessBlockConfiguration": map[string]any{"blockPublicAcls": computed}}))},
	)

	// s3-tls-only
	policyRes := func(policy any) *rules.Resource {
		r := dependsOn(res(tBucketPolicy, "data", map[string]any{"bucket": computed, "policy": policy}), "bucket", b["bucket"])
		return &r
	}
	add(
		controlCase{control: "s3-tls-only", name: "denies insecure transport", want: pass, resources: b.list()},
		controlCase{control: "s3-tls-only", name: "no bucket policy", want: violation, contains: "no bucket policy",
			resources: b.replace("policy", nil).list()},
		controlCase{control: "s3-tls-only", name: "policy without the TLS deny", want: violation, contains: "does not deny requests without TLS",
			resources: b.replace("policy", policyRes(doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals("arn:aws:iam::123456789012:root"),
				Action: iamdoc.Strings{"s3:GetObject"}, Resource: iamdoc.Strings{"arn:aws:s3:::b/*"}}))).list()},
		controlCase{control: "s3-tls-only", name: "policy computed", want: unverified, contains: "policy is computed",
			resources: b.replace("policy", policyRes(computed)).list()},
	)

	// sagemaker-vpc-only
	add(
		controlCase{control: "sagemaker-vpc-only", name: "VpcOnly domain", want: pass,
			resources: one(res(tDomain, "studio", map[string]any{"appNetworkAccessType": "VpcOnly"}))},
		controlCase{control: "sagemaker-vpc-only", name: "locked-down notebook", want: pass,
			resources: one(res(tNotebook, "nb", map[string]any{"directInternetAccess": "Disabled", "rootAccess": "Disabled", "subnetId": computed}))},
		controlCase{control: "sagemaker-vpc-only", name: "public internet domain", want: violation, contains: "appNetworkAccessType is not VpcOnly",
			resources: one(res(tDomain, "studio", map[string]any{"appNetworkAccessType": "PublicInternetOnly"}))},
		controlCase{control: "sagemaker-vpc-only", name: "domain on the AWS default", want: violation, contains: "appNetworkAccessType is not VpcOnly",
			resources: one(res(tDomain, "studio", map[string]any{"authMode": "IAM"}))},
		controlCase{control: "sagemaker-vpc-only", name: "notebook with root and internet", want: violation, contains: "rootAccess is not Disabled",
			resources: one(res(tNotebook, "nb", map[string]any{"subnetId": "subnet-1"}))},
		controlCase{control: "sagemaker-vpc-only", name: "access type computed", want: unverified, contains: "appNetworkAccessType",
			resources: one(res(tDomain, "studio", map[string]any{"appNetworkAccessType": computed}))},
	)

	// emr-private
	add(
		controlCase{control: "emr-private", name: "private subnet", want: pass,
			resources: one(res(tCluster, "spark", map[string]any{"ec2Attributes": map[string]any{"subnetId": computed}}))},
		controlCase{control: "emr-private", name: "block public access on, SSH only", want: pass,
			resources: one(res(tBPA, "account", map[string]any{"blockPublicSecurityGroupRules": true,
				"permittedPublicSecurityGroupRuleRanges": []any{map[string]any{"minRange": 22, "maxRange": 22}}}))},
		controlCase{control: "emr-private", name: "no subnet", want: violation, contains: "names no subnet",
			resources: one(res(tCluster, "spark", map[string]any{"ec2Attributes": map[string]any{"instanceProfile": "p"}}))},
		controlCase{control: "emr-private", name: "block public access off", want: violation, contains: "EMR block public access is off",
			resources: one(res(tBPA, "account", map[string]any{"blockPublicSecurityGroupRules": false}))},
		controlCase{control: "emr-private", name: "wide permitted range", want: violation, contains: "ports other than 22",
			resources: one(res(tBPA, "account", map[string]any{"blockPublicSecurityGroupRules": true,
				"permittedPublicSecurityGroupRuleRanges": []any{map[string]any{"minRange": 0, "maxRange": 65535}}}))},
		controlCase{control: "emr-private", name: "range computed", want: unverified, contains: "permittedPublicSecurityGroupRuleRanges",
			resources: one(res(tBPA, "account", map[string]any{"blockPublicSecurityGroupRules": true, "permittedPublicSecurityGroupRuleRanges": computed}))},
	)

	// sg-no-world-ingress
	add(
		controlCase{control: "sg-no-world-ingress", name: "VPC-only ingress", want: pass,
			resources: one(res(tSG, "endpoints", map[string]any{"ingress": []any{map[string]any{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": []string{"10.10.0.0/16"}}}}))},
		controlCase{control: "sg-no-world-ingress", name: "egress anywhere is not ingress", want: pass,
			resources: one(res(tSGRule, "out", map[string]any{"type": "egress", "cidrBlocks": []string{"0.0.0.0/0"}}))},
		controlCase{control: "sg-no-world-ingress", name: "open to the world", want: violation, contains: "allows ingress from anywhere (0.0.0.0/0)",
			resources: one(res(tSG, "open", map[string]any{"ingress": []any{map[string]any{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": []string{"0.0.0.0/0"}}}}))},
		controlCase{control: "sg-no-world-ingress", name: "rule open on IPv6", want: violation, contains: "::/0",
			resources: one(res(tSGRule, "in", map[string]any{"type": "ingress", "ipv6CidrBlocks": []string{"::/0"}}))},
		controlCase{control: "sg-no-world-ingress", name: "VPC ingress rule", want: violation, contains: "0.0.0.0/0",
			resources: one(res(tSGIngress, "in", map[string]any{"cidrIpv4": "0.0.0.0/0", "ipProtocol": "-1"}))},
		controlCase{control: "sg-no-world-ingress", name: "CIDR computed", want: unverified, contains: "cidrBlocks",
			resources: one(res(tSG, "endpoints", map[string]any{"ingress": []any{map[string]any{"cidrBlocks": []any{computed}}}}))},
	)

	// ecs-task-hardened
	container := map[string]any{"name": "optimiser", "image": "repo@sha256:abc", "readonlyRootFilesystem": true, "user": "1000:1000",
		"environment": []any{map[string]any{"name": "COUNTRY", "value": "AT"}}}
	taskDef := func(c map[string]any, extra ...any) rules.Resource {
		return res(tTaskDef, "optimiser", with(map[string]any{"containerDefinitions": jsonOf([]any{c}), "cpu": "1024", "memory": "4096"}, extra...))
	}
	add(
		controlCase{control: "ecs-task-hardened", name: "hardened task", want: pass, resources: one(taskDef(container))},
		controlCase{control: "ecs-task-hardened", name: "private service", want: pass,
			resources: one(res(tService, "svc", map[string]any{"networkConfiguration": map[string]any{"assignPublicIp": false, "subnets": computed}}))},
		controlCase{control: "ecs-task-hardened", name: "state machine without public IPs", want: pass,
			resources: one(res(tStateMachine, "weekly", map[string]any{"definition": jsonOf(map[string]any{"States": map[string]any{"Run": map[string]any{
				"Parameters": map[string]any{"NetworkConfiguration": map[string]any{"AwsvpcConfiguration": map[string]any{"AssignPublicIp": "DISABLED"}}}}}})}))},
		controlCase{control: "ecs-task-hardened", name: "privileged", want: violation, contains: `container "optimiser" is privileged`,
			resources: one(taskDef(with(container, "privileged", true)))},
		controlCase{control: "ecs-task-hardened", name: "writable root", want: violation, contains: "writable root file system",
			resources: one(taskDef(without(container, "readonlyRootFilesystem")))},
		controlCase{control: "ecs-task-hardened", name: "root user", want: violation, contains: "runs as root",
			resources: one(taskDef(with(container, "user", "0")))},
		controlCase{control: "ecs-task-hardened", name: "host PID", want: violation, contains: "pidMode is host",
			resources: one(taskDef(container, "pidMode", "host"))},
		controlCase{control: "ecs-task-hardened", name: "password in environment", want: violation, contains: "credential-like variables DB_PASSWORD in plain environment",
			resources: one(taskDef(with(container, "environment", []any{map[string]any{"name": "DB_PASSWORD", "value": "hunter2"}})))},
		controlCase{control: "ecs-task-hardened", name: "public IP service", want: violation, contains: "tasks get public IP addresses",
			resources: one(res(tService, "svc", map[string]any{"networkConfiguration": map[string]any{"assignPublicIp": true}}))},
		controlCase{control: "ecs-task-hardened", name: "public IP schedule", want: violation, contains: "scheduled task gets a public IP",
			resources: one(res(tSchedule, "weekly", map[string]any{"target": map[string]any{"ecsParameters": map[string]any{"networkConfiguration": map[string]any{"assignPublicIp": true}}}}))},
		controlCase{control: "ecs-task-hardened", name: "public IP state machine", want: violation, contains: "AssignPublicIp ENABLED",
			resources: one(res(tStateMachine, "weekly", map[string]any{"definition": jsonOf(map[string]any{"States": map[string]any{"Run": map[string]any{
				"Parameters": map[string]any{"NetworkConfiguration": map[string]any{"AwsvpcConfiguration": map[string]any{"AssignPublicIp": "ENABLED"}}}}}})}))},
		controlCase{control: "ecs-task-hardened", name: "definitions computed", want: unverified, contains: "containerDefinitions",
			resources: one(res(tTaskDef, "optimiser", map[string]any{"containerDefinitions": computed}))},
	)

	// vpc-flow-logs
	vpc := res(tVpc, "main", map[string]any{"cidrBlock": "10.10.0.0/16"})
	flow := func(props map[string]any) rules.Resource {
		return dependsOn(res(tFlowLog, "main", with(props, "vpcId", computed)), "vpcId", vpc)
	}
	add(
		controlCase{control: "vpc-flow-logs", name: "ALL traffic logged", want: pass,
			resources: []rules.Resource{vpc, flow(map[string]any{"trafficType": "ALL", "logDestination": computed})}},
		controlCase{control: "vpc-flow-logs", name: "no flow log", want: violation, contains: "no flow log",
			resources: []rules.Resource{vpc}},
		controlCase{control: "vpc-flow-logs", name: "rejected traffic only", want: violation, contains: "does not record ALL traffic",
			resources: []rules.Resource{vpc, flow(map[string]any{"trafficType": "REJECT", "logDestination": "arn"})}},
		controlCase{control: "vpc-flow-logs", name: "VPC reference computed without dependency", want: unverified, contains: "not known yet",
			resources: []rules.Resource{vpc, res(tFlowLog, "main", map[string]any{"vpcId": computed, "trafficType": "ALL", "logDestination": "arn"})}},
	)

	// subnet-no-public-ip
	add(
		controlCase{control: "subnet-no-public-ip", name: "explicitly off", want: pass, resources: one(res(tSubnet, "private-0", map[string]any{"mapPublicIpOnLaunch": false}))},
		controlCase{control: "subnet-no-public-ip", name: "AWS default", want: pass, resources: one(res(tSubnet, "private-0", map[string]any{"cidrBlock": "10.10.0.0/20"}))},
		controlCase{control: "subnet-no-public-ip", name: "public IPs", want: violation, contains: "mapPublicIpOnLaunch is true",
			resources: one(res(tSubnet, "public", map[string]any{"mapPublicIpOnLaunch": true}))},
		controlCase{control: "subnet-no-public-ip", name: "computed", want: unverified, contains: "mapPublicIpOnLaunch",
			resources: one(res(tSubnet, "x", map[string]any{"mapPublicIpOnLaunch": computed}))},
	)

	// vpc-endpoint-private-dns
	add(
		controlCase{control: "vpc-endpoint-private-dns", name: "interface with private DNS", want: pass,
			resources: one(res(tEndpoint, "sts", map[string]any{"vpcEndpointType": "Interface", "privateDnsEnabled": true}))},
		controlCase{control: "vpc-endpoint-private-dns", name: "gateway", want: pass,
			resources: one(res(tEndpoint, "s3", map[string]any{"vpcEndpointType": "Gateway"}))},
		controlCase{control: "vpc-endpoint-private-dns", name: "interface without private DNS", want: violation, contains: "without private DNS",
			resources: one(res(tEndpoint, "sts", map[string]any{"vpcEndpointType": "Interface"}))},
		controlCase{control: "vpc-endpoint-private-dns", name: "type computed", want: unverified, contains: "vpcEndpointType",
			resources: one(res(tEndpoint, "sts", map[string]any{"vpcEndpointType": computed, "privateDnsEnabled": true}))},
	)

	// iam-no-admin, iam-no-service-wildcard
	scoped := doc(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"s3:GetObject", "s3:PutObject"}, Resource: iamdoc.Strings{"arn:aws:s3:::aifactory-dev-data/*"}})
	admin := doc(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"*"}, Resource: iamdoc.Strings{"*"}})
	add(
		controlCase{control: "iam-no-admin", name: "scoped policy", want: pass, resources: one(res(tPolicy, "p", map[string]any{"policy": scoped}))},
		controlCase{control: "iam-no-admin", name: "deny everything is no grant", want: pass,
			resources: one(res(tPolicy, "p", map[string]any{"policy": doc(iamdoc.Statement{Effect: iamdoc.Deny, Action: iamdoc.Strings{"*"}, Resource: iamdoc.Strings{"*"}})}))},
		controlCase{control: "iam-no-admin", name: "star on star", want: violation, contains: "administrator access",
			resources: one(res(tRolePolicy, "p", map[string]any{"policy": admin}))},
		controlCase{control: "iam-no-admin", name: "single statement object", want: violation, contains: "administrator access",
			resources: one(res(tPolicy, "p", map[string]any{"policy": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`}))},
		controlCase{control: "iam-no-admin", name: "NotAction on star", want: violation, contains: "NotAction",
			resources: one(res(tPolicy, "p", map[string]any{"policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`}))},
		controlCase{control: "iam-no-admin", name: "inline admin on a role", want: violation, contains: "inlinePolicies[0].policy",
			resources: one(res(tRole, "r", map[string]any{"inlinePolicies": []any{map[string]any{"name": "x", "policy": admin}}}))},
		controlCase{control: "iam-no-admin", name: "AdministratorAccess attached", want: violation, contains: "AdministratorAccess",
			resources: one(res(tRoleAttach, "r", map[string]any{"role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}))},
		controlCase{control: "iam-no-admin", name: "policy computed", want: unverified, contains: "policy is computed",
			resources: one(res(tRolePolicy, "p", map[string]any{"policy": computed}))},
		controlCase{control: "iam-no-service-wildcard", name: "listed actions", want: pass, resources: one(res(tPolicy, "p", map[string]any{"policy": scoped}))},
		controlCase{control: "iam-no-service-wildcard", name: "s3:*", want: violation, contains: "every action of a service (s3:*)",
			resources: one(res(tPolicy, "p", map[string]any{"policy": doc(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"s3:*"}, Resource: iamdoc.Strings{"arn:aws:s3:::b"}})}))},
		controlCase{control: "iam-no-service-wildcard", name: "policy computed", want: unverified, contains: "policy",
			resources: one(res(tRolePolicy, "p", map[string]any{"policy": computed}))},
	)

	// iam-session-limits, iam-trust-restricted
	trust := func(p *iamdoc.Principal) string {
		return doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: p, Action: iamdoc.Strings{"sts:AssumeRole"}})
	}
	workspaceTrust := trust(iamdoc.Services("sagemaker.amazonaws.com"))
	humanTrust := trust(iamdoc.AWSPrincipals("arn:aws:iam::123456789012:role/sso-data-scientist"))
	boundary := "arn:aws:iam::123456789012:policy/workspace-boundary"
	add(
		controlCase{control: "iam-session-limits", name: "bounded workspace role", want: pass,
			resources: one(res(tRole, "team-a", map[string]any{"assumeRolePolicy": workspaceTrust, "maxSessionDuration": 3600, "permissionsBoundary": boundary}))},
		controlCase{control: "iam-session-limits", name: "service role needs neither", want: pass,
			resources: one(res(tRole, "flow-logs", map[string]any{"assumeRolePolicy": trust(iamdoc.Services("vpc-flow-logs.amazonaws.com"))}))},
		controlCase{control: "iam-session-limits", name: "human role without boundary", want: violation, contains: "without a permissions boundary",
			resources: one(res(tRole, "people", map[string]any{"assumeRolePolicy": humanTrust}))},
		controlCase{control: "iam-session-limits", name: "twelve-hour workspace sessions", want: violation, contains: "limit of 3600 seconds",
			resources: one(res(tRole, "team-a", map[string]any{"assumeRolePolicy": workspaceTrust, "maxSessionDuration": 43200, "permissionsBoundary": boundary}))},
		controlCase{control: "iam-session-limits", name: "trust computed", want: unverified, contains: "assumeRolePolicy",
			resources: one(res(tRole, "team-a", map[string]any{"assumeRolePolicy": computed}))},
		controlCase{control: "iam-trust-restricted", name: "named service", want: pass,
			resources: one(res(tRole, "team-a", map[string]any{"assumeRolePolicy": workspaceTrust}))},
		controlCase{control: "iam-trust-restricted", name: "anyone", want: violation, contains: "any principal (*)",
			resources: one(res(tRole, "r", map[string]any{"assumeRolePolicy": trust(iamdoc.Anyone())}))},
		controlCase{control: "iam-trust-restricted", name: "AWS star", want: violation, contains: "any principal (*)",
			resources: one(res(tRole, "r", map[string]any{"assumeRolePolicy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`}))},
		controlCase{control: "iam-trust-restricted", name: "NotPrincipal", want: violation, contains: "NotPrincipal",
			resources: one(res(tRole, "r", map[string]any{"assumeRolePolicy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"}]}`}))},
		controlCase{control: "iam-trust-restricted", name: "trust computed", want: unverified, contains: "assumeRolePolicy",
			resources: one(res(tRole, "r", map[string]any{"assumeRolePolicy": computed}))},
	)

	// iam-no-users-or-keys
	add(
		controlCase{control: "iam-no-users-or-keys", name: "roles are fine", want: pass, resources: one(res(tRole, "r", map[string]any{"assumeRolePolicy": workspaceTrust}))},
		controlCase{control: "iam-no-users-or-keys", name: "user", want: violation, contains: `iam.User "alice"`, resources: one(res(tUser, "alice", nil))},
		controlCase{control: "iam-no-users-or-keys", name: "access key", want: violation, contains: "no IAM users, passwords or access keys",
			resources: one(res(tAccessKey, "ci", map[string]any{"user": computed}))},
		controlCase{control: "iam-no-users-or-keys", name: "login profile", want: violation, contains: "UserLoginProfile",
			resources: one(res(tLoginProfile, "alice", map[string]any{"user": "alice", "password": secret("Sup3r-S3cret!")}))},
	)

	// ecs-separate-roles
	taskRole, execRole := res(tRole, "task", nil), res(tRole, "exec", nil)
	rolesTD := func(task, exec any, deps ...rules.Resource) rules.Resource {
		r := res(tTaskDef, "optimiser", map[string]any{"taskRoleArn": task, "executionRoleArn": exec})
		if len(deps) == 2 {
			r = dependsOn(dependsOn(r, "taskRoleArn", deps[0]), "executionRoleArn", deps[1])
		}
		return r
	}
	add(
		controlCase{control: "ecs-separate-roles", name: "two known roles", want: pass,
			resources: one(rolesTD("arn:aws:iam::1:role/task", "arn:aws:iam::1:role/exec"))},
		controlCase{control: "ecs-separate-roles", name: "two roles of the stack", want: pass,
			resources: []rules.Resource{taskRole, execRole, rolesTD(computed, computed, taskRole, execRole)}},
		controlCase{control: "ecs-separate-roles", name: "no task role", want: pass,
			resources: one(res(tTaskDef, "optimiser", map[string]any{"executionRoleArn": "arn:aws:iam::1:role/exec"}))},
		controlCase{control: "ecs-separate-roles", name: "same known role", want: violation, contains: "are the same role",
			resources: one(rolesTD("arn:aws:iam::1:role/x", "arn:aws:iam::1:role/x"))},
		controlCase{control: "ecs-separate-roles", name: "same role of the stack", want: violation, contains: "come from the same role",
			resources: []rules.Resource{taskRole, rolesTD(computed, computed, taskRole, taskRole)}},
		controlCase{control: "ecs-separate-roles", name: "computed without dependencies", want: unverified, contains: "taskRoleArn",
			resources: one(rolesTD(computed, computed))},
	)

	// emr-auto-termination
	add(
		controlCase{control: "emr-auto-termination", name: "one hour idle", want: pass,
			resources: one(res(tCluster, "spark", map[string]any{"autoTerminationPolicy": map[string]any{"idleTimeout": 3600}}))},
		controlCase{control: "emr-auto-termination", name: "Spot task fleet", want: pass,
			resources: one(res(tFleet, "task", map[string]any{"clusterId": computed, "targetSpotCapacity": 4, "targetOnDemandCapacity": 0}))},
		controlCase{control: "emr-auto-termination", name: "Spot task group", want: pass,
			resources: one(res(tGroup, "task", map[string]any{"clusterId": computed, "bidPrice": "0.30"}))},
		controlCase{control: "emr-auto-termination", name: "never terminates", want: violation, contains: "idleTimeout is unset",
			resources: one(res(tCluster, "spark", map[string]any{"name": "spark"}))},
		controlCase{control: "emr-auto-termination", name: "idle too long", want: violation, contains: "maximum of 1800 seconds",
			settings:  func(s *rules.Settings) { s.MaxEMRIdleTimeoutSeconds = 1800 },
			resources: one(res(tCluster, "spark", map[string]any{"autoTerminationPolicy": map[string]any{"idleTimeout": 3600}}))},
		controlCase{control: "emr-auto-termination", name: "on-demand task fleet", want: violation, contains: "asks for on-demand capacity",
			resources: one(res(tFleet, "task", map[string]any{"targetSpotCapacity": 2, "targetOnDemandCapacity": 2}))},
		controlCase{control: "emr-auto-termination", name: "on-demand task group", want: violation, contains: "runs on-demand",
			resources: one(res(tGroup, "task", map[string]any{"instanceCount": 2}))},
		controlCase{control: "emr-auto-termination", name: "timeout computed", want: unverified, contains: "idleTimeout",
			resources: one(res(tCluster, "spark", map[string]any{"autoTerminationPolicy": map[string]any{"idleTimeout": computed}}))},
	)

	// sagemaker-idle-shutdown
	idle := func(state any, timeout any, maxTimeout any) map[string]any {
		return map[string]any{"appLifecycleManagement": map[string]any{"idleSettings": map[string]any{
			"lifecycleManagement": state, "idleTimeoutInMinutes": timeout, "maxIdleTimeoutInMinutes": maxTimeout, "minIdleTimeoutInMinutes": 60,
		}}}
	}
	domainIdle := func(jl, ce map[string]any) rules.Resource {
		return res(tDomain, "studio", map[string]any{"defaultUserSettings": map[string]any{"jupyterLabAppSettings": jl, "codeEditorAppSettings": ce}})
	}
	within := func(s *rules.Settings) { s.MaxStudioIdleTimeoutMinutes = 120 }
	add(
		controlCase{control: "sagemaker-idle-shutdown", name: "both apps shut down", want: pass, settings: within,
			resources: one(domainIdle(idle("ENABLED", 60, 120), idle("ENABLED", 60, 120)))},
		controlCase{control: "sagemaker-idle-shutdown", name: "profile inherits", want: pass, settings: within,
			resources: one(res(tUserProfile, "team-a", map[string]any{"userSettings": map[string]any{"executionRole": computed}}))},
		controlCase{control: "sagemaker-idle-shutdown", name: "code editor never stops", want: violation, contains: "codeEditorAppSettings.appLifecycleManagement.idleSettings",
			settings: within, resources: one(domainIdle(idle("ENABLED", 60, 120), nil))},
		controlCase{control: "sagemaker-idle-shutdown", name: "disabled", want: violation, contains: "idle shutdown is not ENABLED",
			settings: within, resources: one(domainIdle(idle("DISABLED", nil, nil), idle("ENABLED", 60, 120)))},
		controlCase{control: "sagemaker-idle-shutdown", name: "users may choose a day", want: violation, contains: "lets users choose more than 120 minutes",
			settings: within, resources: one(domainIdle(idle("ENABLED", 60, 1440), idle("ENABLED", 60, 120)))},
		controlCase{control: "sagemaker-idle-shutdown", name: "profile override disabled", want: violation, contains: "idle shutdown is not ENABLED",
			settings: within, resources: one(res(tUserProfile, "team-a", map[string]any{"userSettings": map[string]any{"jupyterLabAppSettings": idle("DISABLED", nil, nil)}}))},
		controlCase{control: "sagemaker-idle-shutdown", name: "timeout computed", want: unverified, contains: "idleTimeoutInMinutes",
			settings: within, resources: one(domainIdle(idle("ENABLED", computed, 120), idle("ENABLED", 60, 120)))},
	)

	// instance-type-allowlist
	spec := func(t any) map[string]any {
		return map[string]any{"defaultResourceSpec": map[string]any{"instanceType": t}}
	}
	add(
		controlCase{control: "instance-type-allowlist", name: "allowed Studio sizes", want: pass,
			resources: one(res(tDomain, "studio", map[string]any{"defaultUserSettings": map[string]any{
				"jupyterLabAppSettings": spec("ml.t3.medium"), "jupyterServerAppSettings": spec("system"), "executionRole": computed}}))},
		controlCase{control: "instance-type-allowlist", name: "allowed EMR fleet", want: pass,
			resources: one(res(tFleet, "task", map[string]any{"instanceTypeConfigs": []any{map[string]any{"instanceType": "m5.xlarge"}, map[string]any{"instanceType": "r5.xlarge"}}}))},
		controlCase{control: "instance-type-allowlist", name: "Fargate within limits", want: pass,
			resources: one(res(tTaskDef, "optimiser", map[string]any{"cpu": "2048", "memory": "8192"}))},
		controlCase{control: "instance-type-allowlist", name: "GPU notebook", want: violation, contains: `instanceType is "ml.p4d.24xlarge"`,
			resources: one(res(tNotebook, "nb", map[string]any{"instanceType": "ml.p4d.24xlarge"}))},
		controlCase{control: "instance-type-allowlist", name: "huge EMR primary", want: violation, contains: "masterInstanceGroup.instanceType",
			resources: one(res(tCluster, "spark", map[string]any{"masterInstanceGroup": map[string]any{"instanceType": "x1e.32xlarge"}}))},
		controlCase{control: "instance-type-allowlist", name: "per-environment list", want: violation, contains: "ml.m5.2xlarge",
			settings:  func(s *rules.Settings) { s.SageMakerInstanceTypes = []string{"ml.t3.medium"} },
			resources: one(res(tSpace, "lab", map[string]any{"spaceSettings": map[string]any{"jupyterLabAppSettings": spec("ml.m5.2xlarge")}}))},
		controlCase{control: "instance-type-allowlist", name: "oversized task", want: violation, contains: "task cpu is above",
			resources: one(res(tTaskDef, "optimiser", map[string]any{"cpu": "16384", "memory": "8192"}))},
		controlCase{control: "instance-type-allowlist", name: "type computed", want: unverified, contains: "instanceType",
			resources: one(res(tNotebook, "nb", map[string]any{"instanceType": computed}))},
		controlCase{control: "instance-type-allowlist", name: "settings computed", want: unverified, contains: "defaultUserSettings",
			resources: one(res(tDomain, "studio", map[string]any{"defaultUserSettings": computed}))},
	)

	// team-budget
	budget := func(filters any) rules.Resource {
		return res(tBudget, "team-a", map[string]any{"budgetType": "COST", "costFilters": filters, "tags": with(fullTags(), "team", "team-a")})
	}
	teamRes := res(tBucketV2, "team-a-scratch", map[string]any{"tags": with(fullTags(), "team", "team-a")})
	add(
		controlCase{control: "team-budget", name: "team with budget", want: pass,
			resources: []rules.Resource{teamRes, budget([]any{map[string]any{"name": "TagKeyValue", "values": []string{"user:team$team-a"}}})}},
		controlCase{control: "team-budget", name: "team without budget", want: violation, contains: `team "team-a" owns resources`,
			resources: []rules.Resource{teamRes, budget([]any{map[string]any{"name": "TagKeyValue", "values": []string{"user:team$team-b"}}})}},
		controlCase{control: "team-budget", name: "budget filter computed", want: unverified, contains: "costFilters",
			resources: []rules.Resource{teamRes, budget(computed)}},
	)

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
	return append(cases, budgetFitCases()...)
}
