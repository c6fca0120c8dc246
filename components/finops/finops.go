// Package finops is the platform's cost-control component
// (aifactory:finops:CostControls): an AWS Budget per team filtered on the
// team's cost-allocation tag, with actual and forecast alerts to the team's
// owner and the platform topic; the required tags activated as
// cost-allocation tags; a cost anomaly monitor and subscription per team;
// and the lifecycle cleanup job (finops/cleanup) as a Fargate Spot task in
// the weekly pipeline's cluster, run by an EventBridge Scheduler schedule,
// from an image built once and promoted by digest (factory/image, `make
// image COMMAND=cleanup`), in its own hardened repository; its task role
// may change only the platform's tagged resources, and the schedule's role
// can run that task and nothing else.
//
// Cost control is architectural: every stack composes this component, the
// stack config requires a budget per team, and the policy pack's
// team-budget and team-budget-fit controls fail a preview in prod that
// leaves a team without a budget or over it.
package finops

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/budgets"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/costexplorer"
	awskms "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/facts/tagkeys"
)

// Type is the component's type token.
const Type = "aifactory:finops:CostControls"

// TeamCostFilter is the budget filter that selects a team's costs, in the
// exact form AWS Budgets expects for a user-defined tag: the dimension
// TagKeyValue with "user:<key>$<value>". Any other form (no "user:"
// prefix, a ":" instead of "$") matches nothing and the budget silently
// reports $0.
func TeamCostFilter(team string) (name string, values []string) {
	return "TagKeyValue", []string{"user:" + tagkeys.Team + "$" + team}
}

// AnomalyMonitorSpecification is a custom monitor on the team tag, as Cost
// Anomaly Detection's expression JSON.
func AnomalyMonitorSpecification(team string) (string, error) {
	b, err := json.Marshal(map[string]any{"Tags": map[string]any{
		"Key": tagkeys.Team, "Values": []string{team}, "MatchOptions": []string{"EQUALS"},
	}})
	return string(b), err
}

// CostControls is the component.
type CostControls struct {
	pulumi.ResourceState

	TopicArn    pulumi.StringOutput    `pulumi:"topicArn"`
	KeyArn      pulumi.StringOutput    `pulumi:"keyArn"`
	BudgetNames pulumi.StringMapOutput `pulumi:"budgetNames"`
	MonitorArns pulumi.StringMapOutput `pulumi:"monitorArns"`
	// CleanupRepositoryURL receives the cleanup job's image;
	// CleanupTaskDefinitionArn is the revision CleanupScheduleName runs.
	CleanupRepositoryURL     pulumi.StringOutput `pulumi:"cleanupRepositoryUrl"`
	CleanupTaskDefinitionArn pulumi.StringOutput `pulumi:"cleanupTaskDefinitionArn"`
	CleanupScheduleName      pulumi.StringOutput `pulumi:"cleanupScheduleName"`
}

