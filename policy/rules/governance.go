package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Governance: data survives mistakes. Buckets keep old versions and expire
// them by rule, and the stateful resources of protected environments cannot
// be deleted by an update.

func checkS3VersioningLifecycle(c *stackCheck, _ *Settings) {
	c.requireSibling(bucketTypes, sibling{
		kind: "versioning configuration", typ: typeBucketVersioning, ref: "bucket",
		fix: "add s3.NewBucketVersioningV2 with bucket: the bucket's id and versioningConfiguration.status Enabled",
		content: func(c *check, _ *Resource) {
			c.requireEqual(c.prop("versioningConfiguration").get("status"), "versioning is not Enabled",
				"set versioningConfiguration.status: Enabled", "Enabled")
		},
		inline: "versioning",
		inlineContent: func(c *check, v val, _ *Resource) {
			c.requireTrue(v.get("enabled"), "versioning is not enabled (versioning.enabled is not true)", "set versioning.enabled: true")
		},
	})
	c.requireSibling(bucketTypes, sibling{
		kind: "lifecycle configuration", typ: typeBucketLifecycle, ref: "bucket",
		fix: "add s3.NewBucketLifecycleConfigurationV2 with bucket: the bucket's id and at least one Enabled rule (noncurrent version expiry, transitions)",
		content: func(c *check, _ *Resource) {
			rules := c.prop("rules")
			items, st := rules.items()
			if st == unknown {
				c.unverified(rules)
				return
			}
			for _, r := range items {
				status := r.get("status")
				s, st := status.str()
				if st == unknown {
					c.unverified(status)
					return
				}
				if strings.EqualFold(s, "Enabled") {
					return
				}
			}
			c.violation("no lifecycle rule is Enabled", "add a rule with status: Enabled")
		},
		inline: "lifecycleRules",
		inlineContent: func(c *check, rules val, _ *Resource) {
			items, _ := rules.items()
			for _, r := range items {
				enabled := r.get("enabled")
				on, st := enabled.boolean()
				if st == unknown {
					c.unverified(enabled)
					return
				}
				if on {
					return
				}
			}
			c.violation("no inline lifecycle rule is enabled", "set lifecycleRules[].enabled: true on a rule that expires noncurrent versions")
		},
	})
}

var statefulTypes = []string{typeBucketV2, typeBucket, typeKMSKey, typeDomain}

func checkProdProtect(c *check, s *Settings) {
	if !slices.Contains(s.ProtectedEnvironments, s.Environment) || c.r.Protect {
		return
	}
	c.violation(fmt.Sprintf("a stateful resource of the %s environment is not protected from deletion", s.Environment),
		"create it with pulumi.Protect(true) (components take it from the stack's aifactory:protect)")
}

// checkAuditTrail checks that a trail is the evidence the platform promises:
// every region and the global services (IAM, STS), logging, signed digest
// files that prove no log was altered or deleted, the customer-managed logs
// key, and a copy in CloudWatch Logs for the alarms on sensitive changes.
func checkAuditTrail(c *check, _ *Settings) {
	c.requireTrue(c.prop("isMultiRegionTrail"), "the trail records only its own region, so activity elsewhere leaves no record",
		"set isMultiRegionTrail: true")
	c.forbidFalse(c.prop("includeGlobalServiceEvents"), "the trail leaves out the global services (IAM, STS, CloudFront), so role and policy changes leave no record",
		"set includeGlobalServiceEvents: true (or leave it out)")
	c.forbidFalse(c.prop("enableLogging"), "logging is off, so the trail records nothing", "set enableLogging: true (or leave it out)")
	c.requireTrue(c.prop("enableLogFileValidation"), "log file validation is off, so nothing proves that a log file was not altered or deleted",
		"set enableLogFileValidation: true; CloudTrail then writes signed digest files")
	c.requireKey(c.prop("kmsKeyId"), keyFix)
	c.requirePresent(c.prop("cloudWatchLogsGroupArn"), "the trail does not deliver to CloudWatch Logs, so no metric filter or alarm sees its events",
		"set cloudWatchLogsGroupArn to an encrypted log group's ARN (with \":*\") and cloudWatchLogsRoleArn to a role CloudTrail may assume")
}
