package audit_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/audit"
	"github.com/aifactory/platform/components/audit/spec"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/facts/tagkeys"
	"github.com/aifactory/platform/internal/mocktest"
)

const (
	account  = mocktest.AccountID
	logsKey  = "arn:aws:kms:eu-west-1:123456789012:key/logs"
	dataKey  = "arn:aws:kms:eu-west-1:123456789012:key/data"
	deployer = "arn:aws:iam::123456789012:role/aifactory-deployer"
	// platformTopic is the finops component's alerts topic.
	platformTopic = "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-finops-alerts"
	auditTopic    = "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-audit-alarms"

	bucketType       = "aws:s3/bucketV2:BucketV2"
	sseType          = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	versionType      = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	lockType         = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
	pabType          = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	ownershipType    = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	lifecycleType    = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	policyType       = "aws:s3/bucketPolicy:BucketPolicy"
	loggingType      = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	trailType        = "aws:cloudtrail/trail:Trail"
	logGroupType     = "aws:cloudwatch/logGroup:LogGroup"
	roleType         = "aws:iam/role:Role"
	rolePolicyType   = "aws:iam/rolePolicy:RolePolicy"
	attachmentType   = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	recorderType     = "aws:cfg/recorder:Recorder"
	channelType      = "aws:cfg/deliveryChannel:DeliveryChannel"
	statusType       = "aws:cfg/recorderStatus:RecorderStatus"
	ruleType         = "aws:cfg/rule:Rule"
	topicType        = "aws:sns/topic:Topic"
	subscriptionType = "aws:sns/topicSubscription:TopicSubscription"
	filterType       = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
	alarmType        = "aws:cloudwatch/metricAlarm:MetricAlarm"
	eventRuleType    = "aws:cloudwatch/eventRule:EventRule"
	eventTargetType  = "aws:cloudwatch/eventTarget:EventTarget"
)

func componentArgs(environment string) *audit.Args {
	s := scopetest.Scope(environment)
	retention := 1
	if environment == "prod" {
		retention = spec.RegulatoryRetentionDays
	}
	return &audit.Args{
		Scope:               s,
		LogsKeyArn:          pulumi.String(logsKey),
		KMSKeyArns:          pulumi.ToStringArray([]string{logsKey, dataKey}),
		RetentionDays:       retention,
		LogRetentionDays:    30,
		DataEventBucketArns: pulumi.ToStringArray([]string{s.BucketARN(s.BucketName("data")), s.BucketARN(s.BucketName("models"))}),
		AccessLogBucketName: pulumi.String(s.BucketName("access-logs")),
		AlarmEmails:         []string{"security@aifactory.example", "ml-platform@aifactory.example"},
		PlatformTopicArn:    pulumi.String(platformTopic),
		DeployerRoleArn:     deployer,
		Protect:             environment == "prod",
	}
}

// build runs the component under mocks and returns them and the component.
func build(t *testing.T, a *audit.Args) (*mocktest.Mocks, error) {
	t.Helper()
	return mocktest.Run(t, a.Environment, nil, func(ctx *pulumi.Context) error {
		_, err := audit.New(ctx, "audit", a)
		return err
	})
}

func mustBuild(t *testing.T, a *audit.Args) *mocktest.Mocks {
	t.Helper()
	m, err := build(t, a)
	require.NoError(t, err)
	return m
}

func one(t *testing.T, m *mocktest.Mocks, typ string) mocktest.Resource {
	t.Helper()
	rs := m.OfType(typ)
	require.Len(t, rs, 1, typ)
	return rs[0]
}

func policyDoc(t *testing.T, r mocktest.Resource, key string) iamdoc.Document {
	t.Helper()
	doc, err := iamdoc.Parse(r.Str(key))
	require.NoError(t, err, "%s %s", r.Type, r.Name)
	return doc
}

