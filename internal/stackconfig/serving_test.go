package stackconfig_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/internal/stackconfig"
)

// editServing edits the first team's serving object of a stack file.
func editServing(m map[string]string, edit func(serving map[string]any)) {
	var teams []map[string]any
	if err := json.Unmarshal([]byte(m["aifactory:teams"]), &teams); err != nil {
		panic(err)
	}
	edit(teams[0]["serving"].(map[string]any))
	b, _ := json.Marshal(teams)
	m["aifactory:teams"] = string(b)
}

func editEndpoint(m map[string]string, key string, value any) {
	editServing(m, func(s map[string]any) {
		ep := s["endpoints"].([]any)[0].(map[string]any)
		if value == nil {
			delete(ep, key)
			return
		}
		ep[key] = value
	})
}

func TestShippedStacksServeAModelEach(t *testing.T) {
	for _, stack := range stackconfig.Environments {
		c, err := stackconfig.Parse(stack, getter(stackFile(t, stack)))
		require.NoError(t, err)
		served := 0
		for _, team := range c.Teams {
			if team.Serving == nil {
				continue
			}
			assert.NotEmpty(t, team.Serving.Approvers, "%s: %s names its approvers", stack, team.Name)
			for _, e := range team.Serving.Endpoints {
				served++
				require.NoError(t, e.Validate(stack, c.ServingLimits()))
				if stack == "dev" {
					assert.NotEmpty(t, e.ExpiresAt, "dev endpoints expire")
				}
			}
		}
		assert.Positive(t, served, "%s serves at least one model", stack)
		assert.Equal(t, stack == "dev", c.Serving.AllowServerless, "serverless inference in dev only")
	}
}

func TestServingProblemsNameTheKeyTheFileAndTheFix(t *testing.T) {
	tests := []struct {
		name  string
		stack string
		edit  func(map[string]string)
		want  []string
	}{
		{"serverless in prod", "prod", func(m map[string]string) { setObject(m, "aifactory:serving", "allowServerless", true) },
			[]string{"aifactory:serving.allowServerless", "must be false in prod", "Pulumi.prod.yaml"}},
		{"instance storage type", "dev", func(m map[string]string) {
			setObject(m, "aifactory:serving", "allowedInstanceTypes", []string{"ml.m5.large", "ml.m5d.large"})
		}, []string{"aifactory:serving", "NVMe instance storage"}},
		{"misspelt endpoint field", "dev", func(m map[string]string) { editEndpoint(m, "instancetype", "ml.m5.large") },
			[]string{"aifactory:teams", `unknown field "instancetype"`}},
		{"type outside the allow-list", "dev", func(m map[string]string) { editEndpoint(m, "instanceType", "ml.p3.2xlarge") },
			[]string{"aifactory:teams[0].serving.endpoints[0]", "serving.allowedInstanceTypes"}},
		{"scales beyond the bound", "dev", func(m map[string]string) { editEndpoint(m, "maxInstances", 9) },
			[]string{"aifactory:teams[0].serving.endpoints[0]", "maxInstances 9"}},
		{"dev endpoint without expiry", "dev", func(m map[string]string) { editEndpoint(m, "expiresAt", nil) },
			[]string{"aifactory:teams[0].serving.endpoints[0]", "expiresAt is not set"}},
		{"another team's version", "dev", func(m map[string]string) {
			editEndpoint(m, "modelPackageArn", "arn:aws:sagemaker:eu-west-1:123456789012:model-package/aifactory-dev-player-insights/1")
		}, []string{"aifactory:teams[0].serving.endpoints[0].modelPackageArn", `own registry "aifactory-dev-jackpot-analytics"`}},
		{"another account's version", "dev", func(m map[string]string) {
			editEndpoint(m, "modelPackageArn", "arn:aws:sagemaker:eu-west-1:210987654321:model-package/aifactory-dev-jackpot-analytics/1")
		}, []string{"modelPackageArn", "aifactory:accountId is 123456789012"}},
		{"no approver", "staging", func(m map[string]string) { editServing(m, func(s map[string]any) { delete(s, "approvers") }) },
			[]string{"aifactory:teams[0].serving.approvers", "at least one approver"}},
		{"approver registers", "dev", func(m map[string]string) {
			editServing(m, func(s map[string]any) { s["approvers"] = []string{"jackpot-analytics-analysts"} })
		}, []string{"aifactory:teams[0].serving.approvers[0]", "never approves it"}},
		{"consumer of another team", "dev", func(m map[string]string) {
			m["aifactory:teams"] = `[{"name":"jackpot-analytics","costCenter":"CC-1","owner":"a@x.io","serving":{"consumers":["pi-analysts"]}},` +
				`{"name":"player-insights","costCenter":"CC-2","owner":"b@x.io","analytics":{"identities":[{"type":"ROLE","name":"pi-analysts"}]}}]`
		}, []string{"aifactory:teams[0].serving.consumers[0]", "team player-insights's analytics identities"}},
		{"platform role as consumer", "dev", func(m map[string]string) {
			editServing(m, func(s map[string]any) { s["consumers"] = []string{"aifactory-dev-studio-player-insights"} })
		}, []string{"aifactory:teams[0].serving.consumers[0]", "platform's own roles"}},
		{"deployer as approver", "dev", func(m map[string]string) {
			editServing(m, func(s map[string]any) { s["approvers"] = []string{"aifactory-deployer"} })
		}, []string{"aifactory:teams[0].serving.approvers[0]", "deployer role"}},
		{"endpoint name too long", "staging", func(m map[string]string) {
			editEndpoint(m, "name", "jackpot-propensity-weekly-forecast")
		}, []string{"exceeds SageMaker's 63 characters"}},
		{"endpoints without bounds", "staging", func(m map[string]string) { delete(m, "aifactory:serving") },
			[]string{"aifactory:serving", "maxInstances 0"}},
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

func TestServingIsOptionalUntilATeamServes(t *testing.T) {
	cfg := stackFile(t, "staging")
	delete(cfg, "aifactory:serving")
	var teams []map[string]any
	require.NoError(t, json.Unmarshal([]byte(cfg["aifactory:teams"]), &teams))
	for _, team := range teams {
		delete(team, "serving")
	}
	b, _ := json.Marshal(teams)
	cfg["aifactory:teams"] = string(b)
	c, err := stackconfig.Parse("staging", getter(cfg))
	require.NoError(t, err)
	assert.Zero(t, c.Serving.MaxInstances)
}
