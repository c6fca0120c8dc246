package rules_test

import (
	"testing"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/policy/rules"
)

func TestNetworkControls(t *testing.T) { runCases(t, networkCases()) }

// networkCases are the cases of the Network category: Public access and network (network.go, and the S3 and VPC stack controls in stack.go).
func networkCases() []controlCase {
	var cases []controlCase
	add := func(c ...controlCase) { cases = append(cases, c...) }
	b := compliantBucket("data")

	// s3-public-access-block
	pab := func(flags map[string]any) *rules.Resource {
		r := dependsOn(res(tBucketPAB, "data", with(flags, "bucket", computed)), "bucket", b["bucket"])
		return &r
	}
	allBlocked := map[string]any{"blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": true}
	add(
		controlCase{control: "s3-public-access-block", name: "all four blocks", want: pass, resources: b.list()},
		controlCase{control: "s3-public-access-block", name: "no block", want: violation, contains: "no public access block",
			resources: b.replace("pab", nil).list()},
		controlCase{control: "s3-public-access-block", name: "public buckets allowed", want: violation, contains: "restrictPublicBuckets is not true",
			resources: b.replace("pab", pab(with(allBlocked, "restrictPublicBuckets", false))).list()},
		controlCase{control: "s3-public-access-block", name: "block computed", want: unverified, contains: "blockPublicPolicy",
			resources: b.replace("pab", pab(with(allBlocked, "blockPublicPolicy", computed))).list()},
	)

	// s3-access-point-vpc
	add(
		controlCase{control: "s3-access-point-vpc", name: "VPC origin, AWS-default blocks", want: pass,
			resources: one(res(tAccessPoint, "team-a", map[string]any{"bucket": computed, "vpcConfiguration": map[string]any{"vpcId": computed}}))},
		controlCase{control: "s3-access-point-vpc", name: "internet origin", want: violation, contains: "Internet network origin",
			resources: one(res(tAccessPoint, "team-a", map[string]any{"bucket": "b"}))},
		controlCase{control: "s3-access-point-vpc", name: "public policy allowed", want: violation, contains: "blockPublicPolicy is false",
			resources: one(res(tAccessPoint, "team-a", map[string]any{"vpcConfiguration": map[string]any{"vpcId": "vpc-1"},
				"publicAccessBlockConfiguration": map[string]any{"blockPublicPolicy": false}}))},
		controlCase{control: "s3-access-point-vpc", name: "block computed", want: unverified, contains: "blockPublicAcls",
			resources: one(res(tAccessPoint, "team-a", map[string]any{"vpcConfiguration": map[string]any{"vpcId": "vpc-1"},
				"publicAccessBlockConfiguration": map[string]any{"blockPublicAcls": computed}}))},
	)

	// s3-tls-only
	policyRes := func(policy any) *rules.Resource {
		r := dependsOn(res(tBucketPolicy, "data", map[string]any{"bucket": computed, "policy": policy}), "bucket", b["bucket"])
		return &r
	}
	add(
		controlCase{control: "s3-tls-only", name: "denies insecure transport", want: pass, resources: b.list()},
		controlCase{control: "s3-tls-only", name: "no bucket policy", want: violation, contains: "no bucket policy",
			resources: b.replace("policy", nil).list()},
		controlCase{control: "s3-tls-only", name: "policy without the TLS deny", want: violation, contains: "does not deny requests without TLS",
			resources: b.replace("policy", policyRes(doc(iamdoc.Statement{Effect: iamdoc.Allow, Principal: iamdoc.AWSPrincipals("arn:aws:iam::123456789012:root"),
				Action: iamdoc.Strings{"s3:GetObject"}, Resource: iamdoc.Strings{"arn:aws:s3:::b/*"}}))).list()},
		controlCase{control: "s3-tls-only", name: "policy computed", want: unverified, contains: "policy is computed",
			resources: b.replace("policy", policyRes(computed)).list()},
	)

	// s3-tls-only on the legacy s3.Bucket's inline policy.
	add(
		controlCase{control: "s3-tls-only", name: "legacy bucket with an inline TLS policy", want: pass,
			resources: one(res(tBucket, "legacy", map[string]any{"bucket": "aifactory-dev-legacy", "policy": tlsOnlyPolicy()}))},
		controlCase{control: "s3-tls-only", name: "legacy inline policy without the TLS deny", want: violation, contains: "does not deny requests without TLS",
			resources: one(res(tBucket, "legacy", map[string]any{"bucket": "aifactory-dev-legacy", "policy": doc(iamdoc.Statement{Effect: iamdoc.Allow,
				Principal: iamdoc.AWSPrincipals("arn:aws:iam::123456789012:root"), Action: iamdoc.Strings{"s3:GetObject"}, Resource: iamdoc.Strings{"arn:aws:s3:::b/*"}})}))},
		controlCase{control: "s3-tls-only", name: "legacy bucket without any policy", want: violation, contains: "neither policy inline nor",
			resources: one(res(tBucket, "legacy", map[string]any{"bucket": "aifactory-dev-legacy"}))},
	)

	// sagemaker-vpc-only
	add(
		controlCase{control: "sagemaker-vpc-only", name: "VpcOnly domain", want: pass,
			resources: one(res(tDomain, "studio", map[string]any{"appNetworkAccessType": "VpcOnly"}))},
		controlCase{control: "sagemaker-vpc-only", name: "locked-down notebook", want: pass,
			resources: one(res(tNotebook, "nb", map[string]any{"directInternetAccess": "Disabled", "rootAccess": "Disabled", "subnetId": computed}))},
		controlCase{control: "sagemaker-vpc-only", name: "public internet domain", want: violation, contains: "appNetworkAccessType is not VpcOnly",
			resources: one(res(tDomain, "studio", map[string]any{"appNetworkAccessType": "PublicInternetOnly"}))},
		controlCase{control: "sagemaker-vpc-only", name: "domain on the AWS default", want: violation, contains: "appNetworkAccessType is not VpcOnly",
			resources: one(res(tDomain, "studio", map[string]any{"authMode": "IAM"}))},
		controlCase{control: "sagemaker-vpc-only", name: "notebook with root and internet", want: violation, contains: "rootAccess is not Disabled",
			resources: one(res(tNotebook, "nb", map[string]any{"subnetId": "subnet-1"}))},
		controlCase{control: "sagemaker-vpc-only", name: "access type computed", want: unverified, contains: "appNetworkAccessType",
			resources: one(res(tDomain, "studio", map[string]any{"appNetworkAccessType": computed}))},
	)

	// emr-private
	add(
		controlCase{control: "emr-private", name: "private subnet", want: pass,
			resources: one(res(tCluster, "spark", map[string]any{"ec2Attributes": map[string]any{"subnetId": computed}}))},
		controlCase{control: "emr-private", name: "block public access on, SSH only", want: pass,
			resources: one(res(tBPA, "account", map[string]any{"blockPublicSecurityGroupRules": true,
				"permittedPublicSecurityGroupRuleRanges": []any{map[string]any{"minRange": 22, "maxRange": 22}}}))},
		controlCase{control: "emr-private", name: "no subnet", want: violation, contains: "names no subnet",
			resources: one(res(tCluster, "spark", map[string]any{"ec2Attributes": map[string]any{"instanceProfile": "p"}}))},
		controlCase{control: "emr-private", name: "block public access off", want: violation, contains: "EMR block public access is off",
			resources: one(res(tBPA, "account", map[string]any{"blockPublicSecurityGroupRules": false}))},
		controlCase{control: "emr-private", name: "wide permitted range", want: violation, contains: "ports other than 22",
			resources: one(res(tBPA, "account", map[string]any{"blockPublicSecurityGroupRules": true,
				"permittedPublicSecurityGroupRuleRanges": []any{map[string]any{"minRange": 0, "maxRange": 65535}}}))},
		controlCase{control: "emr-private", name: "range computed", want: unverified, contains: "permittedPublicSecurityGroupRuleRanges",
			resources: one(res(tBPA, "account", map[string]any{"blockPublicSecurityGroupRules": true, "permittedPublicSecurityGroupRuleRanges": computed}))},
	)

	// sg-no-world-ingress
	add(
		controlCase{control: "sg-no-world-ingress", name: "VPC-only ingress", want: pass,
			resources: one(res(tSG, "endpoints", map[string]any{"ingress": []any{map[string]any{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": []string{"10.10.0.0/16"}}}}))},
		controlCase{control: "sg-no-world-ingress", name: "egress anywhere is not ingress", want: pass,
			resources: one(res(tSGRule, "out", map[string]any{"type": "egress", "cidrBlocks": []string{"0.0.0.0/0"}}))},
		controlCase{control: "sg-no-world-ingress", name: "open to the world", want: violation, contains: "allows ingress from anywhere (0.0.0.0/0)",
			resources: one(res(tSG, "open", map[string]any{"ingress": []any{map[string]any{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": []string{"0.0.0.0/0"}}}}))},
		controlCase{control: "sg-no-world-ingress", name: "rule open on IPv6", want: violation, contains: "::/0",
			resources: one(res(tSGRule, "in", map[string]any{"type": "ingress", "ipv6CidrBlocks": []string{"::/0"}}))},
		controlCase{control: "sg-no-world-ingress", name: "VPC ingress rule", want: violation, contains: "0.0.0.0/0",
			resources: one(res(tSGIngress, "in", map[string]any{"cidrIpv4": "0.0.0.0/0", "ipProtocol": "-1"}))},
		controlCase{control: "sg-no-world-ingress", name: "CIDR computed", want: unverified, contains: "cidrBlocks",
			resources: one(res(tSG, "endpoints", map[string]any{"ingress": []any{map[string]any{"cidrBlocks": []any{computed}}}}))},
	)

	// ecs-task-hardened
	container := map[string]any{"name": "optimiser", "image": "repo@sha256:abc", "readonlyRootFilesystem": true, "user": "1000:1000",
		"environment": []any{map[string]any{"name": "COUNTRY", "value": "AT"}}}
	taskDef := func(c map[string]any, extra ...any) rules.Resource {
		return res(tTaskDef, "optimiser", with(map[string]any{"containerDefinitions": jsonOf([]any{c}), "cpu": "1024", "memory": "4096"}, extra...))
	}
	add(
		controlCase{control: "ecs-task-hardened", name: "hardened task", want: pass, resources: one(taskDef(container))},
		controlCase{control: "ecs-task-hardened", name: "private service", want: pass,
			resources: one(res(tService, "svc", map[string]any{"networkConfiguration": map[string]any{"assignPublicIp": false, "subnets": computed}}))},
		controlCase{control: "ecs-task-hardened", name: "state machine without public IPs", want: pass,
			resources: one(res(tStateMachine, "weekly", map[string]any{"definition": jsonOf(map[string]any{"States": map[string]any{"Run": map[string]any{
				"Parameters": map[string]any{"NetworkConfiguration": map[string]any{"AwsvpcConfiguration": map[string]any{"AssignPublicIp": "DISABLED"}}}}}})}))},
		controlCase{control: "ecs-task-hardened", name: "privileged", want: violation, contains: `container "optimiser" is privileged`,
			resources: one(taskDef(with(container, "privileged", true)))},
		controlCase{control: "ecs-task-hardened", name: "writable root", want: violation, contains: "writable root file system",
			resources: one(taskDef(without(container, "readonlyRootFilesystem")))},
		controlCase{control: "ecs-task-hardened", name: "root user", want: violation, contains: "runs as root",
			resources: one(taskDef(with(container, "user", "0")))},
		controlCase{control: "ecs-task-hardened", name: "host PID", want: violation, contains: "pidMode is host",
			resources: one(taskDef(container, "pidMode", "host"))},
		controlCase{control: "ecs-task-hardened", name: "password in environment", want: violation, contains: "credential-like variables DB_PASSWORD in plain environment",
			resources: one(taskDef(with(container, "environment", []any{map[string]any{"name": "DB_PASSWORD", "value": "hunter2"}})))},
		controlCase{control: "ecs-task-hardened", name: "public IP service", want: violation, contains: "tasks get public IP addresses",
			resources: one(res(tService, "svc", map[string]any{"networkConfiguration": map[string]any{"assignPublicIp": true}}))},
		controlCase{control: "ecs-task-hardened", name: "public IP schedule", want: violation, contains: "scheduled task gets a public IP",
			resources: one(res(tSchedule, "weekly", map[string]any{"target": map[string]any{"ecsParameters": map[string]any{"networkConfiguration": map[string]any{"assignPublicIp": true}}}}))},
		controlCase{control: "ecs-task-hardened", name: "public IP state machine", want: violation, contains: "AssignPublicIp ENABLED",
			resources: one(res(tStateMachine, "weekly", map[string]any{"definition": jsonOf(map[string]any{"States": map[string]any{"Run": map[string]any{
				"Parameters": map[string]any{"NetworkConfiguration": map[string]any{"AwsvpcConfiguration": map[string]any{"AssignPublicIp": "ENABLED"}}}}}})}))},
		controlCase{control: "ecs-task-hardened", name: "definitions computed", want: unverified, contains: "containerDefinitions",
			resources: one(res(tTaskDef, "optimiser", map[string]any{"containerDefinitions": computed}))},
	)

	// vpc-flow-logs
	vpc := res(tVpc, "main", map[string]any{"cidrBlock": "10.10.0.0/16"})
	flow := func(props map[string]any) rules.Resource {
		return dependsOn(res(tFlowLog, "main", with(props, "vpcId", computed)), "vpcId", vpc)
	}
	add(
		controlCase{control: "vpc-flow-logs", name: "ALL traffic logged", want: pass,
			resources: []rules.Resource{vpc, flow(map[string]any{"trafficType": "ALL", "logDestination": computed})}},
		controlCase{control: "vpc-flow-logs", name: "no flow log", want: violation, contains: "no flow log",
			resources: []rules.Resource{vpc}},
		controlCase{control: "vpc-flow-logs", name: "rejected traffic only", want: violation, contains: "does not record ALL traffic",
			resources: []rules.Resource{vpc, flow(map[string]any{"trafficType": "REJECT", "logDestination": "arn"})}},
		controlCase{control: "vpc-flow-logs", name: "VPC reference computed without dependency", want: unverified, contains: "not known yet",
			resources: []rules.Resource{vpc, res(tFlowLog, "main", map[string]any{"vpcId": computed, "trafficType": "ALL", "logDestination": "arn"})}},
	)

	// subnet-no-public-ip
	add(
		controlCase{control: "subnet-no-public-ip", name: "explicitly off", want: pass, resources: one(res(tSubnet, "private-0", map[string]any{"mapPublicIpOnLaunch": false}))},
		controlCase{control: "subnet-no-public-ip", name: "AWS default", want: pass, resources: one(res(tSubnet, "private-0", map[string]any{"cidrBlock": "10.10.0.0/20"}))},
		controlCase{control: "subnet-no-public-ip", name: "public IPs", want: violation, contains: "mapPublicIpOnLaunch is true",
			resources: one(res(tSubnet, "public", map[string]any{"mapPublicIpOnLaunch": true}))},
		controlCase{control: "subnet-no-public-ip", name: "computed", want: unverified, contains: "mapPublicIpOnLaunch",
			resources: one(res(tSubnet, "x", map[string]any{"mapPublicIpOnLaunch": computed}))},
	)

	// vpc-endpoint-private-dns
	add(
		controlCase{control: "vpc-endpoint-private-dns", name: "interface with private DNS", want: pass,
			resources: one(res(tEndpoint, "sts", map[string]any{"vpcEndpointType": "Interface", "privateDnsEnabled": true}))},
		controlCase{control: "vpc-endpoint-private-dns", name: "gateway", want: pass,
			resources: one(res(tEndpoint, "s3", map[string]any{"vpcEndpointType": "Gateway"}))},
		controlCase{control: "vpc-endpoint-private-dns", name: "interface without private DNS", want: violation, contains: "without private DNS",
			resources: one(res(tEndpoint, "sts", map[string]any{"vpcEndpointType": "Interface"}))},
		controlCase{control: "vpc-endpoint-private-dns", name: "type computed", want: unverified, contains: "vpcEndpointType",
			resources: one(res(tEndpoint, "sts", map[string]any{"vpcEndpointType": computed, "privateDnsEnabled": true}))},
	)

	// no-internet-path
	egress := func(s *rules.Settings) { s.AllowInternetEgress = true }
	igw := res(tIGW, "main", map[string]any{"vpcId": computed})
	add(
		controlCase{control: "no-internet-path", name: "private subnet", want: pass, resources: one(res(tSubnet, "private-0", map[string]any{"mapPublicIpOnLaunch": false}))},
		controlCase{control: "no-internet-path", name: "private NAT gateway", want: pass, resources: one(res(tNAT, "to-onprem", map[string]any{"connectivityType": "private", "subnetId": computed}))},
		controlCase{control: "no-internet-path", name: "route to a virtual private gateway", want: pass,
			resources: one(res(tRoute, "onprem", map[string]any{"routeTableId": computed, "destinationCidrBlock": "10.0.0.0/8", "gatewayId": "vgw-0a1b2c3d"}))},
		controlCase{control: "no-internet-path", name: "route table without routes", want: pass, resources: one(res(tRouteTable, "private-0", map[string]any{"vpcId": computed}))},
		controlCase{control: "no-internet-path", name: "internet gateway where egress is allowed", want: pass, settings: egress, resources: one(igw)},
		controlCase{control: "no-internet-path", name: "public subnet where egress is allowed", want: pass, settings: egress,
			resources: one(res(tSubnet, "public-0", map[string]any{"mapPublicIpOnLaunch": true}))},

		controlCase{control: "no-internet-path", name: "internet gateway", want: violation, contains: "an internet gateway in an environment", resources: one(igw)},
		controlCase{control: "no-internet-path", name: "egress-only internet gateway", want: violation, contains: "internet gateway",
			resources: one(res(tEIGW, "v6", map[string]any{"vpcId": computed}))},
		controlCase{control: "no-internet-path", name: "NAT gateway, public by default", want: violation, contains: "a public NAT gateway",
			resources: one(res(tNAT, "egress", map[string]any{"subnetId": computed, "allocationId": computed}))},
		controlCase{control: "no-internet-path", name: "Elastic IP", want: violation, contains: "Elastic IP", resources: one(res(tEIP, "nat", map[string]any{"domain": "vpc"}))},
		controlCase{control: "no-internet-path", name: "instance with a public IP", want: violation, contains: "associatePublicIpAddress is true",
			resources: one(res(tInstance, "bastion", map[string]any{"associatePublicIpAddress": true}))},
		controlCase{control: "no-internet-path", name: "subnet handing out public IPs", want: violation, contains: "mapPublicIpOnLaunch is true",
			resources: one(res(tSubnet, "public-0", map[string]any{"mapPublicIpOnLaunch": true}))},
		controlCase{control: "no-internet-path", name: "launch template with a public IP", want: violation, contains: "networkInterfaces[0].associatePublicIpAddress is true",
			resources: one(res(tLaunchTemplate, "nodes", map[string]any{"networkInterfaces": []any{map[string]any{"associatePublicIpAddress": "true"}}}))},
		controlCase{control: "no-internet-path", name: "route to a known internet gateway", want: violation, contains: "routes through an internet gateway",
			resources: one(res(tRoute, "default", map[string]any{"routeTableId": computed, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-0a1b2c3d"}))},
		controlCase{control: "no-internet-path", name: "route to the stack's internet gateway", want: violation, contains: "internet gateway of this stack",
			resources: []rules.Resource{igw, dependsOn(res(tRoute, "default", map[string]any{"routeTableId": computed, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": computed}), "gatewayId", igw)}},
		controlCase{control: "no-internet-path", name: "inline route to an egress-only gateway", want: violation, contains: "egress-only",
			resources: one(res(tRouteTable, "private-0", map[string]any{"routes": []any{map[string]any{"ipv6CidrBlock": "::/0", "egressOnlyGatewayId": "eigw-0a1b"}}}))},
		controlCase{control: "no-internet-path", name: "NAT connectivity computed", want: unverified, contains: "connectivityType",
			resources: one(res(tNAT, "egress", map[string]any{"connectivityType": computed}))},
		controlCase{control: "no-internet-path", name: "gateway computed without dependency", want: unverified, contains: "gatewayId",
			resources: one(res(tRoute, "default", map[string]any{"routeTableId": computed, "gatewayId": computed}))},
	)
	return cases
}