func TestAuditBucketIsAnObjectLockedPlatformBucket(t *testing.T) {
	m := mustBuild(t, componentArgs("dev"))
	bucket := one(t, m, bucketType)
	assert.Equal(t, "aifactory-dev-audit-"+account, bucket.Str("bucket"))
	assert.True(t, bucket.Bool("objectLockEnabled"), "Object Lock can only be turned on at creation")
	assert.True(t, bucket.RetainOnDelete, "a destroy never takes the evidence with it")
	assert.False(t, bucket.Protect, "dev is not protected")

	var sse struct {
		Rules []struct {
			ApplyServerSideEncryptionByDefault struct {
				SseAlgorithm   string `json:"sseAlgorithm"`
				KmsMasterKeyID string `json:"kmsMasterKeyId"`
			} `json:"applyServerSideEncryptionByDefault"`
			BucketKeyEnabled bool `json:"bucketKeyEnabled"`
		} `json:"rules"`
	}
	require.NoError(t, one(t, m, sseType).JSON("", &sse))
	require.Len(t, sse.Rules, 1)
	assert.Equal(t, "aws:kms", sse.Rules[0].ApplyServerSideEncryptionByDefault.SseAlgorithm)
	assert.Equal(t, logsKey, sse.Rules[0].ApplyServerSideEncryptionByDefault.KmsMasterKeyID)
	assert.True(t, sse.Rules[0].BucketKeyEnabled)

	assert.Equal(t, "Enabled", one(t, m, versionType).StringMap("versioningConfiguration")["status"])

	var lock struct {
		Rule struct {
			DefaultRetention struct {
				Mode string `json:"mode"`
				Days int    `json:"days"`
			} `json:"defaultRetention"`
		} `json:"rule"`
	}
	require.NoError(t, one(t, m, lockType).JSON("", &lock))
	assert.Equal(t, "COMPLIANCE", lock.Rule.DefaultRetention.Mode, "no one can shorten or lift compliance mode")
	assert.Equal(t, 1, lock.Rule.DefaultRetention.Days)

	pab := one(t, m, pabType)
	for _, flag := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		assert.True(t, pab.Bool(flag), flag)
	}
	var ownership struct {
		Rule struct {
			ObjectOwnership string `json:"objectOwnership"`
		} `json:"rule"`
	}
	require.NoError(t, one(t, m, ownershipType).JSON("", &ownership))
	assert.Equal(t, "BucketOwnerEnforced", ownership.Rule.ObjectOwnership)

	var lifecycle struct {
		Rules []struct {
			ID         string `json:"id"`
			Status     string `json:"status"`
			Expiration *struct {
				Days int `json:"days"`
			} `json:"expiration"`
			NoncurrentVersionExpiration *struct {
				NoncurrentDays int `json:"noncurrentDays"`
			} `json:"noncurrentVersionExpiration"`
			AbortIncompleteMultipartUpload *struct {
				DaysAfterInitiation int `json:"daysAfterInitiation"`
			} `json:"abortIncompleteMultipartUpload"`
		} `json:"rules"`
	}
	require.NoError(t, one(t, m, lifecycleType).JSON("", &lifecycle))
	require.Len(t, lifecycle.Rules, 2)
	for _, r := range lifecycle.Rules {
		assert.Equal(t, "Enabled", r.Status, r.ID)
	}
	require.NotNil(t, lifecycle.Rules[0].Expiration)
	assert.Equal(t, 1, lifecycle.Rules[0].Expiration.Days, "files expire when their lock ends, not before")
	assert.Equal(t, 1, lifecycle.Rules[0].NoncurrentVersionExpiration.NoncurrentDays)
	assert.Equal(t, audit.AbortIncompleteMultipartDays, lifecycle.Rules[1].AbortIncompleteMultipartUpload.DaysAfterInitiation)

	logging := one(t, m, loggingType)
	assert.Equal(t, "aifactory-dev-access-logs-"+account, logging.Str("targetBucket"))
	assert.Equal(t, audit.AccessLogPrefix, logging.Str("targetPrefix"))

	doc := policyDoc(t, one(t, m, policyType), "policy")
	var sids []string
	for _, st := range doc.Statement {
		sids = append(sids, st.Sid)
	}
	assert.Contains(t, sids, "DenyInsecureTransport")
	assert.Contains(t, sids, "DenyEveryDelete")
}

func TestProdAuditTrailIsProtectedAndLockedForTheRegulatoryPeriod(t *testing.T) {
	m := mustBuild(t, componentArgs("prod"))
	for _, typ := range []string{bucketType, trailType, logGroupType} {
		r := one(t, m, typ)
		assert.True(t, r.Protect, "%s is protected in prod", typ)
		assert.True(t, r.RetainOnDelete, "%s is retained in prod", typ)
	}
	assert.Equal(t, float64(spec.RegulatoryRetentionDays), one(t, m, lockType).Inputs["rule"].ObjectValue()["defaultRetention"].ObjectValue()["days"].NumberValue())
}

