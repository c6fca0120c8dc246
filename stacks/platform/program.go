// Package platform composes the AI Factory components into one stack. The
// same code runs in every environment; only Pulumi.<stack>.yaml differs.
package platform

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/analytics"
	"github.com/aifactory/platform/components/audit"
	"github.com/aifactory/platform/components/data"
	"github.com/aifactory/platform/components/finops"
	"github.com/aifactory/platform/components/kms"
	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/pipeline"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/components/serving"
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/components/workspace"
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
		// The provider refuses credentials of any other account.
		AllowedAccountIds: pulumi.StringArray{pulumi.String(cfg.AccountID)},
	})
	if err != nil {
		return err
	}
	useProvider := pulumi.Provider(provider)

	account, err := aws.GetCallerIdentity(ctx, nil, useProvider)
	if err != nil {
		return fmt.Errorf("reading the AWS account: %w", err)
	}
	if account.AccountId != cfg.AccountID {
		return fmt.Errorf("the AWS credentials belong to account %s, but aifactory:accountId in Pulumi.%s.yaml is %s; "+
			"use credentials of account %s, or correct aifactory:accountId", account.AccountId, cfg.Stack, cfg.AccountID, cfg.AccountID)
	}
	warnIfNotTheDeployer(ctx, account.Arn, cfg)
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
		Prefix:         cfg.ResourcePrefix(),
		Environment:    cfg.Environment,
		AccountID:      account.AccountId,
		Region:         cfg.Region,
		Partition:      partition.Partition,
		OrganizationID: cfg.OrganizationID,
	}
	if err := sc.Validate(); err != nil {
		return fmt.Errorf("stack %s: %w", cfg.Stack, err)
	}
	// Checked before any resource is registered: what the stack config
	// cannot know by itself (the account) or read (the configurations).
	countries, err := pipelineCountries(cfg, sc)
	if err != nil {
		return err
	}
	components := pulumi.Providers(provider)
	// Every bucket of the platform is named <prefix>-...; nothing else is reachable.
	platformBuckets := []string{sc.PlatformBucketsARN()}

	// EMR nodes encrypt their local disks with the data key directly,
	// not through a service; their roles are the key's only direct users.
	var nodeRoles []string
	for _, t := range cfg.Teams {
		nodeRoles = append(nodeRoles, sc.RoleARN(analytics.NodeRoleName(sc, t.Name)))
	}
	keys, err := kms.New(ctx, "keys", &kms.Args{
		Scope:              sc,
		DeletionWindowDays: cfg.KMSDeletionWindowDays,
		Protect:            cfg.Protect,
		Administrators:     []string{cfg.DeployerRoleArn},
		DirectUsers:        map[kms.Purpose][]string{kms.Data: nodeRoles},
	}, components)
	if err != nil {
		return err
	}

	net, err := network.New(ctx, "network", &network.Args{
		Scope:                 sc,
		CIDR:                  cfg.Network.CIDR,
		AvailabilityZones:     azs.Names[:cfg.Network.AZCount],
		AllowedBucketArns:     platformBuckets,
		ImageRegistryAccounts: []string{workspace.DeepLearningContainersAccount},
		LogsKMSKeyArn:         keys.Arn(kms.Logs),
		LogRetentionDays:      cfg.LogRetentionDays,
		AllowedDomains:        allowedDomains(cfg),
		AllowInternetEgress:   cfg.Network.AllowInternetEgress,
		RuntimeInvokers:       runtimeInvokers(cfg, sc),
	}, components)
	if err != nil {
		return err
	}

	var workspaceTeams []workspace.Team
	for _, t := range cfg.Teams {
		roles, groups := teamPeople(cfg, t)
		workspaceTeams = append(workspaceTeams, workspace.Team{
			Name: t.Name,
			// Access point ARNs are known from their names, so the roles can
			// be scoped to them before the perimeter exists.
			AccessPointArn: pulumi.String(sc.TeamAccessPointARN(t.Name)),
			Tags:           cfg.TeamTags(t),
			AccessRoles:    roles,
			AccessGroups:   groups,
			InstanceType:   t.InstanceType,
		})
	}
	w := cfg.Workspace
	studioAccess := workspace.StudioAccessArgs{CorporateCIDRs: w.StudioAccess.CorporateCIDRs}
	if w.StudioAccess.ThroughVpcEndpoints {
		// The SageMaker API endpoint serves CreatePresignedDomainUrl, the
		// Studio endpoint the session it opens.
		studioAccess.VpcEndpointIDs = pulumi.StringArray{
			net.InterfaceEndpointIDs.MapIndex(pulumi.String("sagemaker.api")),
			net.InterfaceEndpointIDs.MapIndex(pulumi.String("studio")),
		}
	}
	studio, err := workspace.New(ctx, "workspace", &workspace.Args{
		Scope:                  sc,
		Placement:              net.Placement(),
		DataKeyArn:             keys.Arn(kms.Data),
		WorkspaceKeyArn:        keys.Arn(kms.Workspace),
		LogsKeyArn:             keys.Arn(kms.Logs),
		LogRetentionDays:       cfg.LogRetentionDays,
		StudioAccess:           studioAccess,
		PlatformBucketArns:     platformBuckets,
		Teams:                  workspaceTeams,
		AllowedInstanceTypes:   w.AllowedInstanceTypes,
		IdleTimeoutMinutes:     w.IdleTimeoutMinutes,
		MaxIdleTimeoutMinutes:  w.MaxIdleTimeoutMinutes,
		HomeEFSRetention:       w.HomeEFSRetention,
		DefaultEBSVolumeSizeGB: w.DefaultEBSVolumeSizeGB,
		MaxEBSVolumeSizeGB:     w.MaxEBSVolumeSizeGB,
		PackageIndexURL:        w.PackageIndexURL,
		Protect:                cfg.Protect,
	}, components)
	if err != nil {
		return err
	}

	// Each team's EMR Studio saves its workspaces from AWS's network with
	// the team's Studio service role, under the team's own prefix.
	var serviceAccess []data.ServiceAccess
	for _, t := range cfg.Teams {
		serviceAccess = append(serviceAccess, data.ServiceAccess{
			Prefix:  analytics.TeamStudioStoragePrefix(t.Name),
			RoleArn: sc.RoleARN(analytics.StudioServiceRoleName(sc, t.Name)),
		})
	}
	// The deployment publishes the country configurations, and the
	// business delivers the sales histories, from outside the VPC, each
	// with its own role and into its own prefix only.
	serviceAccess = append(serviceAccess,
		data.ServiceAccess{Prefix: pipeline.ConfigsPrefix, RoleArn: cfg.DeployerRoleArn},
		data.ServiceAccess{Prefix: pipeline.DataPrefix, RoleArn: sc.RoleARN(cfg.Pipeline.HistoryWriterRole)},
	)
	serviceAccess = append(serviceAccess, servingArtefactAccess(cfg, sc)...)
	perimeter, err := data.New(ctx, "data", &data.Args{
		Scope:                           sc,
		VpcID:                           net.VpcID,
		VpcEndpointIDs:                  pulumi.StringArray{net.S3EndpointID},
		DataKeyArn:                      keys.Arn(kms.Data),
		LogsKeyArn:                      keys.Arn(kms.Logs),
		AccessLogRetentionDays:          cfg.LogRetentionDays,
		NoncurrentVersionExpirationDays: cfg.Data.NoncurrentVersionDays,
		CaptureRetentionDays:            cfg.Data.CaptureRetentionDays,
		Teams:                           dataTeams(cfg, sc, studio.RoleArns),
		ServiceAccess:                   serviceAccess,
		// Who lists the data and model buckets directly (each within its
		// own prefixes, by its identity policy) and who reads their
		// configuration; everyone else lists through an access point.
		DirectListers: []string{
			sc.RoleARN(analytics.NodeRoleName(sc, "*")),
			sc.RoleARN(pipeline.TaskRoleName(sc)),
		},
		ConfigReaders:   []string{sc.RoleARN(audit.RecorderRoleName(sc))},
		DeployerRoleArn: cfg.DeployerRoleArn,
		Protect:         cfg.Protect,
		// The audit trail's bucket logs its access beside the others.
		ExtraLogSources: []data.LogSource{{BucketArn: audit.BucketARN(sc), Prefix: audit.AccessLogPrefix}},
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
		Placement:               net.Placement(),
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
		TLSCertificatesS3Object: cfg.Analytics.InTransitCertificates,
	}, components)
	if err != nil {
		return err
	}

	pl := cfg.Pipeline
	weekly, err := pipeline.New(ctx, "pipeline", &pipeline.Args{
		Scope:            sc,
		Placement:        net.Placement(),
		DataBucketName:   perimeter.DataBucketName,
		ModelsBucketName: perimeter.ModelsBucketName,
		DataKeyArn:       keys.Arn(kms.Data),
		PipelineKeyArn:   keys.Arn(kms.Pipeline),
		LogsKeyArn:       keys.Arn(kms.Logs),
		LogRetentionDays: cfg.LogRetentionDays,
		Image:            pl.Image,
		Countries:        countries,
		Schedule:         pl.Schedule,
		Timezone:         pl.Timezone,
		MaxConcurrency:   pl.MaxConcurrency,
		TaskCPU:          pl.TaskCPU,
		TaskMemoryMiB:    pl.TaskMemoryMiB,
		CashSecretName:   pl.CashSecretName,
		FailureEmails:    pl.FailureEmails,
		ResultEmails:     pl.ResultEmails,
		Protect:          cfg.Protect,
	}, components)
	if err != nil {
		return err
	}

	// The cost controls come before the audit trail: their alerts topic is
	// the platform topic the audit alarms and non-compliance notices reach
	// too, and its policies name the audit component's alarms and rules by
	// their scope-derived ARNs, so nothing of the audit component is needed
	// here.
	costs, err := newCostControls(ctx, cfg, sc, costControlsInputs{
		placement: net.Placement(), clusterArn: weekly.ClusterArn, logsKey: keys.Arn(kms.Logs), imageKey: keys.Arn(kms.Pipeline),
	}, components)
	if err != nil {
		return err
	}

	var platformKeys pulumi.StringArray
	for _, p := range kms.AllPurposes() {
		platformKeys = append(platformKeys, keys.Arn(p))
	}
	trail, err := audit.New(ctx, "audit", &audit.Args{
		Scope:               sc,
		LogsKeyArn:          keys.Arn(kms.Logs),
		KMSKeyArns:          platformKeys,
		RetentionDays:       cfg.Audit.RetentionDays,
		LogRetentionDays:    cfg.LogRetentionDays,
		DataEventBucketArns: pulumi.StringArray{perimeter.DataBucketArn, perimeter.ModelsBucketArn},
		AccessLogBucketName: perimeter.LogBucketName,
		AlarmEmails:         cfg.Audit.AlarmEmails,
		PlatformTopicArn:    costs.TopicArn,
		DeployerRoleArn:     cfg.DeployerRoleArn,
		Recorder:            audit.RecorderMode(cfg.Audit.ConfigRecorder),
		Protect:             cfg.Protect,
	}, components)
	if err != nil {
		return err
	}

	served, err := newServing(ctx, cfg, sc, net, keys, perimeter, components)
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
	ctx.Export("dnsQueryLogGroupName", net.DNSQueryLogGroupName)
	ctx.Export("dataBucketName", perimeter.DataBucketName)
	ctx.Export("modelsBucketName", perimeter.ModelsBucketName)
	ctx.Export("logBucketName", perimeter.LogBucketName)
	ctx.Export("accessPointArns", perimeter.AccessPointArns)
	ctx.Export("accessPointAliases", perimeter.AccessPointAliases)
	ctx.Export("studioDomainId", studio.DomainID)
	ctx.Export("studioDomainUrl", studio.DomainURL)
	ctx.Export("studioProfileNames", studio.ProfileNames)
	ctx.Export("studioRoleArns", studio.RoleArns)
	ctx.Export("studioSecurityGroupIds", studio.SecurityGroupIDs)
	ctx.Export("studioAccessPolicyArns", studio.AccessPolicyArns)
	ctx.Export("appLogBucketName", perimeter.AppLogBucketName)
	ctx.Export("emrStudioIds", emr.StudioIDs)
	ctx.Export("emrStudioUrls", emr.StudioURLs)
	ctx.Export("emrSecurityConfigurationName", emr.SecurityConfigurationName)
	ctx.Export("emrClusterIds", emr.ClusterIDs)
	ctx.Export("pipelineRepositoryUrl", weekly.RepositoryURL)
	ctx.Export("pipelineClusterArn", weekly.ClusterArn)
	ctx.Export("pipelineTaskDefinitionArn", weekly.TaskDefinitionArn)
	ctx.Export("pipelineStateMachineArn", weekly.StateMachineArn)
	ctx.Export("pipelineScheduleArn", weekly.ScheduleArn)
	ctx.Export("pipelineResultsTopicArn", weekly.ResultsTopicArn)
	ctx.Export("pipelineFailureTopicArn", weekly.FailureTopicArn)
	ctx.Export("pipelineCashSecretArn", weekly.CashSecretArn)
	ctx.Export("auditTrailArn", trail.TrailArn)
	ctx.Export("auditBucketName", trail.BucketName)
	ctx.Export("auditTrailPrefix", pulumi.String(audit.TrailPrefix))
	ctx.Export("auditLogGroupName", trail.LogGroupName)
	ctx.Export("auditAlarmTopicArn", trail.TopicArn)
	ctx.Export("auditConfigRules", trail.ConfigRules)
	ctx.Export("auditAlarms", trail.Alarms)
	ctx.Export("pipelineLocations", pulumi.StringMap{
		"configs": weekly.Configs, "data": weekly.Data, "models": weekly.Models, "outputs": weekly.Outputs,
	})
	ctx.Export("finopsTopicArn", costs.TopicArn)
	ctx.Export("budgetNames", costs.BudgetNames)
	ctx.Export("cleanupRepositoryUrl", costs.CleanupRepositoryURL)
	ctx.Export("cleanupTaskDefinitionArn", costs.CleanupTaskDefinitionArn)
	ctx.Export("modelRegistryNames", served.RegistryNames)
	ctx.Export("servingEndpointNames", served.EndpointNames)
	ctx.Export("servingEndpointUrls", served.EndpointURLs)
	ctx.Export("servingRoleArns", served.RoleArns)
	return nil
}

