package finops_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aifactory/platform/components/finops"
	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/finops/cleanup"
)

const (
	allowed      = "allowed"
	denied       = "explicitly denied"
	implicitDeny = "implicitly denied"
	keyArn       = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777"
	topicArn     = "arn:aws:sns:eu-west-1:123456789012:aifactory-dev-finops-alerts"
	logGroupArn  = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/aifactory-dev-cleanup"
)

// request is an API call as the cleanup job's role makes it.
type request struct {
	action   string
	resource string
	keys     map[string]string
}

// evaluate applies one identity policy to a request the way AWS does for
// that policy alone (explicit Deny, then Allow, else implicit deny), like
// components/pipeline's evaluator; an unknown condition operator fails
// the test rather than being treated as matching.
func evaluate(t testing.TB, doc iamdoc.Document, r request) string {
	t.Helper()
	allow := false
	for _, st := range doc.Statement {
		if st.Principal != nil {
			t.Fatalf("statement %q names a principal; identity policies do not", st.Sid)
		}
		if !matchesAny(st.Action, r.action, true) || !matchesAny(st.Resource, r.resource, false) || !conditionsHold(t, st.Condition, r.keys) {
			continue
		}
		if st.Effect == iamdoc.Deny {
			return denied
		}
		allow = true
	}
	if allow {
		return allowed
	}
	return implicitDeny
}

func conditionsHold(t testing.TB, c iamdoc.Condition, keys map[string]string) bool {
	t.Helper()
	for op, byKey := range c {
		for key, values := range byKey {
			v, present := keys[key]
			switch op {
			case "StringEquals":
				if !present || !values.Contains(v) {
					return false
				}
			default:
				t.Fatalf("condition operator %s is not understood; teach the evaluator before using it", op)
			}
		}
	}
	return true
}

func matchesAny(patterns iamdoc.Strings, s string, foldCase bool) bool {
	for _, p := range patterns {
		expr := "^" + strings.ReplaceAll(strings.ReplaceAll(regexp.QuoteMeta(p), `\*`, ".*"), `\?`, ".") + "$"
		if foldCase {
			expr = "(?i)" + expr
		}
		if regexp.MustCompile(expr).MatchString(s) {
			return true
		}
	}
	return false
}

func cleanupPolicy() iamdoc.Document {
	return finops.CleanupPolicy(finops.CleanupScope{Scope: scopetest.Dev(), Project: "aifactory", TopicArn: topicArn, KeyArn: keyArn, LogGroupArn: logGroupArn})
}

func resourceTags(project, environment string) map[string]string {
	return map[string]string{"aws:ResourceTag/project": project, "aws:ResourceTag/environment": environment}
}

// targets are resources of each kind the job changes, by action.
var targets = map[string]string{
	"sagemaker:DeleteApp":                "arn:aws:sagemaker:eu-west-1:123456789012:app/d-abc/jackpot-analytics/jupyterlab/default",
	"sagemaker:DeleteSpace":              "arn:aws:sagemaker:eu-west-1:123456789012:space/d-abc/scratch",
	"sagemaker:DeleteEndpoint":           "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/churn",
	"sagemaker:StopNotebookInstance":     "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/nb",
	"sagemaker:DeleteNotebookInstance":   "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/nb",
	"elasticmapreduce:TerminateJobFlows": "arn:aws:elasticmapreduce:eu-west-1:123456789012:cluster/j-ABC",
	"ec2:DeleteVolume":                   "arn:aws:ec2:eu-west-1:123456789012:volume/vol-1",
	"ec2:CreateSnapshot":                 "arn:aws:ec2:eu-west-1:123456789012:volume/vol-1",
}