func TestTrailRecordsEveryRegionSignsItsFilesAndDeliversToCloudWatch(t *testing.T) {
	m := mustBuild(t, componentArgs("dev"))
	trail := one(t, m, trailType)
	assert.Equal(t, "aifactory-dev-trail", trail.Str("name"))
	assert.Equal(t, "aifactory-dev-audit-"+account, trail.Str("s3BucketName"))
	assert.Equal(t, audit.TrailPrefix, trail.Str("s3KeyPrefix"))
	for _, flag := range []string{"isMultiRegionTrail", "includeGlobalServiceEvents", "enableLogging", "enableLogFileValidation"} {
		assert.True(t, trail.Bool(flag), flag)
	}
	assert.Equal(t, logsKey, trail.Str("kmsKeyId"))
	assert.True(t, strings.HasSuffix(trail.Str("cloudWatchLogsGroupArn"), ":*"), "CloudTrail takes the group's ARN with its streams")
	assert.NotEmpty(t, trail.Str("cloudWatchLogsRoleArn"))

	var selectors []struct {
		Name           string `json:"name"`
		FieldSelectors []struct {
			Field       string   `json:"field"`
			Equals      []string `json:"equals"`
			StartsWiths []string `json:"startsWiths"`
		} `json:"fieldSelectors"`
	}
	require.NoError(t, trail.JSON("advancedEventSelectors", &selectors))
	require.Len(t, selectors, 2)
	assert.Equal(t, "eventCategory", selectors[0].FieldSelectors[0].Field)
	assert.Equal(t, []string{"Management"}, selectors[0].FieldSelectors[0].Equals, "read and write management events: no readOnly selector")
	require.Len(t, selectors[0].FieldSelectors, 1)
	data := map[string]any{}
	for _, f := range selectors[1].FieldSelectors {
		if f.Field == "resources.ARN" {
			data[f.Field] = f.StartsWiths
		} else {
			data[f.Field] = f.Equals
		}
	}
	assert.Equal(t, []string{"Data"}, data["eventCategory"])
	assert.Equal(t, []string{"AWS::S3::Object"}, data["resources.type"])
	assert.Equal(t, []string{"arn:aws:s3:::aifactory-dev-data-" + account + "/", "arn:aws:s3:::aifactory-dev-models-" + account + "/"},
		data["resources.ARN"], "object-level events of the data and model buckets, and of no other")

	group := one(t, m, logGroupType)
	assert.Equal(t, "/aws/cloudtrail/aifactory-dev-trail", group.Str("name"))
	assert.Equal(t, logsKey, group.Str("kmsKeyId"))
	assert.Equal(t, float64(30), group.Num("retentionInDays"))
}

func TestRecorderRecordsThePlatformsTypesIntoTheAuditBucket(t *testing.T) {
	m := mustBuild(t, componentArgs("dev"))
	recorder := one(t, m, recorderType)
	assert.Equal(t, "aifactory-dev-config", recorder.Str("name"))
	var group struct {
		AllSupported               bool     `json:"allSupported"`
		IncludeGlobalResourceTypes bool     `json:"includeGlobalResourceTypes"`
		ResourceTypes              []string `json:"resourceTypes"`
		RecordingStrategies        []struct {
			UseOnly string `json:"useOnly"`
		} `json:"recordingStrategies"`
	}
	require.NoError(t, recorder.JSON("recordingGroup", &group))
	assert.False(t, group.AllSupported)
	assert.Equal(t, spec.RecordedTypes(), group.ResourceTypes)
	assert.Equal(t, "INCLUSION_BY_RESOURCE_TYPES", group.RecordingStrategies[0].UseOnly)

	channel := one(t, m, channelType)
	assert.Equal(t, "aifactory-dev-audit-"+account, channel.Str("s3BucketName"))
	assert.Equal(t, audit.ConfigPrefix, channel.Str("s3KeyPrefix"))
	assert.Equal(t, logsKey, channel.Str("s3KmsKeyArn"))
	assert.Equal(t, audit.DeliveryFrequency, channel.StringMap("snapshotDeliveryProperties")["deliveryFrequency"])
	assert.True(t, one(t, m, statusType).Bool("isEnabled"), "the recorder is started")

	attachment := one(t, m, attachmentType)
	assert.Equal(t, "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole", attachment.Str("policyArn"))
	roles := map[string]mocktest.Resource{}
	for _, r := range m.OfType(roleType) {
		roles[r.Str("name")] = r
	}
	assert.Contains(t, roles, "aifactory-dev-config-recorder")
	assert.Contains(t, roles, "aifactory-dev-trail-logs")
}