// costControlsInputs are what the cost controls take from the other
// components: the cleanup job runs in the private network, in the weekly
// pipeline's cluster, its logs encrypted with the logs key and its image
// repository with the pipeline key.
type costControlsInputs struct {
	placement         network.Placement
	clusterArn        pulumi.StringInput
	logsKey, imageKey pulumi.StringInput
}

// newCostControls gives every team, the platform team included, its budget
// and anomaly monitor, and schedules the cleanup job from the image stack
// config names by digest (built once by `make image COMMAND=cleanup`,
// promoted, never rebuilt here).
func newCostControls(ctx *pulumi.Context, cfg *stackconfig.Config, sc scope.Scope, in costControlsInputs, opts ...pulumi.ResourceOption) (*finops.CostControls, error) {
	f := cfg.FinOpsSettings()
	teams := []finops.Team{{
		Name: cfg.Tags.Team, Owner: cfg.Tags.Owner, MonthlyBudgetUSD: f.PlatformBudget.MonthlyUSD, Tags: cfg.DefaultTags(),
	}}
	for _, t := range cfg.Teams {
		teams = append(teams, finops.Team{Name: t.Name, Owner: t.Owner, MonthlyBudgetUSD: t.Budget.MonthlyUSD, Tags: cfg.TeamTags(t)})
	}
	idle, age := cfg.CleanupLimits()
	return finops.New(ctx, "finops", &finops.Args{
		Scope:                      sc,
		Placement:                  in.placement,
		Teams:                      teams,
		PlatformOwner:              cfg.Tags.Owner,
		Publishers:                 auditPublishers(sc),
		AlertThresholdsPercent:     f.AlertThresholdsPercent,
		ForecastThresholdPercent:   f.ForecastThresholdPercent,
		AnomalyThresholdUSD:        f.AnomalyThresholdUSD,
		ActivateCostAllocationTags: f.ActivateCostAllocationTags,
		LogsKeyArn:                 in.logsKey,
		LogRetentionDays:           cfg.LogRetentionDays,
		ImageKeyArn:                in.imageKey,
		DeletionWindowDays:         cfg.KMSDeletionWindowDays,
		KeyAdministrators:          []string{cfg.DeployerRoleArn},
		Protect:                    cfg.Protect,
		Cleanup: finops.Cleanup{
			Image:           f.Cleanup.Image,
			ClusterArn:      in.clusterArn,
			Schedule:        f.Cleanup.Schedule,
			DryRun:          cfg.CleanupDryRun(),
			Project:         cfg.Tags.Project,
			StudioIdleLimit: idle,
			VolumeMinAge:    age,
		},
	}, opts...)
}

