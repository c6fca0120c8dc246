// Package platform composes the AI Factory components into one stack. The
// same code runs in every environment; only Pulumi.<stack>.yaml differs.
package platform

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/analytics"
	"github.com/aifactory/platform/components/data"
	"github.com/aifactory/platform/components/finops"
	"github.com/aifactory/platform/components/kms"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/components/workspace"
	"github.com/aifactory/platform/finops/cleanup/bundle"
	"github.com/aifactory/platform/internal/stackconfig"
)

// Program is the Pulumi program of every stack.
func Program(ctx *pulumi.Context) error {
	cfg, err := stackconfig.Load(ctx)
	if err != nil {
		return err
	}
	// Installed before the first resource, so that nothing escapes it.
	tags, err := tagging.Install(ctx, cfg.DefaultTags())
	if err != nil {
		return err
	}
	if err := compose(ctx, cfg); err != nil {
		return err
	}
	return tags.Err()
}

func compose(ctx *pulumi.Context, cfg *stackconfig.Config) error {
	provider, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
		Region:      pulumi.String(cfg.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: tagging.Set(cfg.DefaultTags()).StringMap()},
	})
	if err != nil {
		return err
	}
	useProvider := pulumi.Provider(provider)

	account, err := aws.GetCallerIdentity(ctx, nil, useProvider)
	if err != nil {
		return fmt.Errorf("reading the AWS account: %w", err)
	}
	partition, err := aws.GetPartition(ctx, nil, useProvider)
	if err != nil {
		return fmt.Errorf("reading the AWS partition: %w", err)
	}
	azs, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")}, useProvider)
	if err != nil {
		return fmt.Errorf("listing availability zones: %w", err)
	}
	if len(azs.Names) < cfg.Network.AZCount {
		return fmt.Errorf("aifactory:network.azCount is %d but %s has only %d available zones (%v); lower it in Pulumi.%s.yaml",
			cfg.Network.AZCount, cfg.Region, len(azs.Names), azs.Names, cfg.Stack)
	}
	// One scope for every component: the names, ARNs and team prefixes
	// of this stack all come from it.
	sc := scope.Scope{
		Prefix:      cfg.ResourcePrefix(),
		Environment: cfg.Environment,
		AccountID:   account.AccountId,
		Region:      cfg.Region,
		Partition:   partition.Partition,
	}
	if err := sc.Validate(); err != nil {
		return fmt.Errorf("stack %s: %w", cfg.Stack, err)
	}
	components := pulumi.Providers(provider)
	// Every bucket of the platform is named <prefix>-...; nothing else is reachable.
	platformBuckets := []string{sc.PlatformBucketsARN()}

	keys, err := kms.New(ctx, "keys", &kms.Args{
		Scope:              sc,
		DeletionWindowDays: cfg.KMSDeletionWindowDays,
		Protect:            cfg.Protect,
	}, components)
	if err != nil {
		return err
	}

	net, err := network.New(ctx, "network", &network.Args{
		Scope:                sc,
		CIDR:                 cfg.Network.CIDR,
		AvailabilityZones:    azs.Names[:cfg.Network.AZCount],
		AllowedBucketArns:    platformBuckets,
		FlowLogsKMSKeyArn:    keys.Arn(kms.Logs),
		FlowLogRetentionDays: cfg.LogRetentionDays,
		AllowInternetEgress:  cfg.Network.AllowInternetEgress,
	}, components)
	if err != nil {
		return err
	}

	var workspaceTeams []workspace.Team
	for _, t := range cfg.Teams {
		workspaceTeams = append(workspaceTeams, workspace.Team{
			Name: t.Name,
			// Access point ARNs are known from their names, so the roles can
			// be scoped to them before the perimeter exists.
			AccessPointArn: pulumi.String(sc.TeamAccessPointARN(t.Name)),
			Tags:           cfg.TeamTags(t),
		})
	}
	w := cfg.Workspace
	studio, err := workspace.New(ctx, "workspace", &workspace.Args{
		Scope:                   sc,
		VpcID:                   net.VpcID,
		SubnetIDs:               net.PrivateSubnetIDs,
		EndpointSecurityGroupID: net.EndpointSecurityGroupID,
		S3PrefixListID:          net.S3PrefixListID,
		DataKeyArn:              keys.Arn(kms.Data),
		WorkspaceKeyArn:         keys.Arn(kms.Workspace),
		PlatformBucketArns:      platformBuckets,
		Teams:                   workspaceTeams,
		AllowedInstanceTypes:    w.AllowedInstanceTypes,
		IdleTimeoutMinutes:      w.IdleTimeoutMinutes,
		MaxIdleTimeoutMinutes:   w.MaxIdleTimeoutMinutes,
		HomeEFSRetention:        w.HomeEFSRetention,
		DefaultEBSVolumeSizeGB:  w.DefaultEBSVolumeSizeGB,
		MaxEBSVolumeSizeGB:      w.MaxEBSVolumeSizeGB,
		PackageIndexURL:         w.PackageIndexURL,
		Protect:                 cfg.Protect,
	}, components)
	if err != nil {
		return err
	}

	perimeter, err := data.New(ctx, "data", &data.Args{
		Scope:                           sc,
		VpcID:                           net.VpcID,
		VpcEndpointIDs:                  pulumi.StringArray{net.S3EndpointID},
		DataKeyArn:                      keys.Arn(kms.Data),
		LogsKeyArn:                      keys.Arn(kms.Logs),
		AccessLogRetentionDays:          cfg.LogRetentionDays,
		NoncurrentVersionExpirationDays: cfg.Data.NoncurrentVersionDays,
		Teams:                           dataTeams(cfg, studio.RoleArns),
		// EMR Studio saves workspaces from AWS's network with its service role.
		ServiceAccess: []data.ServiceAccess{{
			Prefix:  analytics.StudioStoragePrefix,
			RoleArn: sc.RoleARN(analytics.StudioServiceRoleName(sc)),
		}},
		Protect: cfg.Protect,
	}, components)
	if err != nil {
		return err
	}

	var analyticsTeams []analytics.Team
	for _, t := range cfg.Teams {
		team := analytics.Team{Name: t.Name, Tags: cfg.TeamTags(t)}
		if t.Analytics != nil {
			team.Identities = t.Analytics.Identities
			team.Clusters = t.Analytics.Clusters
		}
		analyticsTeams = append(analyticsTeams, team)
	}
	limits := cfg.AnalyticsLimits()
	emr, err := analytics.New(ctx, "analytics", &analytics.Args{
		Scope:                   sc,
		VpcID:                   net.VpcID,
		SubnetIDs:               net.PrivateSubnetIDs,
		EndpointSecurityGroupID: net.EndpointSecurityGroupID,
		S3PrefixListID:          net.S3PrefixListID,
		DataKeyArn:              keys.Arn(kms.Data),
		LogsKeyArn:              keys.Arn(kms.Logs),
		DataBucketName:          perimeter.DataBucketName,
		LogBucketName:           perimeter.AppLogBucketName,
		Teams:                   analyticsTeams,
		AuthMode:                analytics.AuthMode(cfg.Analytics.AuthMode),
		MaxIdleTimeout:          limits.MaxIdleTimeout,
		AllowedInstanceTypes:    limits.AllowedInstanceTypes,
		MaxCapacityUnits:        limits.MaxCapacityUnits,
		Now:                     cfg.Analytics.ClustersFrom,
	}, components)
	if err != nil {
		return err
	}

	costs, err := newCostControls(ctx, cfg, sc, keys.Arn(kms.Logs), components)
	if err != nil {
		return err
	}

	ctx.Export("environment", pulumi.String(cfg.Environment))
	ctx.Export("region", pulumi.String(cfg.Region))
	ctx.Export("accountId", pulumi.String(account.AccountId))
	ctx.Export("kmsKeyArns", keys.Arns)
	ctx.Export("kmsAliases", keys.AliasNames)
	ctx.Export("vpcId", net.VpcID)
	ctx.Export("privateSubnetIds", net.PrivateSubnetIDs)
	ctx.Export("endpointSecurityGroupId", net.EndpointSecurityGroupID)
	ctx.Export("s3PrefixListId", net.S3PrefixListID)
	ctx.Export("flowLogGroupName", net.FlowLogGroupName)
	ctx.Export("dataBucketName", perimeter.DataBucketName)
	ctx.Export("modelsBucketName", perimeter.ModelsBucketName)
	ctx.Export("logBucketName", perimeter.LogBucketName)
	ctx.Export("accessPointArns", perimeter.AccessPointArns)
	ctx.Export("accessPointAliases", perimeter.AccessPointAliases)
	ctx.Export("studioDomainId", studio.DomainID)
	ctx.Export("studioDomainUrl", studio.DomainURL)
	ctx.Export("studioProfileNames", studio.ProfileNames)
	ctx.Export("studioRoleArns", studio.RoleArns)
	ctx.Export("appLogBucketName", perimeter.AppLogBucketName)
	ctx.Export("emrStudioId", emr.StudioID)
	ctx.Export("emrStudioUrl", emr.StudioURL)
	ctx.Export("emrSecurityConfigurationName", emr.SecurityConfigurationName)
	ctx.Export("emrClusterIds", emr.ClusterIDs)
	ctx.Export("finopsTopicArn", costs.TopicArn)
	ctx.Export("budgetNames", costs.BudgetNames)
	ctx.Export("cleanupFunctionName", costs.CleanupFunctionName)
	return nil
}

