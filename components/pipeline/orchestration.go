package pipeline

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/scheduler"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sfn"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/internal/ecsjob"
	"github.com/aifactory/platform/components/pipeline/spec"
)

// Schedule delivery: EventBridge Scheduler retries a StartExecution that
// fails (throttling, a missing permission) for up to an hour, then puts the
// event in the dead-letter queue, which alarms.
const (
	ScheduleRetryAttempts      = 5
	ScheduleMaxEventAgeSeconds = 3600
	// DeadLetterRetentionSeconds keeps an undelivered start for the
	// fourteen days SQS allows, two weekly runs.
	DeadLetterRetentionSeconds = 14 * 24 * 3600
	// alarmPeriodSeconds is the period of both alarms.
	alarmPeriodSeconds = 300
	// kmsDataKeyReuseSeconds bounds how long Step Functions and SQS reuse a
	// data key before asking KMS again.
	kmsDataKeyReuseSeconds = 300
)

type orchestration struct {
	stateMachine *sfn.StateMachine
	schedule     *scheduler.Schedule
	resultsArn   pulumi.StringOutput
	failuresArn  pulumi.StringOutput
}

func (b *builder) orchestration(c *compute, in *pipelineInputs) (*orchestration, error) {
	a := b.a
	o := &orchestration{}

	results, err := b.topic("results", ResultsTopicName(a.Scope), "Weekly jackpot run: every run's summary", nil, a.ResultEmails)
	if err != nil {
		return nil, err
	}
	// Only CloudWatch publishes to the failure topic as a service, for the
	// two alarms below; the state machine publishes with its role.
	alarms := []string{AlarmARN(a.Scope, RunFailedAlarmName(a.Scope)), AlarmARN(a.Scope, ScheduleFailedAlarmName(a.Scope))}
	failures, err := b.topic("failures", FailureTopicName(a.Scope), "Weekly jackpot run FAILED", alarms, a.FailureEmails)
	if err != nil {
		return nil, err
	}
	o.resultsArn = results.Name.ApplyT(func(n string) string { return TopicARN(a.Scope, n) }).(pulumi.StringOutput)
	o.failuresArn = failures.Name.ApplyT(func(n string) string { return TopicARN(a.Scope, n) }).(pulumi.StringOutput)

	if o.stateMachine, err = b.stateMachine(c, in, o); err != nil {
		return nil, err
	}
	queue, err := b.deadLetterQueue()
	if err != nil {
		return nil, err
	}
	if o.schedule, err = b.schedule(o.stateMachine, queue); err != nil {
		return nil, err
	}
	if err := b.alarms(o, queue); err != nil {
		return nil, err
	}
	return o, nil
}

