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
	"github.com/aifactory/platform/internal/mocktest"
)

func args() *network.Args {
	return &network.Args{
		Scope:                scopetest.Dev(),
		CIDR:                 "10.10.0.0/16",
		AvailabilityZones:    []string{"eu-west-1a", "eu-west-1b"},
		AllowedBucketArns:    []string{"arn:aws:s3:::aifactory-dev-*"},
		FlowLogsKMSKeyArn:    pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/logs"),
		FlowLogRetentionDays: 30,
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
		"com.amazonaws.eu-west-1.elasticmapreduce", "com.amazonaws.eu-west-1.states"} {
		assert.True(t, services[want], "missing endpoint %s", want)
	}
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
		{"unencrypted flow logs", func(a *network.Args) { a.FlowLogsKMSKeyArn = nil }, "FlowLogsKMSKeyArn"},
		{"no retention", func(a *network.Args) { a.FlowLogRetentionDays = 0 }, "FlowLogRetentionDays"},
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
