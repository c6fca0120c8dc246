package network

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/components/scope"
)

// DNS firewall priorities: the allow rule is decided first, the block-all
// rule catches everything else.
const (
	allowRulePriority     = 100
	blockRulePriority     = 200
	firewallAssocPriority = 101 // AWS reserves 100 and below, and 9900 and above
)

// AllowedDomains is the DNS firewall's allow-list: AWS's service names in
// the scope's partition (every API and endpoint the platform calls,
// including S3 and the EMR and Amazon Linux package repositories), the
// VPC's own EC2 host names and reverse lookups of its addresses (which
// Hadoop and Spark do for every node), and the extra names given.
//
// What this cannot stop: a name under amazonaws.com is answered by AWS's
// own resolvers, so a lookup of "<data>.s3.amazonaws.com" reaches AWS, not
// a server of the attacker's; but anyone at AWS able to read those query
// logs could. Queries are logged.
func AllowedDomains(s scope.Scope, vpcCIDR netip.Prefix, extra []string) []string {
	suffix := "amazonaws.com"
	if strings.HasPrefix(s.Partition, "aws-cn") {
		suffix = "amazonaws.com.cn"
	}
	internal := s.Region + ".compute.internal"
	if s.Region == "us-east-1" {
		internal = "ec2.internal"
	}
	domains := []string{"*." + suffix, "*." + internal, "*." + reverseZone(vpcCIDR)}
	domains = append(domains, extra...)
	slices.Sort(domains)
	return slices.Compact(domains)
}

// reverseZone is the in-addr.arpa zone of the VPC's /16 (every platform
// CIDR is /16 to /22, so it lies inside it).
func reverseZone(p netip.Prefix) string {
	b := p.Masked().Addr().As4()
	return fmt.Sprintf("%d.%d.in-addr.arpa", b[1], b[0])
}

