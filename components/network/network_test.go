package network_test

import (
	"net/netip"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope/scopetest"
	"github.com/aifactory/platform/internal/iameval"
	"github.com/aifactory/platform/internal/mocktest"
)

func args() *network.Args {
	return &network.Args{
		Scope:                 scopetest.Dev(),
		CIDR:                  "10.10.0.0/16",
		AvailabilityZones:     []string{"eu-west-1a", "eu-west-1b"},
		AllowedBucketArns:     []string{"arn:aws:s3:::aifactory-dev-*"},
		LogsKMSKeyArn:         pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/logs"),
		LogRetentionDays:      30,
		ImageRegistryAccounts: []string{"763104351884"},
	}
}

func build(t *testing.T, a *network.Args) *mocktest.Mocks {
	t.Helper()
	m, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
		_, err := network.New(ctx, "network", a)
		return err
	})
	require.NoError(t, err)
	return m
}

func TestNoInternetPathByDefault(t *testing.T) {
	m := build(t, args())
	for _, typ := range []string{"aws:ec2/internetGateway:InternetGateway", "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip", "aws:ec2/route:Route"} {
		assert.Empty(t, m.OfType(typ), typ)
	}
	for _, rt := range m.OfType("aws:ec2/routeTable:RouteTable") {
		assert.False(t, rt.Has("routes"), "route table %s must have no routes besides local", rt.Name)
	}
	subnets := m.OfType("aws:ec2/subnet:Subnet")
	require.Len(t, subnets, 2)
	zones := map[string]bool{}
	for _, s := range subnets {
		assert.False(t, s.Bool("mapPublicIpOnLaunch"), s.Name)
		assert.Equal(t, "true", s.Tags()[network.EMRManagedPoliciesTag], "EMR can only launch into tagged subnets")
		zones[s.Str("availabilityZone")] = true
	}
	assert.Len(t, zones, 2, "one private subnet per availability zone")
}

func TestInternetEgressOnlyWhenAsked(t *testing.T) {
	a := args()
	a.AllowInternetEgress = true
	m := build(t, a)
	assert.Len(t, m.OfType("aws:ec2/natGateway:NatGateway"), 1)
	assert.Len(t, m.OfType("aws:ec2/internetGateway:InternetGateway"), 1)
	assert.Len(t, m.OfType("aws:ec2/route:Route"), 2, "each private route table reaches the NAT")
	for _, s := range m.OfType("aws:ec2/subnet:Subnet") {
		assert.False(t, s.Bool("mapPublicIpOnLaunch"), "no subnet hands out public IPs, not even the NAT's")
	}
}

func TestInterfaceEndpointsUsePrivateDNSAndTheEndpointGroup(t *testing.T) {
	m := build(t, args())
	var iface []mocktest.Resource
	for _, ep := range m.OfType("aws:ec2/vpcEndpoint:VpcEndpoint") {
		if ep.Str("vpcEndpointType") == "Interface" {
			iface = append(iface, ep)
		}
	}
	require.Len(t, iface, len(network.DefaultInterfaceEndpoints()))
	services := map[string]bool{}
	for _, ep := range iface {
		assert.True(t, ep.Bool("privateDnsEnabled"), ep.Name)
		assert.Len(t, ep.Inputs["subnetIds"].ArrayValue(), 2, ep.Name)
		assert.Len(t, ep.Inputs["securityGroupIds"].ArrayValue(), 1, ep.Name)
		services[ep.Str("serviceName")] = true
	}
	for _, want := range []string{"com.amazonaws.eu-west-1.sagemaker.api", "aws.sagemaker.eu-west-1.studio", "com.amazonaws.eu-west-1.sts",
		"com.amazonaws.eu-west-1.logs", "com.amazonaws.eu-west-1.ecr.dkr", "com.amazonaws.eu-west-1.kms",
		"com.amazonaws.eu-west-1.elasticmapreduce", "com.amazonaws.eu-west-1.states", "com.amazonaws.eu-west-1.ec2"} {
		assert.True(t, services[want], "missing endpoint %s", want)
	}
}

