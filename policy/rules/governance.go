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
