package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Model serving: endpoints keep their data encrypted, their models
// isolated in the VPC, evidence of what they answered where the
// environment demands it, sizes within the environment's bounds, and an
// expiry where forgotten endpoints are cleaned up.

const (
	typeSageMakerModel          = "aws:sagemaker/model:Model"
	typeEndpointConfig          = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
	typeEndpoint                = "aws:sagemaker/endpoint:Endpoint"
	typeScalableTarget          = "aws:appautoscaling/target:Target"
	typeModelPackageGroupPolicy = "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy"
)

// sagemakerVariantDimension is the scalable dimension of an endpoint variant.
const sagemakerVariantDimension = "sagemaker:variant:DesiredInstanceCount"

var (
	servingKMS = newControl(Control{
		Name: "sagemaker-endpoint-kms", Category: Encryption, Level: Mandatory,
		Requirement:   "SageMaker endpoint configurations encrypt their instances' storage volumes with a customer-managed key (serverless variants have none) and encrypt captured data with a customer-managed key.",
		Checkov:       []string{"CKV_AWS_98"},
		ResourceTypes: []string{typeEndpointConfig},
		resource:      checkEndpointKMS,
	})
	servingModelIsolated = newControl(Control{
		Name: "sagemaker-model-isolated", Category: Network, Level: Mandatory,
		Requirement:   "SageMaker models run in VPC subnets with security groups and with network isolation on, except models served only by serverless variants, which AWS runs outside any VPC (sagemaker-endpoint-instance-allowlist decides where serverless is allowed).",
		FSBP:          []string{"SageMaker.5"},
		Checkov:       []string{"CKV_AWS_370"},
		ResourceTypes: []string{typeSageMakerModel, typeEndpointConfig},
		stack:         checkModelIsolated,
	})
	servingDataCapture = newControl(Control{
		Name: "sagemaker-endpoint-data-capture", Category: Governance, Level: Mandatory,
		Requirement:   "In the environments that require it (prod), SageMaker endpoint configurations capture requests and responses, for a sampled share of at least 1%, to S3, encrypted with a customer-managed key.",
		ResourceTypes: []string{typeEndpointConfig},
		Params:        []Param{paramEnvironment, paramDataCaptureEnvironments},
		resource:      checkEndpointDataCapture,
	})
	servingInstanceAllowlist = newControl(Control{
		Name: "sagemaker-endpoint-instance-allowlist", Category: FinOps, Level: Mandatory,
		Requirement:   "SageMaker endpoint variants run on the environment's serving instance types, start and scale within its instance bound, and use serverless inference only where the environment allows it, within its concurrency bound.",
		ResourceTypes: []string{typeEndpointConfig, typeScalableTarget},
		Params:        []Param{paramServingTypes, paramMaxEndpointInstances, paramAllowServerless, paramMaxServerlessConcurrency},
		resource:      checkEndpointInstanceAllowlist,
	})
	servingEndpointTTL = newControl(Control{
		Name: "sagemaker-endpoint-ttl", Category: Tags, Level: Mandatory,
		Requirement:   "In the environments whose forgotten endpoints the cleanup job removes (dev), SageMaker endpoints carry an expires-at tag with an RFC 3339 time.",
		ResourceTypes: []string{typeEndpoint},
		Params:        []Param{paramEnvironment, paramEndpointTTLEnvironments},
		resource:      checkEndpointTTL,
	})
)

var (
	paramDataCaptureEnvironments = Param{
		Key: "dataCaptureEnvironments", Type: "array", Default: true,
		Description: "Environments whose endpoints must capture requests and responses.",
		field:       func(s *Settings) any { return &s.DataCaptureEnvironments },
	}
	paramEndpointTTLEnvironments = Param{
		Key: "ttlEnvironments", Type: "array", Default: true,
		Description: "Environments whose endpoints must carry an expires-at tag.",
		field:       func(s *Settings) any { return &s.EndpointTTLEnvironments },
	}
	paramServingTypes = Param{
		Key: "servingInstanceTypes", Type: "array", Default: true, ItemPattern: `^ml\.[a-z0-9]+\.[a-z0-9]+$`, ItemHint: "a SageMaker instance type such as ml.m5.large",
		Description: "Instance types SageMaker endpoint variants may use (the stack's aifactory:serving.allowedInstanceTypes).",
		field:       func(s *Settings) any { return &s.ServingInstanceTypes },
	}
	paramMaxEndpointInstances = Param{
		Key: "maxEndpointInstances", Type: "integer", Minimum: 1, Default: true,
		Description: "Most instances an endpoint variant may start with or scale to (aifactory:serving.maxInstances).",
		field:       func(s *Settings) any { return &s.MaxEndpointInstances },
	}
	paramAllowServerless = Param{
		Key: "allowServerless", Type: "boolean", Default: true,
		Description: "Whether endpoints may use serverless inference, which has no VPC, network isolation or data capture (aifactory:serving.allowServerless).",
		field:       func(s *Settings) any { return &s.AllowServerless },
	}
	paramMaxServerlessConcurrency = Param{
		Key: "maxServerlessConcurrency", Type: "integer", Minimum: 1, Default: true,
		Description: "Largest concurrency of a serverless endpoint (aifactory:serving.maxServerlessConcurrency).",
		field:       func(s *Settings) any { return &s.MaxServerlessConcurrency },
	}
)

