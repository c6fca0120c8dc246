package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// IAM: least privilege, bounded sessions, trust only in named principals,
// and no long-lived human credentials created by the platform.

var adminPolicyARN = regexp.MustCompile(`^arn:[a-z-]+:iam::aws:policy/AdministratorAccess$`)

// identityPolicies returns the policy documents a resource defines.
func identityPolicies(r *Resource) []val {
	switch r.Type {
	case typePolicy, typeRolePolicy, typeUserPolicy, typeGroupPolicy:
		return []val{prop(r.Properties, "policy")}
	case typeRole:
		inline := prop(r.Properties, "inlinePolicies")
		items, st := inline.items()
		if st == unknown {
			return []val{inline}
		}
		docs := make([]val, 0, len(items))
		for _, p := range items {
			docs = append(docs, p.get("policy"))
		}
		return docs
	}
	return nil
}

// managedPolicyARNs returns the managed policies a resource attaches.
func managedPolicyARNs(r *Resource) []val {
	switch r.Type {
	case typeRole:
		return []val{prop(r.Properties, "managedPolicyArns")}
	case typeRoleAttachment, typeUserAttachment, typeGroupAttachment, typePolicyAttachment:
		return []val{prop(r.Properties, "policyArn")}
	}
	return nil
}

// eachStatement parses each policy document of the resource and calls f on
// every statement; unknown documents are unverified and unreadable ones
// are violations.
func (c *check) eachStatement(f func(doc val, i int, s statement)) {
	for _, doc := range identityPolicies(c.r) {
		stmts, st, ok := parsePolicy(doc)
		switch {
		case st == unknown:
			c.unverified(doc)
			continue
		case st == absent:
			continue
		case !ok:
			c.violation(doc.path+" is not a valid IAM policy document", "build it with iamdoc and marshal it")
			continue
		}
		for i, s := range stmts {
			f(doc, i, s)
		}
	}
}

func checkIAMNoAdmin(c *check, _ *Settings) {
	c.eachStatement(func(doc val, i int, s statement) {
		if !s.allows() || !slices.Contains(s.Resource, "*") {
			return
		}
		switch {
		case s.NotAction:
			c.violation(fmt.Sprintf("%s statement %d allows everything except a few actions (NotAction) on every resource", doc.path, i),
				"list the actions the role needs and the resources they apply to")
		case slices.ContainsFunc(s.Action, isFullWildcard):
			c.violation(fmt.Sprintf("%s statement %d allows every action (*) on every resource (*): administrator access", doc.path, i),
				"list the actions the role needs and the resources they apply to")
		}
	})
	for _, arns := range managedPolicyARNs(c.r) {
		list, st := arns.strings()
		if st == unknown {
			c.unverified(arns)
			continue
		}
		if slices.ContainsFunc(list, adminPolicyARN.MatchString) {
			c.violation(arns.path+" attaches the AWS-managed AdministratorAccess policy",
				"attach a customer-managed policy that lists only the needed actions")
		}
	}
}

func checkIAMNoServiceWildcard(c *check, _ *Settings) {
	c.eachStatement(func(doc val, i int, s statement) {
		if !s.allows() || s.NotAction {
			return
		}
		var wild []string
		for _, a := range s.Action {
			if isServiceWildcard(a) || isFullWildcard(a) {
				wild = append(wild, a)
			}
		}
		if len(wild) > 0 {
			shown := " (" + strings.Join(wild, ", ") + ")"
			if doc.secret() {
				shown = ""
			}
			c.violation(fmt.Sprintf("%s statement %d allows every action of a service%s", doc.path, i, shown),
				"list the actions instead, e.g. s3:GetObject and s3:PutObject rather than s3:*")
		}
	})
}

// trust classifies a role's trust policy.
type trust struct {
	human, workspace bool
}

func readTrust(stmts []statement, s *Settings) trust {
	var t trust
	for _, st := range stmts {
		if !st.allows() {
			continue
		}
		if len(st.AWS) > 0 || len(st.Federated) > 0 || st.AnyPrincipal ||
			slices.ContainsFunc(st.Action, func(a string) bool {
				return strings.EqualFold(a, "sts:AssumeRoleWithSAML") || strings.EqualFold(a, "sts:AssumeRoleWithWebIdentity")
			}) {
			t.human = true
		}
		for _, svc := range st.Service {
			if slices.Contains(s.WorkspaceServicePrincipals, svc) {
				t.workspace = true
			}
		}
	}
	return t
}

