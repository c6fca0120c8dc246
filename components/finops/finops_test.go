package finops_test

import (
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/finops"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/finops/cleanup"
	"github.com/aifactory/platform/internal/mocktest"
)

func teamTags(team string) tagging.Set {
	return tagging.Set{"team": team, "project": "aifactory", "cost-center": "CC-1", "environment": "dev", "data-classification": "internal", "owner": team + "@aifactory.example"}
}

func args() *finops.Args {
	return &finops.Args{
		Scope: scopetest.Dev(),
		Teams: []finops.Team{
			{Name: "platform", Owner: "ml-platform@aifactory.example", MonthlyBudgetUSD: 400, Tags: teamTags("platform")},
			{Name: "jackpot-analytics", Owner: "jackpot@aifactory.example", MonthlyBudgetUSD: 250.5, Tags: teamTags("jackpot-analytics")},
		},
		PlatformOwner:              "ml-platform@aifactory.example",
		AnomalyThresholdUSD:        10,
		ActivateCostAllocationTags: true,
		LogsKeyArn:                 pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/logs"),
		LogRetentionDays:           30,
		DeletionWindowDays:         7,
		Cleanup: finops.Cleanup{
			Code:     pulumi.NewAssetArchive(map[string]any{"bootstrap": pulumi.NewStringAsset("#!/bin/sh\n")}),
			Schedule: "cron(0 19 * * ? *)", DryRun: true, Project: "aifactory",
			StudioIdleLimit: 3 * time.Hour, VolumeMinAge: 7 * 24 * time.Hour,
		},
	}
}

func run(t *testing.T, a *finops.Args) (*mocktest.Mocks, error) {
	return mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		_, err := finops.New(ctx, "finops", a)
		return err
	})
}

func TestEveryTeamGetsABudgetFilteredOnItsTagWithAlerts(t *testing.T) {
	m, err := run(t, args())
	require.NoError(t, err)
	budgets := m.OfType("aws:budgets/budget:Budget")
	require.Len(t, budgets, 2)
	b := m.Named(t, "aws:budgets/budget:Budget", "finops-jackpot-analytics")
	assert.Equal(t, "aifactory-dev-jackpot-analytics", b.Str("name"))
	assert.Equal(t, "COST", b.Str("budgetType"))
	assert.Equal(t, "MONTHLY", b.Str("timeUnit"))
	assert.Equal(t, "250.50", b.Str("limitAmount"))
	assert.Equal(t, "USD", b.Str("limitUnit"))
	var filters []struct {
		Name   string   `json:"name"`
		Values []string `json:"values"`
	}
	require.NoError(t, b.JSON("costFilters", &filters))
	// The exact form AWS Budgets expects for a user-defined tag; anything
	// else silently matches nothing.
	assert.Equal(t, []struct {
		Name   string   `json:"name"`
		Values []string `json:"values"`
	}{{"TagKeyValue", []string{"user:team$jackpot-analytics"}}}, filters)

	var notes []struct {
		Type      string   `json:"notificationType"`
		Operator  string   `json:"comparisonOperator"`
		Threshold float64  `json:"threshold"`
		Kind      string   `json:"thresholdType"`
		Emails    []string `json:"subscriberEmailAddresses"`
		Topics    []string `json:"subscriberSnsTopicArns"`
	}
	require.NoError(t, b.JSON("notifications", &notes))
	require.Len(t, notes, 3)
	for i, want := range []struct {
		typ string
		th  float64
	}{{"ACTUAL", 80}, {"ACTUAL", 100}, {"FORECASTED", 100}} {
		assert.Equal(t, want.typ, notes[i].Type)
		assert.Equal(t, want.th, notes[i].Threshold)
		assert.Equal(t, "PERCENTAGE", notes[i].Kind)
		assert.Equal(t, "GREATER_THAN", notes[i].Operator)
		assert.Equal(t, []string{"jackpot@aifactory.example"}, notes[i].Emails, "the team's owner")
		require.Len(t, notes[i].Topics, 1)
		assert.Contains(t, notes[i].Topics[0], "finops-alerts", "the platform topic")
	}
}