func TestAnExistingRecorderIsLeftAlone(t *testing.T) {
	a := componentArgs("dev")
	a.Recorder = audit.RecorderExisting
	m := mustBuild(t, a)
	for _, typ := range []string{recorderType, channelType, statusType, attachmentType} {
		assert.Empty(t, m.OfType(typ), typ)
	}
	assert.Len(t, m.OfType(ruleType), len(spec.ConfigRules), "the rules are the stack's either way")
}

func TestEveryMappedControlHasItsConfigRuleWithControlAndFSBPTags(t *testing.T) {
	m := mustBuild(t, componentArgs("dev"))
	rules := map[string]mocktest.Resource{}
	for _, r := range m.OfType(ruleType) {
		rules[r.Str("name")] = r
	}
	require.Len(t, rules, len(spec.ConfigRules), "one rule per table entry, names unique")
	for _, want := range spec.ConfigRules {
		name := audit.ConfigRuleName(scopetest.Dev(), want.Identifier)
		r, ok := rules[name]
		require.True(t, ok, "no rule %s", name)
		var source struct {
			Owner            string `json:"owner"`
			SourceIdentifier string `json:"sourceIdentifier"`
		}
		require.NoError(t, r.JSON("source", &source))
		assert.Equal(t, "AWS", source.Owner, name)
		assert.Equal(t, want.Identifier, source.SourceIdentifier, name)
		tags := r.Tags()
		assert.Equal(t, want.Control, tags["control"], name)
		assert.Equal(t, strings.Join(want.FSBP, " "), tags["fsbp"], name)
		assert.Contains(t, r.Str("description"), want.Control, name)
		switch want.Trigger {
		case spec.OnChange:
			var scope struct {
				ComplianceResourceTypes []string `json:"complianceResourceTypes"`
			}
			require.NoError(t, r.JSON("scope", &scope))
			assert.Equal(t, want.ResourceTypes, scope.ComplianceResourceTypes, name)
			assert.False(t, r.Has("maximumExecutionFrequency"), name)
		case spec.Periodic:
			assert.Equal(t, audit.DeliveryFrequency, r.Str("maximumExecutionFrequency"), name)
			assert.False(t, r.Has("scope"), name)
		}
		params := map[string]string{}
		if r.Has("inputParameters") {
			require.NoError(t, json.Unmarshal([]byte(r.Str("inputParameters")), &params), name)
		}
		for k, v := range want.Parameters {
			assert.Equal(t, v, params[k], "%s: %s", name, k)
		}
		if len(want.Parameters) == 0 && len(want.StackParameters) == 0 {
			assert.False(t, r.Has("inputParameters"), name)
		}
	}

	params := func(identifier string) map[string]string {
		out := map[string]string{}
		require.NoError(t, json.Unmarshal([]byte(rules[audit.ConfigRuleName(scopetest.Dev(), identifier)].Str("inputParameters")), &out))
		return out
	}
	tags := params("REQUIRED_TAGS")
	for i, key := range tagkeys.Required() {
		assert.Equal(t, key, tags["tag"+string(rune('1'+i))+"Key"])
	}
	assert.Equal(t, "dev", tags["tag4Value"], "the environment tag names the stack's environment")
	assert.Equal(t, tagkeys.Environment, tags["tag4Key"])
	assert.Equal(t, "30", params("CW_LOGGROUP_RETENTION_PERIOD_CHECK")["MinRetentionTime"])
	assert.Equal(t, dataKey+","+logsKey, params("S3_DEFAULT_ENCRYPTION_KMS")["kmsKeyArns"], "only the platform's keys")
	assert.Equal(t, dataKey+","+logsKey, params("SNS_ENCRYPTED_KMS")["kmsKeyIds"])
}

