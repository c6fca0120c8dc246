package stackconfig_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	auditspec "github.com/aifactory/platform/components/audit/spec"
	"github.com/aifactory/platform/facts/tagkeys"
	"github.com/aifactory/platform/internal/mocktest"
	"github.com/aifactory/platform/internal/stackconfig"
)

func stackFile(t *testing.T, stack string) map[string]string {
	return mocktest.StackConfig(t, filepath.Join("..", "..", "Pulumi."+stack+".yaml"))
}

func getter(m map[string]string) stackconfig.Getter {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestShippedStackFilesAreValidAndMeetTheirEnvironmentBounds(t *testing.T) {
	for _, stack := range stackconfig.Environments {
		t.Run(stack, func(t *testing.T) {
			c, err := stackconfig.Parse(stack, getter(stackFile(t, stack)))
			require.NoError(t, err)
			assert.Equal(t, stack, c.Environment)
			defaults := c.DefaultTags()
			for _, key := range tagkeys.Required() {
				assert.NotEmpty(t, defaults[key], "default tag %s", key)
			}
			assert.NotEmpty(t, c.Teams)
			for _, team := range c.Teams {
				tags := c.TeamTags(team)
				assert.Equal(t, team.Name, tags["team"])
				assert.Equal(t, stack, tags["environment"])
			}
			if stack == "prod" {
				assert.GreaterOrEqual(t, c.Network.AZCount, 3)
				assert.GreaterOrEqual(t, c.LogRetentionDays, 365)
				assert.Equal(t, 30, c.KMSDeletionWindowDays)
				assert.True(t, c.Protect)
			}
			assert.False(t, c.Network.AllowInternetEgress, "no stack ships with an internet path")
			assert.Equal(t, "123456789012", c.AccountID, "the shipped account is the stand-in's placeholder")
			assert.True(t, c.Workspace.StudioAccess.ThroughVpcEndpoints || len(c.Workspace.StudioAccess.CorporateCIDRs) > 0)
			if stack != "dev" {
				assert.NotEmpty(t, c.Analytics.InTransitCertificates, "in-transit encryption outside dev")
			}
			assert.Equal(t, "cron(0 6 ? * MON *)", c.Pipeline.Schedule)
			assert.NotEmpty(t, c.Pipeline.Countries)
			assert.NotEmpty(t, c.Pipeline.FailureEmails, "a failure always reaches someone")
			assert.NotEmpty(t, c.Audit.AlarmEmails, "an audit alarm always reaches someone")
			if stack == "prod" {
				assert.GreaterOrEqual(t, c.Audit.RetentionDays, auditspec.RegulatoryRetentionDays, "prod keeps its audit trail the regulatory period")
			}
		})
	}
}

func TestInvalidConfigNamesTheKeyTheFileAndTheFix(t *testing.T) {
	tests := []struct {
		name  string
		stack string
		edit  func(map[string]string)
		want  []string
	}{
		{"missing environment", "dev", func(m map[string]string) { delete(m, "aifactory:environment") },
			[]string{"aifactory:environment", "is not set", "Pulumi.dev.yaml"}},
		{"unknown environment", "dev", func(m map[string]string) { m["aifactory:environment"] = "qa" },
			[]string{"aifactory:environment", `"qa"`, "dev, staging, prod"}},
		{"bad region", "dev", func(m map[string]string) { m["aifactory:region"] = "ireland" },
			[]string{"aifactory:region", "eu-west-1"}},
		{"misspelt network field", "dev", func(m map[string]string) { m["aifactory:network"] = `{"cidr":"10.0.0.0/16","azcount":2}` },
			[]string{"aifactory:network", `unknown field "azcount"`}},
		{"wrong field type", "dev", func(m map[string]string) { m["aifactory:network"] = `{"cidr":"10.0.0.0/16","azCount":"two"}` },
			[]string{"aifactory:network", `"azCount"`}},
		{"public cidr", "dev", func(m map[string]string) { m["aifactory:network"] = `{"cidr":"8.8.0.0/16","azCount":2}` },
			[]string{"aifactory:network.cidr", "private"}},
		{"cidr too small", "dev", func(m map[string]string) { m["aifactory:network"] = `{"cidr":"10.0.0.0/24","azCount":2}` },
			[]string{"aifactory:network.cidr", "/16 and /22"}},
		{"single AZ", "dev", func(m map[string]string) { m["aifactory:network"] = `{"cidr":"10.0.0.0/16","azCount":1}` },
			[]string{"aifactory:network.azCount", "between 2 and 6"}},
		{"prod needs three AZs", "prod", func(m map[string]string) { m["aifactory:network"] = `{"cidr":"10.0.0.0/16","azCount":2}` },
			[]string{"aifactory:network.azCount", "between 3 and 6", "Pulumi.prod.yaml"}},
		{"empty owner tag", "dev", func(m map[string]string) {
			m["aifactory:tags"] = `{"team":"platform","project":"aifactory","costCenter":"CC","owner":"","dataClassification":"internal"}`
		}, []string{"aifactory:tags.owner", "required tag"}},
		{"unknown classification", "dev", func(m map[string]string) {
			m["aifactory:tags"] = `{"team":"platform","project":"aifactory","costCenter":"CC","owner":"a@b.io","dataClassification":"secret"}`
		}, []string{"aifactory:tags.dataClassification", "confidential"}},
		{"retention not accepted by CloudWatch", "dev", func(m map[string]string) { m["aifactory:logRetentionDays"] = "45" },
			[]string{"aifactory:logRetentionDays", "45"}},
		{"prod retention too short", "prod", func(m map[string]string) { m["aifactory:logRetentionDays"] = "90" },
			[]string{"aifactory:logRetentionDays", "365"}},
		{"retention not a number", "dev", func(m map[string]string) { m["aifactory:logRetentionDays"] = "a month" },
			[]string{"aifactory:logRetentionDays", "whole number"}},
		{"kms window out of range", "dev", func(m map[string]string) { m["aifactory:kmsDeletionWindowDays"] = "3" },
			[]string{"aifactory:kmsDeletionWindowDays", "7-30"}},
		{"prod kms window", "prod", func(m map[string]string) { m["aifactory:kmsDeletionWindowDays"] = "7" },
			[]string{"aifactory:kmsDeletionWindowDays", "set it to 30"}},
		{"prod unprotected", "prod", func(m map[string]string) { m["aifactory:protect"] = "false" },
			[]string{"aifactory:protect", "must be true in prod"}},
		{"team name not DNS-safe", "dev", func(m map[string]string) {
			m["aifactory:teams"] = `[{"name":"Data_Science","costCenter":"CC","owner":"a@b.io"}]`
		}, []string{"aifactory:teams[0].name", "DNS-safe"}},
		{"team name too long", "dev", func(m map[string]string) {
			m["aifactory:teams"] = `[{"name":"a-very-long-team-name-that-breaks-limits","costCenter":"CC","owner":"a@b.io"}]`
		}, []string{"aifactory:teams[0].name", "2-32 characters"}},
		{"duplicate team", "dev", func(m map[string]string) {
			m["aifactory:teams"] = `[{"name":"pricing","costCenter":"CC","owner":"a@b.io"},{"name":"pricing","costCenter":"CC","owner":"a@b.io"}]`
		}, []string{"aifactory:teams[1].name", "listed twice"}},
		{"prod keeps old versions long enough", "prod", func(m map[string]string) { m["aifactory:data"] = `{"noncurrentVersionDays":7}` },
			[]string{"aifactory:data.noncurrentVersionDays", "at least 90"}},
		{"captured data kept for decades", "dev", func(m map[string]string) {
			m["aifactory:data"] = `{"noncurrentVersionDays":30,"captureRetentionDays":4000}`
		}, []string{"aifactory:data.captureRetentionDays", "between 1 and 3650"}},
		{"no teams", "dev", func(m map[string]string) { m["aifactory:teams"] = `[]` },
			[]string{"aifactory:teams", "at least one team"}},
		{"session length is not a setting", "dev", func(m map[string]string) { setWorkspace(m, "maxSessionSeconds", 7200) },
			[]string{"aifactory:workspace", `unknown field "maxSessionSeconds"`}},
		{"idle timeout above its bound", "dev", func(m map[string]string) { setWorkspace(m, "idleTimeoutMinutes", 600) },
			[]string{"aifactory:workspace.idleTimeoutMinutes", "maxIdleTimeoutMinutes"}},
		{"not a SageMaker instance type", "dev", func(m map[string]string) { setWorkspace(m, "allowedInstanceTypes", []string{"m5.large"}) },
			[]string{"aifactory:workspace.allowedInstanceTypes[0]", "ml.t3.medium"}},
		{"prod deletes home directories", "prod", func(m map[string]string) { setWorkspace(m, "homeEfsRetention", "Delete") },
			[]string{"aifactory:workspace.homeEfsRetention", "Retain in prod"}},
		{"misspelt workspace field", "dev", func(m map[string]string) { setWorkspace(m, "idleTimeoutMins", 60) },
			[]string{"aifactory:workspace", `unknown field "idleTimeoutMins"`}},
		{"unknown EMR auth mode", "dev", func(m map[string]string) { setObject(m, "aifactory:analytics", "authMode", "LDAP") },
			[]string{"aifactory:analytics.authMode", "IAM or SSO"}},
		{"cluster idles past the environment bound", "dev", func(m map[string]string) {
			setCluster(m, "idleTimeout", "3h")
		}, []string{"aifactory:teams[0].analytics.clusters[0]", "idle"}},
		{"cluster on a type outside the allow-list", "dev", func(m map[string]string) {
			setCluster(m, "taskInstanceTypes", []string{"p4d.24xlarge", "m5.xlarge", "m6i.xlarge"})
		}, []string{"aifactory:teams[0].analytics.clusters[0]", "p4d.24xlarge"}},
		{"misspelt cluster field", "dev", func(m map[string]string) { setCluster(m, "idletimeout", "10m") },
			[]string{"aifactory:teams", "idletimeout"}},
		{"identity type of the other auth mode", "dev", func(m map[string]string) {
			var teams []map[string]any
			if err := json.Unmarshal([]byte(m["aifactory:teams"]), &teams); err != nil {
				panic(err)
			}
			teams[0]["analytics"].(map[string]any)["identities"] = []map[string]string{{"type": "USER", "name": "ana"}}
			b, _ := json.Marshal(teams)
			m["aifactory:teams"] = string(b)
		}, []string{"aifactory:teams[0].analytics", `"USER"`, "IAM mode"}},
		{"project name too long for bucket names", "staging", func(m map[string]string) {
			setObject(m, "aifactory:tags", "project", "a-very-long-project-name-for-buckets")
		}, []string{"aifactory:tags.project", "at most 38 characters"}},
		{"team without owner", "dev", func(m map[string]string) {
			m["aifactory:teams"] = `[{"name":"pricing","costCenter":"CC","owner":""}]`
		}, []string{"aifactory:teams[0].owner", "e-mail"}},
		{"internet egress in prod", "prod", func(m map[string]string) { setObject(m, "aifactory:network", "allowInternetEgress", true) },
			[]string{"aifactory:network.allowInternetEgress", "must be false in prod", "Pulumi.prod.yaml"}},
		{"account id not 12 digits", "dev", func(m map[string]string) { m["aifactory:accountId"] = "1234" },
			[]string{"aifactory:accountId", "12-digit"}},
		{"no account id", "dev", func(m map[string]string) { delete(m, "aifactory:accountId") },
			[]string{"aifactory:accountId", "is not set"}},
		{"deployer of another account", "dev", func(m map[string]string) {
			m["aifactory:deployerRoleArn"] = "arn:aws:iam::999999999999:role/aifactory-deployer"
		}, []string{"aifactory:deployerRoleArn", "not a role of account 123456789012"}},
		{"deployer that is a user", "dev", func(m map[string]string) {
			m["aifactory:deployerRoleArn"] = "arn:aws:iam::123456789012:user/ci"
		}, []string{"aifactory:deployerRoleArn", "IAM role"}},
		{"organisation id malformed", "dev", func(m map[string]string) { m["aifactory:organizationId"] = "org-123" },
			[]string{"aifactory:organizationId", "o-"}},
		{"DNS allow-list of everything", "dev", func(m map[string]string) {
			setObject(m, "aifactory:network", "dnsFirewall", map[string]any{"allowedDomains": []string{"*"}})
		}, []string{"aifactory:network.dnsFirewall.allowedDomains[0]", "no bare *"}},
		{"DNS allow-list of a top-level domain", "dev", func(m map[string]string) {
			setObject(m, "aifactory:network", "dnsFirewall", map[string]any{"allowedDomains": []string{"*.io"}})
		}, []string{"aifactory:network.dnsFirewall.allowedDomains[0]"}},
		{"misspelt DNS firewall field", "dev", func(m map[string]string) {
			setObject(m, "aifactory:network", "dnsFirewall", map[string]any{"allowDomains": []string{"x.example.com"}})
		}, []string{"aifactory:network", `unknown field "allowDomains"`}},
		{"Studio from no network", "dev", func(m map[string]string) { setWorkspace(m, "studioAccess", map[string]any{}) },
			[]string{"aifactory:workspace.studioAccess", "names no network"}},
		{"Studio from the whole internet", "dev", func(m map[string]string) {
			setWorkspace(m, "studioAccess", map[string]any{"corporateCidrs": []string{"0.0.0.0/0"}})
		}, []string{"aifactory:workspace.studioAccess.corporateCidrs[0]", "too wide"}},
		{"no in-transit certificates in staging", "staging", func(m map[string]string) { setObject(m, "aifactory:analytics", "inTransitCertificates", "") },
			[]string{"aifactory:analytics.inTransitCertificates", "required in staging"}},
		{"in-transit certificates outside the platform", "prod", func(m map[string]string) {
			setObject(m, "aifactory:analytics", "inTransitCertificates", "s3://somebody-else/certs.zip")
		}, []string{"aifactory:analytics.inTransitCertificates", "platform's buckets"}},
		{"one identity in two teams", "dev", func(m map[string]string) {
			var teams []map[string]any
			if err := json.Unmarshal([]byte(m["aifactory:teams"]), &teams); err != nil {
				panic(err)
			}
			teams[1]["analytics"] = map[string]any{"identities": []map[string]string{{"type": "ROLE", "name": "jackpot-analytics-analysts"}}}
			b, _ := json.Marshal(teams)
			m["aifactory:teams"] = string(b)
		}, []string{"aifactory:teams[1].analytics.identities[0]", "team jackpot-analytics", "one team only"}},
		{"image by tag", "dev", func(m map[string]string) {
			setPipeline(m, "image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser:v1.4.0")
		}, []string{"aifactory:pipeline.image", "is a tag (:v1.4.0)", "@sha256:<64 hex digits>", "make image", "Pulumi.dev.yaml"}},
		{"image with a short digest", "dev", func(m map[string]string) {
			setPipeline(m, "image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser@sha256:abc")
		}, []string{"aifactory:pipeline.image", "64 lower-case hex digits"}},
		{"image outside ECR", "dev", func(m map[string]string) {
			setPipeline(m, "image", "registry.example.com/aifactory-dev-optimiser@sha256:"+strings.Repeat("ab", 32))
		}, []string{"aifactory:pipeline.image", "not in a private ECR registry", "make image PUSH=<account>.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser"}},
		{"image in another region", "dev", func(m map[string]string) {
			setPipeline(m, "image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/aifactory-dev-optimiser@sha256:"+strings.Repeat("ab", 32))
		}, []string{"aifactory:pipeline.image", "us-east-1", "deploys to eu-west-1"}},
		{"staging pointing at dev's repository", "staging", func(m map[string]string) {
			setPipeline(m, "image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-dev-optimiser@sha256:"+strings.Repeat("ab", 32))
		}, []string{"aifactory:pipeline.image", `"aifactory-staging-optimiser"`, "copy the image there by digest",
			"123456789012.dkr.ecr.eu-west-1.amazonaws.com/aifactory-staging-optimiser@sha256:" + strings.Repeat("ab", 32)}},
		{"daily schedule", "dev", func(m map[string]string) { setPipeline(m, "schedule", "cron(0 6 * * ? *)") },
			[]string{"aifactory:pipeline.schedule", "exactly once a week", "cron(0 6 ? * MON *)"}},
		{"schedule as rate", "dev", func(m map[string]string) { setPipeline(m, "schedule", "rate(7 days)") },
			[]string{"aifactory:pipeline.schedule", "not a cron(...) expression"}},
		{"unknown time zone", "dev", func(m map[string]string) { setPipeline(m, "timezone", "CET+1") },
			[]string{"aifactory:pipeline.timezone", "IANA", "Europe/Amsterdam"}},
		{"lower-case country", "dev", func(m map[string]string) { setPipeline(m, "countries", []string{"NL", "gb"}) },
			[]string{`aifactory:pipeline.countries[1]: "gb"`, "upper-case two-letter"}},
		{"no countries", "dev", func(m map[string]string) { setPipeline(m, "countries", []string{}) },
			[]string{"aifactory:pipeline.countries", "is empty"}},
		{"unbounded concurrency", "dev", func(m map[string]string) { setPipeline(m, "maxConcurrency", 0) },
			[]string{"aifactory:pipeline.maxConcurrency", "between 1 and 40"}},
		{"memory that Fargate does not offer", "dev", func(m map[string]string) { setPipeline(m, "taskMemoryMiB", 1000) },
			[]string{"aifactory:pipeline.taskCpu", "memory 1000 MiB", "2048-8192"}},
		{"task above the environment's limit", "dev", func(m map[string]string) {
			setPipeline(m, "taskCpu", 8192)
			setPipeline(m, "taskMemoryMiB", 16384)
		}, []string{"aifactory:pipeline.taskCpu", "above dev's limit of 4096 / 16384", "policy/config/dev.json"}},
		{"secret name read as an ARN suffix", "dev", func(m map[string]string) { setPipeline(m, "cashSecretName", "treasury-abc123") },
			[]string{"aifactory:pipeline.cashSecretName", "six characters"}},
		{"history writer as ARN", "dev", func(m map[string]string) {
			setPipeline(m, "historyWriterRole", "arn:aws:iam::123456789012:role/aifactory-history")
		}, []string{"aifactory:pipeline.historyWriterRole", "give the role's name"}},
		{"histories written by the deployer", "dev", func(m map[string]string) { setPipeline(m, "historyWriterRole", "aifactory-deployer") },
			[]string{"aifactory:pipeline.historyWriterRole", "a role of their own"}},
		{"nobody told of failures", "dev", func(m map[string]string) { setPipeline(m, "failureEmails", []string{}) },
			[]string{"aifactory:pipeline.failureEmails", "reaches someone"}},
		{"bad result address", "dev", func(m map[string]string) { setPipeline(m, "resultEmails", []string{"analysts"}) },
			[]string{"aifactory:pipeline.resultEmails[0]", "e-mail"}},
		{"misspelt pipeline field", "dev", func(m map[string]string) { setPipeline(m, "timeZone", "UTC") },
			[]string{"aifactory:pipeline", `unknown field "timeZone"`}},
		{"no audit config", "dev", func(m map[string]string) { delete(m, "aifactory:audit") },
			[]string{"aifactory:audit", "is not set", "Pulumi.dev.yaml"}},
		{"prod audit trail kept a year", "prod", func(m map[string]string) { setObject(m, "aifactory:audit", "retentionDays", 365) },
			[]string{"aifactory:audit.retentionDays", "below the regulatory period of 2557 days", "set it to 2557 or more", "Pulumi.prod.yaml"}},
		{"audit trail locked for a century", "dev", func(m map[string]string) { setObject(m, "aifactory:audit", "retentionDays", 36500) },
			[]string{"aifactory:audit.retentionDays", "outside 1-3653"}},
		{"audit trail never locked", "staging", func(m map[string]string) { setObject(m, "aifactory:audit", "retentionDays", 0) },
			[]string{"aifactory:audit.retentionDays", "outside 1-3653"}},
		{"nobody hears the audit alarms", "dev", func(m map[string]string) { setObject(m, "aifactory:audit", "alarmEmails", []string{}) },
			[]string{"aifactory:audit.alarmEmails", "reaches someone"}},
		{"bad audit address", "dev", func(m map[string]string) { setObject(m, "aifactory:audit", "alarmEmails", []string{"security"}) },
			[]string{"aifactory:audit.alarmEmails[0]", "e-mail"}},
		{"unknown recorder mode", "dev", func(m map[string]string) { setObject(m, "aifactory:audit", "configRecorder", "shared") },
			[]string{"aifactory:audit.configRecorder", "create", "existing"}},
		{"misspelt audit field", "dev", func(m map[string]string) { setObject(m, "aifactory:audit", "retention", 1) },
			[]string{"aifactory:audit", `unknown field "retention"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := stackFile(t, tt.stack)
			tt.edit(cfg)
			c, err := stackconfig.Parse(tt.stack, getter(cfg))
			require.Error(t, err)
			assert.Nil(t, c)
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func setPipeline(m map[string]string, key string, value any) {
	setObject(m, "aifactory:pipeline", key, value)
}

func setWorkspace(m map[string]string, key string, value any) {
	setObject(m, "aifactory:workspace", key, value)
}

func setObject(m map[string]string, configKey, key string, value any) {
	var w map[string]any
	if err := json.Unmarshal([]byte(m[configKey]), &w); err != nil {
		panic(err)
	}
	w[key] = value
	b, _ := json.Marshal(w)
	m[configKey] = string(b)
}

// setCluster edits the first cluster of the first team of the dev stack file.
func setCluster(m map[string]string, key string, value any) {
	var teams []map[string]any
	if err := json.Unmarshal([]byte(m["aifactory:teams"]), &teams); err != nil {
		panic(err)
	}
	clusters := teams[0]["analytics"].(map[string]any)["clusters"].([]any)
	clusters[0].(map[string]any)[key] = value
	b, _ := json.Marshal(teams)
	m["aifactory:teams"] = string(b)
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	_, err := stackconfig.Parse("dev", getter(map[string]string{}))
	require.Error(t, err)
	var cfgErr *stackconfig.Error
	require.ErrorAs(t, err, &cfgErr)
	assert.Len(t, cfgErr.Problems, 16, "one line per missing key")
}

// Promotion carries one image from dev to staging to prod: every shipped
// stack runs the same digest, each from its own repository.
func TestShippedStacksRunTheSameImageDigest(t *testing.T) {
	digests := map[string]string{}
	for _, stack := range stackconfig.Environments {
		c, err := stackconfig.Parse(stack, getter(stackFile(t, stack)))
		require.NoError(t, err)
		repo, digest, ok := strings.Cut(c.Pipeline.Image, "@")
		require.True(t, ok)
		assert.True(t, strings.HasSuffix(repo, "/"+c.PipelineRepositoryName()), "%s pulls from its own repository", stack)
		digests[stack] = digest
	}
	assert.Equal(t, digests["dev"], digests["staging"], "staging runs the digest promoted from dev")
	assert.Equal(t, digests["staging"], digests["prod"], "prod runs the digest promoted from staging")
}
