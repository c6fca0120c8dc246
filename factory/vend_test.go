package factory

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/aifactory/platform/internal/stackconfig"
)

func devConfig(t *testing.T) (*stackconfig.Config, []byte) {
	t.Helper()
	b, err := os.ReadFile("../Pulumi.dev.yaml")
	require.NoError(t, err)
	cfg, err := stackconfig.ParseFile("dev", b)
	require.NoError(t, err)
	return cfg, b
}

const goodRequest = `
team: fraud-signals
owner: fraud-signals@aifactory.example
costCenter: CC-5400-RISK
dataClassification: confidential
instanceType: ml.t3.medium
monthlyBudget: 1500
emr:
  template: spark-small
  identities:
    - type: ROLE
      name: fraud-signals-analysts
`

func TestParseVendRequestIsStrict(t *testing.T) {
	r, err := ParseVendRequest([]byte(goodRequest))
	require.NoError(t, err)
	assert.Equal(t, "dev", r.Stack, "the default stack")
	assert.Equal(t, "fraud-signals", r.Team)
	_, err = ParseVendRequest([]byte(goodRequest + "monthlyBudgt: 3\n"))
	require.Error(t, err)
	assert.Equal(t, ExitBadInput, Code(err))
	assert.Contains(t, err.Error(), "monthlyBudgt")
}

func TestValidateNamesEveryBadFieldAndTheFix(t *testing.T) {
	cfg, _ := devConfig(t)
	for _, tc := range []struct {
		name  string
		edit  func(*VendRequest)
		field string
	}{
		{"team name", func(r *VendRequest) { r.Team = "Fraud_Signals" }, "team"},
		{"existing team", func(r *VendRequest) { r.Team = "jackpot-analytics" }, "already has a workspace"},
		{"owner", func(r *VendRequest) { r.Owner = "fraud" }, "owner"},
		{"cost centre", func(r *VendRequest) { r.CostCenter = " " }, "costCenter"},
		{"classification", func(r *VendRequest) { r.DataClassification = "secret" }, "dataClassification"},
		{"instance type outside the allow-list", func(r *VendRequest) { r.InstanceType = "ml.p4d.24xlarge" }, "instanceType"},
		{"budget", func(r *VendRequest) { r.MonthlyBudget = 0 }, "monthlyBudget"},
		{"template", func(r *VendRequest) { r.EMR.Template = "spark-huge" }, "emr.template"},
		{"identities", func(r *VendRequest) { r.EMR.Identities = nil }, "emr.identities"},
		{"SSO identity in IAM mode", func(r *VendRequest) { r.EMR.Identities[0].Type = "USER" }, "emr.identities"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseVendRequest([]byte(goodRequest))
			require.NoError(t, err)
			tc.edit(&r)
			err = r.Validate(cfg)
			require.Error(t, err)
			assert.Equal(t, ExitBadInput, Code(err))
			assert.Contains(t, err.Error(), tc.field)
		})
	}
	r, err := ParseVendRequest([]byte(goodRequest))
	require.NoError(t, err)
	assert.NoError(t, r.Validate(cfg))
}

