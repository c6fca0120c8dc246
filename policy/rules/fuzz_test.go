package rules_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/aifactory/platform/policy/internal/fuzzbytes"
	"github.com/aifactory/platform/policy/rules"
)

// FuzzControls feeds random property maps, built from the property names
// and values the controls look at, to every control: no input may make a
// control panic, every finding must be well formed, and no secret value may
// reach a message. `go test` runs the seed corpus; `go test -fuzz
// FuzzControls ./policy/rules` explores further.
func FuzzControls(f *testing.F) {
	for _, seed := range fuzzbytes.Seeds(64, 64, 512, 1) {
		f.Add(seed)
	}
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})

	types := fuzzTypes()
	f.Fuzz(func(t *testing.T, data []byte) {
		g := gen{fuzzbytes.New(data)}
		var resources []rules.Resource
		for i := range 1 + int(g.Next()%4) {
			typ := types[int(g.Next())%len(types)]
			r := rules.Resource{Type: typ, Name: fmt.Sprintf("r%d", i), URN: urnOf(typ, fmt.Sprintf("r%d", i)),
				Properties: g.object(0), Protect: g.Next()%2 == 0}
			resources = append(resources, r)
		}
		// Random property dependencies between the resources, as the
		// engine records them for stack policies.
		for i := range resources {
			if g.Next()%2 == 0 {
				target := resources[int(g.Next())%len(resources)]
				resources[i] = dependsOn(resources[i], fuzzKeys[int(g.Next())%len(fuzzKeys)], target)
			}
		}
		s := rules.DefaultSettings()
		s.Environment = []string{"dev", "prod", ""}[int(g.Next())%3]
		for _, c := range rules.Catalogue() {
			for _, finding := range c.Evaluate(resources, s) {
				checkFinding(t, c.Name, finding)
			}
		}
		for _, finding := range rules.Evaluate(resources, s) {
			checkFinding(t, finding.Control, finding)
		}
	})
}

func checkFinding(t *testing.T, control string, f rules.Finding) {
	t.Helper()
	if f.Control != control || (f.Verdict != rules.Violation && f.Verdict != rules.Unverified) || f.URN == "" {
		t.Fatalf("malformed finding %+v", f)
	}
	if !strings.HasPrefix(f.Message, fmt.Sprintf("%s %q: ", shortTypeOf(f.Type), f.Name)) {
		t.Fatalf("%s: message does not start with the resource: %q", control, f.Message)
	}
	if strings.Contains(strings.ToLower(f.Message), strings.ToLower(sentinel)) {
		t.Fatalf("%s: a secret value reached the message: %q", control, f.Message)
	}
}

// fuzzTypes are the types the controls inspect, and two they do not.
func fuzzTypes() []string {
	out := rules.InspectedTypes()
	for _, typ := range []string{"aws:lambda/function:Function", tKMSAlias, tBucketLogging, tStudioLCC} {
		if !slices.Contains(out, typ) {
			out = append(out, typ)
		}
	}
	return out
}

var fuzzKeys = []string{
	"tags", "tagsAll", "team", "environment", "owner", "expires-at",
	"bucket", "rules", "applyServerSideEncryptionByDefault", "sseAlgorithm", "kmsMasterKeyId", "bucketKeyEnabled",
	"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets", "publicAccessBlockConfiguration",
	"versioningConfiguration", "status", "policy", "targetBucket", "vpcConfiguration", "vpcId",
	"kmsKeyId", "kmsKeyArn", "encryptionKeyArn", "retentionInDays", "encrypted", "blockDeviceMappings", "ebs",
	"configuration", "securityConfiguration", "logEncryptionKmsKeyId", "ec2Attributes", "subnetId", "subnetIds",
	"autoTerminationPolicy", "idleTimeout", "targetSpotCapacity", "targetOnDemandCapacity", "bidPrice",
	"instanceType", "instanceTypeConfigs", "masterInstanceGroup", "defaultResourceSpec",
	"defaultUserSettings", "defaultSpaceSettings", "userSettings", "spaceSettings", "jupyterLabAppSettings", "codeEditorAppSettings",
	"appLifecycleManagement", "idleSettings", "lifecycleManagement", "idleTimeoutInMinutes", "maxIdleTimeoutInMinutes",
	"appNetworkAccessType", "directInternetAccess", "rootAccess",
	"encryptionConfigurations", "encryptionType", "kmsKey", "imageScanningConfiguration", "scanOnPush", "imageTagMutability",
	"encryptionConfiguration", "type", "loggingConfiguration", "level", "logDestination", "definition",
	"enableKeyRotation", "deletionWindowInDays", "customerMasterKeySpec", "keyUsage",
	"managedStorageConfiguration", "fargateEphemeralStorageKmsKeyId", "settings", "name", "value",
	"ingress", "cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6",
	"containerDefinitions", "pidMode", "networkConfiguration", "assignPublicIp", "target", "ecsParameters",
	"trafficType", "mapPublicIpOnLaunch", "vpcEndpointType", "privateDnsEnabled",
	"inlinePolicies", "managedPolicyArns", "policyArn", "assumeRolePolicy", "maxSessionDuration", "permissionsBoundary",
	"taskRoleArn", "executionRoleArn", "cpu", "memory", "costFilters", "values",
	"blockPublicSecurityGroupRules", "permittedPublicSecurityGroupRuleRanges", "minRange", "maxRange", "id", "arn",
	"acl", "grants", "grantee", "uri", "accessControlPolicy", "connectivityType", "associatePublicIpAddress",
	"networkInterfaces", "gatewayId", "egressOnlyGatewayId", "routes", "accessPointArn", "queueUrl", "accountId",
	"serverSideEncryptionConfiguration", "rule", "versioning", "enabled", "lifecycleRules", "loggings",
}

