package serving

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sagemaker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/serving/spec"
	"github.com/aifactory/platform/facts/tagkeys"
)

// SessionSeconds is every serving role's maximum session: one hour, the
// lowest maximum IAM accepts.
const SessionSeconds = 3600

// Blue/green deployment settings. A new configuration takes traffic in one
// step (or, with two instances or more, first on a canary of a quarter of
// the capacity), then the old fleet is kept for the baking period while
// the alarms watch; an alarm in that time rolls the endpoint back.
const (
	CanaryPercent         = 25
	CanaryWaitSeconds     = 300
	BakingSeconds         = 600
	DeploymentTimeoutSecs = 3600
)

// Auto scaling and alarm settings.
const (
	scalableDimension = "sagemaker:variant:DesiredInstanceCount"
	scaleInCooldown   = 300
	scaleOutCooldown  = 60
	alarmPeriod       = 60
	alarmPeriods      = 3
	alarmDatapoints   = 2
)

// servedTeam is what a team that serves models gets.
type servedTeam struct {
	role          *iam.Role
	securityGroup *ec2.SecurityGroup
	endpoints     []servedEndpoint
}

type servedEndpoint struct {
	spec     spec.Endpoint
	endpoint *sagemaker.Endpoint
}

// team creates the team's serving group, role and endpoints.
func (b *builder) team(t Team, boundary *iam.Policy) (*servedTeam, error) {
	a := b.a
	resource := b.Child(t.Name)
	tags := t.Tags.StringMap()
	groupTags := pulumi.StringMap{"Name": pulumi.String(a.Name("serving", t.Name))}
	for k, v := range tags {
		groupTags[k] = v
	}
	// Invocations reach a model through SageMaker, never through its
	// network interfaces: the group admits nothing, and sends only HTTPS
	// to the VPC endpoints and to S3 (model artefacts, data capture).
	sg, err := ec2.NewSecurityGroup(b.Ctx, resource, &ec2.SecurityGroupArgs{
		VpcId:       a.VpcID,
		Description: pulumi.Sprintf("Served models of team %s: no inbound; HTTPS to the VPC endpoints and S3 only", t.Name),
		Egress: ec2.SecurityGroupEgressArray{
			&ec2.SecurityGroupEgressArgs{
				Description: pulumi.String("HTTPS to the VPC interface endpoints"), Protocol: pulumi.String("tcp"),
				FromPort: pulumi.Int(443), ToPort: pulumi.Int(443), SecurityGroups: pulumi.StringArray{a.EndpointSecurityGroupID},
			},
			&ec2.SecurityGroupEgressArgs{
				Description: pulumi.String("HTTPS to S3 through the gateway endpoint"), Protocol: pulumi.String("tcp"),
				FromPort: pulumi.Int(443), ToPort: pulumi.Int(443), PrefixListIds: pulumi.StringArray{a.S3PrefixListID},
			},
		},
		Tags: groupTags,
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	trust, err := TrustPolicy(a.Scope).JSON()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(b.Ctx, resource, &iam.RoleArgs{
		Name:                pulumi.String(RoleName(a.Scope, t.Name)),
		Description:         pulumi.Sprintf("SageMaker execution role of team %s's served models", t.Name),
		AssumeRolePolicy:    pulumi.String(trust),
		MaxSessionDuration:  pulumi.Int(SessionSeconds),
		PermissionsBoundary: boundary.Arn,
		Tags:                tags,
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	var endpointNames []string
	for _, e := range t.Endpoints {
		endpointNames = append(endpointNames, EndpointName(a.Scope, t.Name, e.Name))
	}
	policy := pulumi.All(a.DataBucketName, a.DataKeyArn, a.WorkspaceKeyArn, a.SubnetIDs, sg.ID()).ApplyT(func(v []any) (string, error) {
		return ExecutionPolicy(ExecutionScope{
			Scope:                 a.Scope,
			Team:                  t.Name,
			DataBucketArn:         a.BucketARN(v[0].(string)),
			DataKeyArn:            v[1].(string),
			WorkspaceKeyArn:       v[2].(string),
			SubnetIDs:             v[3].([]string),
			SecurityGroupID:       string(v[4].(pulumi.ID)),
			EndpointNames:         endpointNames,
			ImageRegistryAccounts: a.ImageRegistryAccounts,
		}).JSON()
	}).(pulumi.StringOutput)
	rolePolicy, err := iam.NewRolePolicy(b.Ctx, resource, &iam.RolePolicyArgs{Role: role.ID(), Policy: policy}, b.Parent)
	if err != nil {
		return nil, err
	}
	out := &servedTeam{role: role, securityGroup: sg}
	for _, e := range t.Endpoints {
		ep, err := b.endpoint(t, e.WithDefaults(), role, rolePolicy, sg)
		if err != nil {
			return nil, err
		}
		out.endpoints = append(out.endpoints, servedEndpoint{spec: e, endpoint: ep})
	}
	return out, nil
}

// endpoint creates one endpoint: its log group, model, configuration,
// rollback alarms, the endpoint and its auto scaling.
func (b *builder) endpoint(t Team, e spec.Endpoint, role *iam.Role, rolePolicy *iam.RolePolicy, sg *ec2.SecurityGroup) (*sagemaker.Endpoint, error) {
	a := b.a
	resource := b.Child(t.Name + "-" + e.Name)
	name := EndpointName(a.Scope, t.Name, e.Name)
	tags := t.Tags.StringMap()

	// SageMaker would create the group itself, unencrypted and kept forever.
	logGroup, err := cloudwatch.NewLogGroup(b.Ctx, resource, &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(EndpointLogGroup(name)),
		KmsKeyId:        a.LogsKeyArn,
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
		Tags:            tags,
	}, b.Parent)
	if err != nil {
		return nil, err
	}

	model, err := b.model(resource, name, e, role, rolePolicy, sg, tags)
	if err != nil {
		return nil, err
	}
	config, err := b.config(resource, t.Name, name, e, model, tags)
	if err != nil {
		return nil, err
	}
	alarms, err := b.alarms(resource, name, e, tags)
	if err != nil {
		return nil, err
	}

	traffic := &sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationArgs{
		Type: pulumi.String("ALL_AT_ONCE"), WaitIntervalInSeconds: pulumi.Int(CanaryWaitSeconds),
	}
	if !e.IsServerless() && e.MinInstances >= 2 {
		traffic.Type = pulumi.String("CANARY")
		traffic.CanarySize = &sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationCanarySizeArgs{
			Type: pulumi.String("CAPACITY_PERCENT"), Value: pulumi.Int(CanaryPercent),
		}
	}
	var rollback sagemaker.EndpointDeploymentConfigAutoRollbackConfigurationAlarmArray
	var alarmDeps []pulumi.Resource
	for _, al := range alarms {
		rollback = append(rollback, &sagemaker.EndpointDeploymentConfigAutoRollbackConfigurationAlarmArgs{AlarmName: al.Name})
		alarmDeps = append(alarmDeps, al)
	}
	endpointTags := pulumi.StringMap{}
	for k, v := range tags {
		endpointTags[k] = v
	}
	if at, _ := e.Expiry(); !at.IsZero() {
		endpointTags[tagkeys.ExpiresAt] = pulumi.String(at.Format("2006-01-02T15:04:05Z"))
	}
	endpoint, err := sagemaker.NewEndpoint(b.Ctx, resource, &sagemaker.EndpointArgs{
		Name:               pulumi.String(name),
		EndpointConfigName: config.Name,
		DeploymentConfig: &sagemaker.EndpointDeploymentConfigArgs{
			BlueGreenUpdatePolicy: &sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyArgs{
				TrafficRoutingConfiguration:      traffic,
				TerminationWaitInSeconds:         pulumi.Int(BakingSeconds),
				MaximumExecutionTimeoutInSeconds: pulumi.Int(DeploymentTimeoutSecs),
			},
			AutoRollbackConfiguration: &sagemaker.EndpointDeploymentConfigAutoRollbackConfigurationArgs{Alarms: rollback},
		},
		Tags: endpointTags,
	}, b.Parent, pulumi.DependsOn(append(alarmDeps, logGroup)))
	if err != nil {
		return nil, err
	}
	// A fixed size needs no scaling; and AWS refuses to change the
	// instance type of an auto-scaled variant, so an endpoint changes its
	// type while min equals max (see the README).
	if e.IsServerless() || e.MaxInstances == e.MinInstances {
		return endpoint, nil
	}
	// The scaling target names the endpoint by name; the dependency on
	// the endpoint's output makes it wait until the endpoint exists.
	resourceID := pulumi.Sprintf("endpoint/%s/variant/%s", endpoint.Name, spec.VariantName)
	target, err := appautoscaling.NewTarget(b.Ctx, resource, &appautoscaling.TargetArgs{
		ServiceNamespace:  pulumi.String("sagemaker"),
		ResourceId:        resourceID,
		ScalableDimension: pulumi.String(scalableDimension),
		MinCapacity:       pulumi.Int(e.MinInstances),
		MaxCapacity:       pulumi.Int(e.MaxInstances),
		Tags:              tags,
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	if _, err := appautoscaling.NewPolicy(b.Ctx, resource, &appautoscaling.PolicyArgs{
		Name:              pulumi.String(name + "-invocations"),
		PolicyType:        pulumi.String("TargetTrackingScaling"),
		ServiceNamespace:  target.ServiceNamespace,
		ResourceId:        target.ResourceId,
		ScalableDimension: target.ScalableDimension,
		TargetTrackingScalingPolicyConfiguration: &appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs{
			TargetValue: pulumi.Float64(float64(e.TargetInvocationsPerInstance)),
			PredefinedMetricSpecification: &appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs{
				PredefinedMetricType: pulumi.String("SageMakerVariantInvocationsPerInstance"),
			},
			ScaleInCooldown:  pulumi.Int(scaleInCooldown),
			ScaleOutCooldown: pulumi.Int(scaleOutCooldown),
		},
	}, b.Parent); err != nil {
		return nil, err
	}
	return endpoint, nil
}

// model builds the served model from the exact model package version.
// Models and endpoint configurations cannot change in place: their names
// carry a digest of what they hold, so a change creates the new one beside
// the old, the endpoint moves to it blue/green, and the old one goes.
func (b *builder) model(resource, endpointName string, e spec.Endpoint, role *iam.Role, rolePolicy *iam.RolePolicy,
	sg *ec2.SecurityGroup, tags pulumi.StringMap,
) (*sagemaker.Model, error) {
	a := b.a
	args := &sagemaker.ModelArgs{
		ExecutionRoleArn: role.Arn,
		PrimaryContainer: &sagemaker.ModelPrimaryContainerArgs{ModelPackageName: pulumi.String(e.ModelPackageArn)},
		Tags:             tags,
	}
	var modelName pulumi.StringOutput
	if e.IsServerless() {
		// Serverless inference runs outside the VPC and refuses network
		// isolation (the reason no environment that forbids it allows it).
		modelName = role.Arn.ApplyT(func(r string) string {
			return contentName(endpointName, e.ModelPackageArn, r, "serverless")
		}).(pulumi.StringOutput)
	} else {
		args.EnableNetworkIsolation = pulumi.Bool(true)
		args.VpcConfig = &sagemaker.ModelVpcConfigArgs{Subnets: a.SubnetIDs, SecurityGroupIds: pulumi.StringArray{sg.ID()}}
		modelName = pulumi.All(role.Arn, a.SubnetIDs, sg.ID()).ApplyT(func(v []any) string {
			return contentName(endpointName, e.ModelPackageArn, v[0].(string), strings.Join(v[1].([]string), ","), string(v[2].(pulumi.ID)), "isolated")
		}).(pulumi.StringOutput)
	}
	args.Name = modelName
	return sagemaker.NewModel(b.Ctx, resource, args, b.Parent, pulumi.DependsOn([]pulumi.Resource{rolePolicy}))
}

// config builds the endpoint configuration: the workspace key on the
// volumes and data capture for provisioned endpoints, serverless sizing
// otherwise.
func (b *builder) config(resource, team, endpointName string, e spec.Endpoint, model *sagemaker.Model, tags pulumi.StringMap) (*sagemaker.EndpointConfiguration, error) {
	a := b.a
	variant := &sagemaker.EndpointConfigurationProductionVariantArgs{
		VariantName: pulumi.String(spec.VariantName),
		ModelName:   model.Name,
	}
	args := &sagemaker.EndpointConfigurationArgs{Tags: tags}
	var name pulumi.StringOutput
	if e.IsServerless() {
		variant.ServerlessConfig = &sagemaker.EndpointConfigurationProductionVariantServerlessConfigArgs{
			MemorySizeInMb: pulumi.Int(e.Serverless.MemorySizeMB),
			MaxConcurrency: pulumi.Int(e.Serverless.MaxConcurrency),
		}
		name = model.Name.ApplyT(func(m string) string {
			return contentName(endpointName, m, strconv.Itoa(e.Serverless.MemorySizeMB), strconv.Itoa(e.Serverless.MaxConcurrency))
		}).(pulumi.StringOutput)
	} else {
		variant.InstanceType = pulumi.String(e.InstanceType)
		variant.InitialInstanceCount = pulumi.Int(e.MinInstances)
		args.KmsKeyArn = a.WorkspaceKeyArn
		capture := a.DataBucketName.ToStringOutput().ApplyT(func(bucket string) string {
			return CaptureURI(a.Scope, bucket, team, e.Name)
		}).(pulumi.StringOutput)
		args.DataCaptureConfig = &sagemaker.EndpointConfigurationDataCaptureConfigArgs{
			EnableCapture:             pulumi.Bool(true),
			InitialSamplingPercentage: pulumi.Int(e.DataCapturePercent),
			DestinationS3Uri:          capture,
			KmsKeyId:                  a.DataKeyArn,
			CaptureOptions: sagemaker.EndpointConfigurationDataCaptureConfigCaptureOptionArray{
				&sagemaker.EndpointConfigurationDataCaptureConfigCaptureOptionArgs{CaptureMode: pulumi.String("Input")},
				&sagemaker.EndpointConfigurationDataCaptureConfigCaptureOptionArgs{CaptureMode: pulumi.String("Output")},
			},
		}
		name = pulumi.All(model.Name, a.WorkspaceKeyArn, a.DataKeyArn, capture).ApplyT(func(v []any) string {
			return contentName(endpointName, v[0].(string), e.InstanceType, strconv.Itoa(e.MinInstances), v[1].(string), v[2].(string),
				v[3].(string), strconv.Itoa(e.DataCapturePercent))
		}).(pulumi.StringOutput)
	}
	args.ProductionVariants = sagemaker.EndpointConfigurationProductionVariantArray{variant}
	args.Name = name
	return sagemaker.NewEndpointConfiguration(b.Ctx, resource, args, b.Parent)
}

// alarms are the two alarms that roll a deployment back: the share of 5xx
// answers and the p99 model latency, each over a minute, two minutes of
// three in breach. No data (no traffic) is no breach.
func (b *builder) alarms(resource, endpointName string, e spec.Endpoint, tags pulumi.StringMap) ([]*cloudwatch.MetricAlarm, error) {
	dims := pulumi.StringMap{"EndpointName": pulumi.String(endpointName), "VariantName": pulumi.String(spec.VariantName)}
	metric := func(id, name string) *cloudwatch.MetricAlarmMetricQueryArgs {
		return &cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.String(id),
			Metric: &cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace: pulumi.String("AWS/SageMaker"), MetricName: pulumi.String(name), Dimensions: dims,
				Period: pulumi.Int(alarmPeriod), Stat: pulumi.String("Sum"),
			},
			ReturnData: pulumi.Bool(false),
		}
	}
	errorRate, err := cloudwatch.NewMetricAlarm(b.Ctx, resource+"-error-rate", &cloudwatch.MetricAlarmArgs{
		Name:             pulumi.String(endpointName + "-error-rate"),
		AlarmDescription: pulumi.Sprintf("More than %v%% of %s's invocations fail with a 5xx error: a deployment rolls back", e.Alarms.MaxErrorRatePercent, endpointName),
		MetricQueries: cloudwatch.MetricAlarmMetricQueryArray{
			metric("errors", "Invocation5XXErrors"),
			metric("invocations", "Invocations"),
			&cloudwatch.MetricAlarmMetricQueryArgs{
				Id: pulumi.String("rate"), Label: pulumi.String("5xx error rate (%)"),
				Expression: pulumi.String("IF(invocations > 0, 100 * errors / invocations, 0)"), ReturnData: pulumi.Bool(true),
			},
		},
		ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		Threshold:          pulumi.Float64(e.Alarms.MaxErrorRatePercent),
		EvaluationPeriods:  pulumi.Int(alarmPeriods),
		DatapointsToAlarm:  pulumi.Int(alarmDatapoints),
		TreatMissingData:   pulumi.String("notBreaching"),
		Tags:               tags,
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	latency, err := cloudwatch.NewMetricAlarm(b.Ctx, resource+"-latency", &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(endpointName + "-latency"),
		AlarmDescription:   pulumi.Sprintf("%s's p99 model latency is above %d ms: a deployment rolls back", endpointName, e.Alarms.MaxLatencyMs),
		Namespace:          pulumi.String("AWS/SageMaker"),
		MetricName:         pulumi.String("ModelLatency"),
		Dimensions:         dims,
		ExtendedStatistic:  pulumi.String("p99"),
		Period:             pulumi.Int(alarmPeriod),
		ComparisonOperator: pulumi.String("GreaterThanThreshold"),
		// ModelLatency is reported in microseconds.
		Threshold:         pulumi.Float64(float64(e.Alarms.MaxLatencyMs) * 1000),
		EvaluationPeriods: pulumi.Int(alarmPeriods),
		DatapointsToAlarm: pulumi.Int(alarmDatapoints),
		TreatMissingData:  pulumi.String("notBreaching"),
		Tags:              tags,
	}, b.Parent)
	if err != nil {
		return nil, err
	}
	return []*cloudwatch.MetricAlarm{errorRate, latency}, nil
}

// contentName is base, cut to fit, and a digest of parts: a resource that
// cannot change in place gets a new name whenever what it holds changes.
func contentName(base string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	suffix := hex.EncodeToString(sum[:])[:8]
	if max := spec.MaxNameLength - len(suffix) - 1; len(base) > max {
		base = strings.TrimRight(base[:max], "-")
	}
	return fmt.Sprintf("%s-%s", base, suffix)
}