func TestMinRetentionIsOneConfigAccepts(t *testing.T) {
	for logRetention, want := range map[int]string{30: "30", 365: "365", 1096: "731", 2557: "1827", 3653: "3653"} {
		a := componentArgs("dev")
		a.LogRetentionDays = logRetention
		m := mustBuild(t, a)
		for _, r := range m.OfType(ruleType) {
			if r.Str("name") == "aifactory-dev-cw-loggroup-retention-period-check" {
				var p map[string]string
				require.NoError(t, json.Unmarshal([]byte(r.Str("inputParameters")), &p))
				assert.Equal(t, want, p["MinRetentionTime"], "log retention %d", logRetention)
			}
		}
	}
}

func TestEverySensitiveEventHasAFilterAndAnAlarmToTheTopic(t *testing.T) {
	m := mustBuild(t, componentArgs("dev"))
	filters := map[string]mocktest.Resource{}
	for _, f := range m.OfType(filterType) {
		filters[f.Str("name")] = f
	}
	alarms := map[string]mocktest.Resource{}
	for _, a := range m.OfType(alarmType) {
		alarms[a.Str("name")] = a
	}
	require.Len(t, filters, len(spec.Events))
	for _, e := range spec.Events {
		name := audit.AlarmName(scopetest.Dev(), e.Name)
		f, ok := filters[name]
		require.True(t, ok, name)
		assert.Equal(t, e.Pattern, f.Str("pattern"))
		assert.Equal(t, "/aws/cloudtrail/aifactory-dev-trail", f.Str("logGroupName"))
		transform := f.StringMap("metricTransformation")
		assert.Equal(t, e.Name, transform["name"])
		assert.Equal(t, "aifactory-dev/audit", transform["namespace"])
		a, ok := alarms[name]
		require.True(t, ok, name)
		assert.Equal(t, e.Name, a.Str("metricName"))
		assert.Equal(t, "aifactory-dev/audit", a.Str("namespace"))
		assert.Equal(t, float64(1), a.Num("threshold"), "one event alarms")
		assert.Equal(t, "notBreaching", a.Str("treatMissingData"))
		var actions []string
		require.NoError(t, a.JSON("alarmActions", &actions))
		assert.Equal(t, []string{auditTopic, platformTopic}, actions, "the audit topic and the platform topic")
		assert.True(t, strings.HasPrefix(name, "aifactory-dev-audit-"), "the topic policy admits the alarms by this name")
	}
}

func TestAuditTopicIsEncryptedAndReachesEveryAddress(t *testing.T) {
	m := mustBuild(t, componentArgs("dev"))
	topic := one(t, m, topicType)
	assert.Equal(t, "aifactory-dev-audit-alarms", topic.Str("name"))
	assert.Equal(t, logsKey, topic.Str("kmsMasterKeyId"))
	var endpoints []string
	for _, s := range m.OfType(subscriptionType) {
		assert.Equal(t, "email", s.Str("protocol"))
		endpoints = append(endpoints, s.Str("endpoint"))
	}
	assert.ElementsMatch(t, []string{"security@aifactory.example", "ml-platform@aifactory.example"}, endpoints)
}