// auditPublishers are the audit component's alarms and non-compliance
// rules, which notify the platform topic too.
func auditPublishers(sc scope.Scope) finops.Publishers {
	return finops.Publishers{AlarmArns: []string{audit.AlarmsARN(sc)}, EventRuleArns: []string{audit.EventRulesARN(sc)}}
}

// dataTeams gives each team's access point to that team's workspace role
// alone, the team's approved model artefacts to its model approvers alone
// and its captured data to its serving role alone.
func dataTeams(cfg *stackconfig.Config, sc scope.Scope, roleArns pulumi.StringMapOutput) []data.Team {
	teams := make([]data.Team, 0, len(cfg.Teams))
	for _, t := range cfg.Teams {
		team := data.Team{
			Name:           t.Name,
			RoleArn:        roleArns.MapIndex(pulumi.String(t.Name)),
			ServingRoleArn: sc.RoleARN(serving.RoleName(sc, t.Name)),
		}
		if t.Serving != nil {
			for _, a := range t.Serving.Approvers {
				team.ModelApproverArns = append(team.ModelApproverArns, sc.RoleARN(a))
			}
		}
		teams = append(teams, team)
	}
	return teams
}

// teamPeople are the IAM roles and groups of a team's people (its
// analytics identities in IAM mode), who get the team's Studio access
// policy. Identity Center users and groups (SSO mode) are not IAM
// identities; they get the policy through a permission set instead.
func teamPeople(cfg *stackconfig.Config, t stackconfig.Team) (roles, groups []string) {
	if t.Analytics == nil || cfg.Analytics.AuthMode != string(analytics.AuthIAM) {
		return nil, nil
	}
	for _, id := range t.Analytics.Identities {
		switch id.Type {
		case analytics.IdentityRole:
			roles = append(roles, id.Name)
		case analytics.IdentityGroup:
			groups = append(groups, id.Name)
		}
	}
	return roles, groups
}