// interfaceEndpoints returns the interface endpoints by service name.
func interfaceEndpoints(t *testing.T, m *mocktest.Mocks) map[string]iamdoc.Document {
	t.Helper()
	out := map[string]iamdoc.Document{}
	for _, ep := range m.OfType("aws:ec2/vpcEndpoint:VpcEndpoint") {
		if ep.Str("vpcEndpointType") != "Interface" {
			continue
		}
		require.True(t, ep.Has("policy"), "%s keeps AWS's full-access default policy", ep.Name)
		doc, err := iamdoc.Parse(ep.Str("policy"))
		require.NoError(t, err, ep.Name)
		out[ep.Str("serviceName")] = doc
	}
	return out
}

func TestEveryInterfaceEndpointAdmitsOnlyThisAccountsPrincipalsAndResources(t *testing.T) {
	m := build(t, args())
	policies := interfaceEndpoints(t, m)
	require.Len(t, policies, len(network.DefaultInterfaceEndpoints()))
	const own, foreign = "arn:aws:iam::123456789012:role/aifactory-dev-studio-risk", "arn:aws:iam::999999999999:role/attacker"
	for service, doc := range policies {
		t.Run(service, func(t *testing.T) {
			tests := []struct {
				name      string
				principal string
				resource  string
				want      iameval.Effect
			}{
				{"this account's role on this account's resource", own, "arn:aws:logs:eu-west-1:123456789012:log-group:x", iameval.Allowed},
				{"this account's role on an action without a resource", own, "*", iameval.Allowed},
				{"another account's credentials", foreign, "arn:aws:logs:eu-west-1:999999999999:log-group:x", iameval.NotApplicable},
				{"another account's credentials on this account's resource", foreign, "arn:aws:logs:eu-west-1:123456789012:log-group:x", iameval.NotApplicable},
				{"this account's role on another account's resource", own, "arn:aws:sns:eu-west-1:999999999999:exfil", iameval.NotApplicable},
			}
			for _, tt := range tests {
				ctx := iameval.Context{}
				if acct := iameval.AccountOf(tt.resource); acct != "" {
					ctx["aws:ResourceAccount"] = []string{acct}
				}
				got, err := iameval.Document(doc, iameval.Request{Principal: tt.principal, Action: "any:Call", Resource: tt.resource, Context: ctx})
				require.NoError(t, err)
				assert.Equal(t, tt.want, got, tt.name)
			}
		})
	}
	// SageMaker jobs pull AWS's Deep Learning Containers through the ECR endpoints.
	dlc := iameval.Request{Principal: "arn:aws:iam::123456789012:role/aifactory-dev-studio-risk", Action: "ecr:BatchGetImage",
		Resource: "arn:aws:ecr:eu-west-1:763104351884:repository/pytorch-training", Context: iameval.Keys("aws:ResourceAccount", "763104351884")}
	for _, svc := range []string{"com.amazonaws.eu-west-1.ecr.api", "com.amazonaws.eu-west-1.ecr.dkr"} {
		got, err := iameval.Document(policies[svc], dlc)
		require.NoError(t, err)
		assert.Equal(t, iameval.Allowed, got, svc)
	}
	got, err := iameval.Document(policies["com.amazonaws.eu-west-1.logs"], dlc)
	require.NoError(t, err)
	assert.Equal(t, iameval.NotApplicable, got, "only the ECR endpoints reach the image registry's account")
}

func TestEndpointPoliciesAdmitTheOrganisationWhenConfigured(t *testing.T) {
	a := args()
	a.OrganizationID = "o-a1b2c3d4e5"
	m := build(t, a)
	sibling := iameval.Request{Principal: "arn:aws:iam::222222222222:role/ci", Action: "sts:GetCallerIdentity", Resource: "*",
		Context: iameval.Keys("aws:PrincipalOrgID", "o-a1b2c3d4e5")}
	outsider := iameval.Request{Principal: "arn:aws:iam::999999999999:role/x", Action: "sts:GetCallerIdentity", Resource: "*",
		Context: iameval.Keys("aws:PrincipalOrgID", "o-zzzzzzzzzz")}
	for service, doc := range interfaceEndpoints(t, m) {
		got, err := iameval.Document(doc, sibling)
		require.NoError(t, err)
		assert.Equal(t, iameval.Allowed, got, service)
		got, err = iameval.Document(doc, outsider)
		require.NoError(t, err)
		assert.Equal(t, iameval.NotApplicable, got, service)
	}
}

