package rules

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Public access and network: nothing is reachable from, or placed on, the
// public internet.

func checkAccessPointVPC(c *check, _ *Settings) {
	c.requirePresent(c.prop("vpcConfiguration").get("vpcId"),
		"the access point has an Internet network origin (no vpcConfiguration)",
		"set vpcConfiguration.vpcId to the platform VPC so the access point answers only through the S3 endpoint")
	block := c.prop("publicAccessBlockConfiguration")
	for _, flag := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		// AWS turns every block on when the configuration is omitted, so
		// only an explicit false opens the access point.
		c.forbidFalse(block.get(flag), fmt.Sprintf("publicAccessBlockConfiguration.%s is false", flag),
			fmt.Sprintf("remove it or set publicAccessBlockConfiguration.%s: true", flag))
	}
}

// forbidFalse reports a boolean explicitly set to false; absent is the
// AWS default true.
func (c *check) forbidFalse(x val, problem, fix string) bool {
	b, st := x.boolean()
	switch {
	case st == unknown:
		c.unverified(x)
		return false
	case st == known && !b:
		c.violation(problem, fix)
		return false
	}
	return true
}

func checkSageMakerVPCOnly(c *check, _ *Settings) {
	switch c.r.Type {
	case typeDomain:
		c.requireEqual(c.prop("appNetworkAccessType"),
			"appNetworkAccessType is not VpcOnly, so Studio apps reach the internet through SageMaker's network",
			"set appNetworkAccessType: VpcOnly with the platform's private subnets", "VpcOnly")
	case typeNotebook:
		c.requireEqual(c.prop("directInternetAccess"), "directInternetAccess is not Disabled (AWS enables it by default)",
			"set directInternetAccess: Disabled", "Disabled")
		c.requireEqual(c.prop("rootAccess"), "rootAccess is not Disabled (AWS enables it by default)",
			"set rootAccess: Disabled", "Disabled")
		c.requirePresent(c.prop("subnetId"), "the notebook instance is not in a VPC subnet",
			"set subnetId to one of the platform's private subnets and securityGroups")
	}
}

func checkEMRPrivate(c *check, _ *Settings) {
	switch c.r.Type {
	case typeEMRCluster:
		attrs := c.prop("ec2Attributes")
		if attrs.get("subnetId").st == absent && attrs.get("subnetIds").st == absent {
			c.violation("ec2Attributes names no subnet, so the cluster lands in the default VPC with public addresses",
				"set ec2Attributes.subnetId (or subnetIds) to the platform's private subnets")
		}
	case typeEMRBlockPublic:
		c.requireTrue(c.prop("blockPublicSecurityGroupRules"), "EMR block public access is off",
			"set blockPublicSecurityGroupRules: true")
		ranges := c.prop("permittedPublicSecurityGroupRuleRanges")
		items, st := ranges.items()
		if st == unknown {
			c.unverified(ranges)
			return
		}
		for _, r := range items {
			lo, st1 := r.get("minRange").number()
			hi, st2 := r.get("maxRange").number()
			if st1 == unknown || st2 == unknown {
				c.unverified(r)
				continue
			}
			if lo != 22 || hi != 22 {
				c.violation(fmt.Sprintf("%s permits public security group rules on ports other than 22", r.path),
					"remove the range; clusters are reached through the VPC, never from the internet")
			}
		}
	}
}

var worldCIDRs = []string{"0.0.0.0/0", "::/0"}

func checkSGNoWorldIngress(c *check, _ *Settings) {
	const fix = "allow only the VPC CIDR, a prefix list or a security group; reach services through VPC endpoints"
	switch c.r.Type {
	case typeSecurityGroup, typeDefaultSG:
		ingress := c.prop("ingress")
		rules, st := ingress.items()
		if st == unknown {
			c.unverified(ingress)
			return
		}
		for _, rule := range rules {
			c.forbidWorld(rule.get("cidrBlocks"), rule.path, fix)
			c.forbidWorld(rule.get("ipv6CidrBlocks"), rule.path, fix)
		}
	case typeSGRule:
		kind := c.prop("type")
		t, st := kind.str()
		if st == unknown {
			c.unverified(kind)
			return
		}
		if t != "ingress" {
			return
		}
		c.forbidWorld(c.prop("cidrBlocks"), "the rule", fix)
		c.forbidWorld(c.prop("ipv6CidrBlocks"), "the rule", fix)
	case typeSGIngressRule:
		c.forbidWorld(c.prop("cidrIpv4"), "the rule", fix)
		c.forbidWorld(c.prop("cidrIpv6"), "the rule", fix)
	}
}

