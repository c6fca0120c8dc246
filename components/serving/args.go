package serving

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aifactory/platform/components/network"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/components/serving/spec"
	"github.com/aifactory/platform/components/tagging"
	"github.com/aifactory/platform/facts/tagkeys"
)

// Team is one team's registry, endpoints and the identities around them.
type Team struct {
	// Name is DNS-safe; it names the registry "<prefix>-<team>", the
	// serving role "<prefix>-serving-<team>" and the endpoints
	// "<prefix>-<team>--<endpoint>".
	Name string
	// Tags are the team's required tags; every resource of the team
	// carries them.
	Tags tagging.Set
	// StudioRoleName is the team's SageMaker Studio execution role (a
	// name): notebooks invoke the team's endpoints with it. Empty when the
	// team has none.
	StudioRoleName string
	// PeopleRoles are the IAM roles (names) of the team's people: they
	// register model versions for approval and invoke the team's
	// endpoints. PeopleGroups (IAM groups) invoke only: the registry's
	// policy admits roles by ARN, and a group is no principal.
	PeopleRoles  []string
	PeopleGroups []string
	// Approvers are the IAM roles (names) that approve or reject the
	// team's model versions; none of them is one of PeopleRoles.
	Approvers []string
	// Consumers are IAM roles (names) outside the platform that invoke the
	// team's endpoints from inside the VPC, such as an application's role.
	Consumers []string
	// Endpoints are the models the team serves.
	Endpoints []spec.Endpoint
}

// Args configures model serving.
type Args struct {
	// Scope names every resource and scopes every ARN and policy.
	scope.Scope

	// Placement is the private network models run in (at least two
	// subnets in different zones, as SageMaker hosting requires); a model's
	// network interfaces send HTTPS only to its endpoints.
	network.Placement
	// RuntimeEndpointID is the VPC's SageMaker runtime interface endpoint:
	// invocations are allowed only through it.
	RuntimeEndpointID pulumi.StringInput
	// DataBucketName is the data bucket: model artefacts are read from,
	// and captured data written to, the team's prefix there.
	DataBucketName pulumi.StringInput
	// DataKeyArn encrypts captured data (the data bucket's key);
	// WorkspaceKeyArn the endpoints' storage volumes; LogsKeyArn the
	// endpoints' log groups.
	DataKeyArn      pulumi.StringInput
	WorkspaceKeyArn pulumi.StringInput
	LogsKeyArn      pulumi.StringInput
	// LogRetentionDays is how long endpoint logs are kept.
	LogRetentionDays int
	// DeployerRoleArn is the role the stack deploys as: the one principal
	// besides the team's roles that reads a registry (to build the served
	// models).
	DeployerRoleArn string
	// ImageRegistryAccounts own the ECR repositories inference images may
	// be pulled from; this account and the AWS Deep Learning Containers
	// account when empty.
	ImageRegistryAccounts []string
	// Limits are the environment's bounds on every endpoint.
	Limits spec.Limits
	// Teams each get a registry; those with endpoints a serving role,
	// security group and their endpoints.
	Teams []Team
	// RetainRegistries keeps each registry, which holds the team's model
	// versions and their approval record, in AWS when its team leaves the
	// stack file or the stack is destroyed (prod). Registries are retained,
	// not protected: offboarding a team removes it from the stack file, and
	// a protected resource would make the engine refuse that update.
	RetainRegistries bool
}

func (a Args) withDefaults() Args {
	if len(a.ImageRegistryAccounts) == 0 {
		a.ImageRegistryAccounts = []string{a.AccountID, DeepLearningContainersAccount}
	}
	return a
}

const maxRoleNameLength = 64

