// Package network provides the platform's private network: a VPC whose
// subnets have no route to the internet, VPC endpoints for every AWS API the
// workspaces and the pipeline call (each with a policy that admits only this
// account's principals and resources), a DNS firewall that answers only AWS's
// and the platform's own names, and flow and DNS query logs to encrypted log
// groups.
//
// Nothing leaves the VPC for the public internet unless a stack explicitly
// sets AllowInternetEgress (never in prod), which adds a NAT gateway.
package network

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Type is the component's type token.
const Type = "aifactory:network:SecureNetwork"

// SecureNetwork is the secure network component (aifactory:network:SecureNetwork).
type SecureNetwork struct {
	pulumi.ResourceState

	VpcID                   pulumi.StringOutput      `pulumi:"vpcId"`
	CIDR                    pulumi.StringOutput      `pulumi:"cidr"`
	PrivateSubnetIDs        pulumi.StringArrayOutput `pulumi:"privateSubnetIds"`
	PrivateRouteTableIDs    pulumi.StringArrayOutput `pulumi:"privateRouteTableIds"`
	EndpointSecurityGroupID pulumi.StringOutput      `pulumi:"endpointSecurityGroupId"`
	S3PrefixListID          pulumi.StringOutput      `pulumi:"s3PrefixListId"`
	S3EndpointID            pulumi.StringOutput      `pulumi:"s3EndpointId"`
	InterfaceEndpointIDs    pulumi.StringMapOutput   `pulumi:"interfaceEndpointIds"`
	FlowLogGroupName        pulumi.StringOutput      `pulumi:"flowLogGroupName"`
	FlowLogGroupArn         pulumi.StringOutput      `pulumi:"flowLogGroupArn"`
	// DNSFirewallRuleGroupID is the VPC's DNS firewall rule group and
	// DNSQueryLogGroupName the log group of its resolver query logs.
	DNSFirewallRuleGroupID pulumi.StringOutput `pulumi:"dnsFirewallRuleGroupId"`
	DNSQueryLogGroupName   pulumi.StringOutput `pulumi:"dnsQueryLogGroupName"`
}

// subnetNewBits splits the VPC into 16 equal blocks: up to 6 private and 6
// public subnets with room to spare.
const subnetNewBits = 4

