package rules_test

import (
	"testing"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/policy/rules"
)

func TestEncryptionControls(t *testing.T) { runCases(t, encryptionCases()) }

// encryptionCases are the cases of the Encryption category: Encryption at rest (encryption.go, and the S3 encryption stack control in stack.go).
func encryptionCases() []controlCase {
	var cases []controlCase
	add := func(c ...controlCase) { cases = append(cases, c...) }
	b := compliantBucket("data")

	// s3-sse-kms
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

	// s3-sse-kms on the legacy s3.Bucket: its inline configuration is
	// checked like a separate one.
	legacySSE := func(alg, key, bucketKey any) map[string]any {
		return map[string]any{"rule": map[string]any{
			"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": alg, "kmsMasterKeyId": key},
			"bucketKeyEnabled":                   bucketKey,
		}}
	}
	legacy := func(props map[string]any) rules.Resource {
		return res(tBucket, "legacy", with(props, "bucket", "aifactory-dev-legacy"))
	}
	add(
		controlCase{control: "s3-sse-kms", name: "legacy bucket with inline KMS", want: pass,
			resources: one(legacy(map[string]any{"serverSideEncryptionConfiguration": legacySSE("aws:kms", keyARN, true)}))},
		controlCase{control: "s3-sse-kms", name: "legacy bucket with a separate configuration", want: pass,
			resources: []rules.Resource{legacy(nil), res(tBucketSSE, "legacy", map[string]any{"bucket": "aifactory-dev-legacy", "rules": namedSSE.Properties.Get("rules")})}},
		controlCase{control: "s3-sse-kms", name: "legacy bucket without encryption", want: violation, contains: "neither serverSideEncryptionConfiguration inline nor",
			resources: one(legacy(nil))},
		controlCase{control: "s3-sse-kms", name: "legacy bucket on SSE-S3", want: violation, contains: "sseAlgorithm is not aws:kms",
			resources: one(legacy(map[string]any{"serverSideEncryptionConfiguration": legacySSE("AES256", nil, nil)}))},
		controlCase{control: "s3-sse-kms", name: "legacy bucket without bucket key", want: violation, contains: "bucketKeyEnabled is not true",
			resources: one(legacy(map[string]any{"serverSideEncryptionConfiguration": legacySSE("aws:kms", keyARN, false)}))},
		controlCase{control: "s3-sse-kms", name: "legacy log target on SSE-S3", want: pass,
			resources: []rules.Resource{
				legacy(map[string]any{"serverSideEncryptionConfiguration": legacySSE("AES256", nil, nil)}),
				res(tBucket, "source", map[string]any{"bucket": "aifactory-dev-source", "serverSideEncryptionConfiguration": legacySSE("aws:kms", keyARN, true),
					"loggings": []any{map[string]any{"targetBucket": "aifactory-dev-legacy", "targetPrefix": "source/"}}}),
			}},
		controlCase{control: "s3-sse-kms", name: "legacy inline configuration computed", want: unverified, contains: "serverSideEncryptionConfiguration",
			resources: one(legacy(map[string]any{"serverSideEncryptionConfiguration": computed}))},
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
	return cases
}