func checkIAMSessionLimits(c *check, s *Settings) {
	doc := c.prop("assumeRolePolicy")
	stmts, st, ok := parsePolicy(doc)
	switch {
	case st == unknown:
		c.unverified(doc)
		return
	case st == absent || !ok:
		// iam-trust-restricted reports unreadable trust policies.
		return
	}
	t := readTrust(stmts, s)
	if !t.human && !t.workspace {
		return
	}
	kind := "workspace role"
	if t.human {
		kind = "role people assume"
	}
	c.requireAtMost(c.prop("maxSessionDuration"), float64(s.MaxSessionDurationSeconds), 3600,
		fmt.Sprintf("a %s with maxSessionDuration above this environment's limit of %d seconds", kind, s.MaxSessionDurationSeconds),
		fmt.Sprintf("set maxSessionDuration to at most %d", s.MaxSessionDurationSeconds))
	c.requirePresent(c.prop("permissionsBoundary"),
		fmt.Sprintf("a %s without a permissions boundary", kind),
		"set permissionsBoundary to the platform's workspace boundary policy ARN")
}

func checkIAMTrustRestricted(c *check, _ *Settings) {
	doc := c.prop("assumeRolePolicy")
	stmts, st, ok := parsePolicy(doc)
	switch {
	case st == unknown:
		c.unverified(doc)
		return
	case st == absent:
		c.violation("assumeRolePolicy is not set", "build the trust policy with iamdoc, naming the service or role that assumes it")
		return
	case !ok:
		c.violation("assumeRolePolicy is not a valid trust policy document", "build it with iamdoc and marshal it")
		return
	}
	for i, s := range stmts {
		if !s.allows() {
			continue
		}
		if s.AnyPrincipal {
			c.violation(fmt.Sprintf("trust policy statement %d lets any principal (*) assume the role", i),
				"name the service principal, account root or role ARNs that may assume it")
		}
		if s.NotPrincipal {
			c.violation(fmt.Sprintf("trust policy statement %d uses NotPrincipal with Allow, trusting everyone not listed", i),
				"use Principal with the specific principals instead")
		}
	}
}

var userCredentialTypes = map[string]bool{
	typeUser: true, typeAccessKey: true, typeLoginProfile: true,
	typeSSHKey: true, typeServiceCredential: true, typeSigningCert: true,
}

func checkIAMNoUsersOrKeys(c *check, _ *Settings) {
	c.violation("the platform creates no IAM users, passwords or access keys",
		"give people access through IAM Identity Center and roles; give workloads roles")
}

// escalation maps the IAM actions that let a principal raise its own
// permissions to the kind of resource they act on. Granted on every
// resource of that kind, each is a path to administrator: hand any role to
// a service, write a new default version of any policy, attach or write
// policies on any role, user or group, rewrite any role's trust policy,
// remove any permissions boundary, or mint credentials for any user.
var escalation = []struct{ action, kind string }{
	{"iam:PassRole", "role"},
	{"iam:CreatePolicyVersion", "policy"},
	{"iam:SetDefaultPolicyVersion", "policy"},
	{"iam:AttachRolePolicy", "role"},
	{"iam:PutRolePolicy", "role"},
	{"iam:UpdateAssumeRolePolicy", "role"},
	{"iam:PutRolePermissionsBoundary", "role"},
	{"iam:DeleteRolePermissionsBoundary", "role"},
	{"iam:AttachUserPolicy", "user"},
	{"iam:PutUserPolicy", "user"},
	{"iam:PutUserPermissionsBoundary", "user"},
	{"iam:DeleteUserPermissionsBoundary", "user"},
	{"iam:CreateAccessKey", "user"},
	{"iam:CreateLoginProfile", "user"},
	{"iam:UpdateLoginProfile", "user"},
	{"iam:AttachGroupPolicy", "group"},
	{"iam:PutGroupPolicy", "group"},
	{"iam:AddUserToGroup", "group"},
}

// escalationManagedPolicy matches AWS-managed policies that grant IAM
// administration (and so every escalation path) to whoever holds them.
var escalationManagedPolicy = regexp.MustCompile(`^arn:[a-z-]+:iam::aws:policy/IAMFullAccess$`)

