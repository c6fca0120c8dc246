package cost

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Studio apps. A team's user profile runs one JupyterLab app of the
// domain's default type; idle shutdown stops it after its timeout, so a
// working day costs the hours of work plus one timeout. Without idle
// shutdown the app runs until someone stops it: always on.

func (m *model) domainFor(r *Resource) *Resource {
	if deps := r.Dependencies["domainId"]; len(deps) > 0 {
		if d, ok := m.byURN[deps[0]]; ok {
			return d
		}
	}
	if len(m.domains) == 1 {
		return m.domains[0]
	}
	return nil
}

// appSettings resolves a Studio app's instance type, idle timeout and volume
// from the most specific settings that set them.
type appSettings struct {
	instanceType string
	idleMinutes  float64 // 0: no idle shutdown
	idleKnown    bool
	volumeGiB    float64
}

func resolveApp(app string, levels ...any) appSettings {
	var s appSettings
	for _, level := range levels {
		if level == nil {
			continue
		}
		if s.instanceType == "" {
			if t := str(get(level, app, "defaultResourceSpec", "instanceType")); t != "" {
				s.instanceType = t
			}
		}
		if !s.idleKnown {
			idle := get(level, app, "appLifecycleManagement", "idleSettings")
			if state := str(get(idle, "lifecycleManagement")); state != "" {
				s.idleKnown = true
				if state == "ENABLED" {
					if n, ok := num(get(idle, "idleTimeoutInMinutes")); ok {
						s.idleMinutes = n
					} else {
						s.idleKnown = false
					}
				}
			}
		}
		if s.volumeGiB == 0 {
			if n, ok := num(get(level, "spaceStorageSettings", "defaultEbsStorageSettings", "defaultEbsVolumeSizeInGb")); ok {
				s.volumeGiB = n
			} else if n, ok := num(get(level, "spaceStorageSettings", "ebsStorageSettings", "ebsVolumeSizeInGb")); ok {
				s.volumeGiB = n
			}
		}
	}
	return s
}

func (m *model) userProfile(r *Resource) {
	var domainSettings any
	if d := m.domainFor(r); d != nil {
		domainSettings = d.Inputs["defaultUserSettings"]
	}
	m.studioApp(r, resolveApp("jupyterLabAppSettings", r.Inputs["userSettings"], domainSettings), "user profile")
}

func (m *model) space(r *Resource) {
	var domainSettings any
	if d := m.domainFor(r); d != nil {
		domainSettings = d.Inputs["defaultSpaceSettings"]
		if domainSettings == nil {
			domainSettings = d.Inputs["defaultUserSettings"]
		}
	}
	m.studioApp(r, resolveApp("jupyterLabAppSettings", r.Inputs["spaceSettings"], domainSettings), "space")
}

func (m *model) studioApp(r *Resource, s appSettings, what string) {
	team := m.team(r)
	if s.instanceType == "" || s.instanceType == Unknown {
		m.unpricedf(r, team, "the %s's JupyterLab instance type is not known", what)
		return
	}
	hour, ok := m.p.SageMakerHour(s.instanceType)
	if !ok {
		m.unpricedf(r, team, "%s is not in the price table", s.instanceType)
		return
	}
	hours, basis := HoursPerMonth, "no idle shutdown: always on"
	if !s.idleKnown {
		basis = "idle shutdown not known at preview: always on"
	} else if s.idleMinutes > 0 {
		perDay := m.u.StudioHoursPerWorkday + s.idleMinutes/60
		hours = math.Min(HoursPerMonth, m.u.WorkdaysPerMonth*perDay)
		basis = fmt.Sprintf("%.0f workdays × (%.1f h work + %.0f min idle shutdown)", m.u.WorkdaysPerMonth, m.u.StudioHoursPerWorkday, s.idleMinutes)
	}
	if ttl, note := m.ttlHours(r); ttl < hours {
		hours, basis = ttl, note
	}
	modelled, baseline := hours*hour, HoursPerMonth*hour
	basis = fmt.Sprintf("JupyterLab %s $%.3f/h × %.0f h (%s)", s.instanceType, hour, hours, basis)
	if s.volumeGiB > 0 {
		if month, ok := m.p.EBSMonth("gp3", s.volumeGiB); ok {
			modelled += month
			baseline += month
			basis += fmt.Sprintf(" + %.0f GiB gp3 space volume", s.volumeGiB)
		}
	}
	m.add(r, team, ServiceStudio, true, modelled, baseline, basis)
}