// newCostControls gives every team, the platform team included, its budget
// and anomaly monitor, and schedules the cleanup job built from this
// repository's source.
func newCostControls(ctx *pulumi.Context, cfg *stackconfig.Config, sc scope.Scope, logsKey pulumi.StringInput, opts ...pulumi.ResourceOption) (*finops.CostControls, error) {
	f := cfg.FinOpsSettings()
	teams := []finops.Team{{
		Name: cfg.Tags.Team, Owner: cfg.Tags.Owner, MonthlyBudgetUSD: f.PlatformBudget.MonthlyUSD, Tags: cfg.DefaultTags(),
	}}
	for _, t := range cfg.Teams {
		teams = append(teams, finops.Team{Name: t.Name, Owner: t.Owner, MonthlyBudgetUSD: t.Budget.MonthlyUSD, Tags: cfg.TeamTags(t)})
	}
	code, err := bundle.Zip(ctx.Context())
	if err != nil {
		return nil, err
	}
	idle, age := cfg.CleanupLimits()
	return finops.New(ctx, "finops", &finops.Args{
		Scope:                      sc,
		Teams:                      teams,
		PlatformOwner:              cfg.Tags.Owner,
		AlertThresholdsPercent:     f.AlertThresholdsPercent,
		ForecastThresholdPercent:   f.ForecastThresholdPercent,
		AnomalyThresholdUSD:        f.AnomalyThresholdUSD,
		ActivateCostAllocationTags: f.ActivateCostAllocationTags,
		LogsKeyArn:                 logsKey,
		LogRetentionDays:           cfg.LogRetentionDays,
		DeletionWindowDays:         cfg.KMSDeletionWindowDays,
		Protect:                    cfg.Protect,
		Cleanup: finops.Cleanup{
			Code:            pulumi.NewFileArchive(code),
			Schedule:        f.Cleanup.Schedule,
			DryRun:          cfg.CleanupDryRun(),
			Project:         cfg.Tags.Project,
			StudioIdleLimit: idle,
			VolumeMinAge:    age,
		},
	}, opts...)
}

// dataTeams gives each team's access point to that team's workspace role alone.
func dataTeams(cfg *stackconfig.Config, roleArns pulumi.StringMapOutput) []data.Team {
	teams := make([]data.Team, 0, len(cfg.Teams))
	for _, t := range cfg.Teams {
		teams = append(teams, data.Team{Name: t.Name, RoleArn: roleArns.MapIndex(pulumi.String(t.Name))})
	}
	return teams
}
