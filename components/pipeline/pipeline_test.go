package pipeline_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/internal/ecsjob"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/pipeline"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/mocktest"
)

const (
	logsKey = "arn:aws:kms:eu-west-1:123456789012:key/3333cccc-2222-3333-4444-555566667777"
	digest  = "sha256:e6240706bb9535b10aaf12cfa49125dad0bb87f66da02b769b5f49973006e5f9"

	repositoryType   = "aws:ecr/repository:Repository"
	lifecycleType    = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
	repoPolicyType   = "aws:ecr/repositoryPolicy:RepositoryPolicy"
	clusterType      = "aws:ecs/cluster:Cluster"
	capacityType     = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
	taskDefType      = "aws:ecs/taskDefinition:TaskDefinition"
	logGroupType     = "aws:cloudwatch/logGroup:LogGroup"
	alarmType        = "aws:cloudwatch/metricAlarm:MetricAlarm"
	roleType         = "aws:iam/role:Role"
	rolePolicyType   = "aws:iam/rolePolicy:RolePolicy"
	sgType           = "aws:ec2/securityGroup:SecurityGroup"
	apType           = "aws:s3/accessPoint:AccessPoint"
	objectType       = "aws:s3/bucketObjectv2:BucketObjectv2"
	secretType       = "aws:secretsmanager/secret:Secret"
	topicType        = "aws:sns/topic:Topic"
	subscriptionType = "aws:sns/topicSubscription:TopicSubscription"
	queueType        = "aws:sqs/queue:Queue"
	scheduleType     = "aws:scheduler/schedule:Schedule"
	stateMachineType = "aws:sfn/stateMachine:StateMachine"
)