// allowedDomains are the DNS firewall's extra names: the configured ones
// and the host of the private package index, which notebooks must resolve.
func allowedDomains(cfg *stackconfig.Config) []string {
	domains := slices.Clone(cfg.Network.DNSFirewall.AllowedDomains)
	if u, err := url.Parse(cfg.Workspace.PackageIndexURL); err == nil && u.Hostname() != "" {
		domains = append(domains, u.Hostname())
	}
	return domains
}

// warnIfNotTheDeployer warns when the update runs as another identity than
// aifactory:deployerRoleArn: the bucket policies will let only the
// configured role change the buckets' configuration, so the next update by
// this identity could not.
func warnIfNotTheDeployer(ctx *pulumi.Context, callerArn string, cfg *stackconfig.Config) {
	caller := roleNameOf(callerArn)
	deployer := cfg.DeployerRoleArn[strings.LastIndex(cfg.DeployerRoleArn, "/")+1:]
	if caller == deployer {
		return
	}
	_ = ctx.Log.Warn(fmt.Sprintf("running as %s, not as aifactory:deployerRoleArn %s (Pulumi.%s.yaml): only that role may configure "+
		"the platform's buckets and administer its keys; deploy as it, or correct the key", callerArn, cfg.DeployerRoleArn, cfg.Stack), nil)
}

