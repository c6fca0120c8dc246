package rules_test

import (
	"testing"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/policy/rules"
)

func TestResourcePolicyControls(t *testing.T) { runCases(t, resourcePolicyCases()) }

// withAccounts configures the environment's accounts.
func withAccounts(ids ...string) func(*rules.Settings) {
	return func(s *rules.Settings) { s.AccountIDs = ids }
}

// resourcePolicyCases are the cases of the side-door controls of
// resourcepolicy.go: vpc-endpoint-policy, resource-policy-no-public and
// s3-acl-no-public.
func resourcePolicyCases() []controlCase {
	var cases []controlCase
	add := func(c ...controlCase) { cases = append(cases, c...) }

	apArn := "arn:aws:s3:eu-west-1:" + account + ":accesspoint/dev-team-a"
	teamRole := "arn:aws:iam::" + account + ":role/aifactory-dev-team-a"
	bucketPolicy := func(policy any) rules.Resource {
		return res(tBucketPolicy, "data", map[string]any{"bucket": computed, "policy": policy})
	}
	keyWith := func(policy any) rules.Resource {
		return res(tKey, "data", map[string]any{"enableKeyRotation": true, "policy": policy})
	}
	rootOf := func(acct string) string {
		return doc(iamdoc.Statement{Sid: "AccountAdministersKey", Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals("arn:aws:iam::" + acct + ":root"),
			Action: iamdoc.Strings{"kms:*"}, Resource: iamdoc.Strings{"*"}})
	}
	publicRead := doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"s3:GetObject"}, Resource: iamdoc.Strings{"arn:aws:s3:::aifactory-dev-data/*"}})
	delegate := doc(
		iamdoc.Statement{Sid: "DenyInsecureTransport", Effect: iamdoc.Deny, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"s3:*"},
			Resource:  iamdoc.Strings{"arn:aws:s3:::aifactory-dev-data", "arn:aws:s3:::aifactory-dev-data/*"},
			Condition: iamdoc.Condition{"Bool": {"aws:SecureTransport": {"false"}}}},
		iamdoc.Statement{Sid: "DelegateToAccessPoints", Effect: iamdoc.Allow, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"s3:GetObject", "s3:ListBucket"},
			Resource: iamdoc.Strings{"arn:aws:s3:::aifactory-dev-data", "arn:aws:s3:::aifactory-dev-data/*"},
			Condition: iamdoc.Condition{"StringEquals": {"s3:DataAccessPointAccount": {account}},
				"ArnLike": {"s3:DataAccessPointArn": {"arn:aws:s3:eu-west-1:" + account + ":accesspoint/dev-*"}}}},
		iamdoc.Statement{Sid: "AllowServerAccessLogDelivery", Effect: iamdoc.Allow, Principal: iamdoc.Services("logging.s3.amazonaws.com"),
			Action: iamdoc.Strings{"s3:PutObject"}, Resource: iamdoc.Strings{"arn:aws:s3:::aifactory-dev-data/logs/*"},
			Condition: iamdoc.Condition{"ArnLike": {"aws:SourceArn": {"arn:aws:s3:::aifactory-dev-models"}}, "StringEquals": {"aws:SourceAccount": {account}}}},
	)
	perimeter := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::aifactory-dev-data/*"},` +
		`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"` + account + `"}}}]}`
	add(
		controlCase{control: "resource-policy-no-public", name: "TLS deny, access point delegation and log delivery", want: pass,
			resources: one(bucketPolicy(delegate))},
		controlCase{control: "resource-policy-no-public", name: "Deny outside the account (data perimeter form)", want: pass,
			resources: one(bucketPolicy(perimeter))},
		controlCase{control: "resource-policy-no-public", name: "key administered by the configured account", want: pass, settings: withAccounts(account),
			resources: one(keyWith(rootOf(account)))},
		controlCase{control: "resource-policy-no-public", name: "access point policy of its own account's role", want: pass,
			resources: one(res(tAPPolicy, "team-a", map[string]any{"accessPointArn": apArn, "policy": doc(iamdoc.Statement{
				Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals(teamRole), Action: iamdoc.Strings{"s3:GetObject"}, Resource: iamdoc.Strings{apArn + "/object/teams/team-a/*"}})}))},
		controlCase{control: "resource-policy-no-public", name: "queue policy for a topic of the account", want: pass,
			resources: one(res(tQueuePolicy, "jobs", map[string]any{"queueUrl": "https://sqs.eu-west-1.amazonaws.com/" + account + "/jobs", "policy": doc(iamdoc.Statement{
				Effect: iamdoc.Allow, Principal: iamdoc.Services("sns.amazonaws.com"), Action: iamdoc.Strings{"sqs:SendMessage"},
				Resource:  iamdoc.Strings{"arn:aws:sqs:eu-west-1:" + account + ":jobs"},
				Condition: iamdoc.Condition{"ArnEquals": {"aws:SourceArn": {"arn:aws:sns:eu-west-1:" + account + ":alerts"}}}})}))},
		controlCase{control: "resource-policy-no-public", name: "topic policy naming the topic's account", want: pass,
			resources: one(res(tTopicPolicy, "alerts", map[string]any{"arn": "arn:aws:sns:eu-west-1:" + account + ":alerts", "policy": doc(iamdoc.Statement{
				Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals(account), Action: iamdoc.Strings{"sns:Publish"}, Resource: iamdoc.Strings{"arn:aws:sns:eu-west-1:" + account + ":alerts"}})}))},
		controlCase{control: "resource-policy-no-public", name: "repository shared within the organisation", want: pass,
			resources: one(res(tRepoPolicy, "optimiser", map[string]any{"repository": "optimiser", "policy": doc(iamdoc.Statement{
				Effect: iamdoc.Allow, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"},
				Condition: iamdoc.Condition{"StringEquals": {"aws:PrincipalOrgID": {"o-a1b2c3d4e5"}}}})}))},
		controlCase{control: "resource-policy-no-public", name: "CloudWatch Logs tied to the account's log groups", want: pass, settings: withAccounts(account),
			resources: one(keyWith(doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Services("logs.eu-west-1.amazonaws.com"),
				Action: iamdoc.Strings{"kms:Encrypt*", "kms:Decrypt*"}, Resource: iamdoc.Strings{"*"},
				Condition: iamdoc.Condition{"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {"arn:aws:logs:eu-west-1:" + account + ":log-group:*"}}}})))},
		controlCase{control: "resource-policy-no-public", name: "Fargate tied to the account's clusters", want: pass, settings: withAccounts(account),
			resources: one(keyWith(doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Services("fargate.amazonaws.com"),
				Action: iamdoc.Strings{"kms:GenerateDataKeyWithoutPlaintext"}, Resource: iamdoc.Strings{"*"},
				Condition: iamdoc.Condition{"StringEquals": {"kms:EncryptionContext:aws:ecs:clusterAccount": {account}}}})))},
		controlCase{control: "resource-policy-no-public", name: "Fargate for another account's clusters", want: violation, contains: "fargate.amazonaws.com", settings: withAccounts(account),
			resources: one(keyWith(doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Services("fargate.amazonaws.com"),
				Action: iamdoc.Strings{"kms:GenerateDataKeyWithoutPlaintext"}, Resource: iamdoc.Strings{"*"},
				Condition: iamdoc.Condition{"StringEquals": {"kms:EncryptionContext:aws:ecs:clusterAccount": {otherAccount}}}})))},
		controlCase{control: "resource-policy-no-public", name: "log delivery tied to the account's log groups", want: pass, settings: withAccounts(account),
			resources: one(keyWith(doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Services("delivery.logs.amazonaws.com"),
				Action: iamdoc.Strings{"kms:Decrypt"}, Resource: iamdoc.Strings{"*"},
				Condition: iamdoc.Condition{"StringEquals": {"kms:EncryptionContext:SourceArn": {"arn:aws:logs:eu-west-1:" + account + ":*"}}}})))},
		controlCase{control: "resource-policy-no-public", name: "no policy", want: pass, resources: one(res(tTopic, "alerts", map[string]any{"kmsMasterKeyId": keyARN}))},

		controlCase{control: "resource-policy-no-public", name: "public read", want: violation, contains: "statement 0 allows any principal (*) without a limiting condition",
			resources: one(bucketPolicy(publicRead))},
		controlCase{control: "resource-policy-no-public", name: "statement object, AWS star, lower-case action", want: violation, contains: "any principal (*)",
			resources: one(res(tQueue, "jobs", map[string]any{"policy": `{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"SQS:sendmessage","Resource":"arn:aws:sqs:eu-west-1:` + account + `:jobs"}}`}))},
		controlCase{control: "resource-policy-no-public", name: "legacy bucket's inline policy", want: violation, contains: "any principal (*)",
			resources: one(res(tBucket, "legacy", map[string]any{"policy": publicRead}))},
		controlCase{control: "resource-policy-no-public", name: "NotPrincipal", want: violation, contains: "NotPrincipal",
			resources: one(res(tTopic, "alerts", map[string]any{"policy": `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"` + account + `"},"Action":"sns:Publish","Resource":"*"}]}`}))},
		controlCase{control: "resource-policy-no-public", name: "wildcard condition value", want: violation, contains: "without a limiting condition",
			resources: one(bucketPolicy(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"aws:PrincipalAccount":"*"}}}]}`))},
		controlCase{control: "resource-policy-no-public", name: "IfExists condition", want: violation, contains: "without a limiting condition",
			resources: one(bucketPolicy(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}]}`))},
		controlCase{control: "resource-policy-no-public", name: "key administered by another account", want: violation, contains: "another AWS account", settings: withAccounts(account),
			resources: one(keyWith(rootOf(otherAccount)))},
		controlCase{control: "resource-policy-no-public", name: "access point policy for another account's role", want: violation, contains: "another AWS account",
			resources: one(res(tAPPolicy, "team-a", map[string]any{"accessPointArn": apArn, "policy": doc(iamdoc.Statement{
				Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals("arn:aws:iam::" + otherAccount + ":role/x"), Action: iamdoc.Strings{"s3:GetObject"}, Resource: iamdoc.Strings{apArn + "/object/*"}})}))},
		controlCase{control: "resource-policy-no-public", name: "service without a source condition", want: violation, contains: "sns.amazonaws.com without aws:SourceAccount or aws:SourceArn",
			resources: one(res(tQueuePolicy, "jobs", map[string]any{"queueUrl": computed, "policy": doc(iamdoc.Statement{
				Effect: iamdoc.Allow, Principal: iamdoc.Services("sns.amazonaws.com"), Action: iamdoc.Strings{"sqs:SendMessage"}, Resource: iamdoc.Strings{"*"}})}))},
		controlCase{control: "resource-policy-no-public", name: "condition naming another account", want: violation, contains: "without a limiting condition", settings: withAccounts(account),
			resources: one(res(tRepoPolicy, "optimiser", map[string]any{"repository": "optimiser", "policy": doc(iamdoc.Statement{
				Effect: iamdoc.Allow, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"ecr:BatchGetImage"},
				Condition: iamdoc.Condition{"StringEquals": {"aws:PrincipalAccount": {otherAccount}}}})}))},
		controlCase{control: "resource-policy-no-public", name: "not a policy document", want: violation, contains: "not a valid policy document",
			resources: one(bucketPolicy(`{"Statement":[{"Effect":"Permit","Principal":"*","Action":"s3:*"}]}`))},
		controlCase{control: "resource-policy-no-public", name: "policy computed", want: unverified, contains: "policy is computed",
			resources: one(bucketPolicy(computed))},
		controlCase{control: "resource-policy-no-public", name: "account of a key principal without accountIds", want: unverified, contains: "accountIds",
			resources: one(keyWith(rootOf(account)))},
	)

	endpoint := func(kind any, policy any) rules.Resource {
		return res(tEndpoint, "sts", map[string]any{"vpcEndpointType": kind, "privateDnsEnabled": true, "policy": policy, "vpcId": computed})
	}
	accountOnly := doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"*"}, Resource: iamdoc.Strings{"*"},
		Condition: iamdoc.Condition{"StringEquals": {"aws:PrincipalAccount": {account}}}})
	fullAccess := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
	add(
		controlCase{control: "vpc-endpoint-policy", name: "interface endpoint for the account's principals", want: pass, resources: one(endpoint("Interface", accountOnly))},
		controlCase{control: "vpc-endpoint-policy", name: "configured account", want: pass, settings: withAccounts(account), resources: one(endpoint("Interface", accountOnly))},
		controlCase{control: "vpc-endpoint-policy", name: "gateway endpoint naming buckets", want: pass,
			resources: one(endpoint("Gateway", doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Anyone(), Action: iamdoc.Strings{"s3:GetObject"},
				Resource: iamdoc.Strings{"arn:aws:s3:::repo.eu-west-1.emr.amazonaws.com/*"}})))},
		controlCase{control: "vpc-endpoint-policy", name: "Gateway Load Balancer endpoints take no policy", want: pass, resources: one(endpoint("GatewayLoadBalancer", nil))},
		controlCase{control: "vpc-endpoint-policy", name: "separate endpoint policy within the organisation", want: pass,
			resources: one(res(tEndpointPolicy, "sts", map[string]any{"vpcEndpointId": computed, "policy": doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.Anyone(),
				Action: iamdoc.Strings{"sts:AssumeRole"}, Resource: iamdoc.Strings{"*"}, Condition: iamdoc.Condition{"StringEquals": {"aws:PrincipalOrgID": {"o-a1b2c3d4e5"}}}})}))},

		controlCase{control: "vpc-endpoint-policy", name: "interface endpoint without a policy", want: violation, contains: "an interface endpoint without a policy",
			resources: one(endpoint("Interface", nil))},
		controlCase{control: "vpc-endpoint-policy", name: "gateway endpoint without a policy", want: violation, contains: "a gateway endpoint without a policy",
			resources: one(endpoint(nil, nil))},
		controlCase{control: "vpc-endpoint-policy", name: "explicit full access on an interface endpoint", want: violation, contains: "any principal (*) without a limiting condition",
			resources: one(endpoint("Interface", fullAccess))},
		controlCase{control: "vpc-endpoint-policy", name: "full access on a gateway endpoint", want: violation, contains: "the full-access default",
			resources: one(endpoint("Gateway", fullAccess))},
		controlCase{control: "vpc-endpoint-policy", name: "source VPC endpoint limits nothing in an endpoint policy", want: violation, contains: "without a limiting condition",
			resources: one(endpoint("Interface", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}]}`))},
		controlCase{control: "vpc-endpoint-policy", name: "another account's principals", want: violation, contains: "another AWS account", settings: withAccounts(account),
			resources: one(endpoint("Interface", doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals(otherAccount), Action: iamdoc.Strings{"*"}, Resource: iamdoc.Strings{"*"}})))},
		controlCase{control: "vpc-endpoint-policy", name: "policy computed", want: unverified, contains: "policy is computed",
			resources: one(endpoint("Interface", computed))},
		controlCase{control: "vpc-endpoint-policy", name: "type computed", want: unverified, contains: "vpcEndpointType",
			resources: one(endpoint(computed, nil))},
		controlCase{control: "vpc-endpoint-policy", name: "principal accounts without accountIds", want: unverified, contains: "accountIds is not configured",
			resources: one(endpoint("Interface", doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals(account), Action: iamdoc.Strings{"*"}, Resource: iamdoc.Strings{"*"}})))},
	)

	const allUsers = "http://acs.amazonaws.com/groups/global/AllUsers"
	const owner = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
	aclV2 := func(grants ...any) rules.Resource {
		return res(tBucketACL, "data", map[string]any{"bucket": computed, "accessControlPolicy": map[string]any{
			"owner": map[string]any{"id": owner}, "grants": grants}})
	}
	grant := func(kind, id, uri string) map[string]any {
		g := map[string]any{"type": kind}
		if id != "" {
			g["id"] = id
		}
		if uri != "" {
			g["uri"] = uri
		}
		return map[string]any{"grantee": g, "permission": "READ"}
	}
	add(
		controlCase{control: "s3-acl-no-public", name: "private canned ACL", want: pass, resources: one(res(tBucketACL, "data", map[string]any{"bucket": computed, "acl": "private"}))},
		controlCase{control: "s3-acl-no-public", name: "owner and log delivery", want: pass,
			resources: one(aclV2(grant("CanonicalUser", owner, ""), grant("Group", "", "http://acs.amazonaws.com/groups/s3/LogDelivery")))},
		controlCase{control: "s3-acl-no-public", name: "private object", want: pass, resources: one(res(tBucketObject, "readme", map[string]any{"bucket": computed, "key": "README", "acl": "private"}))},
		controlCase{control: "s3-acl-no-public", name: "legacy bucket without ACL settings", want: pass, resources: one(res(tBucket, "legacy", map[string]any{"bucket": "aifactory-dev-legacy"}))},

		controlCase{control: "s3-acl-no-public", name: "public-read", want: violation, contains: `acl is a public canned ACL (public-read)`,
			resources: one(res(tBucketACL, "data", map[string]any{"bucket": computed, "acl": "public-read"}))},
		controlCase{control: "s3-acl-no-public", name: "AllUsers grant", want: violation, contains: "AllUsers group",
			resources: one(aclV2(grant("CanonicalUser", owner, ""), grant("Group", "", allUsers)))},
		controlCase{control: "s3-acl-no-public", name: "AuthenticatedUsers grant", want: violation, contains: "any AWS account",
			resources: one(aclV2(grant("Group", "", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")))},
		controlCase{control: "s3-acl-no-public", name: "another canonical user", want: violation, contains: "other than the owner",
			resources: one(aclV2(grant("CanonicalUser", "be2fe74ed7e8125d89fe9e0a7cf8125d8da8e0ec9d9edfd6e09d98eacf8f8d52", "")))},
		controlCase{control: "s3-acl-no-public", name: "grant by e-mail", want: violation, contains: "e-mail address",
			resources: one(aclV2(map[string]any{"grantee": map[string]any{"type": "AmazonCustomerByEmail", "emailAddress": "someone@example.com"}, "permission": "READ"}))},
		controlCase{control: "s3-acl-no-public", name: "legacy bucket's canned ACL", want: violation, contains: "public-read-write",
			resources: one(res(tBucket, "legacy", map[string]any{"acl": "public-read-write"}))},
		controlCase{control: "s3-acl-no-public", name: "legacy bucket's grant to everyone", want: violation, contains: "AllUsers group",
			resources: one(res(tBucket, "legacy", map[string]any{"grants": []any{map[string]any{"type": "Group", "uri": allUsers, "permissions": []string{"READ"}}}}))},
		controlCase{control: "s3-acl-no-public", name: "public object", want: violation, contains: "public canned ACL",
			resources: one(res(tBucketObject, "readme", map[string]any{"bucket": computed, "key": "README", "acl": "public-read"}))},
		controlCase{control: "s3-acl-no-public", name: "ACL computed", want: unverified, contains: "acl is computed",
			resources: one(res(tBucketACL, "data", map[string]any{"bucket": computed, "acl": computed}))},
		controlCase{control: "s3-acl-no-public", name: "owner computed", want: unverified, contains: "accessControlPolicy.owner.id",
			resources: one(res(tBucketACL, "data", map[string]any{"bucket": computed, "accessControlPolicy": map[string]any{
				"owner": map[string]any{"id": computed}, "grants": []any{grant("CanonicalUser", owner, "")}}}))},
		controlCase{control: "s3-acl-no-public", name: "legacy canonical grant without an owner id", want: unverified, contains: "whether it is the bucket owner cannot be decided",
			resources: one(res(tBucket, "legacy", map[string]any{"grants": []any{map[string]any{"type": "CanonicalUser", "id": owner, "permissions": []string{"FULL_CONTROL"}}}}))},
	)
	return cases
}