var subnets = []string{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210"}

func componentArgs(environment string) *pipeline.Args {
	s := scopetest.Scope(environment)
	return &pipeline.Args{
		Scope: s,
		Placement: network.Placement{
			VpcID: pulumi.String("vpc-0123456789abcdef0"), SubnetIDs: pulumi.ToStringArray(subnets),
			EndpointSecurityGroupID: pulumi.String("sg-0e0d0e0d0e0d0e0d0"), S3PrefixListID: pulumi.String("pl-12345678"),
		},
		DataBucketName:   pulumi.String(s.BucketName("data")),
		ModelsBucketName: pulumi.String(s.BucketName("models")),
		DataKeyArn:       pulumi.String(dataKey),
		PipelineKeyArn:   pulumi.String(pipelineKey),
		LogsKeyArn:       pulumi.String(logsKey),
		LogRetentionDays: 30,
		Image:            pipeline.RepositoryURL(s) + "@" + digest,
		Countries: []pipeline.Country{
			{Code: "NL", Config: []byte("country: NL\n")},
			{Code: "GB", Config: []byte("country: GB\n")},
			{Code: "SE", Config: []byte("country: SE\n")},
		},
		Schedule:       "cron(0 6 ? * MON *)",
		Timezone:       "Europe/Amsterdam",
		MaxConcurrency: 2,
		TaskCPU:        1024,
		TaskMemoryMiB:  2048,
		CashSecretName: s.Prefix + "/optimiser/cash",
		FailureEmails:  []string{"oncall@aifactory.example"},
		ResultEmails:   []string{"analysts@aifactory.example", "treasury@aifactory.example"},
		Protect:        environment == "prod",
	}
}

// build runs the component under mocks that shape ids like AWS.
func build(t *testing.T, a *pipeline.Args) (*mocktest.Mocks, error) {
	t.Helper()
	m := &mocktest.Mocks{ID: mocktest.AWSShapedID}
	err := mocktest.RunWith(t, m, "dev", nil, func(ctx *pulumi.Context) error {
		_, err := pipeline.New(ctx, "pipeline", a)
		return err
	})
	return m, err
}

func mustBuild(t *testing.T, environment string) *mocktest.Mocks {
	t.Helper()
	m, err := build(t, componentArgs(environment))
	require.NoError(t, err)
	return m
}

func policyOf(t *testing.T, r mocktest.Resource, key string) iamdoc.Document {
	t.Helper()
	doc, err := iamdoc.Parse(r.Str(key))
	require.NoError(t, err, "%s %s: %s", r.Type, r.Name, key)
	return doc
}

func TestEveryResourceIsAChildOfTheComponent(t *testing.T) {
	m := mustBuild(t, "dev")
	for _, r := range m.Resources() {
		if r.Type == pipeline.Type {
			continue
		}
		assert.Contains(t, r.Parent, "::"+pipeline.Type+"::pipeline", "%s %s", r.Type, r.Name)
	}
	types := map[string]int{}
	for _, r := range m.Resources() {
		types[r.Type]++
	}
	assert.Equal(t, map[string]int{
		pipeline.Type: 1, repositoryType: 1, lifecycleType: 1, repoPolicyType: 1, clusterType: 1, capacityType: 1, taskDefType: 1,
		logGroupType: 2, alarmType: 2, roleType: 4, rolePolicyType: 4, sgType: 1, apType: 1, objectType: 3, secretType: 1,
		topicType: 2, subscriptionType: 3, queueType: 1, scheduleType: 1, stateMachineType: 1,
	}, types)
}

func TestImageRepositoryIsHardened(t *testing.T) {
	m := mustBuild(t, "dev")
	repo := m.Named(t, repositoryType, "pipeline-images")
	assert.Equal(t, "aifactory-dev-optimiser", repo.Str("name"))
	assert.Equal(t, "IMMUTABLE", repo.Str("imageTagMutability"))
	assert.Equal(t, "weekly-pipeline", repo.Tags()["workload"], "image storage is a cost of the pipeline's runs")
	var cfg struct {
		Encryption []struct {
			Type string `json:"encryptionType"`
			Key  string `json:"kmsKey"`
		} `json:"encryptionConfigurations"`
		Scanning struct {
			ScanOnPush bool `json:"scanOnPush"`
		} `json:"imageScanningConfiguration"`
	}
	require.NoError(t, repo.JSON("", &cfg))
	require.Len(t, cfg.Encryption, 1)
	assert.Equal(t, "KMS", cfg.Encryption[0].Type)
	assert.Equal(t, pipelineKey, cfg.Encryption[0].Key)
	assert.True(t, cfg.Scanning.ScanOnPush)
	assert.True(t, repo.Bool("forceDelete"), "outside prod a destroy removes the images")
	assert.False(t, repo.Protect)

	var lifecycle pipeline.LifecyclePolicy
	require.NoError(t, json.Unmarshal([]byte(m.Named(t, lifecycleType, "pipeline-images").Str("policy")), &lifecycle))
	assert.Equal(t, pipeline.ImageLifecycle(pipeline.DefaultImagesKept), lifecycle)
	require.Len(t, lifecycle.Rules, 1)
	assert.Equal(t, "any", lifecycle.Rules[0].Selection.TagStatus, "images pushed by digest are counted, never expired for lacking a tag")
	assert.Equal(t, "imageCountMoreThan", lifecycle.Rules[0].Selection.CountType)

	policy := policyOf(t, m.Named(t, repoPolicyType, "pipeline-images"), "policy")
	assert.Equal(t, denied, evaluateResource(t, policy, "arn:aws:iam::210987654321:root", request{"ecr:BatchGetImage", "", nil}))
	assert.Equal(t, allowed, evaluateResource(t, policy, "arn:aws:iam::123456789012:root", request{"ecr:BatchGetImage", "", nil}))
}

func TestClusterRunsOnSpotWithOnDemandFallbackAndEncryptedStorage(t *testing.T) {
	m := mustBuild(t, "dev")
	cluster := m.Named(t, clusterType, "pipeline-cluster")
	assert.Equal(t, "aifactory-dev-pipeline", cluster.Str("name"))
	var c struct {
		Settings []struct{ Name, Value string } `json:"settings"`
		Config   struct {
			Storage struct {
				Fargate string `json:"fargateEphemeralStorageKmsKeyId"`
				Managed string `json:"kmsKeyId"`
			} `json:"managedStorageConfiguration"`
		} `json:"configuration"`
	}
	require.NoError(t, cluster.JSON("", &c))
	assert.Contains(t, c.Settings, struct{ Name, Value string }{"containerInsights", "enabled"})
	assert.Equal(t, pipelineKey, c.Config.Storage.Fargate)
	assert.Equal(t, pipelineKey, c.Config.Storage.Managed)

	capacity := m.Named(t, capacityType, "pipeline-capacity")
	var cp struct {
		Providers []string `json:"capacityProviders"`
		Default   []struct {
			Provider string `json:"capacityProvider"`
			Weight   int    `json:"weight"`
		} `json:"defaultCapacityProviderStrategies"`
	}
	require.NoError(t, capacity.JSON("", &cp))
	assert.ElementsMatch(t, []string{"FARGATE_SPOT", "FARGATE"}, cp.Providers)
	require.Len(t, cp.Default, 1)
	assert.Equal(t, "FARGATE_SPOT", cp.Default[0].Provider, "tasks start on Spot")
}

func TestTaskDefinitionIsHardened(t *testing.T) {
	m := mustBuild(t, "dev")
	td := m.Named(t, taskDefType, "pipeline-task")
	assert.Equal(t, "aifactory-dev-optimiser", td.Str("family"))
	// Its tasks carry it (PropagateTags), and the state machine's role
	// watches and stops only the tasks that do.
	assert.Equal(t, "aifactory-dev-optimiser", td.Tags()[ecsjob.FamilyTag])
	assert.Equal(t, "weekly-pipeline", td.Tags()["workload"], "the tasks (PropagateTags) tell their cost apart from the cleanup job's")
	assert.Equal(t, "awsvpc", td.Str("networkMode"))
	assert.Equal(t, "1024", td.Str("cpu"))
	assert.Equal(t, "2048", td.Str("memory"))
	assert.Empty(t, td.Str("pidMode"))
	taskRoleArn, execRoleArn := td.Str("taskRoleArn"), td.Str("executionRoleArn")
	assert.NotEmpty(t, taskRoleArn)
	assert.NotEqual(t, taskRoleArn, execRoleArn, "the task and the ECS agent have separate roles")
	assert.Equal(t, "arn:aws:iam::123456789012:role/pipeline-task", taskRoleArn)
	assert.Equal(t, "arn:aws:iam::123456789012:role/pipeline-execution", execRoleArn)

	var containers []pipeline.ContainerDefinition
	require.NoError(t, json.Unmarshal([]byte(td.Str("containerDefinitions")), &containers))
	require.Len(t, containers, 1, "the optimiser is the only container, so its exit code is the task's")
	c := containers[0]
	assert.Equal(t, pipeline.ContainerName, c.Name)
	assert.Equal(t, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser@"+digest, c.Image, "by digest, never a tag")
	assert.Equal(t, "65532:65532", c.User, "non-root")
	assert.True(t, c.ReadonlyRootFilesystem)
	assert.False(t, c.Privileged)
	assert.Equal(t, []pipeline.MountPoint{{SourceVolume: "scratch", ContainerPath: "/tmp"}}, c.MountPoints, "one writable scratch volume")
	assert.Equal(t, "awslogs", c.LogConfiguration.LogDriver)
	assert.Equal(t, "/aws/ecs/aifactory-dev-optimiser", c.LogConfiguration.Options["awslogs-group"])
	env := map[string]string{}
	for _, kv := range c.Environment {
		env[kv.Name] = kv.Value
		assert.NotRegexp(t, `(?i)secret|password|token|key`, kv.Name, "no credential-like variable in plain environment")
	}
	assert.Equal(t, digest, env["OPTIMISER_IMAGE_DIGEST"], "metadata.json records the image")
	assert.Equal(t, "true", env["OPTIMISER_REQUIRE_CASH"])
	assert.Equal(t, []string{"version"}, c.Command, "a task started without the workflow's command only prints the version")

	var volumes []struct {
		Name string `json:"name"`
	}
	require.NoError(t, td.JSON("volumes", &volumes))
	assert.Equal(t, "scratch", volumes[0].Name)

	sg := m.Named(t, sgType, "pipeline-tasks")
	var rules struct {
		Ingress []any `json:"ingress"`
		Egress  []struct {
			From     int      `json:"fromPort"`
			To       int      `json:"toPort"`
			Cidrs    []string `json:"cidrBlocks"`
			Groups   []string `json:"securityGroups"`
			Prefixes []string `json:"prefixListIds"`
		} `json:"egress"`
	}
	require.NoError(t, sg.JSON("", &rules))
	assert.Empty(t, rules.Ingress, "nothing connects to a task")
	require.Len(t, rules.Egress, 2)
	for _, e := range rules.Egress {
		assert.Equal(t, 443, e.From)
		assert.Equal(t, 443, e.To)
		assert.Empty(t, e.Cidrs, "no address range, so no internet")
	}
}

func TestLogGroupsAreEncryptedAndExpire(t *testing.T) {
	m := mustBuild(t, "dev")
	groups := map[string]bool{}
	for _, lg := range m.OfType(logGroupType) {
		groups[lg.Str("name")] = true
		assert.Equal(t, logsKey, lg.Str("kmsKeyId"), lg.Name)
		assert.Equal(t, 30.0, lg.Num("retentionInDays"), lg.Name)
	}
	assert.Equal(t, map[string]bool{"/aws/ecs/aifactory-dev-optimiser": true, "/aws/vendedlogs/states/aifactory-dev-weekly": true}, groups)
}

func TestStateMachineIsEncryptedLoggedTracedAndRunsTheWorkflow(t *testing.T) {
	m := mustBuild(t, "dev")
	sm := m.Named(t, stateMachineType, "pipeline-weekly")
	assert.Equal(t, "aifactory-dev-weekly", sm.Str("name"))
	assert.Equal(t, "weekly-pipeline", sm.Tags()["workload"])
	assert.Equal(t, "STANDARD", sm.Str("type"))
	var cfg struct {
		Logging struct {
			Level       string `json:"level"`
			Data        bool   `json:"includeExecutionData"`
			Destination string `json:"logDestination"`
		} `json:"loggingConfiguration"`
		Tracing struct {
			Enabled bool `json:"enabled"`
		} `json:"tracingConfiguration"`
		Encryption struct {
			Type string `json:"type"`
			Key  string `json:"kmsKeyId"`
		} `json:"encryptionConfiguration"`
	}
	require.NoError(t, sm.JSON("", &cfg))
	assert.Equal(t, "ALL", cfg.Logging.Level)
	assert.True(t, cfg.Logging.Data)
	assert.Equal(t, "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/states/aifactory-dev-weekly:*", cfg.Logging.Destination)
	assert.True(t, cfg.Tracing.Enabled, "X-Ray")
	assert.Equal(t, "CUSTOMER_MANAGED_KMS_KEY", cfg.Encryption.Type)
	assert.Equal(t, pipelineKey, cfg.Encryption.Key)

	// The definition is exactly what Workflow builds from the resources.
	want, err := pipeline.Workflow(pipeline.WorkflowArgs{
		ClusterArn:     "arn:aws:ecs:eu-west-1:123456789012:cluster/aifactory-dev-pipeline",
		TaskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-optimiser:1",
		ContainerName:  "optimiser",
		Subnets:        subnets,
		SecurityGroups: []string{mocktest.AWSShapedID(sgType, "pipeline-tasks")},
		Countries:      []string{"NL", "GB", "SE"},
		MaxConcurrency: 2,
		Storage: pipeline.Storage{
			Configs: pipeline.Location{Bucket: "pipeline-inputs-mock-s3alias", Prefix: "pipeline/configs/"},
			Data:    pipeline.Location{Bucket: "pipeline-inputs-mock-s3alias", Prefix: "pipeline/data/"},
			Models:  pipeline.Location{Bucket: "aifactory-dev-models-123456789012", Prefix: "pipeline/models/"},
			Outputs: pipeline.Location{Bucket: "aifactory-dev-models-123456789012", Prefix: "pipeline/outputs/"},
		},
		CashSecretID:    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:aifactory-dev/optimiser/cash-AbCdEf",
		ResultsTopicArn: "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-weekly-results",
		FailureTopicArn: "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-weekly-failures",
	})
	require.NoError(t, err)
	wantJSON, err := want.JSON()
	require.NoError(t, err)
	assert.JSONEq(t, wantJSON, sm.Str("definition"))
	assert.NotContains(t, sm.Str("definition"), `"AssignPublicIp":"ENABLED"`)

	role := m.Named(t, roleType, "pipeline-states")
	assert.Equal(t, "aifactory-dev-weekly-states", role.Str("name"))
	trust := policyOf(t, role, "assumeRolePolicy")
	assert.Equal(t, pipeline.StateMachineTrustPolicy("123456789012", "arn:aws:states:eu-west-1:123456789012:stateMachine:aifactory-dev-weekly"), trust)
	// The state machine's role gets exactly the workflow's policy.
	wantPolicy, err := pipeline.StateMachineRolePolicy(pipeline.RoleArgs{
		Scope:           scopetest.Dev(),
		StateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:aifactory-dev-weekly",
		ClusterArn:      "arn:aws:ecs:eu-west-1:123456789012:cluster/aifactory-dev-pipeline", TaskDefinitionFamily: "aifactory-dev-optimiser",
		TaskRoleArn: taskRole, ExecutionRoleArn: executionRole,
		ResultsTopicArn: resultsTopic, FailureTopicArn: failureTopic, PipelineKeyArn: pipelineKey,
	})
	require.NoError(t, err)
	assert.Equal(t, wantPolicy, policyOf(t, m.Named(t, rolePolicyType, "pipeline-states"), "policy"))
}

func TestTheRolesGetTheirPolicies(t *testing.T) {
	m := mustBuild(t, "dev")
	s := scopetest.Dev()
	wantTask, err := pipeline.TaskRolePolicy(pipeline.TaskAccess{Scope: s, ModelsBucket: s.BucketName("models"), DataKeyArn: dataKey,
		PipelineKeyArn: pipelineKey, CashSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:aifactory-dev/optimiser/cash-AbCdEf"})
	require.NoError(t, err)
	assert.Equal(t, wantTask, policyOf(t, m.Named(t, rolePolicyType, "pipeline-task"), "policy"))
	assert.Equal(t, pipeline.ExecutionRolePolicy(s), policyOf(t, m.Named(t, rolePolicyType, "pipeline-execution"), "policy"))
	assert.Equal(t, pipeline.SchedulerRolePolicy(s, pipelineKey), policyOf(t, m.Named(t, rolePolicyType, "pipeline-scheduler"), "policy"))
	for name, want := range map[string]string{
		"pipeline-task": "aifactory-dev-optimiser-task", "pipeline-execution": "aifactory-dev-optimiser-execution",
		"pipeline-scheduler": "aifactory-dev-weekly-scheduler", "pipeline-states": "aifactory-dev-weekly-states",
	} {
		role := m.Named(t, roleType, name)
		assert.Equal(t, want, role.Str("name"))
		for _, st := range policyOf(t, role, "assumeRolePolicy").Statement {
			assert.False(t, st.Principal.Any, "%s trusts anyone", name)
			assert.NotEmpty(t, st.Condition["StringEquals"]["aws:SourceAccount"], "%s: only for this account", name)
		}
	}
	assert.Equal(t, pipeline.TaskTrustPolicy(s), policyOf(t, m.Named(t, roleType, "pipeline-execution"), "assumeRolePolicy"))
}

func TestInputsArePublishedAndReadThroughTheirOwnAccessPoint(t *testing.T) {
	m := mustBuild(t, "dev")
	ap := m.Named(t, apType, "pipeline-inputs")
	assert.Equal(t, "dev--pipeline", ap.Str("name"))
	assert.Equal(t, "aifactory-dev-data-123456789012", ap.Str("bucket"))
	assert.Equal(t, "123456789012", ap.Str("accountId"))
	var cfg struct {
		Vpc struct {
			ID string `json:"vpcId"`
		} `json:"vpcConfiguration"`
		Block map[string]bool `json:"publicAccessBlockConfiguration"`
	}
	require.NoError(t, ap.JSON("", &cfg))
	assert.Equal(t, "vpc-0123456789abcdef0", cfg.Vpc.ID, "VPC origin")
	assert.Equal(t, map[string]bool{"blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": true}, cfg.Block)
	assert.Equal(t, pipeline.AccessPointPolicy(scopetest.Dev(), "arn:aws:iam::123456789012:role/pipeline-task"), policyOf(t, ap, "policy"))

	keys := map[string]string{}
	for _, o := range m.OfType(objectType) {
		assert.Equal(t, "aifactory-dev-data-123456789012", o.Str("bucket"))
		assert.Equal(t, "aws:kms", o.Str("serverSideEncryption"))
		assert.Equal(t, dataKey, o.Str("kmsKeyId"))
		assert.True(t, o.Bool("bucketKeyEnabled"))
		keys[o.Str("key")] = o.Str("content")
	}
	assert.Equal(t, map[string]string{
		"pipeline/configs/nl.yaml": "country: NL\n", "pipeline/configs/gb.yaml": "country: GB\n", "pipeline/configs/se.yaml": "country: SE\n",
	}, keys)

	secret := m.Named(t, secretType, "pipeline-cash")
	assert.Equal(t, "aifactory-dev/optimiser/cash", secret.Str("name"))
	assert.Equal(t, pipelineKey, secret.Str("kmsKeyId"))
	assert.Equal(t, 0.0, secret.Num("recoveryWindowInDays"), "outside prod a destroyed stack can be created again at once")
	assert.Equal(t, pipeline.CashSecretPolicy("arn:aws:iam::123456789012:role/pipeline-task"), policyOf(t, secret, "policy"))
	assert.False(t, secret.Has("secretString"), "the cash figures never pass through Pulumi")
}

func TestTopicsQueueScheduleAndAlarms(t *testing.T) {
	m := mustBuild(t, "dev")
	s := scopetest.Dev()
	topics := map[string]mocktest.Resource{}
	for _, tp := range m.OfType(topicType) {
		topics[tp.Str("name")] = tp
		assert.Equal(t, pipelineKey, tp.Str("kmsMasterKeyId"), tp.Name)
	}
	require.Contains(t, topics, "aifactory-dev-weekly-results")
	require.Contains(t, topics, "aifactory-dev-weekly-failures")
	assert.Equal(t, pipeline.TopicPolicy(s, resultsTopic, nil), policyOf(t, topics["aifactory-dev-weekly-results"], "policy"))
	assert.Equal(t, pipeline.TopicPolicy(s, failureTopic, []string{
		"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-weekly-run-failed",
		"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-weekly-run-not-started",
	}), policyOf(t, topics["aifactory-dev-weekly-failures"], "policy"))
	subscribers := map[string]string{}
	for _, sub := range m.OfType(subscriptionType) {
		assert.Equal(t, "email", sub.Str("protocol"))
		subscribers[sub.Str("endpoint")] = sub.Str("topic")
	}
	assert.Equal(t, map[string]string{
		"oncall@aifactory.example":   "arn:aws:mock:eu-west-1:123456789012:aws:sns/topic:Topic/pipeline-failures",
		"analysts@aifactory.example": "arn:aws:mock:eu-west-1:123456789012:aws:sns/topic:Topic/pipeline-results",
		"treasury@aifactory.example": "arn:aws:mock:eu-west-1:123456789012:aws:sns/topic:Topic/pipeline-results",
	}, subscribers)

	queue := m.Named(t, queueType, "pipeline-schedule-dlq")
	assert.Equal(t, pipelineKey, queue.Str("kmsMasterKeyId"))
	assert.Equal(t, float64(pipeline.DeadLetterRetentionSeconds), queue.Num("messageRetentionSeconds"))
	assert.Equal(t, pipeline.QueuePolicy(s, "arn:aws:sqs:eu-west-1:123456789012:aifactory-dev-weekly-schedule-dlq",
		"arn:aws:iam::123456789012:role/aifactory-dev-weekly-scheduler"), policyOf(t, queue, "policy"))

	sched := m.Named(t, scheduleType, "pipeline-weekly")
	var sc struct {
		Name       string `json:"name"`
		Group      string `json:"groupName"`
		Expression string `json:"scheduleExpression"`
		Timezone   string `json:"scheduleExpressionTimezone"`
		Key        string `json:"kmsKeyArn"`
		State      string `json:"state"`
		Window     struct {
			Mode string `json:"mode"`
		} `json:"flexibleTimeWindow"`
		Target struct {
			Arn   string `json:"arn"`
			Role  string `json:"roleArn"`
			Input string `json:"input"`
			Retry struct {
				Attempts int `json:"maximumRetryAttempts"`
				Age      int `json:"maximumEventAgeInSeconds"`
			} `json:"retryPolicy"`
			DLQ struct {
				Arn string `json:"arn"`
			} `json:"deadLetterConfig"`
		} `json:"target"`
	}
	require.NoError(t, sched.JSON("", &sc))
	assert.Equal(t, "aifactory-dev-weekly", sc.Name)
	assert.Equal(t, "default", sc.Group)
	assert.Equal(t, "cron(0 6 ? * MON *)", sc.Expression)
	assert.Equal(t, "Europe/Amsterdam", sc.Timezone)
	assert.Equal(t, pipelineKey, sc.Key)
	assert.Equal(t, "ENABLED", sc.State)
	assert.Equal(t, "OFF", sc.Window.Mode, "the run starts on time")
	assert.Equal(t, "arn:aws:mock:eu-west-1:123456789012:aws:sfn/stateMachine:StateMachine/pipeline-weekly", sc.Target.Arn)
	assert.Equal(t, "arn:aws:iam::123456789012:role/pipeline-scheduler", sc.Target.Role)
	assert.Equal(t, pipeline.ScheduleRetryAttempts, sc.Target.Retry.Attempts)
	assert.Equal(t, pipeline.ScheduleMaxEventAgeSeconds, sc.Target.Retry.Age)
	assert.Equal(t, "arn:aws:mock:eu-west-1:123456789012:aws:sqs/queue:Queue/pipeline-schedule-dlq", sc.Target.DLQ.Arn)

	failed := m.Named(t, alarmType, "pipeline-run-failed")
	assert.Equal(t, "aifactory-dev-weekly-run-failed", failed.Str("name"))
	var alarm struct {
		Actions []string `json:"alarmActions"`
		Queries []struct {
			ID         string `json:"id"`
			Expression string `json:"expression"`
			ReturnData bool   `json:"returnData"`
			Metric     *struct {
				Namespace  string            `json:"namespace"`
				Name       string            `json:"metricName"`
				Dimensions map[string]string `json:"dimensions"`
				Stat       string            `json:"stat"`
			} `json:"metric"`
		} `json:"metricQueries"`
		Comparison string  `json:"comparisonOperator"`
		Threshold  float64 `json:"threshold"`
		Missing    string  `json:"treatMissingData"`
	}
	require.NoError(t, failed.JSON("", &alarm))
	assert.Equal(t, []string{failureTopic}, alarm.Actions)
	metrics := map[string]bool{}
	for _, q := range alarm.Queries {
		if q.Metric != nil {
			metrics[q.Metric.Name] = true
			assert.Equal(t, "AWS/States", q.Metric.Namespace)
			assert.Equal(t, stateMachine, q.Metric.Dimensions["StateMachineArn"])
			assert.Equal(t, "Sum", q.Metric.Stat)
		} else {
			assert.True(t, q.ReturnData)
			for _, id := range []string{"m1", "m2", "m3"} {
				assert.Contains(t, q.Expression, "FILL("+id+", 0)")
			}
		}
	}
	assert.Equal(t, map[string]bool{"ExecutionsFailed": true, "ExecutionsTimedOut": true, "ExecutionsAborted": true}, metrics)
	assert.Equal(t, "GreaterThanOrEqualToThreshold", alarm.Comparison)
	assert.Equal(t, 1.0, alarm.Threshold)
	assert.Equal(t, "notBreaching", alarm.Missing, "a week without a run is not a failure")

	notStarted := m.Named(t, alarmType, "pipeline-run-not-started")
	assert.Equal(t, "AWS/SQS", notStarted.Str("namespace"))
	assert.Equal(t, "ApproximateNumberOfMessagesVisible", notStarted.Str("metricName"))
	assert.Equal(t, map[string]string{"QueueName": "aifactory-dev-weekly-schedule-dlq"}, notStarted.StringMap("dimensions"))
	require.NoError(t, notStarted.JSON("", &alarm))
	assert.Equal(t, []string{failureTopic}, alarm.Actions)
}

func TestProdProtectsTheRepositoryAndTheSecret(t *testing.T) {
	m := mustBuild(t, "prod")
	repo := m.Named(t, repositoryType, "pipeline-images")
	assert.True(t, repo.Protect)
	assert.True(t, repo.RetainOnDelete)
	assert.False(t, repo.Bool("forceDelete"), "prod images are never force-deleted")
	secret := m.Named(t, secretType, "pipeline-cash")
	assert.True(t, secret.Protect)
	assert.Equal(t, 30.0, secret.Num("recoveryWindowInDays"))
}

func TestInvalidArgsAreReportedBeforeAnyResource(t *testing.T) {
	tests := []struct {
		name   string
		change func(*pipeline.Args)
		want   []string
	}{
		{"image by tag", func(a *pipeline.Args) { a.Image = pipeline.RepositoryURL(a.Scope) + ":v1" }, []string{"Image", "is a tag"}},
		{"image in another repository", func(a *pipeline.Args) {
			a.Image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-staging-optimiser@" + digest
		}, []string{"Image", "pull only from this stack's repository 123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser"}},
		{"image in another account", func(a *pipeline.Args) {
			a.Image = "210987654321.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser@" + digest
		}, []string{"Image", "this stack's repository"}},
		{"no countries", func(a *pipeline.Args) { a.Countries = nil }, []string{"Countries is empty"}},
		{"country without config", func(a *pipeline.Args) { a.Countries[1].Config = nil }, []string{"Countries[1] (GB): Config is empty"}},
		{"lower-case country", func(a *pipeline.Args) { a.Countries[0].Code = "nl" }, []string{`Countries[0] "nl"`}},
		{"daily schedule", func(a *pipeline.Args) { a.Schedule = "cron(0 6 * * ? *)" }, []string{"Schedule", "once a week"}},
		{"time zone", func(a *pipeline.Args) { a.Timezone = "Mars/Olympus" }, []string{"Timezone", "IANA"}},
		{"concurrency", func(a *pipeline.Args) { a.MaxConcurrency = 0 }, []string{"MaxConcurrency 0"}},
		{"task size", func(a *pipeline.Args) { a.TaskMemoryMiB = 100 }, []string{"TaskCPU/TaskMemoryMiB", "2048-8192"}},
		{"no failure addresses", func(a *pipeline.Args) { a.FailureEmails = nil }, []string{"FailureEmails", "reaches someone"}},
		{"bad address", func(a *pipeline.Args) { a.ResultEmails = []string{"treasury"} }, []string{`ResultEmails[0] "treasury"`}},
		{"no key", func(a *pipeline.Args) { a.PipelineKeyArn = nil }, []string{"PipelineKeyArn is required"}},
		{"no retention", func(a *pipeline.Args) { a.LogRetentionDays = 0 }, []string{"LogRetentionDays"}},
		{"EC2 capacity", func(a *pipeline.Args) {
			a.Capacity.Primary = []pipeline.CapacityProvider{{CapacityProvider: "asg", Weight: 1}}
		}, []string{"Capacity.Primary[0].CapacityProvider"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := componentArgs("dev")
			tt.change(a)
			m, err := build(t, a)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, m.Resources(), "nothing is registered")
		})
	}
	t.Run("prod unprotected", func(t *testing.T) {
		a := componentArgs("prod")
		a.Protect = false
		_, err := build(t, a)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Protect")
	})
	t.Run("every problem at once", func(t *testing.T) {
		_, err := build(t, &pipeline.Args{Scope: scopetest.Dev()})
		require.Error(t, err)
		for _, field := range []string{"VpcID", "SubnetIDs", "DataBucketName", "Image", "Countries", "Schedule", "Timezone", "MaxConcurrency",
			"TaskCPU", "CashSecretName", "FailureEmails"} {
			assert.Contains(t, err.Error(), field)
		}
	})
}