// Notebook instances have no idle shutdown: they run until stopped, or
// until cleanup stops them after expires-at.
func (m *model) notebook(r *Resource) {
	team := m.team(r)
	t := str(r.Inputs["instanceType"])
	hour, ok := m.p.SageMakerHour(t)
	if !ok {
		m.unpricedf(r, team, "instance type %s is not known or not in the price table", shown(t))
		return
	}
	hours, note := m.ttlHours(r)
	if note == "" {
		note = "always on"
	}
	m.add(r, team, ServiceNotebooks, true, hours*hour, HoursPerMonth*hour, fmt.Sprintf("%s $%.3f/h × %.0f h (%s)", t, hour, hours, note))
}

// Real-time endpoints bill every hour they exist.
func (m *model) endpointConfig(r *Resource) {
	team := m.team(r)
	variants, _ := r.Inputs["productionVariants"].([]any)
	total := 0.0
	var parts []string
	for _, v := range variants {
		t := str(get(v, "instanceType"))
		if t == "" {
			continue // serverless: billed per request
		}
		hour, ok := m.p.SageMakerHour(t)
		if !ok {
			m.unpricedf(r, team, "instance type %s is not known or not in the price table", shown(t))
			return
		}
		n, ok := num(get(v, "initialInstanceCount"))
		if !ok {
			n = 1
		}
		total += n * hour
		parts = append(parts, fmt.Sprintf("%.0f × %s", n, t))
	}
	if total == 0 {
		return
	}
	hours, note := m.ttlHours(r)
	if note == "" {
		note = "always on"
	}
	m.add(r, team, ServiceEndpoints, true, hours*total, HoursPerMonth*total,
		fmt.Sprintf("%s $%.3f/h × %.0f h (%s)", strings.Join(parts, " + "), total, hours, note))
}

func shown(s string) string {
	if s == "" || s == Unknown {
		return unknownValue
	}
	return s
}

// fleet is the hourly cost of an EMR instance fleet or group.
type fleet struct {
	modelled, baseline float64 // $/h
	ebsGiB             float64 // GiB of EBS across its nodes
	nodes              string
}

// fleetCost prices a fleet: on-demand capacity at the cheapest listed type
// (the lowest-price strategy), Spot capacity at the mean Spot price of the
// listed types (capacity-optimised allocation chooses by capacity, not
// price). The baseline runs all of it on-demand.
func (m *model) fleetCost(f any) (fleet, string) {
	var out fleet
	configs, _ := get(f, "instanceTypeConfigs").([]any)
	if len(configs) == 0 {
		return out, "no instance types"
	}
	od, _ := num(get(f, "targetOnDemandCapacity"))
	spot, _ := num(get(f, "targetSpotCapacity"))
	cheapest, meanSpot, meanOD := math.Inf(1), 0.0, 0.0
	ebs := 0.0
	for _, c := range configs {
		t := str(get(c, "instanceType"))
		odh, ok := m.p.EC2Hour(t, false, true)
		sph, ok2 := m.p.EC2Hour(t, true, true)
		if !ok || !ok2 {
			return out, fmt.Sprintf("instance type %s is not known or not in the price table", shown(t))
		}
		cheapest = math.Min(cheapest, odh)
		meanSpot += sph / float64(len(configs))
		meanOD += odh / float64(len(configs))
		if ebsConfigs, ok := get(c, "ebsConfigs").([]any); ok && ebs == 0 {
			for _, e := range ebsConfigs {
				size, _ := num(get(e, "size"))
				per, ok := num(get(e, "volumesPerInstance"))
				if !ok {
					per = 1
				}
				ebs += size * per
			}
		}
	}
	out.modelled = od*cheapest + spot*meanSpot
	out.baseline = od*cheapest + spot*meanOD
	out.ebsGiB = ebs * (od + spot)
	out.nodes = fmt.Sprintf("%.0f on-demand + %.0f Spot", od, spot)
	return out, ""
}

// groupCost prices an instance group (instanceType × instanceCount; a
// bidPrice makes it Spot).
func (m *model) groupCost(g any) (fleet, string) {
	var out fleet
	t := str(get(g, "instanceType"))
	n, ok := num(get(g, "instanceCount"))
	if !ok {
		n = 1
	}
	spot := str(get(g, "bidPrice")) != ""
	h, ok := m.p.EC2Hour(t, spot, true)
	odh, ok2 := m.p.EC2Hour(t, false, true)
	if !ok || !ok2 {
		return out, fmt.Sprintf("instance type %s is not known or not in the price table", shown(t))
	}
	out.modelled, out.baseline = n*h, n*odh
	out.nodes = fmt.Sprintf("%.0f × %s", n, t)
	return out, ""
}

