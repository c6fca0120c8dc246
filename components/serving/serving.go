// Package serving serves a team's approved models behind private SageMaker
// endpoints, with the same guardrails as the team's workspace.
//
// Every team gets a model registry (a model package group) whose resource
// policy admits only the team's roles: the team's people register versions
// for approval, only the team's approvers set Approved or Rejected, and the
// deployer reads versions to build the models the stack file names. A team
// that serves models also gets a serving role (SageMaker's execution role
// for its models) and a serving security group, and per endpoint:
//
//   - a model built from the exact model package version the stack file
//     names, in the private subnets with the team's serving group and
//     network isolation on;
//   - an endpoint configuration whose volumes are encrypted with the
//     workspace key, on an instance type of the environment's allow-list
//     (or serverless inference where the environment allows it), capturing
//     the configured share of requests and responses, encrypted with the
//     data key, to teams/<team>/serving/<endpoint>/ of the data bucket;
//   - auto scaling within the environment's bound;
//   - an endpoint deployed blue/green, rolled back automatically by two
//     alarms (5xx error rate, p99 model latency), tagged expires-at where
//     configured (always in dev);
//   - its log group, encrypted with the logs key and kept for the
//     environment's retention.
//
// Endpoints are invoked only through the VPC's SageMaker runtime endpoint,
// by the team's Studio role, its people and the consumer roles it names.
package serving

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/internal/build"
)

// Type is the component's type token.
const Type = "aifactory:serving:ModelServing"

// ModelServing is the model serving component (aifactory:serving:ModelServing).
type ModelServing struct {
	pulumi.ResourceState

	// RegistryNames and RegistryArns are every team's model package group,
	// keyed by team.
	RegistryNames pulumi.StringMapOutput `pulumi:"registryNames"`
	RegistryArns  pulumi.StringMapOutput `pulumi:"registryArns"`
	// InvokePolicyArns are the policies that invoke a team's endpoints,
	// keyed by team.
	InvokePolicyArns pulumi.StringMapOutput `pulumi:"invokePolicyArns"`
	// RoleArns and SecurityGroupIDs are the serving roles and groups of the
	// teams that serve models, keyed by team.
	RoleArns         pulumi.StringMapOutput `pulumi:"roleArns"`
	SecurityGroupIDs pulumi.StringMapOutput `pulumi:"securityGroupIds"`
	// EndpointNames and EndpointURLs are keyed by "<team>/<endpoint>".
	EndpointNames pulumi.StringMapOutput `pulumi:"endpointNames"`
	EndpointURLs  pulumi.StringMapOutput `pulumi:"endpointUrls"`
	// BoundaryPolicyArn is the serving roles' permissions boundary; empty
	// when no team serves a model.
	BoundaryPolicyArn pulumi.StringOutput `pulumi:"boundaryPolicyArn"`
}

// New creates every team's registry and the endpoints of the teams that
// serve models.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*ModelServing, error) {
	if args == nil {
		return nil, errors.New("serving: args are required")
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("serving %q: %w", name, err)
	}
	c := &ModelServing{}
	if err := ctx.RegisterComponentResource(Type, name, c, opts...); err != nil {
		return nil, err
	}
	// Serving has no Protect: Args.RetainRegistries keeps the registries.
	b := &builder{Builder: build.New(ctx, name, c, false), a: &a}

	registryNames, registryArns, invokePolicies := pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringMap{}
	roleArns, groupIDs := pulumi.StringMap{}, pulumi.StringMap{}
	endpointNames, endpointURLs := pulumi.StringMap{}, pulumi.StringMap{}
	boundaryArn := pulumi.String("").ToStringOutput()

	var boundary *iam.Policy
	for _, t := range a.Teams {
		if len(t.Endpoints) > 0 && boundary == nil {
			var err error
			if boundary, err = b.boundary(); err != nil {
				return nil, err
			}
			boundaryArn = boundary.Arn
		}
	}
	for _, t := range a.Teams {
		reg, err := b.registry(t)
		if err != nil {
			return nil, err
		}
		registryNames[t.Name] = reg.group.ModelPackageGroupName
		registryArns[t.Name] = reg.group.Arn
		invokePolicies[t.Name] = reg.invoke.Arn
		if len(t.Endpoints) == 0 {
			continue
		}
		served, err := b.team(t, boundary)
		if err != nil {
			return nil, err
		}
		roleArns[t.Name] = served.role.Arn
		groupIDs[t.Name] = served.securityGroup.ID().ToStringOutput()
		for _, e := range served.endpoints {
			key := t.Name + "/" + e.spec.Name
			endpointNames[key] = e.endpoint.Name
			endpointURLs[key] = e.endpoint.Name.ApplyT(func(n string) string { return InvocationURL(a.Scope, n) }).(pulumi.StringOutput)
		}
	}

	c.RegistryNames = registryNames.ToStringMapOutput()
	c.RegistryArns = registryArns.ToStringMapOutput()
	c.InvokePolicyArns = invokePolicies.ToStringMapOutput()
	c.RoleArns = roleArns.ToStringMapOutput()
	c.SecurityGroupIDs = groupIDs.ToStringMapOutput()
	c.EndpointNames = endpointNames.ToStringMapOutput()
	c.EndpointURLs = endpointURLs.ToStringMapOutput()
	c.BoundaryPolicyArn = boundaryArn
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"registryNames":     c.RegistryNames,
		"registryArns":      c.RegistryArns,
		"invokePolicyArns":  c.InvokePolicyArns,
		"roleArns":          c.RoleArns,
		"securityGroupIds":  c.SecurityGroupIDs,
		"endpointNames":     c.EndpointNames,
		"endpointUrls":      c.EndpointURLs,
		"boundaryPolicyArn": c.BoundaryPolicyArn,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// builder carries what every resource file needs.
type builder struct {
	build.Builder
	a *Args
}

func (b *builder) boundary() (*iam.Policy, error) {
	a := b.a
	doc := pulumi.All(a.VpcID, a.DataBucketName, a.DataKeyArn, a.WorkspaceKeyArn).ApplyT(func(v []any) (string, error) {
		return BoundaryPolicy(BoundaryScope{
			Scope:                 a.Scope,
			VpcID:                 v[0].(string),
			DataBucketArn:         a.BucketARN(v[1].(string)),
			DataKeyArn:            v[2].(string),
			WorkspaceKeyArn:       v[3].(string),
			ImageRegistryAccounts: a.ImageRegistryAccounts,
		}).JSON()
	}).(pulumi.StringOutput)
	return iam.NewPolicy(b.Ctx, b.Child("boundary"), &iam.PolicyArgs{
		Name:        pulumi.String(a.Name("serving", "boundary")),
		Description: pulumi.String("Permissions boundary of every model serving role"),
		Policy:      doc,
	}, b.Parent)
}
