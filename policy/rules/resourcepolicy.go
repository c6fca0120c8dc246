package rules

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Side doors: policies attached to resources and endpoints, and S3 ACLs,
// can open data to principals an identity policy never names. Every grant
// they make must stay within the environment's accounts, or carry a
// condition that ties it to a fixed account, ARN, organisation or network.

// resourcePolicyProps names, per type, the property holding a resource
// policy and the properties whose values carry the resource's own account.
var resourcePolicyProps = map[string]struct {
	policy string
	own    []string
}{
	typeBucketPolicy:       {policy: "policy"},
	typeBucket:             {policy: "policy"},
	typeBucketV2:           {policy: "policy"},
	typeAccessPoint:        {policy: "policy", own: []string{"accountId"}},
	typeAccessPointPolicy:  {policy: "policy", own: []string{"accessPointArn"}},
	typeS3ControlBucketPol: {policy: "policy", own: []string{"bucket"}},
	typeTopic:              {policy: "policy"},
	typeTopicPolicy:        {policy: "policy", own: []string{"arn"}},
	typeQueue:              {policy: "policy"},
	typeQueuePolicy:        {policy: "policy", own: []string{"queueUrl"}},
	typeKMSKey:             {policy: "policy"},
	typeKeyPolicy:          {policy: "policy", own: []string{"keyId"}},
	typeRepositoryPolicy:   {policy: "policy", own: []string{"registryId"}},
	// A model registry's policy names the group's ARNs, which carry its account.
	typeModelPackageGroupPolicy: {policy: "resourcePolicy"},
}

// resourcePolicyTypes are the types resource-policy-no-public inspects.
var resourcePolicyTypes = typeList(func() map[string]bool {
	set := map[string]bool{}
	for t := range resourcePolicyProps {
		set[t] = true
	}
	return set
}())

// accountIn finds the account in a value: an account id, the account field
// of an ARN, or the account segment of an SQS queue URL.
func accountIn(s string) (string, bool) {
	if accountID.MatchString(s) {
		return s, true
	}
	if a, ok := parseARN(s); ok && accountID.MatchString(a.account) {
		return a.account, true
	}
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		for _, seg := range strings.Split(u.Path, "/") {
			if accountID.MatchString(seg) {
				return seg, true
			}
		}
	}
	return "", false
}

// resourceAccounts returns the accounts a resource policy may name as its
// own: the environment's accounts when configured; otherwise the account of
// the resource itself, from its own ARN-bearing properties and from the
// ARNs its policy's Resource elements name (a resource policy may only name
// the resource it is attached to, which AWS enforces).
func (c *check) resourceAccounts(s *Settings, stmts []statement) accountSet {
	if len(s.AccountIDs) > 0 {
		return s.AccountIDs
	}
	var own accountSet
	add := func(a string) {
		if !slices.Contains(own, a) {
			own = append(own, a)
		}
	}
	for _, p := range resourcePolicyProps[c.r.Type].own {
		if v, st := c.prop(p).str(); st == known {
			if a, ok := accountIn(v); ok {
				add(a)
			}
		}
	}
	for _, st := range stmts {
		if st.NotResource {
			continue
		}
		for _, r := range st.Resource {
			if a, ok := parseARN(r); ok && accountID.MatchString(a.account) {
				add(a.account)
			}
		}
	}
	return own
}

// grantRules say how checkGrants judges a policy.
type grantRules struct {
	// what names the document in messages ("policy statement", ...).
	what string
	keys keyFilter
	own  accountSet
	// noOwnReason says why the environment's accounts are unknown, for
	// undecided findings; fix says how to repair a violation.
	noOwnReason, fix string
}