func (c *check) forbidWorld(x val, where, fix string) {
	cidrs, st := x.strings()
	if st == unknown {
		c.unverified(x)
		return
	}
	for _, cidr := range cidrs {
		if !slices.Contains(worldCIDRs, strings.TrimSpace(cidr)) {
			continue
		}
		shown := " (" + strings.TrimSpace(cidr) + ")"
		if x.secret() {
			shown = ""
		}
		c.violation(fmt.Sprintf("%s allows ingress from anywhere%s", where, shown), fix)
	}
}

// secretName matches environment variable names that hold credentials.
var secretName = regexp.MustCompile(`(?i)(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)`)

func checkECSTaskHardened(c *check, _ *Settings) {
	switch c.r.Type {
	case typeTaskDefinition:
		if pid, _ := c.prop("pidMode").str(); strings.EqualFold(pid, "host") {
			c.violation("pidMode is host, so containers see every process of the host", "remove pidMode")
		} else if c.prop("pidMode").st == unknown {
			c.unverified(c.prop("pidMode"))
		}
		checkContainerDefinitions(c)
	case typeECSService:
		c.forbidTrue(c.prop("networkConfiguration").get("assignPublicIp"), "tasks get public IP addresses",
			"set networkConfiguration.assignPublicIp: false and run in the private subnets")
	case typeSchedule:
		c.forbidTrue(c.prop("target").at("ecsParameters", "networkConfiguration", "assignPublicIp"),
			"the scheduled task gets a public IP address",
			"set target.ecsParameters.networkConfiguration.assignPublicIp: false")
	case typeStateMachine:
		def := c.prop("definition")
		doc, st, ok := def.jsonValue()
		switch {
		case st == unknown:
			c.unverified(def)
		case st == known && ok && jsonHasPublicIP(doc):
			c.violation("a task state runs ECS tasks with AssignPublicIp ENABLED",
				"set NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp to DISABLED in every ecs:runTask state")
		}
	}
}

func checkContainerDefinitions(c *check) {
	defs := c.prop("containerDefinitions")
	doc, st, ok := defs.jsonValue()
	switch {
	case st == unknown:
		c.unverified(defs)
		return
	case st == absent || !ok:
		c.violation("containerDefinitions is not a JSON list of containers", "marshal the container definitions from Go values")
		return
	}
	list, isList := doc.([]any)
	if !isList {
		c.violation("containerDefinitions is not a JSON list of containers", "marshal the container definitions from Go values")
		return
	}
	for i, e := range list {
		container, _ := e.(map[string]any)
		name := fmt.Sprintf("container %d", i)
		if n := jsonString(jsonAt(container, "name")); n != "" && !defs.secret() {
			name = fmt.Sprintf("container %q", n)
		}
		if jsonTrue(jsonAt(container, "privileged")) {
			c.violation(name+" is privileged", "remove privileged: true")
		}
		if !jsonTrue(jsonAt(container, "readonlyRootFilesystem")) {
			c.violation(name+" has a writable root file system", "set readonlyRootFilesystem: true and mount a volume where the task must write")
		}
		if isRootUser(jsonString(jsonAt(container, "user"))) {
			c.violation(name+" runs as root (user unset, root or 0)", "set user to the image's non-root uid, e.g. \"1000:1000\"")
		}
		var leaked []string
		env, _ := jsonAt(container, "environment").([]any)
		for _, kv := range env {
			if key := jsonString(jsonAt(kv, "name")); secretName.MatchString(key) {
				leaked = append(leaked, key)
			}
		}
		if len(leaked) > 0 {
			// Variable names only, never values; and not even names when the
			// definitions are secret.
			names := " " + strings.Join(leaked, ", ")
			if defs.secret() {
				names = ""
			}
			c.violation(fmt.Sprintf("%s passes credential-like variables%s in plain environment", name, names),
				"move them to secrets [{name, valueFrom: <Secrets Manager or SSM parameter ARN>}]")
		}
	}
}

func isRootUser(user string) bool {
	u, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	return u == "" || u == "root" || u == "0"
}