// addDNSFirewall puts a Route 53 Resolver DNS firewall on the VPC: the
// allow-list is answered, every other name gets NXDOMAIN, the firewall
// fails closed, and every query is logged to an encrypted log group.
func addDNSFirewall(ctx *pulumi.Context, name string, args *Args, vpc *ec2.Vpc, vpcPrefix netip.Prefix,
	parent pulumi.ResourceOption,
) (*dnsFirewall, error) {
	allowed, err := route53.NewResolverFirewallDomainList(ctx, name+"-dns-allowed", &route53.ResolverFirewallDomainListArgs{
		Name:    pulumi.String(args.Name("dns-allowed")),
		Domains: pulumi.ToStringArray(AllowedDomains(args.Scope, vpcPrefix, args.AllowedDomains)),
	}, parent)
	if err != nil {
		return nil, err
	}
	everything, err := route53.NewResolverFirewallDomainList(ctx, name+"-dns-everything", &route53.ResolverFirewallDomainListArgs{
		Name:    pulumi.String(args.Name("dns-everything")),
		Domains: pulumi.StringArray{pulumi.String("*")},
	}, parent)
	if err != nil {
		return nil, err
	}
	group, err := route53.NewResolverFirewallRuleGroup(ctx, name+"-dns", &route53.ResolverFirewallRuleGroupArgs{
		Name: pulumi.String(args.Name("dns-firewall")),
	}, parent)
	if err != nil {
		return nil, err
	}
	allowRule, err := route53.NewResolverFirewallRule(ctx, name+"-dns-allow", &route53.ResolverFirewallRuleArgs{
		Name:                 pulumi.String("allow-aws-and-platform-names"),
		FirewallRuleGroupId:  group.ID(),
		FirewallDomainListId: allowed.ID(),
		Priority:             pulumi.Int(allowRulePriority),
		Action:               pulumi.String("ALLOW"),
	}, parent)
	if err != nil {
		return nil, err
	}
	blockRule, err := route53.NewResolverFirewallRule(ctx, name+"-dns-block", &route53.ResolverFirewallRuleArgs{
		Name:                 pulumi.String("block-everything-else"),
		FirewallRuleGroupId:  group.ID(),
		FirewallDomainListId: everything.ID(),
		Priority:             pulumi.Int(blockRulePriority),
		Action:               pulumi.String("BLOCK"),
		BlockResponse:        pulumi.String("NXDOMAIN"),
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := route53.NewResolverFirewallRuleGroupAssociation(ctx, name+"-dns", &route53.ResolverFirewallRuleGroupAssociationArgs{
		Name:                pulumi.String(args.Name("dns-firewall")),
		FirewallRuleGroupId: group.ID(),
		VpcId:               vpc.ID(),
		Priority:            pulumi.Int(firewallAssocPriority),
		// Nobody may add a rule group of a higher priority that answers
		// what this one blocks, short of removing this association.
		MutationProtection: pulumi.String("ENABLED"),
	}, parent, pulumi.DependsOn([]pulumi.Resource{allowRule, blockRule})); err != nil {
		return nil, err
	}
	// If the firewall cannot answer, queries fail rather than pass.
	if _, err := route53.NewResolverFirewallConfig(ctx, name+"-dns", &route53.ResolverFirewallConfigArgs{
		ResourceId:       vpc.ID(),
		FirewallFailOpen: pulumi.String("DISABLED"),
	}, parent); err != nil {
		return nil, err
	}

	logGroup, err := cloudwatch.NewLogGroup(ctx, name+"-dns-queries", &cloudwatch.LogGroupArgs{
		Name:            pulumi.Sprintf("/%s/dns-queries", args.Prefix),
		KmsKeyId:        args.LogsKMSKeyArn,
		RetentionInDays: pulumi.Int(args.LogRetentionDays),
	}, parent)
	if err != nil {
		return nil, err
	}
	deliveryPolicy := logGroup.Arn.ApplyT(func(arn string) (string, error) {
		return QueryLogDeliveryPolicy(args.Scope, arn).JSON()
	}).(pulumi.StringOutput)
	resourcePolicy, err := cloudwatch.NewLogResourcePolicy(ctx, name+"-dns-queries", &cloudwatch.LogResourcePolicyArgs{
		PolicyName:     pulumi.String(args.Name("dns-query-logs")),
		PolicyDocument: deliveryPolicy,
	}, parent)
	if err != nil {
		return nil, err
	}
	queryLogs, err := route53.NewResolverQueryLogConfig(ctx, name+"-dns", &route53.ResolverQueryLogConfigArgs{
		Name:           pulumi.String(args.Name("dns-queries")),
		DestinationArn: logGroup.Arn,
	}, parent, pulumi.DependsOn([]pulumi.Resource{resourcePolicy}))
	if err != nil {
		return nil, err
	}
	if _, err := route53.NewResolverQueryLogConfigAssociation(ctx, name+"-dns", &route53.ResolverQueryLogConfigAssociationArgs{
		ResolverQueryLogConfigId: queryLogs.ID(),
		ResourceId:               vpc.ID(),
	}, parent); err != nil {
		return nil, err
	}
	return &dnsFirewall{ruleGroupID: group.ID().ToStringOutput(), queryLogGroupName: logGroup.Name}, nil
}

type dnsFirewall struct {
	ruleGroupID       pulumi.StringOutput
	queryLogGroupName pulumi.StringOutput
}

// QueryLogDeliveryPolicy lets the log delivery service, acting for this
// account, write Route 53 Resolver query logs into the one log group.
func QueryLogDeliveryPolicy(s scope.Scope, logGroupArn string) iamdoc.Document {
	return iamdoc.New(iamdoc.Statement{
		Sid:       "ResolverQueryLogDelivery",
		Effect:    iamdoc.Allow,
		Principal: iamdoc.Services("delivery.logs.amazonaws.com"),
		Action:    iamdoc.Strings{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resource:  iamdoc.Strings{logGroupArn + ":*"},
		Condition: iamdoc.Condition{
			"StringEquals": {"aws:SourceAccount": {s.AccountID}},
			"ArnLike":      {"aws:SourceArn": {s.ARN("logs", "*")}},
		},
	})
}
