package rules

import "slices"

// evidenceProperties are, per control, the top-level properties of the
// resources it inspects whose values prove the control on a deployed
// resource: what an auditor reads to see that a bucket is encrypted, a key
// rotates or a role trusts only its service. The evidence bundle shows
// them for every resource of the stack. A control whose proof is the
// absence of resources (iam-no-users-or-keys) or a resource option rather
// than a property (prod-protect) lists none.
var evidenceProperties = map[string][]string{
	"required-tags":                         {"tags", "tagsAll"},
	"ttl-tag":                               {"tags", "tagsAll"},
	"s3-sse-kms":                            {"rules", "serverSideEncryptionConfiguration", "targetBucket", "targetPrefix"},
	"ebs-encrypted":                         {"encrypted", "kmsKeyId", "blockDeviceMappings"},
	"emr-security-configuration":            {"configuration", "securityConfiguration", "logEncryptionKmsKeyId"},
	"sagemaker-kms":                         {"kmsKeyId"},
	"sns-kms":                               {"kmsMasterKeyId"},
	"sqs-kms":                               {"kmsMasterKeyId", "sqsManagedSseEnabled"},
	"logs-kms-retention":                    {"kmsKeyId", "retentionInDays"},
	"ecr-hardened":                          {"encryptionConfigurations", "imageScanningConfiguration", "imageTagMutability"},
	"sfn-encryption-logging":                {"encryptionConfiguration", "loggingConfiguration"},
	"kms-rotation":                          {"enableKeyRotation", "rotationPeriodInDays", "deletionWindowInDays", "policy"},
	"ecs-storage-kms":                       {"configuration", "settings"},
	"scheduler-kms":                         {"kmsKeyArn"},
	"emr-studio-kms":                        {"encryptionKeyArn"},
	"s3-public-access-block":                {"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"},
	"s3-access-point-vpc":                   {"vpcConfiguration", "publicAccessBlockConfiguration", "networkOrigin"},
	"s3-tls-only":                           {"policy"},
	"sagemaker-vpc-only":                    {"appNetworkAccessType", "directInternetAccess", "rootAccess", "subnetId"},
	"emr-private":                           {"ec2Attributes", "blockPublicSecurityGroupRules", "permittedPublicSecurityGroupRuleRanges"},
	"sg-no-world-ingress":                   {"ingress", "cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6", "type"},
	"ecs-task-hardened":                     {"containerDefinitions", "pidMode", "networkConfiguration", "target", "definition"},
	"vpc-flow-logs":                         {"vpcId", "trafficType", "logDestination", "logDestinationType"},
	"subnet-no-public-ip":                   {"mapPublicIpOnLaunch"},
	"vpc-endpoint-private-dns":              {"vpcEndpointType", "privateDnsEnabled"},
	"vpc-endpoint-policy":                   {"vpcEndpointType", "policy"},
	"resource-policy-no-public":             {"policy"},
	"s3-acl-no-public":                      {"acl", "grants", "accessControlPolicy"},
	"no-internet-path":                      {"mapPublicIpOnLaunch", "associatePublicIpAddress", "connectivityType", "routes", "gatewayId"},
	"iam-no-admin":                          {"policy", "policyArn", "inlinePolicies", "managedPolicyArns"},
	"iam-no-service-wildcard":               {"policy", "inlinePolicies"},
	"iam-session-limits":                    {"assumeRolePolicy", "maxSessionDuration", "permissionsBoundary"},
	"iam-trust-restricted":                  {"assumeRolePolicy"},
	"iam-no-users-or-keys":                  {},
	"ecs-separate-roles":                    {"taskRoleArn", "executionRoleArn"},
	"iam-no-privilege-escalation":           {"policy", "policyArn", "inlinePolicies", "managedPolicyArns"},
	"iam-trust-confused-deputy":             {"assumeRolePolicy"},
	"emr-auto-termination":                  {"autoTerminationPolicy", "coreInstanceFleet", "instanceTypeConfigs", "targetSpotCapacity", "targetOnDemandCapacity"},
	"sagemaker-idle-shutdown":               {"defaultUserSettings", "defaultSpaceSettings", "userSettings", "spaceSettings"},
	"instance-type-allowlist":               {"defaultUserSettings", "userSettings", "spaceSettings", "instanceType", "masterInstanceFleet", "coreInstanceFleet", "instanceTypeConfigs", "cpu", "memory"},
	"team-budget":                           {"tags", "tagsAll", "costFilters"},
	"team-budget-fit":                       {"limitAmount", "limitUnit", "costFilters"},
	"s3-versioning-lifecycle":               {"versioningConfiguration", "rules", "versioning", "lifecycleRules"},
	"prod-protect":                          {},
	"audit-trail":                           {"isMultiRegionTrail", "includeGlobalServiceEvents", "enableLogging", "enableLogFileValidation", "kmsKeyId", "cloudWatchLogsGroupArn", "advancedEventSelectors"},
	"sagemaker-endpoint-kms":                {"kmsKeyArn", "productionVariants", "dataCaptureConfig"},
	"sagemaker-model-isolated":              {"enableNetworkIsolation", "vpcConfig", "productionVariants"},
	"sagemaker-endpoint-data-capture":       {"dataCaptureConfig"},
	"sagemaker-endpoint-instance-allowlist": {"productionVariants", "minCapacity", "maxCapacity"},
	"sagemaker-endpoint-ttl":                {"tags", "tagsAll"},
}

// EvidenceProperties returns the top-level properties whose values prove
// the control on a deployed resource of one of its types (nil for an
// unknown control).
func (c Control) EvidenceProperties() []string {
	return slices.Clone(evidenceProperties[c.Name])
}

// Settings returns the settings the config runs a control with: the
// defaults, with the config's values for it.
func (pc PolicyConfig) Settings(control string) Settings {
	if s, ok := pc.settings[control]; ok {
		return s
	}
	return DefaultSettings()
}