// jsonHasPublicIP finds AssignPublicIp: ENABLED anywhere in a state machine definition.
func jsonHasPublicIP(doc any) bool {
	switch t := doc.(type) {
	case map[string]any:
		for k, v := range t {
			if strings.EqualFold(k, "AssignPublicIp") && strings.EqualFold(jsonString(v), "ENABLED") {
				return true
			}
			if jsonHasPublicIP(v) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(t, jsonHasPublicIP)
	case string:
		// Definitions sometimes embed JSON as strings (Parameters built with States.JsonToString).
		if strings.Contains(t, "AssignPublicIp") {
			var inner any
			if json.Unmarshal([]byte(t), &inner) == nil {
				return jsonHasPublicIP(inner)
			}
		}
	}
	return false
}

func checkSubnetNoPublicIP(c *check, _ *Settings) {
	c.forbidTrue(c.prop("mapPublicIpOnLaunch"), "mapPublicIpOnLaunch is true, so every instance launched here gets a public IP",
		"set mapPublicIpOnLaunch: false")
}

func checkEndpointPrivateDNS(c *check, _ *Settings) {
	kind := c.prop("vpcEndpointType")
	t, st := kind.str()
	switch {
	case st == unknown:
		c.unverified(kind)
		return
	case st == absent || !strings.EqualFold(t, "Interface"):
		// Gateway endpoints (the default type) have no DNS of their own.
		return
	}
	c.requireTrue(c.prop("privateDnsEnabled"), "an interface endpoint without private DNS, so SDKs keep resolving the public endpoint",
		"set privateDnsEnabled: true")
}

// internetPathTypes are the resources that give a VPC a path to or from the
// internet: gateways, NAT, public addresses and the settings that hand them out.
var internetPathTypes = []string{
	typeInternetGateway, typeInternetGatewayAtt, typeEgressOnlyGateway, typeCarrierGateway,
	typeNatGateway, typeEip, typeEipAssociation, typeInstance, typeSubnet, typeLaunchTemplate,
	typeRoute, typeRouteTable, typeDefaultRouteTable,
}

// internetGatewayTypes are the gateways whose very existence is a path.
var internetGatewayTypes = []string{typeInternetGateway, typeInternetGatewayAtt, typeEgressOnlyGateway, typeCarrierGateway}

const internetFix = "reach AWS services through VPC endpoints; if the environment needs internet egress, set aifactory:network.allowInternetEgress and allowInternetEgress in its policy config together"

func checkNoInternetPath(c *check, s *Settings) {
	if s.AllowInternetEgress {
		return
	}
	switch c.r.Type {
	case typeInternetGateway, typeInternetGatewayAtt, typeEgressOnlyGateway, typeCarrierGateway:
		c.violation("an internet gateway in an environment whose policy config does not allow internet egress", internetFix)
	case typeNatGateway:
		kind := c.prop("connectivityType")
		t, st := kind.str()
		switch {
		case st == unknown:
			c.unverified(kind)
		case st == absent || strings.EqualFold(t, "public"):
			c.violation("a public NAT gateway (connectivityType unset or public) in an environment whose policy config does not allow internet egress", internetFix)
		}
	case typeEip, typeEipAssociation:
		c.violation("an Elastic IP address (a public IP) in an environment whose policy config does not allow internet egress", internetFix)
	case typeInstance:
		c.forbidTrue(c.prop("associatePublicIpAddress"), "associatePublicIpAddress is true, so the instance gets a public IP", "remove associatePublicIpAddress; "+internetFix)
	case typeSubnet:
		c.forbidTrue(c.prop("mapPublicIpOnLaunch"), "mapPublicIpOnLaunch is true, so instances launched here get public IPs", "set mapPublicIpOnLaunch: false; "+internetFix)
	case typeLaunchTemplate:
		nics := c.prop("networkInterfaces")
		items, st := nics.items()
		if st == unknown {
			c.unverified(nics)
			return
		}
		for _, nic := range items {
			c.forbidTrue(nic.get("associatePublicIpAddress"), nic.path+".associatePublicIpAddress is true, so instances get public IPs",
				"set it to \"false\"; "+internetFix)
		}
	case typeRoute:
		c.internetRoute(c.r.PropertyDependencies["gatewayId"], c.prop("gatewayId"), c.prop("egressOnlyGatewayId"), c.prop("carrierGatewayId"))
	case typeRouteTable, typeDefaultRouteTable:
		routes := c.prop("routes")
		items, st := routes.items()
		if st == unknown {
			c.unverified(routes)
			return
		}
		for _, r := range items {
			c.internetRoute(c.r.PropertyDependencies["routes"], r.get("gatewayId"), r.get("egressOnlyGatewayId"), r.get("carrierGatewayId"))
		}
	}
}

// internetRoute reports a route through an internet, egress-only or carrier
// gateway. A gateway id computed from a resource of the stack is judged by
// that resource's type; gatewayId also takes virtual private gateways and
// "local", which are no internet path.
func (c *check) internetRoute(deps []string, gateway, egressOnly, carrier val) {
	for _, x := range []val{egressOnly, carrier} {
		if x.st != absent {
			c.violation(x.path+" routes through an egress-only or carrier gateway to the internet", internetFix)
		}
	}
	id, st := gateway.str()
	switch {
	case st == known && strings.HasPrefix(id, "igw-"):
		c.violation(gateway.path+" routes through an internet gateway", internetFix)
	case st == unknown && slices.ContainsFunc(deps, func(u string) bool { return slices.Contains(internetGatewayTypes, typeOfURN(u)) }):
		c.violation(gateway.path+" routes through an internet gateway of this stack", internetFix)
	case st == unknown && len(deps) == 0:
		c.unverified(gateway)
	}
}
