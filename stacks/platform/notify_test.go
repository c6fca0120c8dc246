package platform_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/audit"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/internal/iameval"
	"github.com/aifactory/platform/internal/mocktest"
	"github.com/aifactory/platform/stacks/platform"
)

// TestAuditNoticesReachThePlatformTopicWhichAdmitsThem composes every stack
// and follows each audit alarm and non-compliance rule to the platform
// topic (the finops alerts topic): it is among their actions and targets,
// and the topic policy and key policy the stack deploys, evaluated for that
// alarm's or rule's own ARN, let it publish and encrypt.
func TestAuditNoticesReachThePlatformTopicWhichAdmitsThem(t *testing.T) {
	for _, stack := range []string{"dev", "staging", "prod"} {
		t.Run(stack, func(t *testing.T) {
			m := &mocktest.Mocks{ID: mocktest.AWSShapedID}
			require.NoError(t, mocktest.RunWith(t, m, stack, stackConfig(t, stack), platform.Program))
			prefix := "aifactory-" + stack + "-"
			policy := m.Named(t, "aws:sns/topicPolicy:TopicPolicy", "finops-alerts")
			platformTopic := policy.Str("arn")
			require.NotEmpty(t, platformTopic)
			topicPolicy, err := iamdoc.Parse(policy.Str("policy"))
			require.NoError(t, err)
			keyPolicy, err := iamdoc.Parse(m.Named(t, "aws:kms/key:Key", "finops-alerts").Str("policy"))
			require.NoError(t, err)
			// The topic's ARN as AWS names it: the encryption context of
			// every message SNS encrypts for it.
			topicArn := "arn:aws:sns:eu-west-1:" + mocktest.AccountID + ":" + prefix + "finops-alerts"

			publishes := func(service, source string) (iameval.Effect, iameval.Effect) {
				t.Helper()
				ctx := iameval.Keys("aws:SourceArn", source, "aws:SourceAccount", mocktest.AccountID, "aws:SecureTransport", "true",
					"kms:EncryptionContext:aws:sns:topicArn", topicArn)
				publish, err := iameval.Document(topicPolicy, iameval.Request{Service: service, Action: "sns:Publish", Resource: topicArn, Context: ctx})
				require.NoError(t, err)
				encrypt, err := iameval.Document(keyPolicy, iameval.Request{Service: service, Action: "kms:GenerateDataKey", Resource: "*", Context: ctx})
				require.NoError(t, err)
				return publish, encrypt
			}

			var alarms int
			for _, a := range m.OfType("aws:cloudwatch/metricAlarm:MetricAlarm") {
				if !strings.Contains(a.Parent, audit.Type) {
					continue
				}
				alarms++
				var actions []string
				require.NoError(t, a.JSON("alarmActions", &actions))
				assert.Contains(t, actions, platformTopic, a.Str("name"))
				publish, encrypt := publishes(audit.AlarmsService, "arn:aws:cloudwatch:eu-west-1:"+mocktest.AccountID+":alarm:"+a.Str("name"))
				assert.Equal(t, iameval.Allowed, publish, "%s publishes", a.Str("name"))
				assert.Equal(t, iameval.Allowed, encrypt, "%s encrypts", a.Str("name"))
			}
			assert.Positive(t, alarms)

			var rules []string
			for _, r := range m.OfType("aws:cloudwatch/eventRule:EventRule") {
				if strings.Contains(r.Parent, audit.Type) {
					rules = append(rules, r.Name)
					publish, encrypt := publishes(audit.EventsService, "arn:aws:events:eu-west-1:"+mocktest.AccountID+":rule/"+r.Str("name"))
					assert.Equal(t, iameval.Allowed, publish, "%s publishes", r.Str("name"))
					assert.Equal(t, iameval.Allowed, encrypt, "%s encrypts", r.Str("name"))
				}
			}
			require.Len(t, rules, 2)
			var toPlatform int
			for _, tg := range m.OfType("aws:cloudwatch/eventTarget:EventTarget") {
				if strings.Contains(tg.Parent, audit.Type) && tg.Str("arn") == platformTopic {
					toPlatform++
				}
			}
			assert.Equal(t, len(rules), toPlatform, "every non-compliance rule targets the platform topic")

			// Nothing else of the account's CloudWatch or EventBridge does.
			for service, source := range map[string]string{
				audit.AlarmsService: "arn:aws:cloudwatch:eu-west-1:" + mocktest.AccountID + ":alarm:" + prefix + "pipeline-failed",
				audit.EventsService: "arn:aws:events:eu-west-1:" + mocktest.AccountID + ":rule/" + prefix + "other",
			} {
				publish, _ := publishes(service, source)
				assert.Equal(t, iameval.NotApplicable, publish, source)
			}
		})
	}
}