func (a *Args) validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := a.Scope.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := a.Placement.Validate(); err != nil {
		errs = append(errs, err)
	}
	if a.RuntimeEndpointID == nil {
		add("RuntimeEndpointID is required: endpoints are invoked only through the VPC's SageMaker runtime endpoint")
	}
	if a.DataBucketName == nil {
		add("DataBucketName is required: model artefacts and captured data live under each team's prefix of the data bucket")
	}
	if a.DataKeyArn == nil || a.WorkspaceKeyArn == nil || a.LogsKeyArn == nil {
		add("DataKeyArn, WorkspaceKeyArn and LogsKeyArn are required: captured data, endpoint volumes and logs are always encrypted")
	}
	if a.LogRetentionDays <= 0 {
		add("LogRetentionDays %d: set how long endpoint logs are kept", a.LogRetentionDays)
	}
	if !scope.RoleInAccount(a.DeployerRoleArn, a.AccountID) {
		add("DeployerRoleArn %q: give the role the stack deploys as, in account %s", a.DeployerRoleArn, a.AccountID)
	}
	for _, acct := range a.ImageRegistryAccounts {
		if !scope.IsAccountID(acct) {
			add("ImageRegistryAccounts: %q is not a 12-digit account id", acct)
		}
	}
	if err := a.Limits.Validate(); err != nil {
		add("Limits: %w", err)
	}
	if a.IsProd() && a.Limits.AllowServerless {
		add("Limits.AllowServerless: prod never serves without a VPC, network isolation and data capture; serverless inference has none of them")
	}
	if len(a.Teams) == 0 {
		add("Teams: list at least one team; every team gets a model registry")
	}
	seen := map[string]bool{}
	for i, t := range a.Teams {
		a.validateTeam(fmt.Sprintf("Teams[%d]", i), t, seen, add)
	}
	return errors.Join(errs...)
}

func (a *Args) validateTeam(field string, t Team, seen map[string]bool, add func(string, ...any)) {
	switch err := scope.CheckTeamName(field+".Name", t.Name); {
	case err != nil:
		add("%v", err)
	case seen[t.Name]:
		add("%s.Name %q is listed twice; team names must be unique", field, t.Name)
	}
	seen[t.Name] = true
	if err := t.Tags.Validate(field + ".Tags"); err != nil {
		add("%w", err)
	} else if t.Tags[tagkeys.Team] != t.Name {
		add("%s.Tags: team tag %q must equal the team name %q, or its endpoints' costs go to another team", field, t.Tags[tagkeys.Team], t.Name)
	}
	if n := RoleName(a.Scope, t.Name); len(n) > maxRoleNameLength {
		add("%s.Name %q: the serving role name %q exceeds IAM's %d characters; shorten the team name or the prefix", field, t.Name, n, maxRoleNameLength)
	}
	roles := map[string]string{}
	for _, list := range []struct {
		what  string
		names []string
	}{{"PeopleRoles", t.PeopleRoles}, {"PeopleGroups", t.PeopleGroups}, {"Approvers", t.Approvers}, {"Consumers", t.Consumers}} {
		for _, n := range list.names {
			if err := spec.CheckRoleName(n); err != nil {
				add("%s.%s: %v", field, list.what, err)
			}
			if list.what == "PeopleGroups" {
				continue
			}
			if strings.HasPrefix(n, a.Prefix+"-") {
				add("%s.%s: %q is one of the platform's own roles; name roles outside the platform (the Studio role invokes through StudioRoleName)", field, list.what, n)
			}
			if a.DeployerRoleArn != "" && a.RoleARN(n) == a.DeployerRoleArn {
				add("%s.%s: %q is the deployer role; it deploys the team's models and is no member of the team", field, list.what, n)
			}
			if other, ok := roles[n]; ok {
				add("%s: %q is one of %s and one of %s; give each role one part (whoever registers a version never approves it)", field, n, other, list.what)
			}
			roles[n] = list.what
		}
	}
	var names []string
	endpoints := map[string]bool{}
	for j, e := range t.Endpoints {
		where := fmt.Sprintf("%s.Endpoints[%d]", field, j)
		if err := e.Validate(a.Environment, a.Limits); err != nil {
			add("%s: %w", where, err)
		}
		if endpoints[e.Name] {
			add("%s: name %q is used twice in the team; endpoint names are unique", where, e.Name)
		}
		endpoints[e.Name] = true
		names = append(names, e.Name)
		if err := spec.CheckModelPackage(e.ModelPackageArn, a.Region, a.AccountID, RegistryName(a.Scope, t.Name)); err != nil {
			add("%s.ModelPackageArn: %w", where, err)
		} else if p, _ := spec.ParseModelPackageArn(e.ModelPackageArn); p.Partition != a.Partition {
			add("%s.ModelPackageArn: %q is in partition %s, the stack in %s", where, e.ModelPackageArn, p.Partition, a.Partition)
		}
	}
	if err := spec.CheckNames(a.Prefix, t.Name, names); err != nil {
		add("%s: %w", field, err)
	}
	if len(t.Endpoints) > 0 && len(t.Approvers) == 0 {
		add("%s.Approvers: a team that serves models names at least one approver role; without one no version can ever be approved", field)
	}
}
