package rules_test

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/audit/spec"
	"github.com/aifactory/platform/policy/rules"
)

// TestConfigRulesMirrorTheCatalogue keeps the audit component's AWS Config
// rules and the catalogue in step: every rule names a control of the
// catalogue, carries only FSBP ids the catalogue gives that control, and
// no rule is listed twice.
func TestConfigRulesMirrorTheCatalogue(t *testing.T) {
	identifier := regexp.MustCompile(`^[A-Z0-9]+(_[A-Z0-9]+)*$`)
	awsType := regexp.MustCompile(`^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$`)
	seen := map[string]bool{}
	for _, r := range spec.ConfigRules {
		name := fmt.Sprintf("%s/%s", r.Control, r.Identifier)
		c, ok := rules.Lookup(r.Control)
		require.True(t, ok, "%s: %q is not a control of the catalogue", name, r.Control)
		for _, id := range r.FSBP {
			assert.Contains(t, c.FSBP, id, "%s: the catalogue does not give %s the FSBP id %s", name, r.Control, id)
		}
		assert.Regexp(t, identifier, r.Identifier, name)
		assert.False(t, seen[name], "%s is listed twice", name)
		seen[name] = true
		assert.Contains(t, []spec.Trigger{spec.OnChange, spec.Periodic}, r.Trigger, name)
		require.NotEmpty(t, r.ResourceTypes, name)
		for _, typ := range r.ResourceTypes {
			assert.Regexp(t, awsType, typ, name)
		}
		assert.NotEmpty(t, r.Checks, name)
	}
}

// TestEveryFSBPIdOfTheCatalogueIsCheckedAtRuntimeOrSaysWhyNot lists the
// FSBP ids of the catalogue that no managed rule checks, so that adding a
// control with an FSBP id makes someone decide whether AWS Config can check
// it too.
func TestEveryFSBPIdOfTheCatalogueIsCheckedAtRuntimeOrSaysWhyNot(t *testing.T) {
	covered := map[string]bool{}
	for _, r := range spec.ConfigRules {
		for _, id := range r.FSBP {
			covered[r.Control+" "+id] = true
		}
	}
	var missing []string
	for _, c := range rules.Catalogue() {
		for _, id := range c.FSBP {
			if !covered[c.Name+" "+id] {
				missing = append(missing, c.Name+" "+id)
			}
		}
	}
	slices.Sort(missing)
	// No AWS managed rule checks these (Security Hub checks them with rules
	// of its own, or the FSBP control has another scope than the control).
	assert.Equal(t, []string{
		"ecs-task-hardened ECS.2",
		"emr-private EMR.2",
		"no-internet-path EC2.15",
		"resource-policy-no-public SNS.4",
		"resource-policy-no-public SQS.3",
		"s3-acl-no-public S3.2",
		"s3-acl-no-public S3.3",
		"sg-no-world-ingress EC2.19",
		"sqs-kms SQS.1",
	}, missing)
}