// New creates the network.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*SecureNetwork, error) {
	if args == nil {
		return nil, errors.New("network: args are required")
	}
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("network %q: %w", name, err)
	}
	endpoints := args.InterfaceEndpoints
	if len(endpoints) == 0 {
		endpoints = DefaultInterfaceEndpoints()
	}
	vpcPrefix := netip.MustParsePrefix(args.CIDR).Masked()

	n := &SecureNetwork{}
	if err := ctx.RegisterComponentResource(Type, name, n, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(n)
	nameTag := func(suffix string) pulumi.StringMap {
		return pulumi.StringMap{"Name": pulumi.String(args.Name(suffix))}
	}

	vpc, err := ec2.NewVpc(ctx, name, &ec2.VpcArgs{
		CidrBlock:          pulumi.String(vpcPrefix.String()),
		EnableDnsHostnames: pulumi.Bool(true), // private DNS of interface endpoints needs both
		EnableDnsSupport:   pulumi.Bool(true),
		Tags:               nameTag("vpc"),
	}, parent)
	if err != nil {
		return nil, err
	}

	// The default security group is left with no rules, so nothing that
	// forgets to choose a group gets any traffic.
	if _, err := ec2.NewDefaultSecurityGroup(ctx, name+"-default", &ec2.DefaultSecurityGroupArgs{
		VpcId: vpc.ID(),
		Tags:  nameTag("default-closed"),
	}, parent); err != nil {
		return nil, err
	}

	var subnetIDs, routeTableIDs pulumi.StringArray
	var routeTables []*ec2.RouteTable
	for i, az := range args.AvailabilityZones {
		cidr, err := Subnet(vpcPrefix, subnetNewBits, i)
		if err != nil {
			return nil, err
		}
		subnet, err := ec2.NewSubnet(ctx, fmt.Sprintf("%s-private-%d", name, i), &ec2.SubnetArgs{
			VpcId:               vpc.ID(),
			CidrBlock:           pulumi.String(cidr.String()),
			AvailabilityZone:    pulumi.String(az),
			MapPublicIpOnLaunch: pulumi.Bool(false),
			Tags:                privateSubnetTags(nameTag("private-" + az)),
		}, parent)
		if err != nil {
			return nil, err
		}
		rt, err := ec2.NewRouteTable(ctx, fmt.Sprintf("%s-private-%d", name, i), &ec2.RouteTableArgs{
			VpcId: vpc.ID(),
			Tags:  nameTag("private-" + az),
		}, parent)
		if err != nil {
			return nil, err
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, fmt.Sprintf("%s-private-%d", name, i), &ec2.RouteTableAssociationArgs{
			SubnetId:     subnet.ID(),
			RouteTableId: rt.ID(),
		}, parent); err != nil {
			return nil, err
		}
		subnetIDs = append(subnetIDs, subnet.ID())
		routeTableIDs = append(routeTableIDs, rt.ID())
		routeTables = append(routeTables, rt)
	}

	if args.AllowInternetEgress {
		if err := addInternetEgress(ctx, name, args, vpc, vpcPrefix, routeTables, parent, nameTag); err != nil {
			return nil, err
		}
	}

	s3Policy, err := S3EndpointPolicy(args.Scope, args.AllowedBucketArns).JSON()
	if err != nil {
		return nil, err
	}
	s3Endpoint, err := ec2.NewVpcEndpoint(ctx, name+"-s3", &ec2.VpcEndpointArgs{
		VpcId:           vpc.ID(),
		ServiceName:     pulumi.Sprintf("com.amazonaws.%s.s3", args.Region),
		VpcEndpointType: pulumi.String("Gateway"),
		RouteTableIds:   routeTableIDs,
		Policy:          pulumi.String(s3Policy),
		Tags:            nameTag("s3"),
	}, parent)
	if err != nil {
		return nil, err
	}

	endpointSG, err := ec2.NewSecurityGroup(ctx, name+"-endpoints", &ec2.SecurityGroupArgs{
		VpcId:       vpc.ID(),
		Description: pulumi.String("HTTPS to AWS API endpoints from inside the VPC only"),
		Ingress: ec2.SecurityGroupIngressArray{&ec2.SecurityGroupIngressArgs{
			Description: pulumi.String("HTTPS from the VPC"),
			Protocol:    pulumi.String("tcp"),
			FromPort:    pulumi.Int(443),
			ToPort:      pulumi.Int(443),
			CidrBlocks:  pulumi.StringArray{pulumi.String(vpcPrefix.String())},
		}},
		// Endpoints answer; they never start connections.
		Egress: ec2.SecurityGroupEgressArray{},
		Tags:   nameTag("endpoints"),
	}, parent)
	if err != nil {
		return nil, err
	}

	endpointIDs := pulumi.StringMap{}
	for _, svc := range endpoints {
		doc := InterfaceEndpointPolicy(args.Scope, svc, args.ImageRegistryAccounts)
		if svc == "sagemaker.runtime" {
			doc = RuntimeEndpointPolicy(args.Scope, args.ImageRegistryAccounts, args.RuntimeInvokers)
		}
		policy, err := doc.JSON()
		if err != nil {
			return nil, err
		}

		ep, err := ec2.NewVpcEndpoint(ctx, name+"-"+strings.ReplaceAll(svc, ".", "-"), &ec2.VpcEndpointArgs{
			VpcId:             vpc.ID(),
			ServiceName:       pulumi.String(InterfaceServiceName(args.Region, svc)),
			VpcEndpointType:   pulumi.String("Interface"),
			PrivateDnsEnabled: pulumi.Bool(true),
			SubnetIds:         subnetIDs,
			SecurityGroupIds:  pulumi.StringArray{endpointSG.ID()},
			Policy:            pulumi.String(policy),
			Tags:              nameTag(svc),
		}, parent)
		if err != nil {
			return nil, err
		}
		endpointIDs[svc] = ep.ID()
	}

	logGroup, err := addFlowLogs(ctx, name, args, vpc, parent)
	if err != nil {
		return nil, err
	}
	dns, err := addDNSFirewall(ctx, name, args, vpc, vpcPrefix, parent)
	if err != nil {
		return nil, err
	}

	n.VpcID = vpc.ID().ToStringOutput()
	n.CIDR = vpc.CidrBlock
	n.PrivateSubnetIDs = subnetIDs.ToStringArrayOutput()
	n.PrivateRouteTableIDs = routeTableIDs.ToStringArrayOutput()
	n.EndpointSecurityGroupID = endpointSG.ID().ToStringOutput()
	n.S3PrefixListID = s3Endpoint.PrefixListId
	n.S3EndpointID = s3Endpoint.ID().ToStringOutput()
	n.InterfaceEndpointIDs = endpointIDs.ToStringMapOutput()
	n.FlowLogGroupName = logGroup.Name
	n.FlowLogGroupArn = logGroup.Arn
	n.DNSFirewallRuleGroupID = dns.ruleGroupID
	n.DNSQueryLogGroupName = dns.queryLogGroupName
	if err := ctx.RegisterResourceOutputs(n, pulumi.Map{
		"dnsFirewallRuleGroupId":  n.DNSFirewallRuleGroupID,
		"dnsQueryLogGroupName":    n.DNSQueryLogGroupName,
		"vpcId":                   n.VpcID,
		"cidr":                    n.CIDR,
		"privateSubnetIds":        n.PrivateSubnetIDs,
		"privateRouteTableIds":    n.PrivateRouteTableIDs,
		"endpointSecurityGroupId": n.EndpointSecurityGroupID,
		"s3PrefixListId":          n.S3PrefixListID,
		"s3EndpointId":            n.S3EndpointID,
		"interfaceEndpointIds":    n.InterfaceEndpointIDs,
		"flowLogGroupName":        n.FlowLogGroupName,
		"flowLogGroupArn":         n.FlowLogGroupArn,
	}); err != nil {
		return nil, err
	}
	return n, nil
}

