package ecsjob

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NotStartedAlarm fires when a job's schedule has put a start it gave up
// on (after its retries) into the schedule's dead-letter queue: the job
// did not run. EventBridge Scheduler reports such a start nowhere else.
type NotStartedAlarm struct {
	// Name is the alarm's name.
	Name string
	// Description says what did not run and where the failed start is.
	Description string
	// QueueName is the schedule's dead-letter queue.
	QueueName pulumi.StringInput
	// PeriodSeconds is the alarm's period (60 or a multiple of it).
	PeriodSeconds int
	// Action is the topic the alarm notifies.
	Action pulumi.StringInput
}

// New creates the alarm: one message visible in the queue is enough, and
// no data (an empty queue publishes none) is not a breach.
func (a NotStartedAlarm) New(ctx *pulumi.Context, resource string, opts ...pulumi.ResourceOption) (*cloudwatch.MetricAlarm, error) {
	return cloudwatch.NewMetricAlarm(ctx, resource, &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(a.Name),
		AlarmDescription:   pulumi.String(a.Description),
		Namespace:          pulumi.String("AWS/SQS"),
		MetricName:         pulumi.String("ApproximateNumberOfMessagesVisible"),
		Dimensions:         pulumi.StringMap{"QueueName": a.QueueName},
		Statistic:          pulumi.String("Maximum"),
		Period:             pulumi.Int(a.PeriodSeconds),
		ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
		Threshold:          pulumi.Float64(1),
		EvaluationPeriods:  pulumi.Int(1),
		TreatMissingData:   pulumi.String("notBreaching"),
		AlarmActions:       pulumi.Array{a.Action},
	}, opts...)
}
