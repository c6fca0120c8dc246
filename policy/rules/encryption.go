package rules

import (
	"fmt"
	"strings"
)

// Encryption at rest: every store of data or logs encrypts with a
// customer-managed KMS key of the platform, which the key policies scope
// and CloudTrail audits.

const keyFix = "set it to the ARN of one of the platform's customer-managed keys (kms component: data, logs, workspace or pipeline)"

func checkEBSEncrypted(c *check, _ *Settings) {
	switch c.r.Type {
	case typeVolume:
		c.requireTrue(c.prop("encrypted"), "encrypted is not true, so the volume's data is stored unencrypted",
			"set encrypted: true and kmsKeyId to a customer-managed key")
		c.requireKey(c.prop("kmsKeyId"), keyFix)
	case typeLaunchTemplate:
		mappings, st := c.prop("blockDeviceMappings").items()
		switch st {
		case unknown:
			c.unverified(c.prop("blockDeviceMappings"))
			return
		case absent:
			c.violation("blockDeviceMappings is not set, so instances get the image's volumes with whatever encryption the image has",
				"declare the root and data volumes in blockDeviceMappings with ebs.encrypted \"true\" and ebs.kmsKeyId set to a customer-managed key")
			return
		}
		for _, m := range mappings {
			ebs := m.get("ebs")
			if ebs.st == absent {
				// Instance-store or suppressed devices hold no EBS volume.
				continue
			}
			c.requireTrue(ebs.get("encrypted"), ebs.path+".encrypted is not \"true\"",
				"set "+ebs.path+".encrypted to \"true\"")
			c.requireKey(ebs.get("kmsKeyId"), keyFix)
		}
	}
}

func checkEMRSecurityConfiguration(c *check, _ *Settings) {
	switch c.r.Type {
	case typeEMRCluster:
		c.requirePresent(c.prop("securityConfiguration"), "securityConfiguration is not set, so the cluster runs without at-rest encryption",
			"set securityConfiguration to the name of the platform's EMR security configuration (analytics component)")
		c.requireKey(c.prop("logEncryptionKmsKeyId"), "set logEncryptionKmsKeyId so the cluster's logs in S3 are encrypted; "+keyFix)
	case typeEMRSecurityConfig:
		cfg := c.prop("configuration")
		doc, st, ok := cfg.jsonValue()
		switch {
		case st == unknown:
			c.unverified(cfg)
			return
		case st == absent || !ok:
			c.violation("configuration is not a JSON security configuration", "build it as a Go value and marshal it")
			return
		}
		enc := jsonAt(doc, "EncryptionConfiguration")
		fix := "set EncryptionConfiguration.EnableAtRestEncryption true with S3EncryptionConfiguration {EncryptionMode SSE-KMS, AwsKmsKey} and " +
			"LocalDiskEncryptionConfiguration {EncryptionKeyProviderType AwsKms, AwsKmsKey, EnableEbsEncryption true}"
		if !jsonTrue(jsonAt(enc, "EnableAtRestEncryption")) {
			c.violation("at-rest encryption is not enabled", fix)
			return
		}
		rest := jsonAt(enc, "AtRestEncryptionConfiguration")
		s3 := jsonAt(rest, "S3EncryptionConfiguration")
		mode := jsonString(jsonAt(s3, "EncryptionMode"))
		if !strings.EqualFold(mode, "SSE-KMS") && !strings.EqualFold(mode, "CSE-KMS") {
			c.violation("EMRFS data in S3 is not encrypted with KMS (EncryptionMode is not SSE-KMS)", fix)
		} else if key := jsonString(jsonAt(s3, "AwsKmsKey")); key == "" || isAWSManagedKey(key) {
			c.violation("S3EncryptionConfiguration.AwsKmsKey does not name a customer-managed key", fix)
		}
		disk := jsonAt(rest, "LocalDiskEncryptionConfiguration")
		if !strings.EqualFold(jsonString(jsonAt(disk, "EncryptionKeyProviderType")), "AwsKms") {
			c.violation("local disks are not encrypted with KMS (EncryptionKeyProviderType is not AwsKms)", fix)
		} else if key := jsonString(jsonAt(disk, "AwsKmsKey")); key == "" || isAWSManagedKey(key) {
			c.violation("LocalDiskEncryptionConfiguration.AwsKmsKey does not name a customer-managed key", fix)
		}
		if !jsonTrue(jsonAt(disk, "EnableEbsEncryption")) {
			c.violation("EBS volumes are not encrypted (EnableEbsEncryption is not true)", fix)
		}
	}
}