func addInternetEgress(ctx *pulumi.Context, name string, args *Args, vpc *ec2.Vpc, vpcPrefix netip.Prefix,
	privateTables []*ec2.RouteTable, parent pulumi.ResourceOption, nameTag func(string) pulumi.StringMap,
) error {
	igw, err := ec2.NewInternetGateway(ctx, name, &ec2.InternetGatewayArgs{VpcId: vpc.ID(), Tags: nameTag("igw")}, parent)
	if err != nil {
		return err
	}
	publicRT, err := ec2.NewRouteTable(ctx, name+"-public", &ec2.RouteTableArgs{
		VpcId: vpc.ID(),
		Routes: ec2.RouteTableRouteArray{&ec2.RouteTableRouteArgs{
			CidrBlock: pulumi.String("0.0.0.0/0"),
			GatewayId: igw.ID(),
		}},
		Tags: nameTag("public"),
	}, parent)
	if err != nil {
		return err
	}
	// Only the NAT gateway lives in the public subnet; instances never get a
	// public address there either.
	cidr, err := Subnet(vpcPrefix, subnetNewBits, 8)
	if err != nil {
		return err
	}
	public, err := ec2.NewSubnet(ctx, name+"-public-0", &ec2.SubnetArgs{
		VpcId:               vpc.ID(),
		CidrBlock:           pulumi.String(cidr.String()),
		AvailabilityZone:    pulumi.String(args.AvailabilityZones[0]),
		MapPublicIpOnLaunch: pulumi.Bool(false),
		Tags:                nameTag("public-" + args.AvailabilityZones[0]),
	}, parent)
	if err != nil {
		return err
	}
	if _, err := ec2.NewRouteTableAssociation(ctx, name+"-public-0", &ec2.RouteTableAssociationArgs{
		SubnetId: public.ID(), RouteTableId: publicRT.ID(),
	}, parent); err != nil {
		return err
	}
	eip, err := ec2.NewEip(ctx, name+"-nat", &ec2.EipArgs{Domain: pulumi.String("vpc"), Tags: nameTag("nat")}, parent)
	if err != nil {
		return err
	}
	nat, err := ec2.NewNatGateway(ctx, name, &ec2.NatGatewayArgs{
		AllocationId: eip.ID(), SubnetId: public.ID(), Tags: nameTag("nat"),
	}, parent, pulumi.DependsOn([]pulumi.Resource{igw}))
	if err != nil {
		return err
	}
	for i, rt := range privateTables {
		if _, err := ec2.NewRoute(ctx, fmt.Sprintf("%s-private-%d-egress", name, i), &ec2.RouteArgs{
			RouteTableId:         rt.ID(),
			DestinationCidrBlock: pulumi.String("0.0.0.0/0"),
			NatGatewayId:         nat.ID(),
		}, parent); err != nil {
			return err
		}
	}
	return nil
}