func TestDNSFirewallAnswersOnlyAWSAndPlatformNames(t *testing.T) {
	a := args()
	a.AllowedDomains = []string{"pypi.internal.example.com"}
	m := build(t, a)
	lists := map[string][]string{}
	for _, l := range m.OfType("aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList") {
		var domains []string
		require.NoError(t, l.JSON("domains", &domains))
		lists[l.Name] = domains
	}
	assert.Equal(t, []string{"*.10.10.in-addr.arpa", "*.amazonaws.com", "*.eu-west-1.compute.internal", "pypi.internal.example.com"},
		lists["network-dns-allowed"])
	assert.Equal(t, []string{"*"}, lists["network-dns-everything"])

	rules := map[string]mocktest.Resource{}
	for _, r := range m.OfType("aws:route53/resolverFirewallRule:ResolverFirewallRule") {
		rules[r.Name] = r
		assert.Equal(t, "network-dns-id", r.Str("firewallRuleGroupId"))
	}
	require.Len(t, rules, 2)
	allow, block := rules["network-dns-allow"], rules["network-dns-block"]
	assert.Equal(t, "ALLOW", allow.Str("action"))
	assert.Equal(t, "network-dns-allowed-id", allow.Str("firewallDomainListId"))
	assert.Equal(t, "BLOCK", block.Str("action"))
	assert.Equal(t, "NXDOMAIN", block.Str("blockResponse"))
	assert.Equal(t, "network-dns-everything-id", block.Str("firewallDomainListId"))
	assert.Less(t, allow.Num("priority"), block.Num("priority"), "the allow-list is decided before the block-all rule")

	assoc := m.Named(t, "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation", "network-dns")
	assert.Equal(t, "network-id", assoc.Str("vpcId"))
	assert.Equal(t, "ENABLED", assoc.Str("mutationProtection"))
	cfg := m.Named(t, "aws:route53/resolverFirewallConfig:ResolverFirewallConfig", "network-dns")
	assert.Equal(t, "DISABLED", cfg.Str("firewallFailOpen"), "the firewall fails closed")

	lg := m.Named(t, "aws:cloudwatch/logGroup:LogGroup", "network-dns-queries")
	assert.Equal(t, "/aifactory-dev/dns-queries", lg.Str("name"))
	assert.Equal(t, "arn:aws:kms:eu-west-1:123456789012:key/logs", lg.Str("kmsKeyId"))
	assert.Equal(t, 30.0, lg.Num("retentionInDays"))
	qlc := m.Named(t, "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig", "network-dns")
	assert.Contains(t, qlc.Str("destinationArn"), "network-dns-queries")
	qla := m.Named(t, "aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation", "network-dns")
	assert.Equal(t, "network-id", qla.Str("resourceId"))
	assert.Equal(t, "network-dns-id", qla.Str("resolverQueryLogConfigId"))

	delivery, err := iamdoc.Parse(m.Named(t, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "network-dns-queries").Str("policyDocument"))
	require.NoError(t, err)
	require.Len(t, delivery.Statement, 1)
	assert.Equal(t, iamdoc.Strings{"delivery.logs.amazonaws.com"}, delivery.Statement[0].Principal.Service)
	assert.Equal(t, iamdoc.Strings{mocktest.AccountID}, delivery.Statement[0].Condition["StringEquals"]["aws:SourceAccount"])
}