// New creates the cost controls.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*CostControls, error) {
	if args == nil {
		return nil, errors.New("finops: args are required")
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("finops %q: %w", name, err)
	}
	c := &CostControls{}
	if err := ctx.RegisterComponentResource(Type, name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	stateful := []pulumi.ResourceOption{parent, pulumi.Protect(a.Protect)}

	keyPolicy, err := KeyPolicy(a.Scope, a.KeyAdministrators, a.Publishers).JSON()
	if err != nil {
		return nil, err
	}
	key, err := awskms.NewKey(ctx, name+"-alerts", &awskms.KeyArgs{
		Description:          pulumi.Sprintf("%s cost alerts and cleanup summaries", a.Prefix),
		KeyUsage:             pulumi.String("ENCRYPT_DECRYPT"),
		EnableKeyRotation:    pulumi.Bool(true),
		RotationPeriodInDays: pulumi.Int(365),
		DeletionWindowInDays: pulumi.Int(a.DeletionWindowDays),
		Policy:               pulumi.String(keyPolicy),
		Tags:                 pulumi.StringMap{"purpose": pulumi.String("finops")},
	}, stateful...)
	if err != nil {
		return nil, err
	}
	if _, err := awskms.NewAlias(ctx, name+"-alerts", &awskms.AliasArgs{
		Name: pulumi.String("alias/" + a.Name("finops")), TargetKeyId: key.KeyId,
	}, stateful...); err != nil {
		return nil, err
	}

	topicName := AlertsTopicName(a.Scope)
	topicArn := AlertsTopicARN(a.Scope)
	topic, err := sns.NewTopic(ctx, name+"-alerts", &sns.TopicArgs{
		Name:           pulumi.String(topicName),
		DisplayName:    pulumi.Sprintf("%s cost alerts", a.Prefix),
		KmsMasterKeyId: key.Arn,
	}, parent)
	if err != nil {
		return nil, err
	}
	topicPolicy, err := TopicPolicy(a.Scope, topicArn, a.Publishers).JSON()
	if err != nil {
		return nil, err
	}
	if _, err := sns.NewTopicPolicy(ctx, name+"-alerts", &sns.TopicPolicyArgs{Arn: topic.Arn, Policy: pulumi.String(topicPolicy)}, parent); err != nil {
		return nil, err
	}
	if _, err := sns.NewTopicSubscription(ctx, name+"-platform-owner", &sns.TopicSubscriptionArgs{
		Topic: topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(a.PlatformOwner),
	}, parent); err != nil {
		return nil, err
	}

	if a.ActivateCostAllocationTags {
		for _, k := range a.CostAllocationTagKeys {
			// Cost-allocation tags are the account's, not the stack's: a
			// destroy leaves them active for the bills of the past.
			if _, err := costexplorer.NewCostAllocationTag(ctx, name+"-tag-"+k, &costexplorer.CostAllocationTagArgs{
				TagKey: pulumi.String(k), Status: pulumi.String("Active"),
			}, parent, pulumi.RetainOnDelete(true)); err != nil {
				return nil, err
			}
		}
	}

	budgetNames := pulumi.StringMap{}
	monitorArns := pulumi.StringMap{}
	var monitorList pulumi.StringArray
	for _, t := range a.Teams {
		b, m, err := newTeamControls(ctx, name, &a, t, topic, parent)
		if err != nil {
			return nil, err
		}
		budgetNames[t.Name] = b.Name
		monitorArns[t.Name] = m.Arn
		monitorList = append(monitorList, m.Arn)
	}
	// Anomalies of every team reach the platform topic at once. Team names
	// never contain "--", so these names cannot collide with a team's.
	if _, err := costexplorer.NewAnomalySubscription(ctx, name+"--all-teams", &costexplorer.AnomalySubscriptionArgs{
		Name:                pulumi.String(a.Name("anomalies--all-teams")),
		Frequency:           pulumi.String("IMMEDIATE"),
		MonitorArnLists:     monitorList,
		Subscribers:         costexplorer.AnomalySubscriptionSubscriberArray{&costexplorer.AnomalySubscriptionSubscriberArgs{Type: pulumi.String("SNS"), Address: topic.Arn}},
		ThresholdExpression: anomalyThreshold(a.AnomalyThresholdUSD),
	}, parent, pulumi.DependsOn([]pulumi.Resource{topic})); err != nil {
		return nil, err
	}

	job, err := newCleanup(ctx, name, &a, key, topic, parent)
	if err != nil {
		return nil, err
	}

	c.TopicArn = topic.Arn
	c.KeyArn = key.Arn
	c.BudgetNames = budgetNames.ToStringMapOutput()
	c.MonitorArns = monitorArns.ToStringMapOutput()
	c.CleanupRepositoryURL = job.repository.RepositoryUrl
	c.CleanupTaskDefinitionArn = job.taskDefinition.Arn
	c.CleanupScheduleName = job.schedule.Name
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"topicArn":                 c.TopicArn,
		"keyArn":                   c.KeyArn,
		"budgetNames":              c.BudgetNames,
		"monitorArns":              c.MonitorArns,
		"cleanupRepositoryUrl":     c.CleanupRepositoryURL,
		"cleanupTaskDefinitionArn": c.CleanupTaskDefinitionArn,
		"cleanupScheduleName":      c.CleanupScheduleName,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

func anomalyThreshold(usd float64) *costexplorer.AnomalySubscriptionThresholdExpressionArgs {
	return &costexplorer.AnomalySubscriptionThresholdExpressionArgs{
		Dimension: &costexplorer.AnomalySubscriptionThresholdExpressionDimensionArgs{
			Key:          pulumi.String("ANOMALY_TOTAL_IMPACT_ABSOLUTE"),
			MatchOptions: pulumi.StringArray{pulumi.String("GREATER_THAN_OR_EQUAL")},
			Values:       pulumi.StringArray{pulumi.String(strconv.FormatFloat(usd, 'f', -1, 64))},
		},
	}
}

// newTeamControls creates a team's budget, anomaly monitor and daily
// anomaly report to its owner.
func newTeamControls(ctx *pulumi.Context, name string, a *Args, t Team, topic *sns.Topic, parent pulumi.ResourceOption) (*budgets.Budget, *costexplorer.AnomalyMonitor, error) {
	filterName, filterValues := TeamCostFilter(t.Name)
	var notifications budgets.BudgetNotificationArray
	notify := func(kind string, threshold float64) {
		notifications = append(notifications, &budgets.BudgetNotificationArgs{
			NotificationType:         pulumi.String(kind),
			ComparisonOperator:       pulumi.String("GREATER_THAN"),
			Threshold:                pulumi.Float64(threshold),
			ThresholdType:            pulumi.String("PERCENTAGE"),
			SubscriberEmailAddresses: pulumi.StringArray{pulumi.String(t.Owner)},
			SubscriberSnsTopicArns:   pulumi.StringArray{topic.Arn},
		})
	}
	for _, th := range a.AlertThresholdsPercent {
		notify("ACTUAL", th)
	}
	notify("FORECASTED", a.ForecastThresholdPercent)
	budget, err := budgets.NewBudget(ctx, name+"-"+t.Name, &budgets.BudgetArgs{
		Name:        pulumi.String(a.Name(t.Name)),
		BudgetType:  pulumi.String("COST"),
		TimeUnit:    pulumi.String("MONTHLY"),
		LimitAmount: pulumi.String(strconv.FormatFloat(t.MonthlyBudgetUSD, 'f', 2, 64)),
		LimitUnit:   pulumi.String("USD"),
		CostFilters: budgets.BudgetCostFilterArray{&budgets.BudgetCostFilterArgs{
			Name: pulumi.String(filterName), Values: pulumi.ToStringArray(filterValues),
		}},
		Notifications: notifications,
		Tags:          t.Tags.StringMap(),
	}, parent, pulumi.DependsOn([]pulumi.Resource{topic}))
	if err != nil {
		return nil, nil, err
	}
	spec, err := AnomalyMonitorSpecification(t.Name)
	if err != nil {
		return nil, nil, err
	}
	monitor, err := costexplorer.NewAnomalyMonitor(ctx, name+"-"+t.Name, &costexplorer.AnomalyMonitorArgs{
		Name:                 pulumi.String(a.Name(t.Name)),
		MonitorType:          pulumi.String("CUSTOM"),
		MonitorSpecification: pulumi.String(spec),
		Tags:                 t.Tags.StringMap(),
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	// E-mail subscribers take daily or weekly reports; SNS takes immediate
	// ones (the platform subscription above).
	if _, err := costexplorer.NewAnomalySubscription(ctx, name+"-"+t.Name, &costexplorer.AnomalySubscriptionArgs{
		Name:                pulumi.String(a.Name(t.Name, "anomalies")),
		Frequency:           pulumi.String("DAILY"),
		MonitorArnLists:     pulumi.StringArray{monitor.Arn},
		Subscribers:         costexplorer.AnomalySubscriptionSubscriberArray{&costexplorer.AnomalySubscriptionSubscriberArgs{Type: pulumi.String("EMAIL"), Address: pulumi.String(t.Owner)}},
		ThresholdExpression: anomalyThreshold(a.AnomalyThresholdUSD),
		Tags:                t.Tags.StringMap(),
	}, parent); err != nil {
		return nil, nil, err
	}
	return budget, monitor, nil
}