func addFlowLogs(ctx *pulumi.Context, name string, args *Args, vpc *ec2.Vpc, parent pulumi.ResourceOption) (*cloudwatch.LogGroup, error) {
	logGroup, err := cloudwatch.NewLogGroup(ctx, name+"-flow-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.Sprintf("/%s/vpc-flow-logs", args.Prefix),
		KmsKeyId:        args.LogsKMSKeyArn,
		RetentionInDays: pulumi.Int(args.LogRetentionDays),
	}, parent)
	if err != nil {
		return nil, err
	}
	trust, err := FlowLogsTrustPolicy(args.Scope).JSON()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(ctx, name+"-flow-logs", &iam.RoleArgs{
		Description:      pulumi.String("Lets VPC Flow Logs deliver to the platform's encrypted log group"),
		AssumeRolePolicy: pulumi.String(trust),
	}, parent)
	if err != nil {
		return nil, err
	}
	policy := logGroup.Arn.ApplyT(func(arn string) (string, error) {
		return FlowLogsDeliveryPolicy(arn).JSON()
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, name+"-flow-logs", &iam.RolePolicyArgs{
		Role:   role.ID(),
		Policy: policy,
	}, parent); err != nil {
		return nil, err
	}
	if _, err := ec2.NewFlowLog(ctx, name, &ec2.FlowLogArgs{
		VpcId:              vpc.ID(),
		TrafficType:        pulumi.String("ALL"),
		LogDestinationType: pulumi.String("cloud-watch-logs"),
		LogDestination:     logGroup.Arn,
		IamRoleArn:         role.Arn,
		Tags:               pulumi.StringMap{"Name": pulumi.String(args.Name("flow-logs"))},
	}, parent); err != nil {
		return nil, err
	}
	return logGroup, nil
}

// EMRManagedPoliciesTag marks resources that EMR's v2 managed policies
// (AmazonEMRServicePolicy_v2) may act on; without it EMR cannot launch
// clusters into the subnet.
const EMRManagedPoliciesTag = "for-use-with-amazon-emr-managed-policies"

func privateSubnetTags(tags pulumi.StringMap) pulumi.StringMap {
	tags[EMRManagedPoliciesTag] = pulumi.String("true")
	return tags
}

// InterfaceServiceName returns the endpoint service name of an AWS API.
func InterfaceServiceName(region, service string) string {
	if service == "studio" {
		return fmt.Sprintf("aws.sagemaker.%s.studio", region)
	}
	return fmt.Sprintf("com.amazonaws.%s.%s", region, service)
}

// Subnet returns the index-th subnet of parent with newBits more prefix bits.
func Subnet(parent netip.Prefix, newBits, index int) (netip.Prefix, error) {
	bits := parent.Bits() + newBits
	if bits > 28 {
		return netip.Prefix{}, fmt.Errorf("subnet of %s with %d more bits is smaller than AWS's /28 minimum", parent, newBits)
	}
	if index < 0 || index >= 1<<newBits {
		return netip.Prefix{}, fmt.Errorf("subnet index %d out of range for %d new bits", index, newBits)
	}
	base := parent.Masked().Addr().As4()
	v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	v += uint32(index) << (32 - bits)
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), bits), nil
}

// maxEndpointPolicyLength is the most characters a VPC endpoint policy may
// have.
const maxEndpointPolicyLength = 20480