// checkIAMNoPrivilegeEscalation reads identity policies, managed policies
// included: a permissions boundary is an iam.Policy like any other, and
// nothing stops it being attached as a permissions policy later, so its
// Allows are held to the same rule. Conditions on an Allow do not scope it:
// iam:PassedToService still hands every role to that service.
func checkIAMNoPrivilegeEscalation(c *check, _ *Settings) {
	for _, doc := range identityPolicies(c.r) {
		stmts, st, ok := parsePolicy(doc)
		switch {
		case st == unknown:
			c.unverified(doc)
			continue
		case st == absent:
			continue
		case !ok:
			c.violation(doc.path+" is not a valid IAM policy document", "build it with iamdoc and marshal it")
			continue
		}
		for i, s := range stmts {
			if !s.allows() {
				continue
			}
			var found []string
			for _, e := range escalation {
				if s.coversAction(e.action) && s.unscopedFor(e.kind) && !deniedEverywhere(stmts, e.action) {
					found = append(found, e.action)
				}
			}
			if len(found) == 0 {
				continue
			}
			shown := " (" + strings.Join(found, ", ") + ")"
			if doc.secret() {
				shown = ""
			}
			scope := "every resource of their kind"
			if s.NotResource {
				scope = "every resource but a few (NotResource)"
			}
			c.violation(fmt.Sprintf("%s statement %d allows actions that raise a principal's own permissions%s on %s", doc.path, i, shown, scope),
				"name the roles (iam:PassRole), policies, users or groups these actions may touch by ARN, e.g. arn:aws:iam::<account>:role/<prefix>-<team>-*, or drop the actions")
		}
	}
	for _, arns := range managedPolicyARNs(c.r) {
		list, st := arns.strings()
		if st == unknown {
			c.unverified(arns)
			continue
		}
		if slices.ContainsFunc(list, escalationManagedPolicy.MatchString) {
			c.violation(arns.path+" attaches the AWS-managed IAMFullAccess policy, which lets the principal grant itself anything",
				"attach a customer-managed policy that lists only the needed actions on named resources")
		}
	}
}

// sourceKey counts only the confused-deputy keys of trust policies.
func sourceKey(key string) keyKind {
	switch strings.ToLower(key) {
	case "aws:sourceaccount":
		return accountValued
	case "aws:sourcearn":
		return arnValued
	}
	return notLimiting
}

// checkIAMTrustConfusedDeputy: a service principal assumes a role on
// behalf of whichever resource it works for, of any account, unless the
// trust policy ties it to the resources of this one with aws:SourceAccount
// or aws:SourceArn. Services for which AWS provides neither key when they
// assume a role are exempt by configuration (servicesWithoutSourceKeys).
func checkIAMTrustConfusedDeputy(c *check, s *Settings) {
	doc := c.prop("assumeRolePolicy")
	stmts, st, ok := parsePolicy(doc)
	switch {
	case st == unknown:
		c.unverified(doc)
		return
	case st == absent || !ok:
		// iam-trust-restricted reports missing and unreadable trust policies.
		return
	}
	for i, stmt := range stmts {
		if !stmt.allows() || stmt.AnyPrincipal || stmt.NotPrincipal {
			// "*" and NotPrincipal are iam-trust-restricted's to report.
			continue
		}
		var open []string
		for _, svc := range stmt.Service {
			if !slices.ContainsFunc(s.ServicesWithoutSourceKeys, func(e string) bool { return strings.EqualFold(e, svc) }) {
				open = append(open, svc)
			}
		}
		if len(open) == 0 || limited(stmts, i, sourceKey, s.AccountIDs) {
			continue
		}
		shown := " " + strings.Join(open, ", ")
		if doc.secret() {
			shown = ""
		}
		c.violation(fmt.Sprintf("trust policy statement %d lets the service%s assume the role without aws:SourceAccount or aws:SourceArn (fixed values of this environment's accounts), so it can act for another account's resources", i, shown),
			"add {StringEquals: {aws:SourceAccount: <this account>}} and, where the service documents it, {ArnLike: {aws:SourceArn: arn:<partition>:<service>:<region>:<account>:<resource>}}")
	}
}
