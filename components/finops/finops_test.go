package finops_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/finops"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/finops/cleanup"
	"github.com/aifactory/platform/internal/iameval"
	"github.com/aifactory/platform/internal/mocktest"
)

const (
	cleanupImage = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-cleanup@sha256:5a0f1c9d2b7e4d6a8c3f1e0b9d7c5a3e1f2d4b6a8c0e2f4a6b8d0c2e4f6a8b0c"
	clusterArn   = "arn:aws:ecs:eu-west-1:123456789012:cluster/aifactory-dev-pipeline"
	imageKey     = "arn:aws:kms:eu-west-1:123456789012:key/2222bbbb-2222-3333-4444-555566667777"
	deployer     = "arn:aws:iam::123456789012:role/aifactory-deployer"
)

var subnets = []string{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210"}

func args() *finops.Args {
	return &finops.Args{
		Scope: scopetest.Dev(),
		Placement: network.Placement{
			VpcID: pulumi.String("vpc-0123456789abcdef0"), SubnetIDs: pulumi.ToStringArray(subnets),
			EndpointSecurityGroupID: pulumi.String("sg-0e0d0e0d0e0d0e0d0"), S3PrefixListID: pulumi.String("pl-12345678"),
		},
		Teams: []finops.Team{
			{Name: "platform", Owner: "ml-platform@aifactory.example", MonthlyBudgetUSD: 400, Tags: scopetest.TeamTags("platform")},
			{Name: "jackpot-analytics", Owner: "jackpot@aifactory.example", MonthlyBudgetUSD: 250.5, Tags: scopetest.TeamTags("jackpot-analytics")},
		},
		PlatformOwner:              "ml-platform@aifactory.example",
		AnomalyThresholdUSD:        10,
		ActivateCostAllocationTags: true,
		LogsKeyArn:                 pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/logs"),
		LogRetentionDays:           30,
		ImageKeyArn:                pulumi.String(imageKey),
		DeletionWindowDays:         7,
		KeyAdministrators:          []string{deployer},
		Cleanup: finops.Cleanup{
			Image: cleanupImage, ClusterArn: pulumi.String(clusterArn),
			Schedule: "cron(0 19 * * ? *)", DryRun: true, Project: "aifactory",
			StudioIdleLimit: 3 * time.Hour, VolumeMinAge: 7 * 24 * time.Hour,
		},
	}
}

// run builds the component under mocks that shape ids like AWS.
func run(t *testing.T, a *finops.Args) (*mocktest.Mocks, error) {
	m := &mocktest.Mocks{ID: mocktest.AWSShapedID}
	err := mocktest.RunWith(t, m, "dev", nil, func(ctx *pulumi.Context) error {
		_, err := finops.New(ctx, "finops", a)
		return err
	})
	return m, err
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
	assert.ElementsMatch(t, []string{"team", "project", "cost-center", "environment", "data-classification", "owner", "workload"}, keys,
		"the required tags and the workload tag, which tells the jobs in the pipeline's cluster apart")

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
	for _, st := range doc.Statement {
		if st.Sid == "AlarmsPublish" {
			assert.Equal(t, iamdoc.Strings{"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:aifactory-dev-cleanup-not-started"},
				st.Condition["ArnLike"]["aws:SourceArn"], "no publishers: the cleanup job's alarm alone")
		}
	}
}

// TestPublishersReachTheDeployedPolicies: the policies the topic and the
// key receive are the ones the evaluation tests prove (iam_test.go).
func TestPublishersReachTheDeployedPolicies(t *testing.T) {
	a := args()
	a.Publishers = publishers
	m, err := run(t, a)
	require.NoError(t, err)
	topic, err := iamdoc.Parse(m.Named(t, "aws:sns/topicPolicy:TopicPolicy", "finops-alerts").Str("policy"))
	require.NoError(t, err)
	assert.Equal(t, finops.TopicPolicy(a.Scope, topicArn, publishers), topic)
	key, err := iamdoc.Parse(m.Named(t, "aws:kms/key:Key", "finops-alerts").Str("policy"))
	require.NoError(t, err)
	assert.Equal(t, finops.KeyPolicy(a.Scope, a.KeyAdministrators, publishers), key)
}

// container is the part of the task's container definition the tests read.
type container struct {
	Name                   string   `json:"name"`
	Image                  string   `json:"image"`
	User                   string   `json:"user"`
	ReadonlyRootFilesystem bool     `json:"readonlyRootFilesystem"`
	Privileged             bool     `json:"privileged"`
	Command                []string `json:"command"`
	Environment            []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"environment"`
	MountPoints []struct {
		SourceVolume  string `json:"sourceVolume"`
		ContainerPath string `json:"containerPath"`
	} `json:"mountPoints"`
	LogConfiguration struct {
		LogDriver string            `json:"logDriver"`
		Options   map[string]string `json:"options"`
	} `json:"logConfiguration"`
}

func cleanupContainer(t *testing.T, m *mocktest.Mocks) container {
	t.Helper()
	var defs []container
	require.NoError(t, json.Unmarshal([]byte(m.Named(t, taskDefType, "finops-cleanup").Str("containerDefinitions")), &defs))
	require.Len(t, defs, 1)
	return defs[0]
}

const (
	taskDefType  = "aws:ecs/taskDefinition:TaskDefinition"
	scheduleType = "aws:scheduler/schedule:Schedule"
	roleType     = "aws:iam/role:Role"
	policyType   = "aws:iam/rolePolicy:RolePolicy"
	sgType       = "aws:ec2/securityGroup:SecurityGroup"
	repoType     = "aws:ecr/repository:Repository"
)

func TestCleanupIsAHardenedFargateTaskWithTheJobsOwnConfiguration(t *testing.T) {
	m, err := run(t, args())
	require.NoError(t, err)
	assert.Empty(t, m.OfType("aws:lambda/function:Function"))
	td := m.Named(t, taskDefType, "finops-cleanup")
	assert.Equal(t, "aifactory-dev-cleanup", td.Str("family"))
	assert.Equal(t, "lifecycle-cleanup", td.Tags()["workload"], "its tasks' cost is told apart from the pipeline's in the same cluster")
	assert.Equal(t, "256", td.Str("cpu"))
	assert.Equal(t, "512", td.Str("memory"))
	assert.Equal(t, "awsvpc", td.Str("networkMode"))
	var compat []string
	require.NoError(t, td.JSON("requiresCompatibilities", &compat))
	assert.Equal(t, []string{"FARGATE"}, compat)
	// Two roles: the job's own, and the agent's that pulls and logs.
	assert.Equal(t, "arn:aws:iam::123456789012:role/finops-cleanup-task", td.Str("taskRoleArn"))
	assert.Equal(t, "arn:aws:iam::123456789012:role/finops-cleanup-execution", td.Str("executionRoleArn"))
	assert.Equal(t, "aifactory-dev-cleanup-task", m.Named(t, roleType, "finops-cleanup-task").Str("name"))
	assert.Equal(t, "aifactory-dev-cleanup-execution", m.Named(t, roleType, "finops-cleanup-execution").Str("name"))

	c := cleanupContainer(t, m)
	assert.Equal(t, cleanupImage, c.Image, "the image by digest, as stack config gives it")
	assert.Equal(t, "65532:65532", c.User, "non-root")
	assert.True(t, c.ReadonlyRootFilesystem)
	assert.False(t, c.Privileged)
	require.Len(t, c.MountPoints, 1)
	assert.Equal(t, "/tmp", c.MountPoints[0].ContainerPath, "the only writable path, a scratch volume")
	var volumes []struct {
		Name string `json:"name"`
	}
	require.NoError(t, td.JSON("volumes", &volumes))
	assert.Equal(t, c.MountPoints[0].SourceVolume, volumes[0].Name)
	assert.Equal(t, "awslogs", c.LogConfiguration.LogDriver)
	assert.Equal(t, map[string]string{"awslogs-group": "/aws/ecs/aifactory-dev-cleanup", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "cleanup"},
		c.LogConfiguration.Options)

	// The variables and the flag the component sets are the ones the job
	// reads.
	env := map[string]string{}
	for _, kv := range c.Environment {
		env[kv.Name] = kv.Value
	}
	cfg, err := cleanup.ConfigFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, []string{"-dry-run=true"}, c.Command)
	cfg.DryRun = c.Command[0] == finops.DryRunFlag+"true"
	require.NoError(t, cfg.Validate())
	assert.Equal(t, cleanup.Config{Project: "aifactory", Environment: "dev", DryRun: true, StudioIdleLimit: 3 * time.Hour,
		VolumeMinAge: 7 * 24 * time.Hour, TopicArn: "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-finops-alerts"}, cfg)
	assert.Equal(t, m.Named(t, "aws:sns/topic:Topic", "finops-alerts").Str("name"), "aifactory-dev-finops-alerts", "the summary goes to the alerts topic")

	a := args()
	a.Cleanup.DryRun = false
	m, err = run(t, a)
	require.NoError(t, err)
	assert.Equal(t, []string{"-dry-run=false"}, cleanupContainer(t, m).Command)

	logs := m.Named(t, "aws:cloudwatch/logGroup:LogGroup", "finops-cleanup")
	assert.Equal(t, "/aws/ecs/aifactory-dev-cleanup", logs.Str("name"))
	assert.Equal(t, 30.0, logs.Num("retentionInDays"))
	assert.Equal(t, "arn:aws:kms:eu-west-1:123456789012:key/logs", logs.Str("kmsKeyId"))
}

func TestCleanupRunsOnFargateSpotInThePipelinesClusterOnSchedule(t *testing.T) {
	m, err := run(t, args())
	require.NoError(t, err)
	sched := m.Named(t, scheduleType, "finops-cleanup")
	assert.Equal(t, "aifactory-dev-cleanup", sched.Str("name"))
	assert.Equal(t, "cron(0 19 * * ? *)", sched.Str("scheduleExpression"))
	assert.Equal(t, "UTC", sched.Str("scheduleExpressionTimezone"))
	assert.Equal(t, "arn:aws:kms:eu-west-1:123456789012:key/finops-alerts-id", sched.Str("kmsKeyArn"))
	var target struct {
		Arn           string `json:"arn"`
		RoleArn       string `json:"roleArn"`
		EcsParameters struct {
			TaskDefinitionArn string  `json:"taskDefinitionArn"`
			TaskCount         float64 `json:"taskCount"`
			LaunchType        string  `json:"launchType"`
			Strategies        []struct {
				CapacityProvider string  `json:"capacityProvider"`
				Weight           float64 `json:"weight"`
			} `json:"capacityProviderStrategies"`
			Network struct {
				AssignPublicIp bool     `json:"assignPublicIp"`
				Subnets        []string `json:"subnets"`
				SecurityGroups []string `json:"securityGroups"`
			} `json:"networkConfiguration"`
			PropagateTags string `json:"propagateTags"`
			Group         string `json:"group"`
		} `json:"ecsParameters"`
		RetryPolicy struct {
			MaximumRetryAttempts float64 `json:"maximumRetryAttempts"`
		} `json:"retryPolicy"`
	}
	require.NoError(t, sched.JSON("target", &target))
	assert.Equal(t, clusterArn, target.Arn, "RunTask in the weekly pipeline's cluster")
	assert.Equal(t, "arn:aws:iam::123456789012:role/finops-cleanup-schedule", target.RoleArn)
	e := target.EcsParameters
	assert.Equal(t, "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-cleanup:1", e.TaskDefinitionArn, "the revision this update registers")
	assert.Equal(t, 1.0, e.TaskCount)
	assert.Empty(t, e.LaunchType, "a capacity provider strategy, not a launch type")
	require.Len(t, e.Strategies, 1)
	assert.Equal(t, "FARGATE_SPOT", e.Strategies[0].CapacityProvider)
	assert.Equal(t, 1.0, e.Strategies[0].Weight)
	assert.False(t, e.Network.AssignPublicIp, "no public IP")
	assert.Equal(t, subnets, e.Network.Subnets, "the private subnets")
	sg := m.Named(t, sgType, "finops-cleanup-tasks")
	assert.Equal(t, []string{mocktest.AWSShapedID(sgType, "finops-cleanup-tasks")}, e.Network.SecurityGroups)
	assert.Equal(t, "TASK_DEFINITION", e.PropagateTags, "the task carries the cost-allocation tags")
	assert.Equal(t, "family:aifactory-dev-cleanup", e.Group)
	assert.Equal(t, 2.0, target.RetryPolicy.MaximumRetryAttempts)

	// The task's security group: nothing in; out only HTTPS to the
	// interface endpoints' group and the S3 gateway endpoint's prefix list.
	assert.Equal(t, "vpc-0123456789abcdef0", sg.Str("vpcId"))
	assert.False(t, sg.Has("ingress"))
	var egress []struct {
		Protocol       string   `json:"protocol"`
		FromPort       float64  `json:"fromPort"`
		ToPort         float64  `json:"toPort"`
		SecurityGroups []string `json:"securityGroups"`
		PrefixListIds  []string `json:"prefixListIds"`
		CidrBlocks     []string `json:"cidrBlocks"`
	}
	require.NoError(t, sg.JSON("egress", &egress))
	require.Len(t, egress, 2)
	for _, r := range egress {
		assert.Equal(t, "tcp", r.Protocol)
		assert.Equal(t, []float64{443, 443}, []float64{r.FromPort, r.ToPort})
		assert.Empty(t, r.CidrBlocks)
	}
	assert.Equal(t, []string{"sg-0e0d0e0d0e0d0e0d0"}, egress[0].SecurityGroups)
	assert.Equal(t, []string{"pl-12345678"}, egress[1].PrefixListIds)
}

func TestCleanupImageRepositoryIsHardened(t *testing.T) {
	for _, env := range []string{"dev", "prod"} {
		t.Run(env, func(t *testing.T) {
			a := args()
			if env == "prod" {
				a = prodArgs()
			}
			m, err := run(t, a)
			require.NoError(t, err)
			repo := m.Named(t, repoType, "finops-cleanup-images")
			assert.Equal(t, "aifactory-"+env+"-cleanup", repo.Str("name"))
			assert.Equal(t, "IMMUTABLE", repo.Str("imageTagMutability"))
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
			assert.Equal(t, imageKey, cfg.Encryption[0].Key)
			assert.True(t, cfg.Scanning.ScanOnPush)
			assert.Equal(t, env == "prod", repo.Protect)
			assert.Equal(t, env != "prod", repo.Bool("forceDelete"))

			var lifecycle struct {
				Rules []struct {
					Selection struct {
						TagStatus   string  `json:"tagStatus"`
						CountNumber float64 `json:"countNumber"`
					} `json:"selection"`
				} `json:"rules"`
			}
			require.NoError(t, json.Unmarshal([]byte(m.Named(t, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "finops-cleanup-images").Str("policy")), &lifecycle))
			require.Len(t, lifecycle.Rules, 1)
			assert.Equal(t, "any", lifecycle.Rules[0].Selection.TagStatus, "untagged digests a stack runs are counted, never expired first")
			assert.Equal(t, 30.0, lifecycle.Rules[0].Selection.CountNumber)

			doc, err := iamdoc.Parse(m.Named(t, "aws:ecr/repositoryPolicy:RepositoryPolicy", "finops-cleanup-images").Str("policy"))
			require.NoError(t, err)
			repoArn := "arn:aws:ecr:eu-west-1:123456789012:repository/aifactory-" + env + "-cleanup"
			assert.Equal(t, iameval.Allowed, decide(t, doc, "arn:aws:iam::123456789012:root", "ecr:BatchGetImage", repoArn, nil))
			assert.Equal(t, iameval.Denied, decide(t, doc, "arn:aws:iam::210987654321:role/ci", "ecr:BatchGetImage", repoArn, nil), "another account")
		})
	}
}

func TestEveryResourceIsAChildOfTheComponent(t *testing.T) {
	m, err := run(t, args())
	require.NoError(t, err)
	for _, r := range m.Resources() {
		if r.Type == finops.Type {
			continue
		}
		assert.Contains(t, r.Parent, "::"+finops.Type+"::finops", "%s %s", r.Type, r.Name)
	}
}

// TestCleanupReachesEveryAPIItCallsThroughTheNetworksEndpoints: from the
// private subnets the task reaches AWS only through the network's interface
// endpoints (and S3 through the gateway), so every service the job calls,
// and every one ECS needs to start it, has one.
func TestCleanupReachesEveryAPIItCallsThroughTheNetworksEndpoints(t *testing.T) {
	endpoint := map[string]string{"sagemaker": "sagemaker.api", "elasticmapreduce": "elasticmapreduce", "ec2": "ec2", "sns": "sns"}
	needed := map[string]bool{"ecr.api": true, "ecr.dkr": true, "logs": true}
	for _, action := range cleanup.Actions() {
		service, _, _ := strings.Cut(action, ":")
		ep, ok := endpoint[service]
		require.True(t, ok, "the job calls %s: map its service to the interface endpoint that serves it", action)
		needed[ep] = true
	}
	for ep := range needed {
		assert.Contains(t, network.DefaultInterfaceEndpoints(), ep)
	}
}

func prodArgs() *finops.Args {
	a := args()
	a.Scope = scopetest.Scope("prod")
	a.Protect = true
	a.DeletionWindowDays = 30
	for i := range a.Teams {
		a.Teams[i].Tags["environment"] = "prod"
	}
	a.Cleanup.Image = strings.Replace(cleanupImage, "aifactory-dev-cleanup", "aifactory-prod-cleanup", 1)
	return a
}

func TestProtectedInProd(t *testing.T) {
	m, err := run(t, prodArgs())
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
		{"team tag of another team", func(a *finops.Args) { a.Teams[1].Tags = scopetest.TeamTags("other") }, "must be the team's name"},
		{"bad schedule", func(a *finops.Args) { a.Cleanup.Schedule = "daily" }, `Cleanup.Schedule "daily"`},
		{"image by tag", func(a *finops.Args) {
			a.Cleanup.Image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-cleanup:latest"
		}, "Cleanup.Image: \"123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-cleanup:latest\" is a tag"},
		{"image of another repository", func(a *finops.Args) {
			a.Cleanup.Image = strings.Replace(cleanupImage, "aifactory-dev-cleanup", "aifactory-dev-optimiser", 1)
		}, "the task pulls only from this stack's cleanup repository 123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-cleanup"},
		{"no cluster", func(a *finops.Args) { a.Cleanup.ClusterArn = nil }, "Cleanup.ClusterArn is required"},
		{"task size", func(a *finops.Args) { a.Cleanup.TaskMemoryMiB = 4096 }, "Cleanup.TaskCPU/TaskMemoryMiB: memory 4096 MiB does not fit 256 CPU units"},
		{"no placement", func(a *finops.Args) { a.Placement = network.Placement{} }, "Placement.VpcID, Placement.SubnetIDs"},
		{"no image key", func(a *finops.Args) { a.ImageKeyArn = nil }, "ImageKeyArn is required"},
		{"short idle limit", func(a *finops.Args) { a.Cleanup.StudioIdleLimit = time.Minute }, "Cleanup.StudioIdleLimit 1m0s"},
		{"threshold", func(a *finops.Args) { a.AlertThresholdsPercent = []float64{-1} }, "AlertThresholdsPercent: -1"},
		{"no logs key", func(a *finops.Args) { a.LogsKeyArn = nil }, "LogsKeyArn is required"},
		{"no key administrator", func(a *finops.Args) { a.KeyAdministrators = nil }, "KeyAdministrators: name the role the platform deploys as"},
		{"key administrator of another account", func(a *finops.Args) {
			a.KeyAdministrators = []string{"arn:aws:iam::999999999999:role/aifactory-deployer"}
		}, `KeyAdministrators: "arn:aws:iam::999999999999:role/aifactory-deployer" is not an IAM role ARN of account 123456789012`},
		{"another account's alarms", func(a *finops.Args) {
			a.Publishers.AlarmArns = []string{"arn:aws:cloudwatch:eu-west-1:999999999999:alarm:aifactory-dev-audit-*"}
		}, `Publishers.AlarmArns[0] "arn:aws:cloudwatch:eu-west-1:999999999999:alarm:aifactory-dev-audit-*": name an alarm of this account and region, arn:aws:cloudwatch:eu-west-1:123456789012:alarm:`},
		{"any alarm", func(a *finops.Args) {
			a.Publishers.AlarmArns = []string{"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:"}
		}, `Publishers.AlarmArns[0]`},
		{"a rule of another region", func(a *finops.Args) {
			a.Publishers.EventRuleArns = []string{"arn:aws:events:us-east-1:123456789012:rule/aifactory-dev-audit-noncompliant*"}
		}, `Publishers.EventRuleArns[0] "arn:aws:events:us-east-1:123456789012:rule/aifactory-dev-audit-noncompliant*": name an EventBridge rule of this account and region`},
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

func TestCleanupFailuresReachThePlatformTopic(t *testing.T) {
	m, err := run(t, args())
	require.NoError(t, err)
	// A run the schedule could not start goes to an encrypted dead-letter
	// queue, kept 14 days, which alarms to the platform topic.
	q := m.Named(t, "aws:sqs/queue:Queue", "finops-cleanup-schedule-dlq")
	assert.Equal(t, "aifactory-dev-cleanup-schedule-dlq", q.Str("name"))
	assert.NotEmpty(t, q.Str("kmsMasterKeyId"))
	assert.Equal(t, float64(finops.DeadLetterRetentionSeconds), q.Num("messageRetentionSeconds"))
	var target struct {
		DeadLetterConfig struct {
			Arn string `json:"arn"`
		} `json:"deadLetterConfig"`
	}
	require.NoError(t, m.Named(t, scheduleType, "finops-cleanup").JSON("target", &target))
	assert.NotEmpty(t, target.DeadLetterConfig.Arn, "the schedule has a dead-letter queue")

	alarm := m.Named(t, "aws:cloudwatch/metricAlarm:MetricAlarm", "finops-cleanup-not-started")
	assert.Equal(t, "aifactory-dev-cleanup-not-started", alarm.Str("name"))
	assert.Equal(t, "AWS/SQS", alarm.Str("namespace"))
	assert.Equal(t, "ApproximateNumberOfMessagesVisible", alarm.Str("metricName"))
	assert.Equal(t, "aifactory-dev-cleanup-schedule-dlq", alarm.StringMap("dimensions")["QueueName"])
	assert.Equal(t, 1.0, alarm.Num("threshold"))
	var actions []string
	require.NoError(t, alarm.JSON("alarmActions", &actions))
	require.Len(t, actions, 1)

	// A run that started and failed reaches the same topic through the
	// failed-run rule.
	rule := m.Named(t, "aws:cloudwatch/eventRule:EventRule", "finops-cleanup-run-failed")
	assert.Equal(t, "aifactory-dev-cleanup-run-failed", rule.Str("name"))
	want, err := finops.FailedRunPattern(scopetest.Dev())
	require.NoError(t, err)
	assert.JSONEq(t, want, rule.Str("eventPattern"))
	et := m.Named(t, "aws:cloudwatch/eventTarget:EventTarget", "finops-cleanup-run-failed")
	assert.Equal(t, actions[0], et.Str("arn"), "the rule and the alarm both go to the platform topic")
	assert.True(t, et.Has("inputTransformer"))
}

// TestFailedRunPatternMatchesEveryRunThatDidNotSucceed checks the pattern
// against the ECS events of the cleanup family: a non-zero exit or a task
// that never started, any revision, nothing else.
func TestFailedRunPatternMatchesEveryRunThatDidNotSucceed(t *testing.T) {
	raw, err := finops.FailedRunPattern(scopetest.Dev())
	require.NoError(t, err)
	var p struct {
		Source     []string `json:"source"`
		DetailType []string `json:"detail-type"`
		Detail     struct {
			TaskDefinitionArn []struct {
				Prefix string `json:"prefix"`
			} `json:"taskDefinitionArn"`
			LastStatus []string         `json:"lastStatus"`
			Or         []map[string]any `json:"$or"`
		} `json:"detail"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &p))
	assert.Equal(t, []string{"aws.ecs"}, p.Source)
	assert.Equal(t, []string{"ECS Task State Change"}, p.DetailType)
	require.Len(t, p.Detail.TaskDefinitionArn, 1)
	// The family and its revisions; "aifactory-dev-cleanup-x" is another family.
	assert.Equal(t, "arn:aws:ecs:eu-west-1:123456789012:task-definition/aifactory-dev-cleanup:", p.Detail.TaskDefinitionArn[0].Prefix)
	assert.Equal(t, []string{"STOPPED"}, p.Detail.LastStatus)
	assert.Equal(t, []map[string]any{
		{"containers": map[string]any{"exitCode": []any{map[string]any{"anything-but": 0.0}}}},
		{"stopCode": []any{"TaskFailedToStart"}},
	}, p.Detail.Or)
}