// topic creates an encrypted topic, its policy and its e-mail
// subscriptions. Subscribers confirm by e-mail before they receive
// anything.
func (b *builder) topic(part, name, displayName string, alarmArns, emails []string) (*sns.Topic, error) {
	a := b.a
	policy, err := TopicPolicy(a.Scope, TopicARN(a.Scope, name), alarmArns).JSON()
	if err != nil {
		return nil, err
	}
	topic, err := sns.NewTopic(b.Ctx, b.Child(part), &sns.TopicArgs{
		Name:           pulumi.String(name),
		DisplayName:    pulumi.String(displayName),
		KmsMasterKeyId: a.PipelineKeyArn,
		Policy:         pulumi.String(policy),
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	for i, e := range emails {
		if _, err := sns.NewTopicSubscription(b.Ctx, fmt.Sprintf("%s-%d", b.Child(part), i), &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(e),
		}, b.Parent); err != nil {
			return nil, err
		}
	}
	return topic, nil
}

// stateMachine creates the workflow's role, its execution log group and
// the state machine: a customer-managed key, every event logged, X-Ray
// tracing, and the definition built by Workflow once the cluster, task
// definition, subnets, security group, access point and secret are known.
func (b *builder) stateMachine(c *compute, in *pipelineInputs, o *orchestration) (*sfn.StateMachine, error) {
	a := b.a
	trust, err := StateMachineTrustPolicy(a.AccountID, StateMachineARN(a.Scope)).JSON()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(b.Ctx, b.Child("states"), &iam.RoleArgs{
		Name:             pulumi.String(StateMachineRoleName(a.Scope)),
		Description:      pulumi.String("Weekly jackpot state machine: runs the optimiser tasks and publishes their outcomes"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	policy := pulumi.All(c.clusterArn, o.resultsArn, o.failuresArn, a.PipelineKeyArn).ApplyT(func(v []any) (string, error) {
		doc, err := StateMachineRolePolicy(RoleArgs{
			Scope:                a.Scope,
			StateMachineArn:      StateMachineARN(a.Scope),
			ClusterArn:           v[0].(string),
			TaskDefinitionFamily: TaskFamily(a.Scope),
			TaskRoleArn:          a.RoleARN(TaskRoleName(a.Scope)),
			ExecutionRoleArn:     a.RoleARN(ExecutionRoleName(a.Scope)),
			ResultsTopicArn:      v[1].(string),
			FailureTopicArn:      v[2].(string),
			PipelineKeyArn:       v[3].(string),
		})
		if err != nil {
			return "", err
		}
		return doc.JSON()
	}).(pulumi.StringOutput)
	rolePolicy, err := iam.NewRolePolicy(b.Ctx, b.Child("states"), &iam.RolePolicyArgs{Role: role.ID(), Policy: policy}, b.Parent)
	if err != nil {
		return nil, err
	}

	logGroup, err := cloudwatch.NewLogGroup(b.Ctx, b.Child("executions"), &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(ExecutionLogGroupName(a.Scope)),
		KmsKeyId:        a.LogsKeyArn,
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	logDestination := logGroup.Name.ApplyT(func(n string) string { return a.LogGroupARN(n) + ":*" }).(pulumi.StringOutput)

	definition := pulumi.All(c.clusterArn, c.taskDefinition.Arn, a.SubnetIDs, c.securityGroup.ID(), in.accessPoint.Alias,
		a.ModelsBucketName, in.cashSecret.Arn, o.resultsArn, o.failuresArn).ApplyT(func(v []any) (string, error) {
		countries := make([]string, 0, len(a.Countries))
		for _, ctry := range a.Countries {
			countries = append(countries, ctry.Code)
		}
		m, err := Workflow(WorkflowArgs{
			Scope:           a.Scope,
			ClusterArn:      v[0].(string),
			TaskDefinition:  v[1].(string),
			ContainerName:   ContainerName,
			Subnets:         v[2].([]string),
			SecurityGroups:  []string{string(v[3].(pulumi.ID))},
			Countries:       countries,
			MaxConcurrency:  a.MaxConcurrency,
			Storage:         storage(v[4].(string), v[5].(string)),
			CashSecretID:    v[6].(string),
			ResultsTopicArn: v[7].(string),
			FailureTopicArn: v[8].(string),
			Capacity:        a.Capacity,
		})
		if err != nil {
			return "", err
		}
		return m.JSON()
	}).(pulumi.StringOutput)

	return sfn.NewStateMachine(b.Ctx, b.Child("weekly"), &sfn.StateMachineArgs{
		Name:       pulumi.String(StateMachineName(a.Scope)),
		Type:       pulumi.String("STANDARD"),
		RoleArn:    role.Arn,
		Definition: definition,
		LoggingConfiguration: &sfn.StateMachineLoggingConfigurationArgs{
			Level:                pulumi.String("ALL"),
			IncludeExecutionData: pulumi.Bool(true),
			LogDestination:       logDestination,
		},
		TracingConfiguration: &sfn.StateMachineTracingConfigurationArgs{Enabled: pulumi.Bool(true)},
		EncryptionConfiguration: &sfn.StateMachineEncryptionConfigurationArgs{
			Type:                         pulumi.String("CUSTOMER_MANAGED_KMS_KEY"),
			KmsKeyId:                     a.PipelineKeyArn,
			KmsDataKeyReusePeriodSeconds: pulumi.Int(kmsDataKeyReuseSeconds),
		},
		// State transitions are billed to the state machine: part of a run's cost.
		Tags: ecsjob.WorkloadTags(Workload),
	}, b.Parent, pulumi.DependsOn([]pulumi.Resource{rolePolicy}))
}

// deadLetterQueue keeps the starts EventBridge Scheduler could not
// deliver; the second alarm watches it.
func (b *builder) deadLetterQueue() (*sqs.Queue, error) {
	a := b.a
	policy, err := QueuePolicy(a.Scope, QueueARN(a.Scope), a.RoleARN(SchedulerRoleName(a.Scope))).JSON()
	if err != nil {
		return nil, err
	}
	return sqs.NewQueue(b.Ctx, b.Child("schedule-dlq"), &sqs.QueueArgs{
		Name:                         pulumi.String(DeadLetterQueueName(a.Scope)),
		KmsMasterKeyId:               a.PipelineKeyArn,
		KmsDataKeyReusePeriodSeconds: pulumi.Int(kmsDataKeyReuseSeconds),
		MessageRetentionSeconds:      pulumi.Int(DeadLetterRetentionSeconds),
		Policy:                       pulumi.String(policy),
	}, b.Parent)
}

// schedule starts the state machine once a week in the business's time
// zone, encrypted with the pipeline key, with retries and the dead-letter
// queue.
func (b *builder) schedule(machine *sfn.StateMachine, queue *sqs.Queue) (*scheduler.Schedule, error) {
	a := b.a
	trust, err := SchedulerTrustPolicy(a.Scope).JSON()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(b.Ctx, b.Child("scheduler"), &iam.RoleArgs{
		Name:             pulumi.String(SchedulerRoleName(a.Scope)),
		Description:      pulumi.String("Weekly jackpot schedule: starts the state machine, reports undelivered starts"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	policy := a.PipelineKeyArn.ToStringOutput().ApplyT(func(key string) (string, error) {
		return SchedulerRolePolicy(a.Scope, key).JSON()
	}).(pulumi.StringOutput)
	rolePolicy, err := iam.NewRolePolicy(b.Ctx, b.Child("scheduler"), &iam.RolePolicyArgs{Role: role.ID(), Policy: policy}, b.Parent)
	if err != nil {
		return nil, err
	}
	weekly, err := spec.ParseWeeklySchedule(a.Schedule)
	if err != nil {
		return nil, err
	}
	return scheduler.NewSchedule(b.Ctx, b.Child("weekly"), &scheduler.ScheduleArgs{
		Name:                       pulumi.String(ScheduleName(a.Scope)),
		GroupName:                  pulumi.String(ScheduleGroup),
		Description:                pulumi.String("Weekly jackpot run: trains and recommends for every configured country"),
		ScheduleExpression:         pulumi.String(weekly.Expression()),
		ScheduleExpressionTimezone: pulumi.String(a.Timezone),
		FlexibleTimeWindow:         &scheduler.ScheduleFlexibleTimeWindowArgs{Mode: pulumi.String("OFF")},
		KmsKeyArn:                  a.PipelineKeyArn,
		State:                      pulumi.String("ENABLED"),
		Target: &scheduler.ScheduleTargetArgs{
			Arn:     machine.Arn,
			RoleArn: role.Arn,
			// The run takes nothing from its input: the countries and
			// locations are in the definition.
			Input: pulumi.String("{}"),
			RetryPolicy: &scheduler.ScheduleTargetRetryPolicyArgs{
				MaximumRetryAttempts:     pulumi.Int(ScheduleRetryAttempts),
				MaximumEventAgeInSeconds: pulumi.Int(ScheduleMaxEventAgeSeconds),
			},
			DeadLetterConfig: &scheduler.ScheduleTargetDeadLetterConfigArgs{Arn: queue.Arn},
		},
	}, b.Parent, pulumi.DependsOn([]pulumi.Resource{rolePolicy}))
}

// alarms report what the workflow cannot report itself: an execution that
// failed, timed out or was aborted (a States.Runtime error or the 24 h
// timeout publishes nothing from the workflow), and a weekly start that
// never reached the state machine.
func (b *builder) alarms(o *orchestration, queue *sqs.Queue) error {
	a := b.a
	machineArn := o.stateMachine.Name.ApplyT(func(string) string { return StateMachineARN(a.Scope) }).(pulumi.StringOutput)
	var queries cloudwatch.MetricAlarmMetricQueryArray
	for i, metric := range []string{"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"} {
		queries = append(queries, &cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.Sprintf("m%d", i+1),
			Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace:  pulumi.String("AWS/States"),
				MetricName: pulumi.String(metric),
				Dimensions: pulumi.StringMap{"StateMachineArn": machineArn},
				Stat:       pulumi.String("Sum"),
				Period:     pulumi.Int(alarmPeriodSeconds),
			},
			ReturnData: pulumi.Bool(false),
		})
	}
	queries = append(queries, &cloudwatch.MetricAlarmMetricQueryArgs{
		Id:         pulumi.String("ended"),
		Expression: pulumi.String("FILL(m1, 0) + FILL(m2, 0) + FILL(m3, 0)"),
		Label:      pulumi.String("Executions failed, timed out or aborted"),
		ReturnData: pulumi.Bool(true),
	})
	if _, err := cloudwatch.NewMetricAlarm(b.Ctx, b.Child("run-failed"), &cloudwatch.MetricAlarmArgs{
		Name: pulumi.String(RunFailedAlarmName(a.Scope)),
		AlarmDescription: pulumi.String("A weekly jackpot execution failed, timed out (24 h) or was aborted. A failed country or an " +
			"unpublished summary also has its own message on this topic; a definition error (States.Runtime), a timeout or an abort " +
			"has only this one. See the execution in the Step Functions console and its log group " + ExecutionLogGroupName(a.Scope) + "."),
		MetricQueries:      queries,
		ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
		Threshold:          pulumi.Float64(1),
		EvaluationPeriods:  pulumi.Int(1),
		TreatMissingData:   pulumi.String("notBreaching"),
		AlarmActions:       pulumi.Array{o.failuresArn},
	}, b.Parent); err != nil {
		return err
	}
	_, err := ecsjob.NotStartedAlarm{
		Name: ScheduleFailedAlarmName(a.Scope),
		Description: "The weekly schedule could not start the jackpot run after its retries; the start is in " +
			DeadLetterQueueName(a.Scope) + " with the error. No run happened this week.",
		QueueName: queue.Name, PeriodSeconds: alarmPeriodSeconds, Action: o.failuresArn,
	}.New(b.Ctx, b.Child("run-not-started"), b.Parent)
	return err
}