// variantKinds reports whether an endpoint configuration's production
// variants include provisioned ones and serverless ones; st is unknown when
// the variants, or whether one is serverless, are not known yet.
func variantKinds(cfg *Resource) (provisioned, serverless bool, st state) {
	variants, vst := prop(cfg.Properties, "productionVariants").items()
	if vst != known {
		return false, false, vst
	}
	st = known
	for _, v := range variants {
		switch v.get("serverlessConfig").st {
		case unknown:
			st = unknown
		case absent:
			provisioned = true
		default:
			serverless = true
		}
	}
	return provisioned, serverless, st
}

func checkEndpointKMS(c *check, _ *Settings) {
	provisioned, _, st := variantKinds(c.r)
	kms := c.prop("kmsKeyArn")
	switch {
	case st == unknown && kms.st != known:
		// Whether a provisioned variant needs the key is not known yet.
		c.unverified(c.prop("productionVariants"))
	case provisioned || st == absent:
		c.requireKey(kms, "set kmsKeyArn to the platform's workspace key (serving component): it encrypts the endpoint instances' storage volumes")
	}
	if capture := c.prop("dataCaptureConfig"); capture.st != absent {
		c.requireKey(capture.get("kmsKeyId"), "set dataCaptureConfig.kmsKeyId to the platform's data key: captured requests and responses are the team's data")
	}
}

func checkEndpointDataCapture(c *check, s *Settings) {
	if !slices.Contains(s.DataCaptureEnvironments, s.Environment) {
		return
	}
	capture := c.prop("dataCaptureConfig")
	fix := "set dataCaptureConfig {enableCapture: true, initialSamplingPercentage: 1-100, destinationS3Uri: the team's capture prefix, kmsKeyId: the data key, " +
		"captureOptions: [Input, Output]} (serving component); a serverless endpoint cannot capture, so serve the model on an instance type"
	switch capture.st {
	case unknown:
		c.unverified(capture)
		return
	case absent:
		c.violation(fmt.Sprintf("no dataCaptureConfig in %s, so nothing records what the endpoint answered", s.Environment), fix)
		return
	}
	c.requireTrue(capture.get("enableCapture"), "dataCaptureConfig.enableCapture is not true", fix)
	c.requireAtLeast(capture.get("initialSamplingPercentage"), 1, -1, "dataCaptureConfig.initialSamplingPercentage is below 1", fix)
	c.requirePresent(capture.get("destinationS3Uri"), "dataCaptureConfig.destinationS3Uri is not set", fix)
	c.requireKey(capture.get("kmsKeyId"), fix)
	options, st := capture.get("captureOptions").items()
	if st == unknown {
		c.unverified(capture.get("captureOptions"))
		return
	}
	modes := map[string]bool{}
	for _, o := range options {
		m, mst := o.get("captureMode").str()
		if mst == unknown {
			c.unverified(o.get("captureMode"))
			return
		}
		modes[strings.ToLower(m)] = true
	}
	if !modes["input"] || !modes["output"] {
		c.violation("dataCaptureConfig.captureOptions does not capture both requests (Input) and responses (Output)", fix)
	}
}

func checkEndpointInstanceAllowlist(c *check, s *Settings) {
	switch c.r.Type {
	case typeEndpointConfig:
		for _, key := range []string{"productionVariants", "shadowProductionVariants"} {
			variants, st := c.prop(key).items()
			if st == unknown {
				c.unverified(c.prop(key))
				continue
			}
			for _, v := range variants {
				c.servingVariant(v, s)
			}
		}
	case typeScalableTarget:
		ns, st := c.prop("serviceNamespace").str()
		dim, dst := c.prop("scalableDimension").str()
		switch {
		case st == unknown || dst == unknown:
			c.unverified(c.prop("scalableDimension"))
		case ns == "sagemaker" && dim == sagemakerVariantDimension:
			c.requireAtMost(c.prop("maxCapacity"), float64(s.MaxEndpointInstances), -1,
				fmt.Sprintf("maxCapacity lets the endpoint variant scale beyond this environment's %d instances", s.MaxEndpointInstances),
				fmt.Sprintf("set maxCapacity to at most %d (aifactory:serving.maxInstances), or raise maxEndpointInstances in the environment's policy config with it", s.MaxEndpointInstances))
		}
	}
}

