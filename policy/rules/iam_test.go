package rules_test

import (
	"testing"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/policy/rules"
)

func TestIAMControls(t *testing.T) { runCases(t, iamCases()) }

// iamCases are the cases of the IAM category: IAM (iam.go, and ecs-separate-roles in stack.go).
func iamCases() []controlCase {
	var cases []controlCase
	add := func(c ...controlCase) { cases = append(cases, c...) }

	// iam-no-admin, iam-no-service-wildcard
	scoped := doc(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"s3:GetObject", "s3:PutObject"}, Resource: iamdoc.Strings{"arn:aws:s3:::aifactory-dev-data/*"}})
	admin := doc(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"*"}, Resource: iamdoc.Strings{"*"}})
	add(
		controlCase{control: "iam-no-admin", name: "scoped policy", want: pass, resources: one(res(tPolicy, "p", map[string]any{"policy": scoped}))},
		controlCase{control: "iam-no-admin", name: "deny everything is no grant", want: pass,
			resources: one(res(tPolicy, "p", map[string]any{"policy": doc(iamdoc.Statement{Effect: iamdoc.Deny, Action: iamdoc.Strings{"*"}, Resource: iamdoc.Strings{"*"}})}))},
		controlCase{control: "iam-no-admin", name: "star on star", want: violation, contains: "administrator access",
			resources: one(res(tRolePolicy, "p", map[string]any{"policy": admin}))},
		controlCase{control: "iam-no-admin", name: "single statement object", want: violation, contains: "administrator access",
			resources: one(res(tPolicy, "p", map[string]any{"policy": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`}))},
		controlCase{control: "iam-no-admin", name: "NotAction on star", want: violation, contains: "NotAction",
			resources: one(res(tPolicy, "p", map[string]any{"policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`}))},
		controlCase{control: "iam-no-admin", name: "inline admin on a role", want: violation, contains: "inlinePolicies[0].policy",
			resources: one(res(tRole, "r", map[string]any{"inlinePolicies": []any{map[string]any{"name": "x", "policy": admin}}}))},
		controlCase{control: "iam-no-admin", name: "AdministratorAccess attached", want: violation, contains: "AdministratorAccess",
			resources: one(res(tRoleAttach, "r", map[string]any{"role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}))},
		controlCase{control: "iam-no-admin", name: "policy computed", want: unverified, contains: "policy is computed",
			resources: one(res(tRolePolicy, "p", map[string]any{"policy": computed}))},
		controlCase{control: "iam-no-service-wildcard", name: "listed actions", want: pass, resources: one(res(tPolicy, "p", map[string]any{"policy": scoped}))},
		controlCase{control: "iam-no-service-wildcard", name: "s3:*", want: violation, contains: "every action of a service (s3:*)",
			resources: one(res(tPolicy, "p", map[string]any{"policy": doc(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"s3:*"}, Resource: iamdoc.Strings{"arn:aws:s3:::b"}})}))},
		controlCase{control: "iam-no-service-wildcard", name: "policy computed", want: unverified, contains: "policy",
			resources: one(res(tRolePolicy, "p", map[string]any{"policy": computed}))},
	)

	// iam-session-limits, iam-trust-restricted
	trust := func(p *iamdoc.Principal) string {
		return doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: p, Action: iamdoc.Strings{"sts:AssumeRole"}})
	}
	workspaceTrust := trust(iamdoc.Services("sagemaker.amazonaws.com"))
	humanTrust := trust(iamdoc.AWSPrincipals("arn:aws:iam::123456789012:role/sso-data-scientist"))
	boundary := "arn:aws:iam::123456789012:policy/workspace-boundary"
	add(
		controlCase{control: "iam-session-limits", name: "bounded workspace role", want: pass,
			resources: one(res(tRole, "team-a", map[string]any{"assumeRolePolicy": workspaceTrust, "maxSessionDuration": 3600, "permissionsBoundary": boundary}))},
		controlCase{control: "iam-session-limits", name: "service role needs neither", want: pass,
			resources: one(res(tRole, "flow-logs", map[string]any{"assumeRolePolicy": trust(iamdoc.Services("vpc-flow-logs.amazonaws.com"))}))},
		controlCase{control: "iam-session-limits", name: "human role without boundary", want: violation, contains: "without a permissions boundary",
			resources: one(res(tRole, "people", map[string]any{"assumeRolePolicy": humanTrust}))},
		controlCase{control: "iam-session-limits", name: "twelve-hour workspace sessions", want: violation, contains: "limit of 3600 seconds",
			resources: one(res(tRole, "team-a", map[string]any{"assumeRolePolicy": workspaceTrust, "maxSessionDuration": 43200, "permissionsBoundary": boundary}))},
		controlCase{control: "iam-session-limits", name: "trust computed", want: unverified, contains: "assumeRolePolicy",
			resources: one(res(tRole, "team-a", map[string]any{"assumeRolePolicy": computed}))},
		controlCase{control: "iam-trust-restricted", name: "named service", want: pass,
			resources: one(res(tRole, "team-a", map[string]any{"assumeRolePolicy": workspaceTrust}))},
		controlCase{control: "iam-trust-restricted", name: "anyone", want: violation, contains: "any principal (*)",
			resources: one(res(tRole, "r", map[string]any{"assumeRolePolicy": trust(iamdoc.Anyone())}))},
		controlCase{control: "iam-trust-restricted", name: "AWS star", want: violation, contains: "any principal (*)",
			resources: one(res(tRole, "r", map[string]any{"assumeRolePolicy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`}))},
		controlCase{control: "iam-trust-restricted", name: "NotPrincipal", want: violation, contains: "NotPrincipal",
			resources: one(res(tRole, "r", map[string]any{"assumeRolePolicy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"}]}`}))},
		controlCase{control: "iam-trust-restricted", name: "trust computed", want: unverified, contains: "assumeRolePolicy",
			resources: one(res(tRole, "r", map[string]any{"assumeRolePolicy": computed}))},
	)

	// iam-no-users-or-keys
	add(
		controlCase{control: "iam-no-users-or-keys", name: "roles are fine", want: pass, resources: one(res(tRole, "r", map[string]any{"assumeRolePolicy": workspaceTrust}))},
		controlCase{control: "iam-no-users-or-keys", name: "user", want: violation, contains: `iam.User "alice"`, resources: one(res(tUser, "alice", nil))},
		controlCase{control: "iam-no-users-or-keys", name: "access key", want: violation, contains: "no IAM users, passwords or access keys",
			resources: one(res(tAccessKey, "ci", map[string]any{"user": computed}))},
		controlCase{control: "iam-no-users-or-keys", name: "login profile", want: violation, contains: "UserLoginProfile",
			resources: one(res(tLoginProfile, "alice", map[string]any{"user": "alice", "password": secret("Sup3r-S3cret!")}))},
	)

	// ecs-separate-roles
	taskRole, execRole := res(tRole, "task", nil), res(tRole, "exec", nil)
	rolesTD := func(task, exec any, deps ...rules.Resource) rules.Resource {
		r := res(tTaskDef, "optimiser", map[string]any{"taskRoleArn": task, "executionRoleArn": exec})
		if len(deps) == 2 {
			r = dependsOn(dependsOn(r, "taskRoleArn", deps[0]), "executionRoleArn", deps[1])
		}
		return r
	}
	add(
		controlCase{control: "ecs-separate-roles", name: "two known roles", want: pass,
			resources: one(rolesTD("arn:aws:iam::1:role/task", "arn:aws:iam::1:role/exec"))},
		controlCase{control: "ecs-separate-roles", name: "two roles of the stack", want: pass,
			resources: []rules.Resource{taskRole, execRole, rolesTD(computed, computed, taskRole, execRole)}},
		controlCase{control: "ecs-separate-roles", name: "no task role", want: pass,
			resources: one(res(tTaskDef, "optimiser", map[string]any{"executionRoleArn": "arn:aws:iam::1:role/exec"}))},
		controlCase{control: "ecs-separate-roles", name: "same known role", want: violation, contains: "are the same role",
			resources: one(rolesTD("arn:aws:iam::1:role/x", "arn:aws:iam::1:role/x"))},
		controlCase{control: "ecs-separate-roles", name: "same role of the stack", want: violation, contains: "come from the same role",
			resources: []rules.Resource{taskRole, rolesTD(computed, computed, taskRole, taskRole)}},
		controlCase{control: "ecs-separate-roles", name: "computed without dependencies", want: unverified, contains: "taskRoleArn",
			resources: one(rolesTD(computed, computed))},
	)
	return cases
}
