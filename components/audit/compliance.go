package audit

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cfg"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/audit/spec"
	"github.com/aifactory/platform/facts/tagkeys"
)

// Config settings.
const (
	// DeliveryFrequency is how often AWS Config delivers a configuration
	// snapshot to the bucket, and how often periodic rules run.
	DeliveryFrequency = "TwentyFour_Hours"
	// ConfigRolePolicy is the AWS managed policy that lets the recorder
	// read the configuration of the resources it records.
	ConfigRolePolicy = "service-role/AWS_ConfigRole"
	// KMSRuleIdentifier is the rule the access log bucket is expected to
	// fail (see Args.AccessLogBucketName).
	KMSRuleIdentifier = "S3_DEFAULT_ENCRYPTION_KMS"
)

// compliance creates the recorder (RecorderCreate), the managed rules of
// spec.ConfigRules and the routing of NON_COMPLIANT evaluations to the
// topic. It returns the rules' names, each with "<control> <identifier>".
func (b *builder) compliance(bkt *bucket, topic pulumi.StringOutput) (pulumi.StringMap, error) {
	a := b.a
	var ruleDeps []pulumi.Resource
	if a.Recorder == RecorderCreate {
		status, err := b.recorder(bkt)
		if err != nil {
			return nil, err
		}
		ruleDeps = append(ruleDeps, status)
	}
	names := pulumi.StringMap{}
	for _, r := range spec.ConfigRules {
		name := ConfigRuleName(a.Scope, r.Identifier)
		ruleArgs := &cfg.RuleArgs{
			Name:        pulumi.String(name),
			Description: pulumi.Sprintf("Runtime check of the policy pack's %s control: %s.", r.Control, r.Checks),
			Source: &cfg.RuleSourceArgs{
				Owner:            pulumi.String("AWS"),
				SourceIdentifier: pulumi.String(r.Identifier),
			},
			InputParameters: b.parameters(r),
			Tags:            pulumi.ToStringMap(ControlTags(r)),
		}
		if r.Trigger == spec.Periodic {
			ruleArgs.MaximumExecutionFrequency = pulumi.String(DeliveryFrequency)
		} else {
			ruleArgs.Scope = &cfg.RuleScopeArgs{ComplianceResourceTypes: pulumi.ToStringArray(r.ResourceTypes)}
		}
		if _, err := cfg.NewRule(b.Ctx, b.Child(strings.TrimPrefix(name, a.Prefix+"-")), ruleArgs,
			b.Parent, pulumi.DependsOn(ruleDeps)); err != nil {
			return nil, err
		}
		names[name] = pulumi.String(r.Control + " " + r.Identifier)
	}
	if err := b.noncompliance(topic); err != nil {
		return nil, err
	}
	return names, nil
}

// parameters is a rule's InputParameters: its fixed parameters and the
// ones filled from the stack, as the JSON object of strings AWS Config
// takes (nil when there are none).
func (b *builder) parameters(r spec.ConfigRule) pulumi.StringPtrInput {
	a := b.a
	params := map[string]string{}
	for k, v := range r.Parameters {
		params[k] = v
	}
	var keys pulumi.StringArrayInput
	for _, p := range r.StackParameters {
		switch p {
		case spec.ParamRequiredTags:
			for i, key := range tagkeys.Required() {
				params[fmt.Sprintf("tag%dKey", i+1)] = key
				if key == tagkeys.Environment {
					params[fmt.Sprintf("tag%dValue", i+1)] = a.Environment
				}
			}
		case spec.ParamMinRetention:
			params[spec.ParamMinRetention] = fmt.Sprint(configRetention(a.LogRetentionDays))
		case spec.ParamKMSKeys:
			keys = a.KMSKeyArns
		}
	}
	if keys == nil && len(params) == 0 {
		return nil
	}
	if keys == nil {
		return pulumi.String(mustJSON(params))
	}
	name := "kmsKeyArns"
	if r.Identifier == "SNS_ENCRYPTED_KMS" {
		name = "kmsKeyIds"
	}
	return keys.ToStringArrayOutput().ApplyT(func(arns []string) string {
		out := map[string]string{}
		for k, v := range params {
			out[k] = v
		}
		sorted := slices.Clone(arns)
		slices.Sort(sorted)
		out[name] = strings.Join(sorted, ",")
		return mustJSON(out)
	}).(pulumi.StringOutput)
}