func TestAnomalyMonitorsAndCostAllocationTags(t *testing.T) {
	m, err := run(t, args())
	require.NoError(t, err)
	mon := m.Named(t, "aws:costexplorer/anomalyMonitor:AnomalyMonitor", "finops-jackpot-analytics")
	assert.Equal(t, "CUSTOM", mon.Str("monitorType"))
	assert.JSONEq(t, `{"Tags":{"Key":"team","Values":["jackpot-analytics"],"MatchOptions":["EQUALS"]}}`, mon.Str("monitorSpecification"))
	sub := m.Named(t, "aws:costexplorer/anomalySubscription:AnomalySubscription", "finops-jackpot-analytics")
	assert.Equal(t, "DAILY", sub.Str("frequency"))
	platform := m.Named(t, "aws:costexplorer/anomalySubscription:AnomalySubscription", "finops--all-teams")
	assert.Equal(t, "IMMEDIATE", platform.Str("frequency"), "SNS subscribers take immediate alerts")
	var monitors []string
	require.NoError(t, platform.JSON("monitorArnLists", &monitors))
	assert.Len(t, monitors, 2)

	var keys []string
	for _, r := range m.OfType("aws:costexplorer/costAllocationTag:CostAllocationTag") {
		keys = append(keys, r.Str("tagKey"))
		assert.Equal(t, "Active", r.Str("status"))
		assert.True(t, r.RetainOnDelete, "a destroy leaves the account's tags active")
	}
	assert.ElementsMatch(t, []string{"team", "project", "cost-center", "environment", "data-classification", "owner"}, keys)

	a := args()
	a.ActivateCostAllocationTags = false
	m, err = run(t, a)
	require.NoError(t, err)
	assert.Empty(t, m.OfType("aws:costexplorer/costAllocationTag:CostAllocationTag"))
}

func TestTopicIsEncryptedAndOpenOnlyToCostAlerts(t *testing.T) {
	m, err := run(t, args())
	require.NoError(t, err)
	topic := m.Named(t, "aws:sns/topic:Topic", "finops-alerts")
	assert.Equal(t, "aifactory-dev-finops-alerts", topic.Str("name"))
	assert.True(t, topic.Has("kmsMasterKeyId"))
	key := m.Named(t, "aws:kms/key:Key", "finops-alerts")
	assert.True(t, key.Bool("enableKeyRotation"))
	assert.Equal(t, 7.0, key.Num("deletionWindowInDays"))
	doc, err := iamdoc.Parse(m.Named(t, "aws:sns/topicPolicy:TopicPolicy", "finops-alerts").Str("policy"))
	require.NoError(t, err)
	assert.Equal(t, "CostAlertsPublish", doc.Statement[1].Sid)
	assert.ElementsMatch(t, iamdoc.Strings{"budgets.amazonaws.com", "costalerts.amazonaws.com"}, doc.Statement[1].Principal.Service)
	assert.Equal(t, "ml-platform@aifactory.example", m.Named(t, "aws:sns/topicSubscription:TopicSubscription", "finops-platform-owner").Str("endpoint"))
}