func TestVendedEntryJoinsTheStackFileWithoutTouchingAnythingElse(t *testing.T) {
	cfg, file := devConfig(t)
	r, err := ParseVendRequest([]byte(goodRequest))
	require.NoError(t, err)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	entry, err := yaml.Marshal([]teamYAML{r.teamEntry(now)})
	require.NoError(t, err)
	changed, err := appendTeam(file, entry)
	require.NoError(t, err)

	// Every original line is still there, in order, comments included.
	assert.True(t, strings.HasPrefix(string(changed), string(file[:len(file)-1])) || containsInOrder(string(changed), string(file)),
		"the original file is kept as it was")
	after, err := stackconfig.ParseFile("dev", changed)
	require.NoError(t, err, string(changed))
	require.Len(t, after.Teams, len(cfg.Teams)+1)
	team := after.Teams[len(after.Teams)-1]
	assert.Equal(t, "fraud-signals", team.Name)
	assert.Equal(t, "ml.t3.medium", team.InstanceType)
	require.NotNil(t, team.Budget)
	assert.Equal(t, 1500.0, team.Budget.MonthlyUSD)
	require.NotNil(t, team.Analytics)
	require.Len(t, team.Analytics.Clusters, 1)
	assert.Equal(t, now.Add(ClusterLifetime), team.Analytics.Clusters[0].ExpiresAt, "the cluster lives ClusterLifetime from vending")
	assert.Equal(t, "confidential", after.TeamTags(team)["data-classification"])

	removed, err := removeTeam(changed, "fraud-signals")
	require.NoError(t, err)
	assert.Equal(t, string(file), string(removed), "offboarding restores the file byte for byte")

	_, err = removeTeam(file, "nobody")
	assert.Error(t, err)
}

// containsInOrder reports whether every line of want appears in got in order.
func containsInOrder(got, want string) bool {
	lines := strings.Split(got, "\n")
	i := 0
	for _, w := range strings.Split(want, "\n") {
		for i < len(lines) && lines[i] != w {
			i++
		}
		if i == len(lines) {
			return false
		}
		i++
	}
	return true
}

func TestEveryClusterTemplateFitsEveryShippedEnvironment(t *testing.T) {
	for _, env := range stackconfig.Environments {
		b, err := os.ReadFile("../Pulumi." + env + ".yaml")
		require.NoError(t, err)
		cfg, err := stackconfig.ParseFile(env, b)
		require.NoError(t, err)
		for name, tpl := range ClusterTemplates() {
			r := VendRequest{}
			assert.NoError(t, r.cluster(tpl, time.Time{}).Validate(cfg.AnalyticsLimits(), time.Time{}), "%s in %s", name, env)
		}
	}
}

func TestVendingChangesOnlyDevUnlessPromotionIsSkipped(t *testing.T) {
	f := &Factory{root: "..", opts: Options{Now: func() time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) }}}
	for _, tc := range []struct {
		stack string
		skip  bool
		want  string // "" when vending may go ahead
	}{
		{"dev", false, ""},
		{"staging", false, "then promote (`aifactory promote dev staging`)"},
		{"prod", false, "then promote (`aifactory promote dev staging`, then `aifactory promote staging prod`)"},
		{"staging", true, ""},
		{"prod", true, ""},
	} {
		cfg, err := f.Config(tc.stack)
		require.NoError(t, err)
		err = checkVendTarget("vend the team into", cfg, VendOptions{SkipPromotion: tc.skip})
		if tc.want == "" {
			assert.NoError(t, err, "%s skip=%v", tc.stack, tc.skip)
			continue
		}
		require.Error(t, err, tc.stack)
		assert.Equal(t, ExitBadInput, Code(err))
		assert.Contains(t, err.Error(), "stack: "+tc.stack)
		assert.Contains(t, err.Error(), "vend the team into dev")
		assert.Contains(t, err.Error(), tc.want)
		assert.Contains(t, err.Error(), "--skip-promotion")
	}

	// Both ways in refuse before anything is read or written.
	r, err := ParseVendRequest([]byte(goodRequest + "stack: prod\n"))
	require.NoError(t, err)
	before, err := os.ReadFile("../Pulumi.prod.yaml")
	require.NoError(t, err)
	_, err = f.Vend(context.Background(), r, VendOptions{Yes: true})
	assert.Equal(t, ExitBadInput, Code(err), "%v", err)
	assert.ErrorContains(t, err, "changes by promotion only")
	_, err = f.Offboard(context.Background(), "staging", "jackpot-analytics", VendOptions{Yes: true})
	assert.Equal(t, ExitBadInput, Code(err), "%v", err)
	assert.ErrorContains(t, err, "offboard the team from dev")
	after, err := os.ReadFile("../Pulumi.prod.yaml")
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after))
}