// checkGrants checks every Allow statement of a resource or endpoint
// policy: none may admit any principal, a service or another account
// without a limiting condition.
func (c *check) checkGrants(doc val, stmts []statement, g grantRules) {
	for i, s := range stmts {
		if !s.allows() || limited(stmts, i, g.keys, g.own) {
			continue
		}
		where := fmt.Sprintf("%s %d", g.what, i)
		switch {
		case s.NotPrincipal:
			c.violation(fmt.Sprintf("%s allows everyone except the principals it lists (NotPrincipal), without a limiting condition", where), g.fix)
			continue
		case s.AnyPrincipal:
			c.violation(fmt.Sprintf("%s allows any principal (*) without a limiting condition", where), g.fix)
			continue
		}
		if len(s.Federated) > 0 {
			c.violation(fmt.Sprintf("%s allows federated identities, which any account's users can hold, without a limiting condition", where), g.fix)
		}
		if len(s.CanonicalUser) > 0 {
			c.violation(fmt.Sprintf("%s allows an S3 canonical user, an account named by another id, without a limiting condition", where), g.fix)
		}
		if len(s.Service) > 0 {
			shown := " " + strings.Join(s.Service, ", ")
			if doc.secret() {
				shown = ""
			}
			c.violation(fmt.Sprintf("%s allows the service principal%s without aws:SourceAccount or aws:SourceArn, so the service acting for any account can use it", where, shown),
				"add a condition {StringEquals: {aws:SourceAccount: <this account>}} or {ArnLike: {aws:SourceArn: <the resource that acts>}}")
		}
		undecided := false
		for _, p := range s.AWS {
			account, ok := principalAccount(p)
			switch {
			case !ok:
				c.violation(fmt.Sprintf("%s names an AWS principal whose account cannot be read (neither an account id nor an IAM ARN)", where), g.fix)
			case !g.own.known():
				undecided = true
			case !g.own.admits(account):
				c.violation(fmt.Sprintf("%s allows a principal of another AWS account without a limiting condition", where), g.fix)
			}
		}
		if undecided {
			c.undecided(doc.path, fmt.Sprintf("%s names AWS principals by account, and %s, so whether they belong to this environment cannot be decided. "+
				"Fix: list the environment's AWS account ids in accountIds of %s in the environment's policy config", where, g.noOwnReason, c.control))
		}
	}
}

// grantFix is the fix of a grant violation.
const grantFix = "name only principals of this environment's accounts, or add a limiting condition with fixed values " +
	"(aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn, aws:SourceVpce, aws:ResourceAccount)"

func checkResourcePolicyNoPublic(c *check, s *Settings) {
	doc := c.prop(resourcePolicyProps[c.r.Type].policy)
	stmts, st, ok := parsePolicy(doc)
	switch {
	case st == unknown:
		c.unverified(doc)
		return
	case st == absent:
		return
	case !ok:
		c.violation(doc.path+" is not a valid policy document", "build it with iamdoc and marshal it")
		return
	}
	c.checkGrants(doc, stmts, grantRules{
		what: "policy statement", keys: limitingKey, own: c.resourceAccounts(s, stmts),
		noOwnReason: "neither the resource nor its policy names the resource's own account and accountIds is not configured",
		fix:         grantFix,
	})
}

// endpointKey counts the limiting keys that mean something in an endpoint
// policy: every request through an endpoint comes from its VPC and the
// endpoint itself, so aws:SourceVpc and aws:SourceVpce limit nothing there.
func endpointKey(key string) keyKind {
	if k := limitingKey(key); k != networkValued {
		return k
	}
	return notLimiting
}

func checkVPCEndpointPolicy(c *check, s *Settings) {
	rules := grantRules{
		what: "endpoint policy statement", keys: endpointKey, own: s.AccountIDs,
		noOwnReason: "accountIds is not configured",
		fix:         "admit only this environment's principals: Principal * with a condition {StringEquals: {aws:PrincipalAccount: <account>}} (or aws:PrincipalOrgID), and name the resources the VPC needs",
	}
	interfaceEndpoint := true
	if c.r.Type == typeVpcEndpoint {
		kind := c.prop("vpcEndpointType")
		t, st := kind.str()
		switch {
		case st == unknown:
			c.unverified(kind)
			return
		case st == absent || strings.EqualFold(t, "Gateway"):
			interfaceEndpoint = false
		case !strings.EqualFold(t, "Interface"):
			// Gateway Load Balancer endpoints and others take no policy.
			return
		}
	}
	doc := c.prop("policy")
	stmts, st, ok := parsePolicy(doc)
	switch {
	case st == unknown:
		c.unverified(doc)
		return
	case st == absent && interfaceEndpoint:
		c.violation("an interface endpoint without a policy, so AWS gives it the full-access default: any principal, of any account, reaches every resource of the service through it",
			"set policy to a document that admits only this environment's principals (Principal * with {StringEquals: {aws:PrincipalAccount: <account>}}) and the actions the VPC needs")
		return
	case st == absent:
		c.violation("a gateway endpoint without a policy, so AWS gives it the full-access default: any principal reaches any bucket or table of any account through it",
			"set policy to a document that names the buckets (or tables) the VPC needs, with {StringEquals: {aws:PrincipalAccount: <account>, s3:ResourceAccount: <account>}} where they are the platform's")
		return
	case !ok:
		c.violation("policy is not a valid endpoint policy document", "build it with iamdoc and marshal it")
		return
	}
	if interfaceEndpoint {
		c.checkGrants(doc, stmts, rules)
		return
	}
	// Gateway endpoints reach AWS-owned buckets (package repositories,
	// image layers) that no account condition can name; what they must not
	// do is hand the whole service to anyone.
	for i, stmt := range stmts {
		if stmt.allows() && (stmt.AnyPrincipal || stmt.NotPrincipal) && stmt.coversAction("*") &&
			(stmt.NotResource || slices.Contains(stmt.Resource, "*")) && !limited(stmts, i, endpointKey, s.AccountIDs) {
			c.violation(fmt.Sprintf("endpoint policy statement %d allows every action on every resource to any principal: the full-access default", i),
				"name the buckets (or tables) the VPC needs and the actions on them")
		}
	}
}

