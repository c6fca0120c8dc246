package rules_test

import (
	"testing"

	"github.com/aifactory/platform/components/iamdoc"
	"github.com/aifactory/platform/policy/rules"
)

func TestServingControls(t *testing.T) { runCases(t, servingCases()) }

const (
	tModel       = "aws:sagemaker/model:Model"
	tEndpointCfg = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
	tSMEndpoint  = "aws:sagemaker/endpoint:Endpoint"
	tTarget      = "aws:appautoscaling/target:Target"
	tRegistryPol = "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy"
)

func inEnv(env string) func(*rules.Settings) {
	return func(s *rules.Settings) { s.Environment = env }
}

// servingCases are the cases of the model serving controls (serving.go)
// and of resource-policy-no-public on model registries.
func servingCases() []controlCase {
	var cases []controlCase
	add := func(c ...controlCase) { cases = append(cases, c...) }

	provisioned := func(typ any, count any) map[string]any {
		return map[string]any{"variantName": "AllTraffic", "modelName": computed, "instanceType": typ, "initialInstanceCount": count}
	}
	serverless := func(concurrency any) map[string]any {
		return map[string]any{"variantName": "AllTraffic", "modelName": computed,
			"serverlessConfig": map[string]any{"memorySizeInMb": 2048, "maxConcurrency": concurrency}}
	}
	capture := func(modes ...string) map[string]any {
		var options []any
		for _, m := range modes {
			options = append(options, map[string]any{"captureMode": m})
		}
		return map[string]any{"enableCapture": true, "initialSamplingPercentage": 20,
			"destinationS3Uri": "s3://aifactory-prod-data-123456789012/teams/team-a/serving/churn/", "kmsKeyId": keyARN, "captureOptions": options}
	}
	config := func(name string, props map[string]any) rules.Resource { return res(tEndpointCfg, name, props) }
	good := map[string]any{"kmsKeyArn": keyARN, "productionVariants": []any{provisioned("ml.m5.large", 1)}, "dataCaptureConfig": capture("Input", "Output")}

	// sagemaker-endpoint-kms
	key := res(tKey, "workspace", map[string]any{"enableKeyRotation": true})
	add(
		controlCase{control: "sagemaker-endpoint-kms", name: "volumes and capture encrypted", want: pass, resources: one(config("churn", good))},
		controlCase{control: "sagemaker-endpoint-kms", name: "serverless has no volume", want: pass,
			resources: one(config("churn", map[string]any{"productionVariants": []any{serverless(5)}}))},
		controlCase{control: "sagemaker-endpoint-kms", name: "key from the stack", want: pass,
			resources: []rules.Resource{key, dependsOn(config("churn", with(good, "kmsKeyArn", computed)), "kmsKeyArn", key)}},
		controlCase{control: "sagemaker-endpoint-kms", name: "volumes unencrypted", want: violation, contains: "kmsKeyArn is not set",
			resources: one(config("churn", with(good, "kmsKeyArn", nil)))},
		controlCase{control: "sagemaker-endpoint-kms", name: "AWS managed key", want: violation, contains: "AWS-managed key",
			resources: one(config("churn", with(good, "kmsKeyArn", "alias/aws/sagemaker")))},
		controlCase{control: "sagemaker-endpoint-kms", name: "capture unencrypted", want: violation, contains: "dataCaptureConfig.kmsKeyId is not set",
			resources: one(config("churn", with(good, "dataCaptureConfig", with(capture("Input", "Output"), "kmsKeyId", nil))))},
		controlCase{control: "sagemaker-endpoint-kms", name: "key computed elsewhere", want: unverified, contains: "kmsKeyArn",
			resources: one(config("churn", with(good, "kmsKeyArn", computed)))},
		controlCase{control: "sagemaker-endpoint-kms", name: "variants computed", want: unverified, contains: "productionVariants",
			resources: one(config("churn", map[string]any{"productionVariants": computed}))},
	)

	// sagemaker-model-isolated
	isolated := map[string]any{"executionRoleArn": computed, "enableNetworkIsolation": true,
		"vpcConfig": map[string]any{"subnets": []string{"subnet-a", "subnet-b"}, "securityGroupIds": []string{"sg-serving"}}}
	model := func(props map[string]any) rules.Resource { return res(tModel, "churn", props) }
	open := model(map[string]any{"executionRoleArn": computed})
	add(
		controlCase{control: "sagemaker-model-isolated", name: "isolated in the VPC", want: pass, resources: one(model(isolated))},
		controlCase{control: "sagemaker-model-isolated", name: "served only serverless", want: pass,
			resources: []rules.Resource{open, dependsOn(config("churn", map[string]any{"productionVariants": []any{serverless(5)}}), "productionVariants", open)}},
		controlCase{control: "sagemaker-model-isolated", name: "served by name, serverless", want: pass,
			resources: []rules.Resource{
				res(tModel, "churn", map[string]any{"name": "churn-model"}),
				config("churn", map[string]any{"productionVariants": []any{with(serverless(5), "modelName", "churn-model")}}),
			}},
		controlCase{control: "sagemaker-model-isolated", name: "not isolated", want: violation, contains: "enableNetworkIsolation is not true",
			resources: one(model(with(isolated, "enableNetworkIsolation", false)))},
		controlCase{control: "sagemaker-model-isolated", name: "outside the VPC on instances", want: violation, contains: "vpcConfig is not set",
			resources: []rules.Resource{open, dependsOn(config("churn", good), "productionVariants", open)}},
		controlCase{control: "sagemaker-model-isolated", name: "no subnets", want: violation, contains: "vpcConfig.subnets is empty",
			resources: one(model(with(isolated, "vpcConfig", map[string]any{"subnets": []string{}, "securityGroupIds": []string{"sg-serving"}})))},
		controlCase{control: "sagemaker-model-isolated", name: "subnets computed", want: unverified, contains: "vpcConfig.subnets",
			resources: one(model(with(isolated, "vpcConfig", map[string]any{"subnets": computed, "securityGroupIds": computed})))},
		controlCase{control: "sagemaker-model-isolated", name: "which configuration serves it is unknown", want: unverified, contains: "served only by serverless",
			resources: []rules.Resource{open, config("other", map[string]any{"productionVariants": computed})}},
	)

	// sagemaker-endpoint-data-capture
	prod := inEnv("prod")
	add(
		controlCase{control: "sagemaker-endpoint-data-capture", name: "prod captures requests and responses", want: pass, settings: prod,
			resources: one(config("churn", good))},
		controlCase{control: "sagemaker-endpoint-data-capture", name: "dev need not capture", want: pass,
			resources: one(config("churn", map[string]any{"productionVariants": []any{serverless(5)}}))},
		controlCase{control: "sagemaker-endpoint-data-capture", name: "prod without capture", want: violation, contains: "no dataCaptureConfig in prod",
			settings: prod, resources: one(config("churn", with(good, "dataCaptureConfig", nil)))},
		controlCase{control: "sagemaker-endpoint-data-capture", name: "requests only", want: violation, contains: "both requests (Input) and responses (Output)",
			settings: prod, resources: one(config("churn", with(good, "dataCaptureConfig", capture("Input"))))},
		controlCase{control: "sagemaker-endpoint-data-capture", name: "nothing sampled", want: violation, contains: "initialSamplingPercentage is below 1",
			settings: prod, resources: one(config("churn", with(good, "dataCaptureConfig", with(capture("Input", "Output"), "initialSamplingPercentage", 0))))},
		controlCase{control: "sagemaker-endpoint-data-capture", name: "capture switched off", want: violation, contains: "enableCapture is not true",
			settings: prod, resources: one(config("churn", with(good, "dataCaptureConfig", with(capture("Input", "Output"), "enableCapture", false))))},
		controlCase{control: "sagemaker-endpoint-data-capture", name: "capture computed", want: unverified, contains: "dataCaptureConfig",
			settings: prod, resources: one(config("churn", with(good, "dataCaptureConfig", computed)))},
	)

	// sagemaker-endpoint-instance-allowlist
	serverlessAllowed := func(s *rules.Settings) { s.AllowServerless = true }
	target := func(ns, dim any, maxCapacity any) rules.Resource {
		return res(tTarget, "scaling", map[string]any{"serviceNamespace": ns, "scalableDimension": dim, "resourceId": computed, "minCapacity": 1, "maxCapacity": maxCapacity})
	}
	variantDim := "sagemaker:variant:DesiredInstanceCount"
	add(
		controlCase{control: "sagemaker-endpoint-instance-allowlist", name: "allowed type and count", want: pass, resources: one(config("churn", good))},
		controlCase{control: "sagemaker-endpoint-instance-allowlist", name: "serverless where allowed", want: pass, settings: serverlessAllowed,
			resources: one(config("churn", map[string]any{"productionVariants": []any{serverless(5)}}))},
		controlCase{control: "sagemaker-endpoint-instance-allowlist", name: "scaling within the bound", want: pass, resources: one(target("sagemaker", variantDim, 4))},
		controlCase{control: "sagemaker-endpoint-instance-allowlist", name: "another service's scaling", want: pass,
			resources: one(target("ecs", "ecs:service:DesiredCount", 100))},
		controlCase{control: "sagemaker-endpoint-instance-allowlist", name: "GPU type", want: violation, contains: `"ml.p3.2xlarge", which this environment does not allow`,
			resources: one(config("churn", with(good, "productionVariants", []any{provisioned("ml.p3.2xlarge", 1)})))},
		controlCase{control: "sagemaker-endpoint-instance-allowlist", name: "shadow variant on a GPU", want: violation, contains: "shadowProductionVariants[0].instanceType",
			resources: one(config("churn", with(good, "shadowProductionVariants", []any{provisioned("ml.p3.2xlarge", 1)})))},
		controlCase{control: "sagemaker-endpoint-instance-allowlist", name: "too many instances", want: violation, contains: "initialInstanceCount is above this environment's 4",
			resources: one(config("churn", with(good, "productionVariants", []any{provisioned("ml.m5.large", 10)})))},
		controlCase{control: "sagemaker-endpoint-instance-allowlist", name: "serverless not allowed", want: violation, contains: "does not allow",
			resources: one(config("churn", map[string]any{"productionVariants": []any{serverless(5)}}))},
		controlCase{control: "sagemaker-endpoint-instance-allowlist", name: "serverless too concurrent", want: violation, contains: "maxConcurrency is unset or above",
			settings: serverlessAllowed, resources: one(config("churn", map[string]any{"productionVariants": []any{serverless(50)}}))},
		controlCase{control: "sagemaker-endpoint-instance-allowlist", name: "scaling beyond the bound", want: violation, contains: "beyond this environment's 4 instances",
			resources: one(target("sagemaker", variantDim, 10))},
		controlCase{control: "sagemaker-endpoint-instance-allowlist", name: "type computed", want: unverified, contains: "instanceType",
			resources: one(config("churn", with(good, "productionVariants", []any{provisioned(computed, 1)})))},
		controlCase{control: "sagemaker-endpoint-instance-allowlist", name: "dimension computed", want: unverified, contains: "scalableDimension",
			resources: one(target(computed, computed, 4))},
	)

	// sagemaker-endpoint-ttl
	endpoint := func(tags any) rules.Resource {
		return res(tSMEndpoint, "churn", map[string]any{"name": "aifactory-dev-team-a--churn", "endpointConfigName": computed, "tags": tags})
	}
	add(
		controlCase{control: "sagemaker-endpoint-ttl", name: "dev endpoint expires", want: pass,
			resources: one(endpoint(with(fullTags(), "expires-at", "2027-12-31T18:00:00Z")))},
		controlCase{control: "sagemaker-endpoint-ttl", name: "prod endpoint stays", want: pass, settings: prod,
			resources: one(endpoint(with(fullTags(), "environment", "prod")))},
		controlCase{control: "sagemaker-endpoint-ttl", name: "dev endpoint forgotten", want: violation, contains: `"expires-at"`,
			resources: one(endpoint(fullTags()))},
		controlCase{control: "sagemaker-endpoint-ttl", name: "not a time", want: violation, contains: "not an RFC 3339 time",
			resources: one(endpoint(with(fullTags(), "expires-at", "next year")))},
		controlCase{control: "sagemaker-endpoint-ttl", name: "tags computed", want: unverified, contains: "expires-at",
			resources: one(endpoint(computed))},
	)

	// resource-policy-no-public on model registries.
	registry := "arn:aws:sagemaker:eu-west-1:" + account + ":model-package-group/aifactory-dev-team-a"
	versions := "arn:aws:sagemaker:eu-west-1:" + account + ":model-package/aifactory-dev-team-a/*"
	registryPolicy := func(principal *iamdoc.Principal) rules.Resource {
		return res(tRegistryPol, "team-a", map[string]any{"modelPackageGroupName": "aifactory-dev-team-a", "resourcePolicy": doc(
			iamdoc.Statement{Sid: "TeamReadsItsRegistry", Effect: iamdoc.Allow, Principal: principal,
				Action: iamdoc.Strings{"sagemaker:DescribeModelPackage"}, Resource: iamdoc.Strings{registry, versions}},
		)})
	}
	add(
		controlCase{control: "resource-policy-no-public", name: "registry open to the team's roles", want: pass,
			resources: one(registryPolicy(iamdoc.AWSPrincipals("arn:aws:iam::" + account + ":role/team-a-analysts")))},
		controlCase{control: "resource-policy-no-public", name: "registry open to everyone", want: violation, contains: "allows any principal (*)",
			resources: one(registryPolicy(iamdoc.Anyone()))},
		controlCase{control: "resource-policy-no-public", name: "registry open to another account", want: violation, contains: "a principal of another AWS account",
			resources: one(registryPolicy(iamdoc.AWSPrincipals("arn:aws:iam::" + otherAccount + ":root")))},
		controlCase{control: "resource-policy-no-public", name: "registry policy computed", want: unverified, contains: "resourcePolicy",
			resources: one(res(tRegistryPol, "team-a", map[string]any{"modelPackageGroupName": computed, "resourcePolicy": computed}))},
	)
	return cases
}