// taskFleets returns the stand-alone task fleets and groups of a cluster:
// by the engine's record of where their clusterId comes from, or else by
// the component's naming ("<cluster>-task").
func (m *model) taskFleets(c *Resource) []*Resource {
	var out []*Resource
	for i := range m.plan.Resources {
		r := &m.plan.Resources[i]
		if r.Type != "aws:emr/instanceFleet:InstanceFleet" && r.Type != "aws:emr/instanceGroup:InstanceGroup" {
			continue
		}
		deps := r.Dependencies["clusterId"]
		switch {
		case len(deps) > 0 && c.URN != "":
			if deps[0] == c.URN {
				out = append(out, r)
			}
		case strings.HasPrefix(r.Name, c.Name+"-"):
			out = append(out, r)
		}
	}
	return out
}

// cluster prices an EMR cluster: its primary and core nodes on-demand and
// its task fleets on Spot, for the hours auto-termination lets it live.
func (m *model) cluster(r *Resource) {
	team := m.team(r)
	var parts []fleet
	for _, key := range []string{"masterInstanceFleet", "coreInstanceFleet"} {
		if f := r.Inputs[key]; f != nil {
			c, problem := m.fleetCost(f)
			if problem != "" {
				m.unpricedf(r, team, "%s: %s", key, problem)
				return
			}
			parts = append(parts, c)
		}
	}
	for _, key := range []string{"masterInstanceGroup", "coreInstanceGroup"} {
		if g := r.Inputs[key]; g != nil {
			c, problem := m.groupCost(g)
			if problem != "" {
				m.unpricedf(r, team, "%s: %s", key, problem)
				return
			}
			parts = append(parts, c)
		}
	}
	for _, t := range m.taskFleets(r) {
		var c fleet
		var problem string
		if t.Type == "aws:emr/instanceFleet:InstanceFleet" {
			c, problem = m.fleetCost(t.Inputs)
		} else {
			c, problem = m.groupCost(t.Inputs)
		}
		if problem != "" {
			m.unpricedf(r, team, "task fleet %s: %s", t.Name, problem)
			return
		}
		parts = append(parts, c)
	}
	if len(parts) == 0 {
		m.unpricedf(r, team, "no instance fleets or groups")
		return
	}
	var hourM, hourB, ebs float64
	var nodes []string
	for _, p := range parts {
		hourM += p.modelled
		hourB += p.baseline
		ebs += p.ebsGiB
		nodes = append(nodes, p.nodes)
	}
	if perGiB, ok := m.p.EBSGBMonth["gp3"]; ok && ebs > 0 {
		// EBS volumes exist while their nodes do.
		hourM += ebs * perGiB / HoursPerMonth
		hourB += ebs * perGiB / HoursPerMonth
	}
	hours, basis := HoursPerMonth, "no auto-termination: always on"
	idle, ok := num(get(r.Inputs["autoTerminationPolicy"], "idleTimeout"))
	if ok && idle > 0 {
		perDay := m.u.ClusterHoursPerWorkday + idle/3600
		hours = math.Min(HoursPerMonth, m.u.WorkdaysPerMonth*perDay)
		basis = fmt.Sprintf("%.0f workdays × (%.1f h work + %.0f min auto-termination)", m.u.WorkdaysPerMonth, m.u.ClusterHoursPerWorkday, idle/60)
	}
	if ttl, note := m.ttlHours(r); ttl < hours {
		hours, basis = ttl, note
	}
	m.add(r, team, ServiceEMR, true, hours*hourM, HoursPerMonth*hourB,
		fmt.Sprintf("%s nodes $%.3f/h (on-demand always on: $%.3f/h) × %.0f h (%s)", strings.Join(nodes, ", "), hourM, hourB, hours, basis))
}

