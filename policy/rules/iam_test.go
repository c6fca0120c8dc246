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

	// iam-no-privilege-escalation
	passTo := func(resource ...string) string {
		return doc(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"iam:PassRole"}, Resource: resource,
			Condition: iamdoc.Condition{"StringEquals": {"iam:PassedToService": {"sagemaker.amazonaws.com"}}}})
	}
	policy := func(document any) rules.Resource { return res(tPolicy, "p", map[string]any{"policy": document}) }
	add(
		controlCase{control: "iam-no-privilege-escalation", name: "PassRole on the team roles", want: pass,
			resources: one(policy(passTo("arn:aws:iam::" + account + ":role/aifactory-dev-team-*")))},
		controlCase{control: "iam-no-privilege-escalation", name: "reading IAM everywhere", want: pass,
			resources: one(policy(doc(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"iam:GetRole", "iam:ListRoles"}, Resource: iamdoc.Strings{"*"}})))},
		controlCase{control: "iam-no-privilege-escalation", name: "a Deny of every escalation", want: pass,
			resources: one(policy(doc(iamdoc.Statement{Effect: iamdoc.Deny, Action: iamdoc.Strings{"iam:*"}, Resource: iamdoc.Strings{"*"}})))},
		controlCase{control: "iam-no-privilege-escalation", name: "NotAction that excludes IAM", want: pass,
			resources: one(policy(`{"Statement":{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"arn:aws:s3:::aifactory-dev-data/*"}}`))},
		controlCase{control: "iam-no-privilege-escalation", name: "an Allow cancelled by an unconditional Deny", want: pass,
			resources: one(policy(`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}]}`))},

		controlCase{control: "iam-no-privilege-escalation", name: "PassRole on every role", want: violation, contains: "(iam:PassRole) on every resource of their kind",
			resources: one(policy(passTo("*")))},
		controlCase{control: "iam-no-privilege-escalation", name: "every role of the account", want: violation, contains: "iam:PassRole",
			resources: one(policy(passTo("arn:aws:iam::" + account + ":role/*")))},
		controlCase{control: "iam-no-privilege-escalation", name: "statement object, lower-case wildcard", want: violation, contains: "iam:PutRolePolicy",
			resources: one(res(tRolePolicy, "p", map[string]any{"role": computed, "policy": `{"Statement":{"Effect":"Allow","Action":"IAM:put*","Resource":"*"}}`}))},
		controlCase{control: "iam-no-privilege-escalation", name: "NotAction allows IAM too", want: violation, contains: "iam:CreatePolicyVersion",
			resources: one(policy(`{"Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}`))},
		controlCase{control: "iam-no-privilege-escalation", name: "NotResource", want: violation, contains: "every resource but a few (NotResource)",
			resources: one(policy(`{"Statement":[{"Effect":"Allow","Action":["iam:AttachRolePolicy"],"NotResource":"arn:aws:iam::` + account + `:role/admin"}]}`))},
		controlCase{control: "iam-no-privilege-escalation", name: "rewriting trust policies in an inline role policy", want: violation, contains: "iam:UpdateAssumeRolePolicy",
			resources: one(res(tRole, "r", map[string]any{"inlinePolicies": []any{map[string]any{"name": "x", "policy": doc(iamdoc.Statement{Effect: iamdoc.Allow,
				Action: iamdoc.Strings{"iam:UpdateAssumeRolePolicy"}, Resource: iamdoc.Strings{"arn:aws:iam::*:role/*"}})}}}))},
		controlCase{control: "iam-no-privilege-escalation", name: "joining any group", want: violation, contains: "iam:AddUserToGroup",
			resources: one(res(tUserPolicy, "p", map[string]any{"user": "ci", "policy": doc(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"iam:AddUserToGroup"}, Resource: iamdoc.Strings{"*"}})}))},
		controlCase{control: "iam-no-privilege-escalation", name: "keys for any user", want: violation, contains: "iam:CreateAccessKey",
			resources: one(res(tGroupPolicy, "p", map[string]any{"group": "ops", "policy": doc(iamdoc.Statement{Effect: iamdoc.Allow, Action: iamdoc.Strings{"iam:CreateAccessKey", "iam:CreateLoginProfile"}, Resource: iamdoc.Strings{"arn:aws:iam::" + account + ":user/*"}})}))},
		controlCase{control: "iam-no-privilege-escalation", name: "IAMFullAccess", want: violation, contains: "IAMFullAccess",
			resources: one(res(tRoleAttach, "a", map[string]any{"role": computed, "policyArn": "arn:aws:iam::aws:policy/IAMFullAccess"}))},
		controlCase{control: "iam-no-privilege-escalation", name: "policy computed", want: unverified, contains: "policy is computed",
			resources: one(policy(computed))},
	)

	// iam-trust-confused-deputy
	serviceTrust := func(condition iamdoc.Condition, services ...string) string {
		return doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Services(services...), Action: iamdoc.Strings{"sts:AssumeRole"}, Condition: condition})
	}
	role := func(trust any) rules.Resource { return res(tRole, "r", map[string]any{"assumeRolePolicy": trust}) }
	sourceAccount := iamdoc.Condition{"StringEquals": {"aws:SourceAccount": {account}}}
	add(
		controlCase{control: "iam-trust-confused-deputy", name: "SageMaker for this account", want: pass, resources: one(role(serviceTrust(sourceAccount, "sagemaker.amazonaws.com")))},
		controlCase{control: "iam-trust-confused-deputy", name: "EMR for this account's clusters", want: pass, settings: withAccounts(account),
			resources: one(role(serviceTrust(iamdoc.Condition{"ArnLike": {"aws:SourceArn": {"arn:aws:elasticmapreduce:eu-west-1:" + account + ":*"}}}, "elasticmapreduce.amazonaws.com")))},
		controlCase{control: "iam-trust-confused-deputy", name: "EC2 instance profiles are exempt", want: pass, resources: one(role(serviceTrust(nil, "ec2.amazonaws.com")))},
		controlCase{control: "iam-trust-confused-deputy", name: "people, not services", want: pass, resources: one(role(humanTrust))},
		controlCase{control: "iam-trust-confused-deputy", name: "a Deny outside the account", want: pass,
			resources: one(role(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"},` +
				`{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:SourceAccount":"` + account + `"}}}]}`))},

		controlCase{control: "iam-trust-confused-deputy", name: "ECS tasks from any account", want: violation, contains: "ecs-tasks.amazonaws.com assume the role without aws:SourceAccount or aws:SourceArn",
			resources: one(role(serviceTrust(nil, "ecs-tasks.amazonaws.com")))},
		controlCase{control: "iam-trust-confused-deputy", name: "one exempt, one not", want: violation, contains: "scheduler.amazonaws.com",
			resources: one(role(serviceTrust(nil, "ec2.amazonaws.com", "scheduler.amazonaws.com")))},
		controlCase{control: "iam-trust-confused-deputy", name: "wildcard source account", want: violation, contains: "without aws:SourceAccount",
			resources: one(role(serviceTrust(iamdoc.Condition{"StringLike": {"aws:SourceAccount": {"*"}}}, "states.amazonaws.com")))},
		controlCase{control: "iam-trust-confused-deputy", name: "IfExists", want: violation, contains: "without aws:SourceAccount",
			resources: one(role(serviceTrust(iamdoc.Condition{"StringEqualsIfExists": {"aws:SourceAccount": {account}}}, "states.amazonaws.com")))},
		controlCase{control: "iam-trust-confused-deputy", name: "another account's resources", want: violation, contains: "without aws:SourceAccount", settings: withAccounts(account),
			resources: one(role(serviceTrust(iamdoc.Condition{"StringEquals": {"aws:SourceAccount": {otherAccount}}}, "states.amazonaws.com")))},
		controlCase{control: "iam-trust-confused-deputy", name: "other keys are not source keys", want: violation, contains: "without aws:SourceAccount",
			resources: one(role(serviceTrust(iamdoc.Condition{"StringEquals": {"aws:PrincipalOrgID": {"o-a1b2c3d4e5"}}}, "states.amazonaws.com")))},
		controlCase{control: "iam-trust-confused-deputy", name: "statement object, service list", want: violation, contains: "lambda.amazonaws.com",
			resources: one(role(`{"Statement":{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":["sts:AssumeRole"]}}`))},
		controlCase{control: "iam-trust-confused-deputy", name: "exemption removed by configuration", want: violation, contains: "ec2.amazonaws.com",
			settings: func(s *rules.Settings) { s.ServicesWithoutSourceKeys = nil }, resources: one(role(serviceTrust(nil, "ec2.amazonaws.com")))},
		controlCase{control: "iam-trust-confused-deputy", name: "trust computed", want: unverified, contains: "assumeRolePolicy",
			resources: one(role(computed))},
	)
	return cases
}