func TestCleanupRoleChangesOnlyThePlatformsTaggedResources(t *testing.T) {
	doc := cleanupPolicy()
	for _, action := range finops.ActActions() {
		arn := targets[action]
		t.Run(action, func(t *testing.T) {
			assert.Equal(t, allowed, evaluate(t, doc, request{action, arn, resourceTags("aifactory", "dev")}))
			assert.Equal(t, implicitDeny, evaluate(t, doc, request{action, arn, resourceTags("aifactory", "prod")}), "another environment's resource")
			assert.Equal(t, implicitDeny, evaluate(t, doc, request{action, arn, resourceTags("finance", "dev")}), "another project's resource")
			assert.Equal(t, implicitDeny, evaluate(t, doc, request{action, arn, map[string]string{"aws:ResourceTag/project": "aifactory"}}), "an untagged environment")
			assert.Equal(t, implicitDeny, evaluate(t, doc, request{action, arn, nil}), "an untagged resource")
			other := strings.Replace(arn, "123456789012", "210987654321", 1)
			assert.Equal(t, implicitDeny, evaluate(t, doc, request{action, other, resourceTags("aifactory", "dev")}), "another account")
			region := strings.Replace(arn, "eu-west-1", "us-east-1", 1)
			assert.Equal(t, implicitDeny, evaluate(t, doc, request{action, region, resourceTags("aifactory", "dev")}), "another region")
		})
	}
	snapshot := "arn:aws:ec2:eu-west-1::snapshot/snap-1"
	requestTags := map[string]string{"aws:RequestTag/project": "aifactory", "aws:RequestTag/environment": "dev"}
	assert.Equal(t, allowed, evaluate(t, doc, request{"ec2:CreateSnapshot", snapshot, requestTags}))
	assert.Equal(t, implicitDeny, evaluate(t, doc, request{"ec2:CreateSnapshot", snapshot, nil}), "a snapshot without the platform's tags")
	assert.Equal(t, allowed, evaluate(t, doc, request{"ec2:CreateTags", snapshot, map[string]string{"ec2:CreateAction": "CreateSnapshot"}}))
	assert.Equal(t, implicitDeny, evaluate(t, doc, request{"ec2:CreateTags", snapshot, nil}), "retagging existing snapshots")
	assert.Equal(t, implicitDeny, evaluate(t, doc, request{"ec2:CreateTags", "arn:aws:ec2:eu-west-1:123456789012:volume/vol-1", map[string]string{"ec2:CreateAction": "CreateSnapshot"}}))
	// Nothing else: not data, not IAM, not other deletions.
	for _, action := range []string{"s3:GetObject", "ec2:TerminateInstances", "sagemaker:DeleteDomain", "sagemaker:DeleteUserProfile", "iam:PassRole", "ec2:DeleteSnapshot"} {
		assert.Equal(t, implicitDeny, evaluate(t, doc, request{action, "*", resourceTags("aifactory", "dev")}), action)
	}
	assert.Equal(t, allowed, evaluate(t, doc, request{"sns:Publish", topicArn, nil}))
	assert.Equal(t, implicitDeny, evaluate(t, doc, request{"sns:Publish", topicArn + "-other", nil}))
	assert.Equal(t, allowed, evaluate(t, doc, request{"kms:GenerateDataKey", keyArn, map[string]string{"kms:ViaService": "sns.eu-west-1.amazonaws.com"}}))
	assert.Equal(t, implicitDeny, evaluate(t, doc, request{"kms:Decrypt", keyArn, nil}), "the key only through SNS")
	assert.Equal(t, allowed, evaluate(t, doc, request{"logs:PutLogEvents", logGroupArn + ":log-stream:x", nil}))
}

// TestCleanupRoleGrantsEveryCallTheJobMakes ties the role to the job's code.
func TestCleanupRoleGrantsEveryCallTheJobMakes(t *testing.T) {
	granted := slices.Concat(finops.ReadActions(), finops.ActActions(), []string{"ec2:CreateTags", "sns:Publish"})
	for _, a := range cleanup.Actions() {
		assert.Contains(t, granted, a)
	}
	for _, a := range granted {
		assert.Contains(t, cleanup.Actions(), a, "the role grants %s, which the job never calls", a)
	}
}

func TestServicePoliciesAreForThisAccountOnly(t *testing.T) {
	s := scopetest.Dev()
	for _, doc := range []iamdoc.Document{finops.KeyPolicy(s), finops.TopicPolicy(s, topicArn)} {
		for _, st := range doc.Statement {
			if st.Principal != nil && len(st.Principal.Service) > 0 {
				assert.Equal(t, iamdoc.Strings{s.AccountID}, st.Condition["StringEquals"]["aws:SourceAccount"], st.Sid)
			}
		}
	}
	for _, svc := range []string{"lambda.amazonaws.com", "scheduler.amazonaws.com"} {
		trust := finops.ServiceTrust(s, svc)
		assert.Equal(t, iamdoc.Strings{svc}, trust.Statement[0].Principal.Service)
		assert.Equal(t, iamdoc.Strings{s.AccountID}, trust.Statement[0].Condition["StringEquals"]["aws:SourceAccount"])
	}
}
