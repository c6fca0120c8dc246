package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/aifactory/platform/facts/awstypes"
	"github.com/aifactory/platform/facts/tagkeys"
)

// FinOps: compute stops when idle, runs on Spot where it can, stays within
// the environment's sizes, and every team's spend has a budget.

func checkEMRAutoTermination(c *check, s *Settings) {
	switch c.r.Type {
	case typeEMRCluster:
		c.requireAtMost(c.prop("autoTerminationPolicy").get("idleTimeout"), float64(s.MaxEMRIdleTimeoutSeconds), -1,
			fmt.Sprintf("autoTerminationPolicy.idleTimeout is unset or above this environment's maximum of %d seconds, so an idle cluster keeps running", s.MaxEMRIdleTimeoutSeconds),
			fmt.Sprintf("set autoTerminationPolicy.idleTimeout to at most %d", s.MaxEMRIdleTimeoutSeconds))
	case typeEMRInstanceFleet:
		// Stand-alone fleets are task fleets: Spot only.
		c.requireAtMost(c.prop("targetOnDemandCapacity"), 0, 0, "the task fleet asks for on-demand capacity",
			"set targetOnDemandCapacity: 0 and targetSpotCapacity instead (core capacity stays on-demand)")
		c.requireAtLeast(c.prop("targetSpotCapacity"), 1, 0, "the task fleet asks for no Spot capacity",
			"set targetSpotCapacity with launchSpecifications.spotSpecifications {allocationStrategy: capacity-optimized, timeoutAction: SWITCH_TO_ON_DEMAND}")
	case typeEMRInstanceGroup:
		c.requirePresent(c.prop("bidPrice"), "the task instance group runs on-demand (no bidPrice)",
			"set bidPrice (e.g. the on-demand price) so task capacity runs on Spot")
	}
}

// studioApps are the Studio applications with idle shutdown settings.
var studioApps = []string{"jupyterLabAppSettings", "codeEditorAppSettings"}

func checkSageMakerIdleShutdown(c *check, s *Settings) {
	switch c.r.Type {
	case typeDomain:
		user := c.prop("defaultUserSettings")
		for _, app := range studioApps {
			c.idleSettings(user.at(app, "appLifecycleManagement", "idleSettings"), true, s)
		}
		space := c.prop("defaultSpaceSettings")
		for _, app := range studioApps {
			c.idleSettings(space.at(app, "appLifecycleManagement", "idleSettings"), false, s)
		}
	case typeUserProfile:
		for _, app := range studioApps {
			c.idleSettings(c.prop("userSettings").at(app, "appLifecycleManagement", "idleSettings"), false, s)
		}
	case typeSpace:
		for _, app := range studioApps {
			c.idleSettings(c.prop("spaceSettings").at(app, "appLifecycleManagement", "idleSettings"), false, s)
		}
	}
}

// idleSettings checks one app's idle shutdown. The domain must set it;
// user profiles and spaces inherit it and are checked only when they
// override it.
func (c *check) idleSettings(idle val, required bool, s *Settings) {
	if idle.st == absent && !required {
		return
	}
	limit := float64(s.MaxStudioIdleTimeoutMinutes)
	fix := fmt.Sprintf("set %s {lifecycleManagement: ENABLED, idleTimeoutInMinutes: <= %d, maxIdleTimeoutInMinutes: <= %d}", idle.path, s.MaxStudioIdleTimeoutMinutes, s.MaxStudioIdleTimeoutMinutes)
	if !c.requireEqual(idle.get("lifecycleManagement"), "idle shutdown is not ENABLED ("+idle.path+")", fix, "ENABLED") {
		return
	}
	c.requireAtMost(idle.get("idleTimeoutInMinutes"), limit, -1,
		fmt.Sprintf("%s.idleTimeoutInMinutes is unset or above this environment's maximum of %d minutes", idle.path, s.MaxStudioIdleTimeoutMinutes), fix)
	c.requireAtMost(idle.get("maxIdleTimeoutInMinutes"), limit, 0,
		fmt.Sprintf("%s.maxIdleTimeoutInMinutes lets users choose more than %d minutes", idle.path, s.MaxStudioIdleTimeoutMinutes), fix)
}

func checkInstanceTypeAllowlist(c *check, s *Settings) {
	switch c.r.Type {
	case typeDomain, typeUserProfile, typeSpace, typeNotebook, typeSageMakerApp:
		// "system" is the size of the JupyterServer app that hosts the Studio UI.
		c.instanceTypes(append(slices.Clone(s.SageMakerInstanceTypes), "system"), "sagemakerInstanceTypes")
	case typeEMRCluster, typeEMRInstanceFleet, typeEMRInstanceGroup:
		c.instanceTypes(s.EMRInstanceTypes, "emrInstanceTypes")
	case typeTaskDefinition:
		c.requireAtMost(c.prop("cpu"), float64(s.MaxECSTaskCPU), 0,
			fmt.Sprintf("task cpu is above this environment's maximum of %d units", s.MaxECSTaskCPU),
			fmt.Sprintf("set cpu to at most %d, or raise maxEcsTaskCpu in the environment's policy config", s.MaxECSTaskCPU))
		c.requireAtMost(c.prop("memory"), float64(s.MaxECSTaskMemoryMiB), 0,
			fmt.Sprintf("task memory is above this environment's maximum of %d MiB", s.MaxECSTaskMemoryMiB),
			fmt.Sprintf("set memory to at most %d, or raise maxEcsTaskMemoryMiB in the environment's policy config", s.MaxECSTaskMemoryMiB))
	}
}

