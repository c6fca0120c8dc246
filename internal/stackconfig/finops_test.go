package stackconfig_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/internal/stackconfig"
)

func TestShippedStacksBudgetEveryTeamAndScheduleCleanup(t *testing.T) {
	for _, stack := range stackconfig.Environments {
		t.Run(stack, func(t *testing.T) {
			c, err := stackconfig.Parse(stack, getter(stackFile(t, stack)))
			require.NoError(t, err)
			require.NotNil(t, c.FinOps.PlatformBudget)
			for _, team := range c.Teams {
				require.NotNil(t, team.Budget, team.Name)
				assert.Positive(t, team.Budget.MonthlyUSD, team.Name)
			}
			f := c.FinOpsSettings()
			assert.Equal(t, []float64{80, 100}, f.AlertThresholdsPercent)
			idle, age := c.CleanupLimits()
			assert.GreaterOrEqual(t, idle, time.Duration(c.Workspace.MaxIdleTimeoutMinutes)*time.Minute)
			assert.GreaterOrEqual(t, age, 24*time.Hour)
			// Dev only looks; staging and prod act.
			assert.Equal(t, stack == "dev", c.CleanupDryRun())
		})
	}
}

// Promotion carries one cleanup image from dev to staging to prod: every
// shipped stack runs the same digest, each from its own repository.
func TestShippedStacksRunTheSameCleanupImageDigest(t *testing.T) {
	digests := map[string]string{}
	for _, stack := range stackconfig.Environments {
		c, err := stackconfig.Parse(stack, getter(stackFile(t, stack)))
		require.NoError(t, err)
		repo, digest, ok := strings.Cut(c.FinOps.Cleanup.Image, "@")
		require.True(t, ok)
		assert.Equal(t, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/"+c.CleanupRepositoryName(), repo, "%s pulls from its own repository", stack)
		assert.Equal(t, "aifactory-"+stack+"-cleanup", c.CleanupRepositoryName())
		// The log group the finops component creates and the report reads.
		assert.Equal(t, "/aws/ecs/aifactory-"+stack+"-cleanup", c.CleanupLogGroupName())
		digests[stack] = digest
	}
	assert.Equal(t, digests["dev"], digests["staging"], "staging runs the digest promoted from dev")
	assert.Equal(t, digests["staging"], digests["prod"], "prod runs the digest promoted from staging")
}

func editFinOps(m map[string]string, edit func(f map[string]any)) {
	var f map[string]any
	if err := json.Unmarshal([]byte(m["aifactory:finops"]), &f); err != nil {
		panic(err)
	}
	edit(f)
	b, _ := json.Marshal(f)
	m["aifactory:finops"] = string(b)
}

func TestInvalidFinOpsConfigNamesTheKeyAndTheFix(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(map[string]string)
		want string
	}{
		{"team without budget", func(m map[string]string) {
			var teams []map[string]any
			_ = json.Unmarshal([]byte(m["aifactory:teams"]), &teams)
			delete(teams[1], "budget")
			b, _ := json.Marshal(teams)
			m["aifactory:teams"] = string(b)
		}, "aifactory:teams[1].budget: is not set; give the team a monthly AWS Budget"},
		{"negative budget", func(m map[string]string) {
			editFinOps(m, func(f map[string]any) { f["platformBudget"] = map[string]any{"monthlyUsd": -5} })
		}, "aifactory:finops.platformBudget.monthlyUsd: -5 is not a monthly budget"},
		{"misspelt field", func(m map[string]string) {
			editFinOps(m, func(f map[string]any) { f["platformBudgets"] = f["platformBudget"] })
		}, `unknown field "platformBudgets"`},
		{"bad schedule", func(m map[string]string) {
			editFinOps(m, func(f map[string]any) { f["cleanup"].(map[string]any)["schedule"] = "every night" })
		}, `aifactory:finops.cleanup.schedule: "every night" is not an EventBridge Scheduler expression`},
		{"idle limit below what users may choose", func(m map[string]string) {
			editFinOps(m, func(f map[string]any) { f["cleanup"].(map[string]any)["studioIdleLimit"] = "1h" })
		}, "shorter than workspace.maxIdleTimeoutMinutes (120)"},
		{"volume age malformed", func(m map[string]string) {
			editFinOps(m, func(f map[string]any) { f["cleanup"].(map[string]any)["volumeMinAge"] = "a week" })
		}, `aifactory:finops.cleanup.volumeMinAge: "a week" is not a duration`},
		{"cleanup image by tag", func(m map[string]string) {
			editFinOps(m, func(f map[string]any) {
				f["cleanup"].(map[string]any)["image"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-cleanup:latest"
			})
		}, `aifactory:finops.cleanup.image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-cleanup:latest" is a tag (:latest)`},
		{"cleanup image missing", func(m map[string]string) {
			editFinOps(m, func(f map[string]any) { delete(f["cleanup"].(map[string]any), "image") })
		}, `aifactory:finops.cleanup.image: "" names no digest`},
		{"cleanup image outside ECR", func(m map[string]string) {
			editFinOps(m, func(f map[string]any) {
				f["cleanup"].(map[string]any)["image"] = "registry.example.com/aifactory-dev-cleanup@sha256:" + strings.Repeat("ab", 32)
			})
		}, "make image COMMAND=cleanup PUSH=<account>.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-cleanup"},
		{"cleanup image in the optimiser's repository", func(m map[string]string) {
			editFinOps(m, func(f map[string]any) {
				f["cleanup"].(map[string]any)["image"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser@sha256:" + strings.Repeat("ab", 32)
			})
		}, `aifactory:finops.cleanup.image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser@sha256:` + strings.Repeat("ab", 32) +
			`" is in the repository "aifactory-dev-optimiser"; this stack's tasks pull only from "aifactory-dev-cleanup"`},
		{"threshold out of range", func(m map[string]string) {
			editFinOps(m, func(f map[string]any) { f["alertThresholdsPercent"] = []any{0, 100} })
		}, "aifactory:finops.alertThresholdsPercent[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := stackFile(t, "dev")
			tc.edit(m)
			_, err := stackconfig.Parse("dev", getter(m))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "Pulumi.dev.yaml")
		})
	}
}
