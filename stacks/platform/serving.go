package platform

import (
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/data"
	"github.com/aifactory/platform/components/kms"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/components/serving"
	servingspec "github.com/aifactory/platform/components/serving/spec"
	"github.com/aifactory/platform/components/workspace"
	"github.com/aifactory/platform/internal/stackconfig"
)

// servingArtefactAccess lets the serving role of a team with serverless
// endpoints read the team's approved model artefacts from SageMaker's own network:
// serverless inference has no VPC configuration, so SageMaker reads the
// artefacts outside the VPC, which the data perimeter otherwise refuses.
// Provisioned endpoints read artefacts and write captured data through the
// model's VPC configuration and the S3 gateway endpoint, inside the
// perimeter, and need no exemption.
func servingArtefactAccess(cfg *stackconfig.Config, sc scope.Scope) []data.ServiceAccess {
	var out []data.ServiceAccess
	for _, t := range cfg.Teams {
		if t.Serving == nil || !slices.ContainsFunc(t.Serving.Endpoints, func(e servingspec.Endpoint) bool { return e.IsServerless() }) {
			continue
		}
		out = append(out, data.ServiceAccess{
			Prefix: serving.ApprovedArtefactsPrefix(sc, t.Name), RoleArn: sc.RoleARN(serving.RoleName(sc, t.Name)), Team: t.Name,
		})
	}
	return out
}

// newServing gives every team its model registry and serves the models the
// stack file names, in the private subnets, invoked only through the VPC's
// SageMaker runtime endpoint.
func newServing(ctx *pulumi.Context, cfg *stackconfig.Config, sc scope.Scope, net *network.SecureNetwork, keys *kms.Keys,
	perimeter *data.Perimeter, opts ...pulumi.ResourceOption,
) (*serving.ModelServing, error) {
	var teams []serving.Team
	for _, t := range cfg.Teams {
		roles, groups := teamPeople(cfg, t)
		team := serving.Team{
			Name:           t.Name,
			Tags:           cfg.TeamTags(t),
			StudioRoleName: workspace.TeamRoleName(sc, t.Name),
			PeopleRoles:    roles,
			PeopleGroups:   groups,
		}
		if t.Serving != nil {
			team.Approvers = t.Serving.Approvers
			team.Consumers = t.Serving.Consumers
			team.Endpoints = t.Serving.Endpoints
		}
		teams = append(teams, team)
	}
	return serving.New(ctx, "serving", &serving.Args{
		Scope:             sc,
		Placement:         net.Placement(),
		RuntimeEndpointID: net.InterfaceEndpointIDs.MapIndex(pulumi.String("sagemaker.runtime")),
		DataBucketName:    perimeter.DataBucketName,
		DataKeyArn:        keys.Arn(kms.Data),
		WorkspaceKeyArn:   keys.Arn(kms.Workspace),
		LogsKeyArn:        keys.Arn(kms.Logs),
		LogRetentionDays:  cfg.LogRetentionDays,
		DeployerRoleArn:   cfg.DeployerRoleArn,
		Limits:            cfg.ServingLimits(),
		Teams:             teams,
		RetainRegistries:  cfg.Protect,
	}, opts...)
}