func checkSageMakerKMS(c *check, _ *Settings) {
	c.requireKey(c.prop("kmsKeyId"), "set kmsKeyId to the workspace key; "+keyFix)
}

func checkSNSKMS(c *check, _ *Settings) {
	c.requireKey(c.prop("kmsMasterKeyId"), "set kmsMasterKeyId to the pipeline key; "+keyFix)
}

func checkSQSKMS(c *check, _ *Settings) {
	c.requireKey(c.prop("kmsMasterKeyId"), "set kmsMasterKeyId to the pipeline key (SQS-managed SSE is not a customer-managed key); "+keyFix)
}

func checkLogsKMSRetention(c *check, s *Settings) {
	c.requireKey(c.prop("kmsKeyId"), "set kmsKeyId to the logs key; "+keyFix)
	c.requireAtLeast(c.prop("retentionInDays"), float64(s.MinLogRetentionDays), -1,
		fmt.Sprintf("retentionInDays is unset or below this environment's minimum of %d days", s.MinLogRetentionDays),
		fmt.Sprintf("set retentionInDays to at least %d (the stack's aifactory:logRetentionDays)", s.MinLogRetentionDays))
}

func checkECRHardened(c *check, _ *Settings) {
	enc := c.prop("encryptionConfigurations")
	if items, st := enc.items(); st == unknown {
		c.unverified(enc)
	} else if len(items) == 0 {
		c.violation("encryptionConfigurations is not set, so images are encrypted with AES256 and no customer-managed key",
			"set encryptionConfigurations [{encryptionType: KMS, kmsKey: the pipeline key}]")
	} else if c.requireEqual(items[0].get("encryptionType"), "encryptionType is not KMS",
		"set encryptionConfigurations[0].encryptionType to KMS with kmsKey set to the pipeline key", "KMS") {
		c.requireKey(items[0].get("kmsKey"), "set kmsKey (without it ECR uses the AWS-managed aws/ecr key); "+keyFix)
	}
	c.requireTrue(c.prop("imageScanningConfiguration").get("scanOnPush"), "images are not scanned on push",
		"set imageScanningConfiguration.scanOnPush: true")
	c.requireEqual(c.prop("imageTagMutability"), "image tags are mutable, so a promoted tag can be overwritten",
		"set imageTagMutability: IMMUTABLE (promote by digest)", "IMMUTABLE")
}

func checkSFNEncryptionLogging(c *check, _ *Settings) {
	enc := c.prop("encryptionConfiguration")
	if c.requireEqual(enc.get("type"), "encryptionConfiguration.type is not CUSTOMER_MANAGED_KMS_KEY",
		"set encryptionConfiguration {type: CUSTOMER_MANAGED_KMS_KEY, kmsKeyId: the pipeline key}", "CUSTOMER_MANAGED_KMS_KEY") {
		c.requireKey(enc.get("kmsKeyId"), keyFix)
	}
	logging := c.prop("loggingConfiguration")
	c.requireEqual(logging.get("level"), "loggingConfiguration.level is not ALL, so failed executions leave no complete trail",
		"set loggingConfiguration {level: ALL, logDestination: \"<log group ARN>:*\"}", "ALL")
	c.requirePresent(logging.get("logDestination"), "loggingConfiguration.logDestination is not set",
		"send execution logs to a KMS-encrypted log group: logDestination \"<log group ARN>:*\"")
}

