package serving

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sagemaker"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// registry is a team's model registry and the policies around it.
type registry struct {
	group  *sagemaker.ModelPackageGroup
	invoke *iam.Policy
}

// registry creates the team's model package group with its resource
// policy, the policies of its people (register), approvers (decide) and
// invokers, and attaches them.
func (b *builder) registry(t Team) (*registry, error) {
	a := b.a
	resource := b.Child(t.Name)
	tags := t.Tags.StringMap()
	// Retained, never protected: the registry holds the team's model
	// versions and approvals, like the team's data prefix that offboarding
	// keeps, and offboarding removes the team from the stack file, an
	// update the engine refuses while a resource to delete is protected.
	group, err := sagemaker.NewModelPackageGroup(b.Ctx, resource+"-registry", &sagemaker.ModelPackageGroupArgs{
		ModelPackageGroupName:        pulumi.String(RegistryName(a.Scope, t.Name)),
		ModelPackageGroupDescription: pulumi.Sprintf("Model versions of team %s; served only once approved", t.Name),
		Tags:                         tags,
	}, b.Parent, pulumi.RetainOnDelete(a.RetainRegistries))
	if err != nil {
		return nil, err
	}
	doc, err := RegistryPolicy(RegistryScope{
		Scope:           a.Scope,
		Team:            t.Name,
		Registrants:     b.roleArns(t.PeopleRoles),
		Approvers:       b.roleArns(t.Approvers),
		DeployerRoleArn: a.DeployerRoleArn,
	}).JSON()
	if err != nil {
		return nil, err
	}
	if _, err := sagemaker.NewModelPackageGroupPolicy(b.Ctx, resource+"-registry", &sagemaker.ModelPackageGroupPolicyArgs{
		ModelPackageGroupName: group.ModelPackageGroupName,
		ResourcePolicy:        pulumi.String(doc),
	}, b.Parent); err != nil {
		return nil, err
	}

	registrantDoc, err := RegistrantPolicy(a.Scope, t.Name).JSON()
	if err != nil {
		return nil, err
	}
	approverDoc := pulumi.All(a.DataBucketName, a.DataKeyArn).ApplyT(func(in []any) (string, error) {
		return ApproverPolicy(ApproverScope{
			Scope: a.Scope, Team: t.Name, DataBucketArn: a.BucketARN(in[0].(string)), DataKeyArn: in[1].(string),
		}).JSON()
	}).(pulumi.StringOutput)
	for _, part := range []struct {
		resource, name, description string
		doc                         pulumi.StringInput
		roles                       []string
	}{
		{resource + "-registrants", a.Name("registry", t.Name), "Registers model versions of team " + t.Name + " for approval",
			pulumi.String(registrantDoc), t.PeopleRoles},
		{resource + "-approvers", a.Name("registry", t.Name, "approve"), "Approves or rejects model versions of team " + t.Name,
			approverDoc, t.Approvers},
	} {
		if len(part.roles) == 0 {
			continue
		}
		p, err := b.policy(part.resource, part.name, part.description, part.doc, tags)
		if err != nil {
			return nil, err
		}
		if err := b.attach(part.resource, p, part.roles, nil); err != nil {
			return nil, err
		}
	}

	invokeDoc := a.RuntimeEndpointID.ToStringOutput().ApplyT(func(id string) (string, error) {
		return InvokePolicy(a.Scope, t.Name, id).JSON()
	}).(pulumi.StringOutput)
	invoke, err := b.policy(resource+"-invoke", a.Name("serving", t.Name, "invoke"),
		fmt.Sprintf("Invokes the endpoints of team %s, from inside the VPC only", t.Name), invokeDoc, tags)
	if err != nil {
		return nil, err
	}
	invokers := append([]string{}, t.PeopleRoles...)
	if t.StudioRoleName != "" {
		invokers = append(invokers, t.StudioRoleName)
	}
	invokers = append(invokers, t.Consumers...)
	if err := b.attach(resource+"-invoke", invoke, invokers, t.PeopleGroups); err != nil {
		return nil, err
	}
	return &registry{group: group, invoke: invoke}, nil
}

func (b *builder) roleArns(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, b.a.RoleARN(n))
	}
	return out
}

func (b *builder) policy(resource, name, description string, doc pulumi.StringInput, tags pulumi.StringMap) (*iam.Policy, error) {
	return iam.NewPolicy(b.Ctx, resource, &iam.PolicyArgs{
		Name:        pulumi.String(name),
		Description: pulumi.String(description),
		Policy:      doc,
		Tags:        tags,
	}, b.Parent)
}

// attach attaches a managed policy to roles and groups (names).
func (b *builder) attach(resource string, p *iam.Policy, roles, groups []string) error {
	for _, r := range roles {
		if _, err := iam.NewRolePolicyAttachment(b.Ctx, fmt.Sprintf("%s-role-%s", resource, r), &iam.RolePolicyAttachmentArgs{
			Role: pulumi.String(r), PolicyArn: p.Arn,
		}, b.Parent); err != nil {
			return err
		}
	}
	for _, g := range groups {
		if _, err := iam.NewGroupPolicyAttachment(b.Ctx, fmt.Sprintf("%s-group-%s", resource, g), &iam.GroupPolicyAttachmentArgs{
			Group: pulumi.String(g), PolicyArn: p.Arn,
		}, b.Parent); err != nil {
			return err
		}
	}
	return nil
}