// taskDefinition prices a Fargate task. One that a schedule starts directly
// (the lifecycle cleanup job) runs ScheduledRunsPerMonth times for
// ScheduledRunSeconds, on Fargate Spot when the schedule's capacity provider
// strategy puts it there; it has no idle cost, so the baseline is the same
// runs on-demand, and it is not ML compute. Any other task is the weekly
// pipeline's, on Fargate Spot when the stack's capacity provider strategy
// puts it there, and its baseline is one such task on-demand and always on.
func (m *model) taskDefinition(r *Resource) {
	team := m.team(r)
	cpu, ok := num(r.Inputs["cpu"])
	mem, ok2 := num(r.Inputs["memory"])
	if !ok || !ok2 {
		m.unpricedf(r, team, "cpu and memory must be known to price a Fargate task")
		return
	}
	vcpu, gb := cpu/1024, mem/1024
	if schedule := m.scheduleOf(r); schedule != nil {
		spot := fargateSpot(schedule)
		hours := m.u.ScheduledRunsPerMonth * m.u.ScheduledRunSeconds / 3600
		m.add(r, team, ServiceFargate, false, hours*m.p.FargateHour(vcpu, gb, spot), hours*m.p.FargateHour(vcpu, gb, false),
			fmt.Sprintf("%.2g vCPU, %.2g GB, %s, scheduled: %.0f runs × %.0f s", vcpu, gb, market(spot), m.u.ScheduledRunsPerMonth, m.u.ScheduledRunSeconds))
		return
	}
	// The stack's strategies (the cluster's, the workflow's), not those of
	// the schedules that run other tasks.
	var others []*Resource
	for i := range m.plan.Resources {
		if r := &m.plan.Resources[i]; !slices.Contains(m.schedules, r) {
			others = append(others, r)
		}
	}
	spot := fargateSpot(others...)
	hours := m.u.PipelineRunsPerMonth * m.u.PipelineTasksPerRun * m.u.PipelineTaskHours
	m.add(r, team, ServiceFargate, true, hours*m.p.FargateHour(vcpu, gb, spot), HoursPerMonth*m.p.FargateHour(vcpu, gb, false),
		fmt.Sprintf("%.2g vCPU, %.2g GB, %s, %.2f runs × %.0f tasks × %.1f h", vcpu, gb, market(spot), m.u.PipelineRunsPerMonth, m.u.PipelineTasksPerRun, m.u.PipelineTaskHours))
}

func market(spot bool) string {
	if spot {
		return "Fargate Spot"
	}
	return "on-demand"
}

// scheduleOf returns the schedule that starts the task definition r
// directly, if any: one whose target the engine reports as depending on r,
// or whose ECS parameters name r's family, in the task definition ARN or in
// the task group ("family:<family>", ECS's own default group), which stays
// known at preview when the ARN does not.
func (m *model) scheduleOf(r *Resource) *Resource {
	family := str(r.Inputs["family"])
	for _, s := range m.schedules {
		for _, dep := range s.Dependencies["target"] {
			if r.URN != "" && dep == r.URN {
				return s
			}
		}
		if family == "" || family == Unknown {
			continue
		}
		ecs := get(s.Inputs["target"], "ecsParameters")
		if str(get(ecs, "group")) == "family:"+family {
			return s
		}
		if arn := str(get(ecs, "taskDefinitionArn")); strings.Contains(arn, ":task-definition/"+family+":") || strings.HasSuffix(arn, ":task-definition/"+family) {
			return s
		}
	}
	return nil
}

// fargateSpot reports whether rs send tasks to FARGATE_SPOT: a capacity
// provider strategy anywhere in their inputs that gives it weight.
func fargateSpot(rs ...*Resource) bool {
	var found bool
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if t["capacityProvider"] == "FARGATE_SPOT" {
				if w, ok := num(t["weight"]); !ok || w > 0 {
					found = true
				}
			}
			for _, e := range t {
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	for _, r := range rs {
		walk(r.Inputs)
	}
	return found
}

// function prices a scheduled Lambda function; it has no idle cost, so
// modelled and baseline agree.
func (m *model) function(r *Resource) {
	team := m.team(r)
	mem, ok := num(r.Inputs["memorySize"])
	if !ok {
		mem = 128
	}
	n := m.u.ScheduledRunsPerMonth
	c := n*m.u.ScheduledRunSeconds*mem/1024*m.p.LambdaGBSecond + n/1e6*m.p.LambdaPerMillionRequests
	m.add(r, team, ServiceLambda, false, c, c, fmt.Sprintf("%.0f invocations × %.0f s × %.0f MB", n, m.u.ScheduledRunSeconds, mem))
}

// vpcEndpoint prices an interface endpoint per availability zone: its
// subnets, or when they are not known at preview, the plan's private
// subnets (the network component puts every endpoint in all of them).
func (m *model) vpcEndpoint(r *Resource) {
	if str(r.Inputs["vpcEndpointType"]) != "Interface" {
		return // gateway endpoints are free
	}
	team := m.team(r)
	azs := 0.0
	if subnets, ok := r.Inputs["subnetIds"].([]any); ok {
		azs = float64(len(subnets))
	} else {
		for _, s := range m.plan.Resources {
			if s.Type == "aws:ec2/subnet:Subnet" && s.Inputs["mapPublicIpOnLaunch"] != true {
				azs++
			}
		}
	}
	if azs == 0 {
		azs = 1
	}
	c := azs * m.p.InterfaceEndpointHour * HoursPerMonth
	m.add(r, team, ServiceEndpoint, false, c, c, fmt.Sprintf("%.0f AZ × $%.3f/h × %.0f h", azs, m.p.InterfaceEndpointHour, HoursPerMonth))
}