// fuzzStrings are values the controls compare with; %s marks where a
// secret's sentinel goes, so that a leak of the value is detectable.
var fuzzStrings = []string{
	"aws:kms%s", "AES256%s", "alias/aws/s3%s", keyARN + "%s", "Enabled%s", "Disabled%s", "ENABLED%s", "VpcOnly%s",
	"Interface%s", "ALL%s", "IMMUTABLE%s", "KMS%s", "CUSTOMER_MANAGED_KMS_KEY%s", "0.0.0.0/0%s", "::/0%s", "ingress%s",
	"host%s", "dev%s", "prod%s", "true%s", "ml.t3.medium%s", "ml.p4d.24xlarge%s", "m5.xlarge%s", "system%s",
	"TagKeyValue%s", "user:team$platform%s", "2030-01-01%s", "root%s", "RSA_2048%s", "containerInsights%s", "16384%s",
	"arn:aws:iam::aws:policy/AdministratorAccess%s", "r0%s", "r1%s",
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Sid":"x%s"}]}`,
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObject","svc%s:*"],"Resource":"*"}}`,
	`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false%s"}}}]}`,
	`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Sid":"%s"}]}`,
	`{"Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com%s"},"Action":"sts:AssumeRole"}]}`,
	`[{"name":"app%s","privileged":true,"user":"0","environment":[{"name":"DB_PASSWORD%s","value":"v%s"}]}]`,
	`{"EncryptionConfiguration":{"EnableAtRestEncryption":true,"AtRestEncryptionConfiguration":{"S3EncryptionConfiguration":{"EncryptionMode":"SSE-KMS","AwsKmsKey":"k%s"}}}}`,
	`{"States":{"Run":{"Parameters":{"AssignPublicIp":"ENABLED%s"}}}}`,
	`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b%s/*"}]}`,
	`{"Statement":{"effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:iam::123456789012:role/x%s"}}`,
	`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"kms:*","Resource":"*","Sid":"%s"}]}`,
	`{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com%s"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`,
	`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"123456789012%s"}}}]}`,
	"public-read%s", "http://acs.amazonaws.com/groups/global/AllUsers%s", "Group%s", "CanonicalUser%s", "igw-0abc%s", "private%s",
	`not json%s`, `{"Statement":"%s"}`, `[]`, `{}`,
}

// gen turns fuzz bytes into property values.
type gen struct{ *fuzzbytes.Stream }

func (g gen) object(depth int) property.Map {
	m := map[string]property.Value{}
	for range int(g.Next() % 6) {
		m[fuzzKeys[int(g.Next())%len(fuzzKeys)]] = g.value(depth + 1)
	}
	return property.NewMap(m)
}

func (g gen) value(depth int) property.Value {
	kind := g.Next() % 10
	if depth > 5 && kind >= 7 {
		kind = 1
	}
	switch kind {
	case 0:
		return property.New(property.Computed)
	case 1, 2, 3:
		tmpl := fuzzStrings[int(g.Next())%len(fuzzStrings)]
		if g.Next()%4 == 0 {
			return property.New(strings.ReplaceAll(tmpl, "%s", sentinel)).WithSecret(true)
		}
		return property.New(strings.ReplaceAll(tmpl, "%s", ""))
	case 4:
		return property.New([]float64{0, 1, 22, 30, 365, 3600, 43200, -1, 1e12}[int(g.Next())%9])
	case 5:
		return property.New(g.Next()%2 == 0)
	case 6:
		return property.New(property.Null)
	case 7:
		var items []property.Value
		for range int(g.Next() % 4) {
			items = append(items, g.value(depth+1))
		}
		return property.New(items)
	}
	v := property.New(g.object(depth))
	if g.Next()%8 == 0 {
		// A secret object: everything inside is secret too.
		return v.WithSecret(true)
	}
	return v
}
