package audit

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudtrail"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// trail creates the trail's log group, the role CloudTrail writes it with,
// and the trail: every region and the global services, signed digest
// files, the logs key, management events (read and write) and the
// object-level events of the data and model buckets.
func (b *builder) trail(bkt *bucket) (*cloudtrail.Trail, *cloudwatch.LogGroup, error) {
	a := b.a
	logGroup, err := cloudwatch.NewLogGroup(b.Ctx, b.Child("trail"), &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(LogGroupName(a.Scope)),
		KmsKeyId:        a.LogsKeyArn,
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
	}, b.Protect()...)
	if err != nil {
		return nil, nil, err
	}
	trust, err := TrailLogsTrustPolicy(a.Scope).JSON()
	if err != nil {
		return nil, nil, err
	}
	role, err := iam.NewRole(b.Ctx, b.Child("trail-logs"), &iam.RoleArgs{
		Name:             pulumi.String(TrailLogsRoleName(a.Scope)),
		Description:      pulumi.String("CloudTrail delivers the platform's trail to its CloudWatch log group"),
		AssumeRolePolicy: pulumi.String(trust),
	}, b.Parent)
	if err != nil {
		return nil, nil, err
	}
	policy, err := TrailLogsPolicy(a.Scope).JSON()
	if err != nil {
		return nil, nil, err
	}
	rolePolicy, err := iam.NewRolePolicy(b.Ctx, b.Child("trail-logs"), &iam.RolePolicyArgs{
		Role:   role.Name,
		Policy: pulumi.String(policy),
	}, b.Parent)
	if err != nil {
		return nil, nil, err
	}

	objects := a.DataEventBucketArns.ToStringArrayOutput().ApplyT(func(arns []string) []string {
		out := make([]string, len(arns))
		for i, arn := range arns {
			out[i] = arn + "/"
		}
		return out
	}).(pulumi.StringArrayOutput)
	trail, err := cloudtrail.NewTrail(b.Ctx, b.Child("trail"), &cloudtrail.TrailArgs{
		Name:                       pulumi.String(TrailName(a.Scope)),
		S3BucketName:               bkt.res.Bucket,
		S3KeyPrefix:                pulumi.String(TrailPrefix),
		IsMultiRegionTrail:         pulumi.Bool(true),
		IncludeGlobalServiceEvents: pulumi.Bool(true),
		EnableLogging:              pulumi.Bool(true),
		EnableLogFileValidation:    pulumi.Bool(true),
		KmsKeyId:                   a.LogsKeyArn,
		// CloudTrail wants the log group's ARN with its streams (":*").
		CloudWatchLogsGroupArn: logGroup.Arn.ApplyT(func(arn string) string { return arn + ":*" }).(pulumi.StringOutput),
		CloudWatchLogsRoleArn:  role.Arn,
		AdvancedEventSelectors: cloudtrail.TrailAdvancedEventSelectorArray{
			&cloudtrail.TrailAdvancedEventSelectorArgs{
				Name: pulumi.String("Management events, read and write"),
				FieldSelectors: cloudtrail.TrailAdvancedEventSelectorFieldSelectorArray{
					&cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs{Field: pulumi.String("eventCategory"), Equals: pulumi.StringArray{pulumi.String("Management")}},
				},
			},
			&cloudtrail.TrailAdvancedEventSelectorArgs{
				Name: pulumi.String("Object-level events of the data and model buckets"),
				FieldSelectors: cloudtrail.TrailAdvancedEventSelectorFieldSelectorArray{
					&cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs{Field: pulumi.String("eventCategory"), Equals: pulumi.StringArray{pulumi.String("Data")}},
					&cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs{Field: pulumi.String("resources.type"), Equals: pulumi.StringArray{pulumi.String("AWS::S3::Object")}},
					&cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs{Field: pulumi.String("resources.ARN"), StartsWiths: objects},
				},
			},
		},
	}, append(b.Protect(), pulumi.DependsOn([]pulumi.Resource{bkt.policy, bkt.lock, rolePolicy}))...)
	if err != nil {
		return nil, nil, err
	}
	return trail, logGroup, nil
}
