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