func TestAllowedDomainsFollowThePartitionAndRegion(t *testing.T) {
	s := scopetest.Dev()
	s.Region, s.Partition = "us-east-1", "aws"
	assert.Contains(t, network.AllowedDomains(s, netip.MustParsePrefix("10.20.0.0/20"), nil), "*.ec2.internal")
	assert.Contains(t, network.AllowedDomains(s, netip.MustParsePrefix("10.20.0.0/20"), nil), "*.20.10.in-addr.arpa")
	s.Region, s.Partition = "cn-north-1", "aws-cn"
	assert.Contains(t, network.AllowedDomains(s, netip.MustParsePrefix("10.20.0.0/16"), nil), "*.amazonaws.com.cn")
}

func TestEndpointSecurityGroupAcceptsOnlyHTTPSFromTheVPC(t *testing.T) {
	m := build(t, args())
	sg := m.Named(t, "aws:ec2/securityGroup:SecurityGroup", "network-endpoints")
	var ingress []struct {
		Protocol   string   `json:"protocol"`
		FromPort   int      `json:"fromPort"`
		ToPort     int      `json:"toPort"`
		CidrBlocks []string `json:"cidrBlocks"`
	}
	require.NoError(t, sg.JSON("ingress", &ingress))
	require.Len(t, ingress, 1)
	assert.Equal(t, "tcp", ingress[0].Protocol)
	assert.Equal(t, 443, ingress[0].FromPort)
	assert.Equal(t, 443, ingress[0].ToPort)
	assert.Equal(t, []string{"10.10.0.0/16"}, ingress[0].CidrBlocks)
	assert.Empty(t, sg.Inputs["egress"].ArrayValue(), "endpoints never open connections")

	def := m.OfType("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
	require.Len(t, def, 1)
	assert.False(t, def[0].Has("ingress"), "the default group stays closed")
	assert.False(t, def[0].Has("egress"), "the default group stays closed")
}

func TestS3GatewayEndpointReachesOnlyPlatformBuckets(t *testing.T) {
	m := build(t, args())
	s3 := m.Named(t, "aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3")
	assert.Equal(t, "Gateway", s3.Str("vpcEndpointType"))
	assert.Len(t, s3.Inputs["routeTableIds"].ArrayValue(), 2)
	doc, err := iamdoc.Parse(s3.Str("policy"))
	require.NoError(t, err)
	for _, st := range doc.Statement {
		assert.Equal(t, iamdoc.Allow, st.Effect)
		assert.False(t, st.Action.Contains("s3:*"), "no blanket s3:* through the endpoint")
		for _, r := range st.Resource {
			assert.NotEqual(t, "*", r)
			assert.NotEqual(t, "arn:aws:s3:::*", r)
		}
	}
	assert.Contains(t, doc.Statement[0].Resource, "arn:aws:s3:::aifactory-dev-*/*")
	var emrRepos bool
	for _, st := range doc.Statement {
		emrRepos = emrRepos || st.Resource.Contains("arn:aws:s3:::repo.eu-west-1.emr.amazonaws.com/*")
		if st.Condition == nil {
			assert.Equal(t, iamdoc.Strings{"s3:GetObject"}, st.Action, "%s: unconditioned statements only read AWS-owned repositories", st.Sid)
		}
	}
	assert.True(t, emrRepos, "EMR nodes reach their package repository")
	assert.Equal(t, iamdoc.Strings{mocktest.AccountID}, doc.Statement[0].Condition["StringEquals"]["aws:PrincipalAccount"])
	assert.Equal(t, iamdoc.Strings{mocktest.AccountID}, doc.Statement[0].Condition["StringEquals"]["s3:ResourceAccount"],
		"a bucket of the same name in another account stays unreachable")
}

func TestFlowLogsGoToAnEncryptedLogGroupWithRetention(t *testing.T) {
	m := build(t, args())
	fl := m.OfType("aws:ec2/flowLog:FlowLog")
	require.Len(t, fl, 1)
	assert.Equal(t, "ALL", fl[0].Str("trafficType"))
	assert.Equal(t, "cloud-watch-logs", fl[0].Str("logDestinationType"))

	lg := m.Named(t, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs")
	assert.Equal(t, "arn:aws:kms:eu-west-1:123456789012:key/logs", lg.Str("kmsKeyId"))
	assert.Equal(t, 30.0, lg.Num("retentionInDays"))

	role := m.Named(t, "aws:iam/role:Role", "network-flow-logs")
	trust, err := iamdoc.Parse(role.Str("assumeRolePolicy"))
	require.NoError(t, err)
	require.Len(t, trust.Statement, 1)
	assert.Equal(t, iamdoc.Strings{"vpc-flow-logs.amazonaws.com"}, trust.Statement[0].Principal.Service)
	assert.NotEmpty(t, trust.Statement[0].Condition["StringEquals"]["aws:SourceAccount"])
}

func TestEveryChildIsParentedToTheComponent(t *testing.T) {
	m := build(t, args())
	for _, r := range m.Resources() {
		if r.Type == "aifactory:network:SecureNetwork" {
			continue
		}
		assert.Contains(t, r.Parent, "aifactory:network:SecureNetwork", "%s %s", r.Type, r.Name)
	}
}

func TestInvalidArgsAreRejectedBeforeAnyResource(t *testing.T) {
	tests := []struct {
		name string
		edit func(*network.Args)
		want string
	}{
		{"one AZ", func(a *network.Args) { a.AvailabilityZones = a.AvailabilityZones[:1] }, "AvailabilityZones"},
		{"bad CIDR", func(a *network.Args) { a.CIDR = "10.0.0.0/8" }, "CIDR"},
		{"every bucket", func(a *network.Args) { a.AllowedBucketArns = []string{"arn:aws:s3:::*"} }, "AllowedBucketArns"},
		{"no buckets", func(a *network.Args) { a.AllowedBucketArns = nil }, "AllowedBucketArns"},
		{"unencrypted logs", func(a *network.Args) { a.LogsKMSKeyArn = nil }, "LogsKMSKeyArn"},
		{"no retention", func(a *network.Args) { a.LogRetentionDays = 0 }, "LogRetentionDays"},
		{"internet in prod", func(a *network.Args) { a.Scope = scopetest.Scope("prod"); a.AllowInternetEgress = true }, "AllowInternetEgress"},
		{"every name allowed", func(a *network.Args) { a.AllowedDomains = []string{"*"} }, "AllowedDomains"},
		{"a top-level domain allowed", func(a *network.Args) { a.AllowedDomains = []string{"*.com"} }, "AllowedDomains"},
		{"a domain with capitals", func(a *network.Args) { a.AllowedDomains = []string{"Repo.Example.com"} }, "AllowedDomains"},
		{"bad registry account", func(a *network.Args) { a.ImageRegistryAccounts = []string{"dlc"} }, "ImageRegistryAccounts"},
		{"bad organisation id", func(a *network.Args) { a.OrganizationID = "org-1" }, "OrganizationID"},
		{"bad prefix", func(a *network.Args) { a.Prefix = "AI Factory" }, "Prefix"},
		{"bad service", func(a *network.Args) { a.InterfaceEndpoints = []string{"S3 API"} }, "InterfaceEndpoints"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			tt.edit(a)
			m, err := mocktest.Run(t, "dev", nil, func(ctx *pulumi.Context) error {
				_, err := network.New(ctx, "network", a)
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, m.Resources())
		})
	}
}

func TestSubnetCarving(t *testing.T) {
	vpc := netip.MustParsePrefix("10.10.0.0/16")
	tests := []struct {
		index int
		want  string
	}{{0, "10.10.0.0/20"}, {1, "10.10.16.0/20"}, {8, "10.10.128.0/20"}, {15, "10.10.240.0/20"}}
	for _, tt := range tests {
		got, err := network.Subnet(vpc, 4, tt.index)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got.String())
	}
	_, err := network.Subnet(vpc, 4, 16)
	assert.Error(t, err)
	_, err = network.Subnet(netip.MustParsePrefix("10.0.0.0/26"), 4, 0)
	assert.ErrorContains(t, err, "/28")
}
