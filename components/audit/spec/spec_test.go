package spec_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/audit/spec"
)

func TestRetentionBoundsAndTheRegulatoryFloor(t *testing.T) {
	for _, tc := range []struct {
		env     string
		days    int
		problem string
	}{
		{"dev", 1, ""},
		{"staging", 90, ""},
		{"prod", spec.RegulatoryRetentionDays, ""},
		{"prod", spec.MaxRetentionDays, ""},
		{"dev", 0, "outside 1-3653"},
		{"dev", spec.MaxRetentionDays + 1, "outside 1-3653"},
		{"prod", 365, "below the regulatory period of 2557 days"},
		{"prod", spec.RegulatoryRetentionDays - 1, "set it to 2557 or more"},
	} {
		err := spec.CheckRetention(tc.env, tc.days)
		if tc.problem == "" {
			assert.NoError(t, err, "%s %d", tc.env, tc.days)
			continue
		}
		require.Error(t, err, "%s %d", tc.env, tc.days)
		assert.Contains(t, err.Error(), tc.problem)
	}
	assert.Equal(t, 7*365+2, spec.RegulatoryRetentionDays, "seven years, two of them leap years")
}

func TestRecordedTypesCoverEveryChangeTriggeredRule(t *testing.T) {
	recorded := spec.RecordedTypes()
	assert.True(t, slices.IsSorted(recorded))
	assert.Equal(t, len(recorded), len(slices.Compact(slices.Clone(recorded))))
	assert.Contains(t, recorded, "AWS::CloudTrail::Trail")
	assert.Contains(t, recorded, spec.TypeRuleCompliance, "the rules' compliance history is recorded too")
	for _, r := range spec.ConfigRules {
		if r.Trigger != spec.OnChange {
			continue
		}
		for _, typ := range r.ResourceTypes {
			assert.Contains(t, recorded, typ, "%s is evaluated on changes of %s, so the recorder must record it", r.Identifier, typ)
		}
	}
}

func TestRulesOfAControlAreInTableOrder(t *testing.T) {
	var ids []string
	for _, r := range spec.RulesOf("audit-trail") {
		ids = append(ids, r.Identifier)
	}
	assert.Equal(t, []string{"MULTI_REGION_CLOUD_TRAIL_ENABLED", "CLOUD_TRAIL_ENCRYPTION_ENABLED",
		"CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED"}, ids)
	assert.Empty(t, spec.RulesOf("team-budget"))
}

func TestEventsAreNamedAndFiltered(t *testing.T) {
	names := map[string]bool{}
	for _, e := range spec.Events {
		assert.Regexp(t, `^[a-z0-9]+(-[a-z0-9]+)*$`, e.Name)
		assert.False(t, names[e.Name], "%s twice", e.Name)
		names[e.Name] = true
		assert.Regexp(t, `^\{.*\}$`, e.Pattern, e.Name)
		assert.NotEmpty(t, e.Description, e.Name)
	}
	// What the platform promises auditors an alarm for.
	for _, want := range []string{"iam-policy-changes", "kms-key-policy-changes", "kms-key-disabled-or-scheduled-for-deletion",
		"bucket-policy-changes", "cloudtrail-changes", "config-changes", "console-sign-in-without-mfa",
		"iam-trust-and-boundary-changes", "iam-identity-and-credential-creation", "iam-user-tag-changes", "cloudtrail-event-selector-changes", "config-recorder-deleted"} {
		assert.True(t, names[want], want)
	}
}

// TestTheREADMEListsEveryRuleAndEvent keeps the README's tables, which
// auditors read, in step with the data the component is built from.
func TestTheREADMEListsEveryRuleAndEvent(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	require.NoError(t, err)
	readme := string(b)
	for _, r := range spec.ConfigRules {
		fsbp := strings.Join(r.FSBP, ", ")
		if fsbp == "" {
			fsbp = "-"
		}
		assert.Contains(t, readme, fmt.Sprintf("| `%s` | `%s` | %s |", r.Control, r.Identifier, fsbp), r.Identifier)
	}
	for _, e := range spec.Events {
		assert.Contains(t, readme, fmt.Sprintf("| `%s` |", e.Name), e.Name)
	}
	assert.Contains(t, readme, fmt.Sprintf("%d days (seven years)", spec.RegulatoryRetentionDays))
}