func TestNonCompliantEvaluationsReachTheTopicButTheLogBucketsExpectedOne(t *testing.T) {
	m := mustBuild(t, componentArgs("dev"))
	type pattern struct {
		Source     []string `json:"source"`
		DetailType []string `json:"detail-type"`
		Detail     struct {
			MessageType         []string          `json:"messageType"`
			ConfigRuleName      []json.RawMessage `json:"configRuleName"`
			ResourceID          []json.RawMessage `json:"resourceId"`
			NewEvaluationResult struct {
				ComplianceType []string `json:"complianceType"`
			} `json:"newEvaluationResult"`
		} `json:"detail"`
	}
	patterns := map[string]pattern{}
	for _, r := range m.OfType(eventRuleType) {
		var p pattern
		require.NoError(t, json.Unmarshal([]byte(r.Str("eventPattern")), &p), r.Name)
		assert.Equal(t, []string{"aws.config"}, p.Source)
		assert.Equal(t, []string{"Config Rules Compliance Change"}, p.DetailType)
		assert.Equal(t, []string{"NON_COMPLIANT"}, p.Detail.NewEvaluationResult.ComplianceType)
		assert.Equal(t, []string{"ComplianceChangeNotification"}, p.Detail.MessageType)
		patterns[r.Str("name")] = p
	}
	require.Len(t, patterns, 2)
	all := patterns["aifactory-dev-audit-noncompliant"]
	assert.JSONEq(t, `{"prefix":"aifactory-dev-"}`, string(all.Detail.ConfigRuleName[0]))
	assert.JSONEq(t, `{"anything-but":"aifactory-dev-access-logs-123456789012"}`, string(all.Detail.ResourceID[0]))
	logs := patterns["aifactory-dev-audit-noncompliant-log-bucket"]
	assert.JSONEq(t, `{"anything-but":"aifactory-dev-s3-default-encryption-kms"}`, string(logs.Detail.ConfigRuleName[0]))
	assert.JSONEq(t, `"aifactory-dev-access-logs-123456789012"`, string(logs.Detail.ResourceID[0]))

	// Each rule notifies both topics, with the same notice.
	targets := map[string][]string{}
	for _, tg := range m.OfType(eventTargetType) {
		targets[tg.Str("rule")] = append(targets[tg.Str("rule")], tg.Str("targetId")+" "+tg.Str("arn"))
		var transformer struct {
			InputTemplate string `json:"inputTemplate"`
		}
		require.NoError(t, tg.JSON("inputTransformer", &transformer), tg.Name)
		assert.Contains(t, transformer.InputTemplate, "NON_COMPLIANT in account <account>", tg.Name)
	}
	require.Len(t, targets, 2)
	for rule, got := range targets {
		assert.ElementsMatch(t, []string{"audit-topic " + auditTopic, "platform-topic " + platformTopic}, got, rule)
	}
	var undelivered []string
	for _, a := range m.OfType(alarmType) {
		if a.Str("name") == "aifactory-dev-audit-noncompliance-undelivered" {
			require.NoError(t, a.JSON("alarmActions", &undelivered))
		}
	}
	assert.Equal(t, []string{auditTopic, platformTopic}, undelivered, "a notice EventBridge cannot deliver alarms both topics too")
}

func TestEveryChildIsParentedToTheComponent(t *testing.T) {
	m := mustBuild(t, componentArgs("dev"))
	for _, r := range m.Resources() {
		if r.Type == audit.Type {
			continue
		}
		assert.Contains(t, r.Parent, audit.Type, "%s %s", r.Type, r.Name)
	}
}

func TestInvalidArgsAreRejectedBeforeAnyResource(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*audit.Args)
		want string
	}{
		{"no logs key", func(a *audit.Args) { a.LogsKeyArn = nil }, "LogsKeyArn"},
		{"no platform keys", func(a *audit.Args) { a.KMSKeyArns = nil }, "KMSKeyArns"},
		{"no data buckets", func(a *audit.Args) { a.DataEventBucketArns = nil }, "DataEventBucketArns"},
		{"no access log bucket", func(a *audit.Args) { a.AccessLogBucketName = nil }, "AccessLogBucketName"},
		{"no platform topic", func(a *audit.Args) { a.PlatformTopicArn = nil }, "PlatformTopicArn is required"},
		{"retention zero", func(a *audit.Args) { a.RetentionDays = 0 }, "RetentionDays"},
		{"retention of decades", func(a *audit.Args) { a.RetentionDays = 36500 }, "RetentionDays"},
		{"prod below the regulatory period", func(a *audit.Args) { a.Environment, a.Protect, a.RetentionDays = "prod", true, 365 }, "regulatory period"},
		{"log retention CloudWatch refuses", func(a *audit.Args) { a.LogRetentionDays = 10 }, "LogRetentionDays"},
		{"nobody to alarm", func(a *audit.Args) { a.AlarmEmails = nil }, "AlarmEmails"},
		{"not an address", func(a *audit.Args) { a.AlarmEmails = []string{"security"} }, "AlarmEmails[0]"},
		{"no deployer", func(a *audit.Args) { a.DeployerRoleArn = "" }, "DeployerRoleArn"},
		{"another account's deployer", func(a *audit.Args) { a.DeployerRoleArn = "arn:aws:iam::999999999999:role/d" }, "DeployerRoleArn"},
		{"unknown recorder mode", func(a *audit.Args) { a.Recorder = "shared" }, "Recorder"},
		{"unprotected prod", func(a *audit.Args) { a.Environment, a.RetentionDays = "prod", spec.RegulatoryRetentionDays }, "Protect"},
		{"bad scope", func(a *audit.Args) { a.AccountID = "1" }, "AccountID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := componentArgs("dev")
			tc.edit(a)
			m, err := build(t, a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Empty(t, m.Resources())
		})
	}
}