func checkKMSRotation(c *check, s *Settings) {
	// AWS rotates only symmetric encryption keys; asymmetric and HMAC keys
	// cannot have rotation turned on.
	spec, specState := c.prop("customerMasterKeySpec").str()
	usage, usageState := c.prop("keyUsage").str()
	rotation := c.prop("enableKeyRotation")
	switch on, _ := rotation.boolean(); {
	case on:
	case specState == unknown:
		c.unverified(c.prop("customerMasterKeySpec"))
	case usageState == unknown:
		c.unverified(c.prop("keyUsage"))
	case (spec == "" || spec == "SYMMETRIC_DEFAULT") && usage != "GENERATE_VERIFY_MAC":
		c.requireTrue(rotation, "key rotation is off", "set enableKeyRotation: true")
	}
	c.requireAtLeast(c.prop("deletionWindowInDays"), float64(s.MinKMSDeletionWindowDays), 30,
		fmt.Sprintf("deletionWindowInDays is below this environment's minimum of %d days", s.MinKMSDeletionWindowDays),
		fmt.Sprintf("set deletionWindowInDays to at least %d (the stack's aifactory:kmsDeletionWindowDays)", s.MinKMSDeletionWindowDays))
	policy := c.prop("policy")
	stmts, st, ok := parsePolicy(policy)
	switch {
	case st == unknown:
		c.unverified(policy)
	case st == known && !ok:
		c.violation("policy is not a valid key policy document", "build the key policy with iamdoc and marshal it")
	case st == known:
		for i, stmt := range stmts {
			if stmt.allows() && stmt.AnyPrincipal && !stmt.hasCondition() {
				c.violation(fmt.Sprintf("key policy statement %d allows the \"*\" principal without a condition, so any AWS account can use the key", i),
					"name the account root or the roles, or add conditions such as kms:CallerAccount and kms:ViaService")
			}
		}
	}
}

func checkECSStorageKMS(c *check, _ *Settings) {
	storage := c.prop("configuration").at("managedStorageConfiguration")
	c.requireKey(storage.get("fargateEphemeralStorageKmsKeyId"), "set configuration.managedStorageConfiguration.fargateEphemeralStorageKmsKeyId; "+keyFix)
	c.requireKey(storage.get("kmsKeyId"), "set configuration.managedStorageConfiguration.kmsKeyId; "+keyFix)
	settings := c.prop("settings")
	items, st := settings.items()
	if st == unknown {
		c.unverified(settings)
		return
	}
	for _, item := range items {
		name, st := item.get("name").str()
		if st == unknown {
			c.unverified(item.get("name"))
			return
		}
		if name != "containerInsights" {
			continue
		}
		value := item.get("value")
		v, st := value.str()
		if st == unknown {
			c.unverified(value)
			return
		}
		if strings.EqualFold(v, "enabled") || strings.EqualFold(v, "enhanced") {
			return
		}
	}
	c.violation("Container Insights is not enabled", "add settings [{name: containerInsights, value: enabled}]")
}

func checkSchedulerKMS(c *check, _ *Settings) {
	c.requireKey(c.prop("kmsKeyArn"), "set kmsKeyArn to the pipeline key; "+keyFix)
}

func checkEMRStudioKMS(c *check, _ *Settings) {
	c.requireKey(c.prop("encryptionKeyArn"), "set encryptionKeyArn to the data key so workspaces and notebooks are encrypted; "+keyFix)
}

// jsonAt, jsonString and jsonTrue read decoded JSON leniently: a missing
// or mistyped element reads as absent.
func jsonAt(doc any, key string) any {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func jsonString(v any) string { return scalar(v) }

func jsonTrue(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return strings.EqualFold(t, "true")
	}
	return false
}