// servingVariant checks one production or shadow variant.
func (c *check) servingVariant(v val, s *Settings) {
	serverless := v.get("serverlessConfig")
	switch serverless.st {
	case unknown:
		c.unverified(serverless)
	case known:
		if !s.AllowServerless {
			c.violation(fmt.Sprintf("%s uses serverless inference, which this environment does not allow: it runs the model without a VPC, network isolation or data capture", v.path),
				"serve the model on one of the environment's instance types (instanceType, initialInstanceCount)")
			return
		}
		c.requireAtMost(serverless.get("maxConcurrency"), float64(s.MaxServerlessConcurrency), -1,
			fmt.Sprintf("%s.maxConcurrency is unset or above this environment's %d", serverless.path, s.MaxServerlessConcurrency),
			fmt.Sprintf("set it to at most %d (aifactory:serving.maxServerlessConcurrency)", s.MaxServerlessConcurrency))
	default:
		t := v.get("instanceType")
		typ, st := t.str()
		switch {
		case st == unknown:
			c.unverified(t)
		case st == absent:
			c.violation(fmt.Sprintf("%s names neither an instance type nor serverless inference", v.path),
				fmt.Sprintf("set instanceType to one of %s", strings.Join(s.ServingInstanceTypes, ", ")))
		case !slices.Contains(s.ServingInstanceTypes, typ):
			c.violation(fmt.Sprintf("%s is %s, which this environment does not allow for endpoints", t.path, t.show()),
				fmt.Sprintf("choose one of %s (aifactory:serving.allowedInstanceTypes), or add the type to servingInstanceTypes in the environment's policy config with it", strings.Join(s.ServingInstanceTypes, ", ")))
		}
		c.requireAtMost(v.get("initialInstanceCount"), float64(s.MaxEndpointInstances), 1,
			fmt.Sprintf("%s.initialInstanceCount is above this environment's %d instances", v.path, s.MaxEndpointInstances),
			fmt.Sprintf("start with at most %d instances (aifactory:serving.maxInstances)", s.MaxEndpointInstances))
	}
}

func checkEndpointTTL(c *check, s *Settings) {
	if !slices.Contains(s.EndpointTTLEnvironments, s.Environment) {
		return
	}
	checkTTLTag(c, s)
}

// checkModelIsolated checks every model's VPC configuration and network
// isolation. A model that fails them is exempt only when every endpoint
// configuration that serves it is known to be serverless-only: AWS runs
// serverless inference outside any VPC and refuses network isolation there.
func checkModelIsolated(c *stackCheck, _ *Settings) {
	configs := c.idx.ofTypes(typeEndpointConfig)
	for _, m := range c.idx.ofTypes(typeSageMakerModel) {
		var findings []Finding
		isolation(&check{control: c.control, r: m, out: &findings})
		violated := slices.ContainsFunc(findings, func(f Finding) bool { return f.Verdict == Violation })
		if !violated {
			*c.out = append(*c.out, findings...)
			continue
		}
		switch servedServerlessOnly(m, configs) {
		case isMatch:
			continue
		case maybeMatch:
			c.on(m).undecided("vpcConfig", "whether the model is served only by serverless variants (which AWS runs outside any VPC) is not known yet; "+
				"without a VPC configuration and network isolation it fails unless it is")
		default:
			*c.out = append(*c.out, findings...)
		}
	}
}

// isolation checks a model's own VPC configuration and network isolation.
func isolation(c *check) {
	c.requireTrue(c.prop("enableNetworkIsolation"), "enableNetworkIsolation is not true, so the model's container can call out and holds AWS credentials",
		"set enableNetworkIsolation: true (serving component)")
	vpc := c.prop("vpcConfig")
	fix := "set vpcConfig {subnets: the platform's private subnets, securityGroupIds: [the team's serving group]} (serving component)"
	switch vpc.st {
	case unknown:
		c.unverified(vpc)
		return
	case absent:
		c.violation("vpcConfig is not set, so SageMaker runs the model outside the platform's VPC", fix)
		return
	}
	for _, key := range []string{"subnets", "securityGroupIds"} {
		ids, st := vpc.get(key).strings()
		switch {
		case st == unknown:
			c.unverified(vpc.get(key))
		case len(ids) == 0:
			c.violation(fmt.Sprintf("vpcConfig.%s is empty", key), fix)
		}
	}
}

// servedServerlessOnly reports whether endpoint configurations serve the
// model, and all of them only with serverless variants (isMatch); whether
// that cannot be known yet (maybeMatch); or not (noMatch). A configuration
// refers to a model by its name, known or computed from the model (a
// dependency the engine records).
func servedServerlessOnly(m *Resource, configs []*Resource) match {
	name, nst := prop(m.Properties, "name").str()
	served, maybe := false, false
	for _, cfg := range configs {
		refers := slices.Contains(cfg.PropertyDependencies["productionVariants"], m.URN)
		if !refers {
			variants, st := prop(cfg.Properties, "productionVariants").items()
			if st == unknown {
				maybe = true
				continue
			}
			for _, v := range variants {
				ref, rst := v.get("modelName").str()
				switch {
				case rst == unknown || (rst == known && nst != known):
					maybe = true
				case rst == known && ref == name:
					refers = true
				}
			}
		}
		if !refers {
			continue
		}
		served = true
		provisioned, _, st := variantKinds(cfg)
		switch {
		case st == unknown:
			maybe = true
		case provisioned || st == absent:
			return noMatch
		}
	}
	switch {
	case maybe:
		return maybeMatch
	case served:
		return isMatch
	}
	return noMatch
}