// roleNameOf returns the role name of an assumed-role session ARN
// (arn:aws:sts::<account>:assumed-role/<name>/<session>) or role ARN, and
// "" for any other identity.
func roleNameOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	kind, rest, _ := strings.Cut(parts[5], "/")
	switch kind {
	case "assumed-role":
		name, _, _ := strings.Cut(rest, "/")
		return name
	case "role":
		return rest[strings.LastIndex(rest, "/")+1:]
	}
	return ""
}

// runtimeInvokers name, per team, who invokes the team's endpoints through
// the VPC's SageMaker runtime endpoint: its Studio role, its people and its
// consumer roles (the principals of the team's invoke policy). A team whose
// people include IAM groups admits the IAM users tagged with the team too: a
// group is no principal, and its members are not known to the stack.
func runtimeInvokers(cfg *stackconfig.Config, sc scope.Scope) []network.RuntimeInvokers {
	out := make([]network.RuntimeInvokers, 0, len(cfg.Teams))
	for _, t := range cfg.Teams {
		roles, groups := teamPeople(cfg, t)
		inv := network.RuntimeInvokers{
			Team:          t.Name,
			EndpointsArn:  serving.TeamEndpointsArn(sc, t.Name),
			PrincipalArns: []string{sc.RoleARN(workspace.TeamRoleName(sc, t.Name))},
			TaggedUsers:   len(groups) > 0,
		}
		for _, r := range roles {
			inv.PrincipalArns = append(inv.PrincipalArns, sc.RoleARN(r))
		}
		if t.Serving != nil {
			for _, c := range t.Serving.Consumers {
				inv.PrincipalArns = append(inv.PrincipalArns, sc.RoleARN(c))
			}
		}
		out = append(out, inv)
	}
	return out
}