// instanceTypes checks every instanceType property anywhere in the resource.
func (c *check) instanceTypes(allowed []string, param string) {
	for _, x := range findKey(c.r.Properties, "instanceType") {
		t, st := x.str()
		switch {
		case st == unknown:
			c.unverified(x)
		case st == known && !slices.Contains(allowed, t):
			c.violation(fmt.Sprintf("%s is %s, which this environment does not allow", x.path, x.show()),
				fmt.Sprintf("choose one of %s, or add the type to %s in the environment's policy config", strings.Join(allowed, ", "), param))
		}
	}
}

// findKey returns every value stored under key, at any depth. A computed
// value is returned as unknown only where the key could be inside it: under
// a container key (settings, resource specs, fleets and groups), so that a
// computed ARN elsewhere in the resource does not leave the control undecided.
func findKey(m property.Map, key string) []val {
	var out []val
	var walk func(v property.Value, path, name string, secret bool)
	walk = func(v property.Value, path, name string, secret bool) {
		secret = secret || v.Secret()
		switch {
		case v.IsComputed():
			if mayContain(name) {
				out = append(out, val{st: unknown, path: path, underSecret: secret})
			}
		case v.IsMap():
			for k, e := range v.AsMap().AllStable {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if k == key {
					found := wrap(e, true, p)
					found.underSecret = secret
					out = append(out, found)
					continue
				}
				walk(e, p, k, secret)
			}
		case v.IsArray():
			for i, e := range v.AsArray().All {
				walk(e, fmt.Sprintf("%s[%d]", path, i), name, secret)
			}
		}
	}
	walk(property.New(m), "", "", false)
	return out
}

// mayContain reports whether a property with this key holds objects that
// carry instance types in the SageMaker and EMR schemas.
func mayContain(key string) bool {
	for _, suffix := range []string{"Settings", "ResourceSpec", "resourceSpec", "InstanceFleet", "InstanceGroup", "instanceTypeConfigs"} {
		if strings.HasSuffix(key, suffix) {
			return true
		}
	}
	return false
}

// Budgets track a team's spend through a cost filter on the team tag
// (TagKeyValue "user:team$<team>") or, failing that, carry the team tag.
func budgetTeams(b *Resource) (teams map[string]bool, st state) {
	teams = map[string]bool{}
	filters := prop(b.Properties, "costFilters")
	items, fst := filters.items()
	if fst == unknown {
		return nil, unknown
	}
	for _, f := range items {
		name, nst := f.get("name").str()
		if nst == unknown {
			return nil, unknown
		}
		if name != "TagKeyValue" {
			continue
		}
		values, vst := f.get("values").strings()
		if vst == unknown {
			return nil, unknown
		}
		for _, v := range values {
			if team, ok := strings.CutPrefix(v, "user:"+tagkeys.Team+"$"); ok {
				teams[team] = true
			}
		}
	}
	return teams, known
}

func checkTeamBudget(c *stackCheck, _ *Settings) {
	covered := map[string]bool{}
	undecided := false
	for _, b := range c.idx.ofTypes(typeBudget) {
		teams, st := budgetTeams(b)
		if st == unknown {
			// Which team this budget covers is known only later; until then
			// no team can be said to lack one.
			c.on(b).unverifiedProp("costFilters", false)
			undecided = true
			continue
		}
		for t := range teams {
			covered[t] = true
		}
	}
	// The first resource of each team carries the finding, so it points at
	// something of that team.
	first := map[string]*Resource{}
	secret := map[string]bool{}
	var teams []string
	for i := range c.idx.all {
		r := &c.idx.all[i]
		if r.Type == typeBudget || !strings.HasPrefix(r.Type, "aws:") || awstypes.IsUntaggable(r.Type) {
			continue
		}
		v := tagValue(r, tagkeys.Team)
		team, st := v.str()
		if st == unknown {
			// The team, and so the budget it needs, is known only later.
			c.on(r).unverified(v)
			continue
		}
		if st != known || team == "" {
			// Untagged resources are required-tags' to report.
			continue
		}
		if _, seen := first[team]; !seen {
			first[team] = r
			teams = append(teams, team)
		}
		secret[team] = secret[team] || v.secret()
	}
	sort.Strings(teams)
	for _, team := range teams {
		if covered[team] {
			continue
		}
		if undecided {
			continue
		}
		shown := fmt.Sprintf("%q", team)
		if secret[team] {
			shown = "(secret tag value)"
		}
		c.on(first[team]).violation(fmt.Sprintf("team %s owns resources in this stack but has no AWS Budget", shown),
			fmt.Sprintf("add a budgets.Budget with costFilters [{name: TagKeyValue, values: [\"user:%s$<team>\"]}] and alert notifications", tagkeys.Team))
	}
}