func TestCleanupRunsOnScheduleWithTheJobsOwnConfiguration(t *testing.T) {
	m, err := run(t, args())
	require.NoError(t, err)
	fn := m.Named(t, "aws:lambda/function:Function", "finops-cleanup")
	assert.Equal(t, "aifactory-dev-cleanup", fn.Str("name"))
	assert.Equal(t, "provided.al2023", fn.Str("runtime"))
	assert.Equal(t, "bootstrap", fn.Str("handler"))
	assert.Equal(t, 900.0, fn.Num("timeout"))
	assert.Equal(t, 1.0, fn.Num("reservedConcurrentExecutions"), "one run at a time")
	assert.True(t, fn.Has("kmsKeyArn"))
	assert.False(t, fn.Has("vpcConfig"))
	var env struct {
		Variables map[string]string `json:"variables"`
	}
	require.NoError(t, fn.JSON("environment", &env))
	// The variables the component sets are the ones the job reads.
	cfg, err := cleanup.ConfigFromEnv(func(k string) string { return env.Variables[k] })
	require.NoError(t, err)
	cfg.TopicArn = "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-finops-alerts" // computed in the mocks
	require.NoError(t, cfg.Validate())
	assert.Equal(t, cleanup.Config{Project: "aifactory", Environment: "dev", DryRun: true, StudioIdleLimit: 3 * time.Hour,
		VolumeMinAge: 7 * 24 * time.Hour, TopicArn: cfg.TopicArn}, cfg)

	logs := m.Named(t, "aws:cloudwatch/logGroup:LogGroup", "finops-cleanup")
	assert.Equal(t, "/aws/lambda/aifactory-dev-cleanup", logs.Str("name"))
	assert.Equal(t, 30.0, logs.Num("retentionInDays"))
	assert.True(t, logs.Has("kmsKeyId"))

	sched := m.Named(t, "aws:scheduler/schedule:Schedule", "finops-cleanup")
	assert.Equal(t, "cron(0 19 * * ? *)", sched.Str("scheduleExpression"))
	assert.True(t, sched.Has("kmsKeyArn"))
	role := m.Named(t, "aws:iam/role:Role", "finops-cleanup")
	trust, err := iamdoc.Parse(role.Str("assumeRolePolicy"))
	require.NoError(t, err)
	assert.Equal(t, iamdoc.Strings{"lambda.amazonaws.com"}, trust.Statement[0].Principal.Service)
	policy, err := iamdoc.Parse(m.Named(t, "aws:iam/rolePolicy:RolePolicy", "finops-cleanup").Str("policy"))
	require.NoError(t, err)
	assert.Equal(t, "ActOnPlatformResourcesOnly", policy.Statement[1].Sid)
}

func TestProtectedInProd(t *testing.T) {
	a := args()
	a.Scope = scopetest.Scope("prod")
	a.Protect = true
	a.DeletionWindowDays = 30
	for i := range a.Teams {
		a.Teams[i].Tags["environment"] = "prod"
	}
	m, err := run(t, a)
	require.NoError(t, err)
	assert.True(t, m.Named(t, "aws:kms/key:Key", "finops-alerts").Protect)
}

func TestInvalidArgsNameTheFieldAndTheFix(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*finops.Args)
		want string
	}{
		{"no teams", func(a *finops.Args) { a.Teams = nil }, "Teams: list every team"},
		{"no budget", func(a *finops.Args) { a.Teams[1].MonthlyBudgetUSD = 0 }, "MonthlyBudgetUSD 0"},
		{"owner not an address", func(a *finops.Args) { a.Teams[0].Owner = "platform team" }, `Owner "platform team" is not an e-mail address`},
		{"team tag of another team", func(a *finops.Args) { a.Teams[1].Tags = teamTags("other") }, "must be the team's name"},
		{"bad schedule", func(a *finops.Args) { a.Cleanup.Schedule = "daily" }, `Cleanup.Schedule "daily"`},
		{"no code", func(a *finops.Args) { a.Cleanup.Code = nil }, "Cleanup.Code is required"},
		{"short idle limit", func(a *finops.Args) { a.Cleanup.StudioIdleLimit = time.Minute }, "Cleanup.StudioIdleLimit 1m0s"},
		{"threshold", func(a *finops.Args) { a.AlertThresholdsPercent = []float64{-1} }, "AlertThresholdsPercent: -1"},
		{"no logs key", func(a *finops.Args) { a.LogsKeyArn = nil }, "LogsKeyArn is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := args()
			tc.edit(a)
			_, err := run(t, a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), `finops "finops": `)
		})
	}
}
