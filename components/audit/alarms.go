package audit

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/audit/spec"
)

// alarmPeriodSeconds is the period of every audit alarm: one event in five
// minutes alarms.
const alarmPeriodSeconds = 300

// topic creates the audit topic, encrypted with the logs key, its policy
// and its e-mail subscriptions, and returns its ARN. Subscribers confirm by
// e-mail before they receive anything.
func (b *builder) topic() (pulumi.StringOutput, error) {
	a := b.a
	policy, err := TopicPolicy(a.Scope).JSON()
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	topic, err := sns.NewTopic(b.Ctx, b.Child("alarms"), &sns.TopicArgs{
		Name:           pulumi.String(TopicName(a.Scope)),
		DisplayName:    pulumi.String("AI Factory audit alarm"),
		KmsMasterKeyId: a.LogsKeyArn,
		Policy:         pulumi.String(policy),
	}, b.Parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	// The ARN follows from the name, as the topic policy already names it.
	arn := topic.Name.ApplyT(func(string) string { return TopicARN(a.Scope) }).(pulumi.StringOutput)
	for i, e := range a.AlarmEmails {
		if _, err := sns.NewTopicSubscription(b.Ctx, fmt.Sprintf("%s-%d", b.Child("alarms"), i), &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(e),
		}, b.Parent); err != nil {
			return pulumi.StringOutput{}, err
		}
	}
	return arn, nil
}

// alarms creates a metric filter on the trail's log group and an alarm to
// the audit topic and the platform topic for every event of spec.Events.
// It returns the alarm names.
func (b *builder) alarms(logGroup *cloudwatch.LogGroup, topic pulumi.StringOutput) (pulumi.StringArray, error) {
	a := b.a
	var names pulumi.StringArray
	for _, e := range spec.Events {
		if _, err := cloudwatch.NewLogMetricFilter(b.Ctx, b.Child(e.Name), &cloudwatch.LogMetricFilterArgs{
			Name:         pulumi.String(AlarmName(a.Scope, e.Name)),
			LogGroupName: logGroup.Name,
			Pattern:      pulumi.String(e.Pattern),
			MetricTransformation: &cloudwatch.LogMetricFilterMetricTransformationArgs{
				Name:      pulumi.String(e.Name),
				Namespace: pulumi.String(MetricNamespace(a.Scope)),
				Value:     pulumi.String("1"),
				// No events is a count of zero, not missing data.
				DefaultValue: pulumi.String("0"),
			},
		}, b.Parent); err != nil {
			return nil, err
		}
		description := e.Description
		if e.CIS != "" {
			description += " (Security Hub " + e.CIS + ")"
		}
		alarm, err := cloudwatch.NewMetricAlarm(b.Ctx, b.Child(e.Name), &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(AlarmName(a.Scope, e.Name)),
			AlarmDescription:   pulumi.String(description),
			Namespace:          pulumi.String(MetricNamespace(a.Scope)),
			MetricName:         pulumi.String(e.Name),
			Statistic:          pulumi.String("Sum"),
			Period:             pulumi.Int(alarmPeriodSeconds),
			ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
			Threshold:          pulumi.Float64(1),
			EvaluationPeriods:  pulumi.Int(1),
			TreatMissingData:   pulumi.String("notBreaching"),
			AlarmActions:       b.alarmActions(topic),
		}, b.Parent)
		if err != nil {
			return nil, err
		}
		names = append(names, alarm.Name)
	}
	return names, nil
}

// alarmActions are the topics every alarm of the component notifies: the
// audit topic and the platform topic.
func (b *builder) alarmActions(topic pulumi.StringOutput) pulumi.Array {
	return pulumi.Array{topic, b.a.PlatformTopicArn.ToStringOutput()}
}