// mustJSON marshals a map of strings, which cannot fail.
func mustJSON(v map[string]string) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// recorder creates the recorder's role, the recorder for the types of
// spec.RecordedTypes, the delivery channel into ConfigPrefix of the audit
// bucket, and starts the recorder. It returns the status resource, which
// the rules wait for.
func (b *builder) recorder(bkt *bucket) (pulumi.Resource, error) {
	a := b.a
	trust, err := RecorderTrustPolicy(a.Scope).JSON()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(b.Ctx, b.Child("config-recorder"), &iam.RoleArgs{
		Name:             pulumi.String(RecorderRoleName(a.Scope)),
		Description:      pulumi.String("AWS Config records the platform's resources and delivers their history to the audit bucket"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	if _, err := iam.NewRolePolicyAttachment(b.Ctx, b.Child("config-recorder"), &iam.RolePolicyAttachmentArgs{
		Role:      role.Name,
		PolicyArn: pulumi.String(a.ManagedPolicyARN(ConfigRolePolicy)),
	}, b.Parent); err != nil {
		return nil, err
	}
	policy := a.LogsKeyArn.ToStringOutput().ApplyT(func(key string) (string, error) {
		return RecorderPolicy(a.Scope, key).JSON()
	}).(pulumi.StringOutput)
	rolePolicy, err := iam.NewRolePolicy(b.Ctx, b.Child("config-recorder"), &iam.RolePolicyArgs{
		Role:   role.Name,
		Policy: policy,
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	recorder, err := cfg.NewRecorder(b.Ctx, b.Child("config"), &cfg.RecorderArgs{
		Name:    pulumi.String(RecorderName(a.Scope)),
		RoleArn: role.Arn,
		RecordingGroup: &cfg.RecorderRecordingGroupArgs{
			AllSupported:               pulumi.Bool(false),
			IncludeGlobalResourceTypes: pulumi.Bool(false),
			ResourceTypes:              pulumi.ToStringArray(spec.RecordedTypes()),
			RecordingStrategies: cfg.RecorderRecordingGroupRecordingStrategyArray{
				&cfg.RecorderRecordingGroupRecordingStrategyArgs{UseOnly: pulumi.String("INCLUSION_BY_RESOURCE_TYPES")},
			},
		},
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	channel, err := cfg.NewDeliveryChannel(b.Ctx, b.Child("config"), &cfg.DeliveryChannelArgs{
		Name:         pulumi.String(RecorderName(a.Scope)),
		S3BucketName: bkt.res.Bucket,
		S3KeyPrefix:  pulumi.String(ConfigPrefix),
		S3KmsKeyArn:  a.LogsKeyArn,
		SnapshotDeliveryProperties: &cfg.DeliveryChannelSnapshotDeliveryPropertiesArgs{
			DeliveryFrequency: pulumi.String(DeliveryFrequency),
		},
	}, b.Parent, pulumi.DependsOn([]pulumi.Resource{recorder, rolePolicy, bkt.policy, bkt.lock}))
	if err != nil {
		return nil, err
	}
	return cfg.NewRecorderStatus(b.Ctx, b.Child("config"), &cfg.RecorderStatusArgs{
		Name:      recorder.Name,
		IsEnabled: pulumi.Bool(true),
	}, b.Parent, pulumi.DependsOn([]pulumi.Resource{channel}))
}

// noncompliance routes every NON_COMPLIANT evaluation of the platform's
// rules to the audit topic and the platform topic, with two EventBridge rules: one for every resource
// but the access log bucket, and one for the access log bucket under every
// rule but the KMS encryption rule, which it fails by design (S3 server
// access log delivery supports only SSE-S3). An alarm reports notices
// EventBridge could not deliver.
func (b *builder) noncompliance(topic pulumi.StringOutput) error {
	a := b.a
	kmsRule := ConfigRuleName(a.Scope, KMSRuleIdentifier)
	patterns := a.AccessLogBucketName.ToStringOutput().ApplyT(func(logBucket string) ([]string, error) {
		all, err := eventPattern(map[string]any{
			"configRuleName": []any{map[string]any{"prefix": a.Prefix + "-"}},
			"resourceId":     []any{map[string]any{"anything-but": logBucket}},
		})
		if err != nil {
			return nil, err
		}
		logs, err := eventPattern(map[string]any{
			"configRuleName": []any{map[string]any{"anything-but": kmsRule}},
			"resourceId":     []any{logBucket},
		})
		return []string{all, logs}, err
	}).(pulumi.StringArrayOutput)

	var queries cloudwatch.MetricAlarmMetricQueryArray
	for i, rule := range []struct{ part, name, description string }{
		{"noncompliant", ComplianceRuleName(a.Scope), "Every NON_COMPLIANT evaluation of the platform's AWS Config rules, to the audit and platform topics"},
		{"noncompliant-log-bucket", LogBucketComplianceRuleName(a.Scope),
			"NON_COMPLIANT evaluations of the access log bucket, but for " + kmsRule + ": S3 log delivery supports only SSE-S3"},
	} {
		er, err := cloudwatch.NewEventRule(b.Ctx, b.Child(rule.part), &cloudwatch.EventRuleArgs{
			Name:         pulumi.String(rule.name),
			Description:  pulumi.String(rule.description),
			EventPattern: patterns.Index(pulumi.Int(i)),
		}, b.Parent)
		if err != nil {
			return err
		}
		// The same notice to the audit topic and the platform topic.
		for _, target := range []struct {
			id, part string
			arn      pulumi.StringInput
		}{
			{"audit-topic", rule.part, topic},
			{"platform-topic", rule.part + "-platform", a.PlatformTopicArn},
		} {
			if _, err := cloudwatch.NewEventTarget(b.Ctx, b.Child(target.part), &cloudwatch.EventTargetArgs{
				Rule:             er.Name,
				TargetId:         pulumi.String(target.id),
				Arn:              target.arn,
				InputTransformer: noticeTransformer(),
			}, b.Parent); err != nil {
				return err
			}
		}
		queries = append(queries, &cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.Sprintf("m%d", i+1),
			Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace:  pulumi.String("AWS/Events"),
				MetricName: pulumi.String("FailedInvocations"),
				Dimensions: pulumi.StringMap{"RuleName": er.Name},
				Stat:       pulumi.String("Sum"),
				Period:     pulumi.Int(alarmPeriodSeconds),
			},
			ReturnData: pulumi.Bool(false),
		})
	}
	queries = append(queries, &cloudwatch.MetricAlarmMetricQueryArgs{
		Id:         pulumi.String("failed"),
		Expression: pulumi.String("FILL(m1, 0) + FILL(m2, 0)"),
		Label:      pulumi.String("Non-compliance notices not delivered"),
		ReturnData: pulumi.Bool(true),
	})
	_, err := cloudwatch.NewMetricAlarm(b.Ctx, b.Child("noncompliance-undelivered"), &cloudwatch.MetricAlarmArgs{
		Name: pulumi.String(UndeliveredAlarmName(a.Scope)),
		AlarmDescription: pulumi.String("EventBridge could not deliver a NON_COMPLIANT evaluation of the platform's AWS Config rules to the audit or the platform topic. " +
			"See the rules' compliance in the AWS Config console."),
		MetricQueries:      queries,
		ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
		Threshold:          pulumi.Float64(1),
		EvaluationPeriods:  pulumi.Int(1),
		TreatMissingData:   pulumi.String("notBreaching"),
		AlarmActions:       b.alarmActions(topic),
	}, b.Parent)
	return err
}

// noticeTransformer turns a compliance change into the sentence the
// topics' subscribers read.
func noticeTransformer() *cloudwatch.EventTargetInputTransformerArgs {
	return &cloudwatch.EventTargetInputTransformerArgs{
		InputPaths: pulumi.StringMap{
			"rule": pulumi.String("$.detail.configRuleName"), "type": pulumi.String("$.detail.resourceType"),
			"id": pulumi.String("$.detail.resourceId"), "account": pulumi.String("$.account"), "region": pulumi.String("$.region"),
		},
		InputTemplate: pulumi.String(`"AWS Config rule <rule> reports <type> <id> NON_COMPLIANT in account <account>, <region>. ` +
			`The rule's control and FSBP ids are its tags; see its evaluation in the AWS Config console and run aifactory drift."`),
	}
}

// eventPattern is the EventBridge pattern of a compliance change to
// NON_COMPLIANT with further conditions on the event's detail.
func eventPattern(detail map[string]any) (string, error) {
	detail["messageType"] = []any{"ComplianceChangeNotification"}
	detail["newEvaluationResult"] = map[string]any{"complianceType": []any{"NON_COMPLIANT"}}
	b, err := json.Marshal(map[string]any{
		"source":      []any{"aws.config"},
		"detail-type": []any{"Config Rules Compliance Change"},
		"detail":      detail,
	})
	return string(b), err
}
