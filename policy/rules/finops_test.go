package rules_test

import (
	"testing"

	"github.com/aifactory/platform/policy/rules"
)

func TestFinOpsControls(t *testing.T) { runCases(t, finopsCases()) }

// finopsCases are the cases of the FinOps category: FinOps (finops.go).
func finopsCases() []controlCase {
	var cases []controlCase
	add := func(c ...controlCase) { cases = append(cases, c...) }

	// emr-auto-termination
	add(
		controlCase{control: "emr-auto-termination", name: "one hour idle", want: pass,
			resources: one(res(tCluster, "spark", map[string]any{"autoTerminationPolicy": map[string]any{"idleTimeout": 3600}}))},
		controlCase{control: "emr-auto-termination", name: "Spot task fleet", want: pass,
			resources: one(res(tFleet, "task", map[string]any{"clusterId": computed, "targetSpotCapacity": 4, "targetOnDemandCapacity": 0}))},
		controlCase{control: "emr-auto-termination", name: "Spot task group", want: pass,
			resources: one(res(tGroup, "task", map[string]any{"clusterId": computed, "bidPrice": "0.30"}))},
		controlCase{control: "emr-auto-termination", name: "never terminates", want: violation, contains: "idleTimeout is unset",
			resources: one(res(tCluster, "spark", map[string]any{"name": "spark"}))},
		controlCase{control: "emr-auto-termination", name: "idle too long", want: violation, contains: "maximum of 1800 seconds",
			settings:  func(s *rules.Settings) { s.MaxEMRIdleTimeoutSeconds = 1800 },
			resources: one(res(tCluster, "spark", map[string]any{"autoTerminationPolicy": map[string]any{"idleTimeout": 3600}}))},
		controlCase{control: "emr-auto-termination", name: "on-demand task fleet", want: violation, contains: "asks for on-demand capacity",
			resources: one(res(tFleet, "task", map[string]any{"targetSpotCapacity": 2, "targetOnDemandCapacity": 2}))},
		controlCase{control: "emr-auto-termination", name: "on-demand task group", want: violation, contains: "runs on-demand",
			resources: one(res(tGroup, "task", map[string]any{"instanceCount": 2}))},
		controlCase{control: "emr-auto-termination", name: "timeout computed", want: unverified, contains: "idleTimeout",
			resources: one(res(tCluster, "spark", map[string]any{"autoTerminationPolicy": map[string]any{"idleTimeout": computed}}))},
	)

	// sagemaker-idle-shutdown
	idle := func(state any, timeout any, maxTimeout any) map[string]any {
		return map[string]any{"appLifecycleManagement": map[string]any{"idleSettings": map[string]any{
			"lifecycleManagement": state, "idleTimeoutInMinutes": timeout, "maxIdleTimeoutInMinutes": maxTimeout, "minIdleTimeoutInMinutes": 60,
		}}}
	}
	domainIdle := func(jl, ce map[string]any) rules.Resource {
		return res(tDomain, "studio", map[string]any{"defaultUserSettings": map[string]any{"jupyterLabAppSettings": jl, "codeEditorAppSettings": ce}})
	}
	within := func(s *rules.Settings) { s.MaxStudioIdleTimeoutMinutes = 120 }
	add(
		controlCase{control: "sagemaker-idle-shutdown", name: "both apps shut down", want: pass, settings: within,
			resources: one(domainIdle(idle("ENABLED", 60, 120), idle("ENABLED", 60, 120)))},
		controlCase{control: "sagemaker-idle-shutdown", name: "profile inherits", want: pass, settings: within,
			resources: one(res(tUserProfile, "team-a", map[string]any{"userSettings": map[string]any{"executionRole": computed}}))},
		controlCase{control: "sagemaker-idle-shutdown", name: "code editor never stops", want: violation, contains: "codeEditorAppSettings.appLifecycleManagement.idleSettings",
			settings: within, resources: one(domainIdle(idle("ENABLED", 60, 120), nil))},
		controlCase{control: "sagemaker-idle-shutdown", name: "disabled", want: violation, contains: "idle shutdown is not ENABLED",
			settings: within, resources: one(domainIdle(idle("DISABLED", nil, nil), idle("ENABLED", 60, 120)))},
		controlCase{control: "sagemaker-idle-shutdown", name: "users may choose a day", want: violation, contains: "lets users choose more than 120 minutes",
			settings: within, resources: one(domainIdle(idle("ENABLED", 60, 1440), idle("ENABLED", 60, 120)))},
		controlCase{control: "sagemaker-idle-shutdown", name: "profile override disabled", want: violation, contains: "idle shutdown is not ENABLED",
			settings: within, resources: one(res(tUserProfile, "team-a", map[string]any{"userSettings": map[string]any{"jupyterLabAppSettings": idle("DISABLED", nil, nil)}}))},
		controlCase{control: "sagemaker-idle-shutdown", name: "timeout computed", want: unverified, contains: "idleTimeoutInMinutes",
			settings: within, resources: one(domainIdle(idle("ENABLED", computed, 120), idle("ENABLED", 60, 120)))},
	)

	// instance-type-allowlist
	spec := func(t any) map[string]any {
		return map[string]any{"defaultResourceSpec": map[string]any{"instanceType": t}}
	}
	add(
		controlCase{control: "instance-type-allowlist", name: "allowed Studio sizes", want: pass,
			resources: one(res(tDomain, "studio", map[string]any{"defaultUserSettings": map[string]any{
				"jupyterLabAppSettings": spec("ml.t3.medium"), "jupyterServerAppSettings": spec("system"), "executionRole": computed}}))},
		controlCase{control: "instance-type-allowlist", name: "allowed EMR fleet", want: pass,
			resources: one(res(tFleet, "task", map[string]any{"instanceTypeConfigs": []any{map[string]any{"instanceType": "m5.xlarge"}, map[string]any{"instanceType": "r5.xlarge"}}}))},
		controlCase{control: "instance-type-allowlist", name: "Fargate within limits", want: pass,
			resources: one(res(tTaskDef, "optimiser", map[string]any{"cpu": "2048", "memory": "8192"}))},
		controlCase{control: "instance-type-allowlist", name: "GPU notebook", want: violation, contains: `instanceType is "ml.p4d.24xlarge"`,
			resources: one(res(tNotebook, "nb", map[string]any{"instanceType": "ml.p4d.24xlarge"}))},
		controlCase{control: "instance-type-allowlist", name: "huge EMR primary", want: violation, contains: "masterInstanceGroup.instanceType",
			resources: one(res(tCluster, "spark", map[string]any{"masterInstanceGroup": map[string]any{"instanceType": "x1e.32xlarge"}}))},
		controlCase{control: "instance-type-allowlist", name: "per-environment list", want: violation, contains: "ml.m5.2xlarge",
			settings:  func(s *rules.Settings) { s.SageMakerInstanceTypes = []string{"ml.t3.medium"} },
			resources: one(res(tSpace, "lab", map[string]any{"spaceSettings": map[string]any{"jupyterLabAppSettings": spec("ml.m5.2xlarge")}}))},
		controlCase{control: "instance-type-allowlist", name: "oversized task", want: violation, contains: "task cpu is above",
			resources: one(res(tTaskDef, "optimiser", map[string]any{"cpu": "16384", "memory": "8192"}))},
		controlCase{control: "instance-type-allowlist", name: "type computed", want: unverified, contains: "instanceType",
			resources: one(res(tNotebook, "nb", map[string]any{"instanceType": computed}))},
		controlCase{control: "instance-type-allowlist", name: "settings computed", want: unverified, contains: "defaultUserSettings",
			resources: one(res(tDomain, "studio", map[string]any{"defaultUserSettings": computed}))},
	)

	// team-budget
	budget := func(filters any) rules.Resource {
		return res(tBudget, "team-a", map[string]any{"budgetType": "COST", "costFilters": filters, "tags": with(fullTags(), "team", "team-a")})
	}
	teamRes := res(tBucketV2, "team-a-scratch", map[string]any{"tags": with(fullTags(), "team", "team-a")})
	add(
		controlCase{control: "team-budget", name: "team with budget", want: pass,
			resources: []rules.Resource{teamRes, budget([]any{map[string]any{"name": "TagKeyValue", "values": []string{"user:team$team-a"}}})}},
		controlCase{control: "team-budget", name: "team without budget", want: violation, contains: `team "team-a" owns resources`,
			resources: []rules.Resource{teamRes, budget([]any{map[string]any{"name": "TagKeyValue", "values": []string{"user:team$team-b"}}})}},
		controlCase{control: "team-budget", name: "budget filter computed", want: unverified, contains: "costFilters",
			resources: []rules.Resource{teamRes, budget(computed)}},
	)
	return cases
}