// S3 ACLs: the canned ACLs and grantee groups that open a bucket or object
// to everyone, and grants to other accounts.
var publicCannedACLs = []string{"public-read", "public-read-write", "authenticated-read"}

const aclFix = "remove the ACL: keep S3 Object Ownership BucketOwnerEnforced (ACLs disabled) and grant access with policies"

func checkS3ACLNoPublic(c *check, _ *Settings) {
	c.cannedACL(c.prop("acl"))
	switch c.r.Type {
	case typeBucketACL:
		acp := c.prop("accessControlPolicy")
		c.aclGrants(acp.get("grants"), "grantee", acp.at("owner", "id"))
	case typeBucket, typeBucketV2:
		c.aclGrants(c.prop("grants"), "", val{st: absent, path: "owner"})
	}
}

func (c *check) cannedACL(acl val) {
	v, st := acl.str()
	switch {
	case st == unknown:
		c.unverified(acl)
	case st == known && slices.ContainsFunc(publicCannedACLs, func(p string) bool { return strings.EqualFold(p, strings.TrimSpace(v)) }):
		shown := " (" + v + ")"
		if acl.secret() {
			shown = ""
		}
		c.violation(fmt.Sprintf("%s is a public canned ACL%s, which opens it to every AWS user or to anyone", acl.path, shown), aclFix)
	}
}

// aclGrants checks grants; granteeKey is the object inside each grant that
// holds the grantee (BucketAclV2), or "" when the grant holds it itself.
func (c *check) aclGrants(grants val, granteeKey string, owner val) {
	items, st := grants.items()
	if st == unknown {
		c.unverified(grants)
		return
	}
	for _, g := range items {
		grantee := g
		if granteeKey != "" {
			grantee = g.get(granteeKey)
		}
		kind, kst := grantee.get("type").str()
		if kst == unknown {
			c.unverified(grantee.get("type"))
			continue
		}
		switch {
		case strings.EqualFold(kind, "Group"):
			uri, ust := grantee.get("uri").str()
			switch {
			case ust == unknown:
				c.unverified(grantee.get("uri"))
			case hasGroupSuffix(uri, "AllUsers"):
				c.violation(fmt.Sprintf("%s grants to the AllUsers group: anyone on the internet", g.path), aclFix)
			case hasGroupSuffix(uri, "AuthenticatedUsers"):
				c.violation(fmt.Sprintf("%s grants to the AuthenticatedUsers group: any AWS account", g.path), aclFix)
			}
			// LogDelivery is S3 server access log delivery.
		case strings.EqualFold(kind, "AmazonCustomerByEmail"):
			c.violation(fmt.Sprintf("%s grants to an AWS account by its e-mail address, another account", g.path), aclFix)
		case strings.EqualFold(kind, "CanonicalUser"):
			id, ist := grantee.get("id").str()
			ownerID, ost := owner.str()
			switch {
			case ist == unknown:
				c.unverified(grantee.get("id"))
			case ost == unknown:
				c.unverified(owner)
			case ost == known && ist == known && id == ownerID:
				// The bucket owner itself.
			case ost == known:
				c.violation(fmt.Sprintf("%s grants to a canonical user other than the owner, another account", g.path), aclFix)
			default:
				c.undecided(grants.path, fmt.Sprintf("%s grants to a canonical user, and without an ACL owner id whether it is the bucket owner cannot be decided. Fix: %s", g.path, aclFix))
			}
		}
	}
}

// hasGroupSuffix matches an S3 predefined group URI, such as
// http://acs.amazonaws.com/groups/global/AllUsers.
func hasGroupSuffix(uri, group string) bool {
	u := strings.ToLower(strings.TrimSpace(uri))
	return strings.Contains(u, "acs.amazonaws.com/groups/") && strings.HasSuffix(u, "/"+strings.ToLower(group))
}
