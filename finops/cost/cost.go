// Package cost models the monthly cost of a stack before anything is
// created: from the stack's planned resources (their types and inputs), a
// dated price table (prices.go) and the platform's own limits as the
// resources carry them — Studio idle shutdown, EMR auto-termination, the
// expires-at time-to-live, Spot task fleets, Fargate Spot — it computes the
// modelled monthly cost per team and per service, and the cost of the same
// resources run on-demand and always on. The difference is the saving the
// platform's guardrails are designed to reclaim.
//
// The package is a leaf (it imports nothing of the module), so the policy
// pack can run the same model at preview to hold each team to its budget.
//
// Input: a Plan of Resources, each a type token, a name and its inputs as
// plain JSON values (map[string]any, []any, string, float64, bool). Values
// computed by other resources are the engine's unknown marker (Unknown).
// The platform tool fills a Plan from an offline or real preview
// (factory.CostPlan: each step's planned inputs) or from an exported
// deployment (after `pulumi up`, PlanFromDeployment); the policy pack fills
// it from the resources it analyses.
package cost

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Unknown is how the Pulumi engine writes a value that is computed by
// another resource and not known at preview.
const Unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

// Resource is one planned resource.
type Resource struct {
	Type string `json:"type"`
	Name string `json:"name"`
	URN  string `json:"urn,omitempty"`
	// Inputs are the resource's input properties as JSON values.
	Inputs map[string]any `json:"inputs"`
	// Dependencies maps an input to the URNs of the resources its value
	// comes from, when known (it links an EMR task fleet to its cluster).
	Dependencies map[string][]string `json:"dependencies,omitempty"`
}

// Plan is what a stack will create.
type Plan struct {
	Stack     string     `json:"stack"`
	Resources []Resource `json:"resources"`
}

// Usage is how much the platform's resources are used: the assumptions
// behind the modelled figure. The on-demand, always-on figure needs none.
type Usage struct {
	// WorkdaysPerMonth: 21 (a 5-day week, 730 hours a month, minus holidays).
	WorkdaysPerMonth float64 `json:"workdaysPerMonth"`
	// StudioHoursPerWorkday is how long a team's Studio app does work on a
	// working day; idle shutdown adds its timeout once per day.
	StudioHoursPerWorkday float64 `json:"studioHoursPerWorkday"`
	// ClusterHoursPerWorkday is how long a team's EMR cluster does work on
	// a working day; auto-termination adds its idle timeout once per day.
	ClusterHoursPerWorkday float64 `json:"clusterHoursPerWorkday"`
	// PipelineRunsPerMonth (weekly: 52/12), PipelineTasksPerRun (one per
	// country) and PipelineTaskHours size the Fargate pipeline's work.
	PipelineRunsPerMonth float64 `json:"pipelineRunsPerMonth"`
	PipelineTasksPerRun  float64 `json:"pipelineTasksPerRun"`
	PipelineTaskHours    float64 `json:"pipelineTaskHours"`
	// ScheduledRunsPerMonth and ScheduledRunSeconds size scheduled jobs:
	// Fargate tasks an EventBridge Scheduler schedule starts (the daily
	// lifecycle cleanup job) and Lambda functions.
	ScheduledRunsPerMonth float64 `json:"scheduledRunsPerMonth"`
	ScheduledRunSeconds   float64 `json:"scheduledRunSeconds"`
}

// DefaultUsage is the usage the README's figures assume.
func DefaultUsage() Usage {
	return Usage{
		WorkdaysPerMonth:       21,
		StudioHoursPerWorkday:  6,
		ClusterHoursPerWorkday: 4,
		PipelineRunsPerMonth:   52.0 / 12,
		PipelineTasksPerRun:    3,
		PipelineTaskHours:      1,
		ScheduledRunsPerMonth:  365.0 / 12,
		ScheduledRunSeconds:    120,
	}
}

// Options configure a model run.
type Options struct {
	// Prices is the price table; EUWest1 when nil.
	Prices *Prices
	// Usage holds the assumptions; DefaultUsage when zero.
	Usage Usage
	// TeamTag is the tag naming a resource's team; "team" when empty.
	TeamTag string
	// From is the start of the modelled month. Resources whose expires-at
	// tag falls within the month run only until then. When zero, TTLs are
	// not applied and the figure is the higher, conservative one.
	From time.Time
}

func (o Options) withDefaults() Options {
	if o.Prices == nil {
		o.Prices = EUWest1()
	}
	if o.Usage == (Usage{}) {
		o.Usage = DefaultUsage()
	}
	if o.TeamTag == "" {
		o.TeamTag = "team"
	}
	return o
}

// Services, as the report groups lines.
const (
	ServiceStudio    = "SageMaker Studio"
	ServiceNotebooks = "SageMaker notebooks"
	ServiceEndpoints = "SageMaker endpoints"
	ServiceEMR       = "EMR"
	ServiceFargate   = "ECS Fargate"
	ServiceLambda    = "Lambda"
	ServiceEndpoint  = "VPC endpoints"
	ServiceNAT       = "NAT gateway"
	ServiceKMS       = "KMS"
)

// Team labels for resources without a known team.
const (
	Untagged     = "(untagged)"
	UnknownTeam  = "(known after create)"
	unknownValue = "(unknown)"
)

// Line is the cost of one resource.
type Line struct {
	Team     string `json:"team"`
	Service  string `json:"service"`
	Resource string `json:"resource"`
	Type     string `json:"type"`
	// Modelled is the monthly cost under the platform's limits; Baseline
	// the same resource on-demand and always on.
	Modelled float64 `json:"modelled"`
	Baseline float64 `json:"baseline"`
	// Compute marks ML compute (Studio, notebooks, endpoints, EMR,
	// Fargate): what idle shutdown, auto-termination and Spot act on.
	Compute bool `json:"compute"`
	// Basis explains the figure.
	Basis string `json:"basis"`
}

// Unpriced is a resource that costs money but could not be priced.
type Unpriced struct {
	Team     string `json:"team"`
	Resource string `json:"resource"`
	Type     string `json:"type"`
	Reason   string `json:"reason"`
}

// Total sums lines.
type Total struct {
	Name     string  `json:"name"`
	Modelled float64 `json:"modelled"`
	Baseline float64 `json:"baseline"`
}

// Saving is the share of the baseline the limits save, 0-1.
func (t Total) Saving() float64 {
	if t.Baseline <= 0 {
		return 0
	}
	return 1 - t.Modelled/t.Baseline
}

// Report is the modelled monthly cost of a plan.
type Report struct {
	Stack    string   `json:"stack"`
	Region   string   `json:"region"`
	PricesAs string   `json:"pricesAsOf"`
	Sources  []Source `json:"sources"`
	Usage    Usage    `json:"usage"`
	// From is the start of the modelled month (TTLs applied), if given.
	From     string     `json:"from,omitempty"`
	Lines    []Line     `json:"lines"`
	Teams    []Total    `json:"teams"`
	Services []Total    `json:"services"`
	Compute  Total      `json:"compute"`
	Total    Total      `json:"total"`
	Unpriced []Unpriced `json:"unpriced,omitempty"`
}

// Team returns a team's total (zero if the team has no costed resource).
func (r Report) Team(name string) Total {
	for _, t := range r.Teams {
		if t.Name == name {
			return t
		}
	}
	return Total{Name: name}
}

// UnpricedFor returns the unpriced resources of a team.
func (r Report) UnpricedFor(team string) []Unpriced {
	var out []Unpriced
	for _, u := range r.Unpriced {
		if u.Team == team {
			out = append(out, u)
		}
	}
	return out
}

// Model runs the model with the default options.
func Model(plan Plan) Report { return ModelWith(plan, Options{}) }

// ModelWith runs the model.
func ModelWith(plan Plan, o Options) Report {
	o = o.withDefaults()
	m := &model{plan: plan, o: o, p: o.Prices, u: o.Usage}
	m.index()
	for i := range plan.Resources {
		m.resource(&plan.Resources[i])
	}
	return m.report()
}

type model struct {
	plan     Plan
	o        Options
	p        *Prices
	u        Usage
	byURN    map[string]*Resource
	domains  []*Resource
	clusters []*Resource
	// schedules start ECS tasks directly (EventBridge Scheduler with an
	// ECS target).
	schedules []*Resource
	lines     []Line
	unpriced  []Unpriced
}

func (m *model) index() {
	m.byURN = map[string]*Resource{}
	for i := range m.plan.Resources {
		r := &m.plan.Resources[i]
		if r.URN != "" {
			m.byURN[r.URN] = r
		}
		switch r.Type {
		case "aws:sagemaker/domain:Domain":
			m.domains = append(m.domains, r)
		case "aws:emr/cluster:Cluster":
			m.clusters = append(m.clusters, r)
		case "aws:scheduler/schedule:Schedule":
			if get(r.Inputs["target"], "ecsParameters") != nil {
				m.schedules = append(m.schedules, r)
			}
		}
	}
}

func (m *model) add(r *Resource, team, service string, compute bool, modelled, baseline float64, basis string) {
	m.lines = append(m.lines, Line{Team: team, Service: service, Resource: r.Name, Type: r.Type,
		Modelled: modelled, Baseline: baseline, Compute: compute, Basis: basis})
}

func (m *model) unpricedf(r *Resource, team, format string, args ...any) {
	m.unpriced = append(m.unpriced, Unpriced{Team: team, Resource: r.Name, Type: r.Type, Reason: fmt.Sprintf(format, args...)})
}

func (m *model) resource(r *Resource) {
	switch r.Type {
	case "aws:sagemaker/userProfile:UserProfile":
		m.userProfile(r)
	case "aws:sagemaker/space:Space":
		m.space(r)
	case "aws:sagemaker/notebookInstance:NotebookInstance":
		m.notebook(r)
	case "aws:sagemaker/endpointConfiguration:EndpointConfiguration":
		m.endpointConfig(r)
	case "aws:emr/cluster:Cluster":
		m.cluster(r)
	case "aws:ecs/taskDefinition:TaskDefinition":
		m.taskDefinition(r)
	case "aws:lambda/function:Function":
		m.function(r)
	case "aws:ec2/vpcEndpoint:VpcEndpoint":
		m.vpcEndpoint(r)
	case "aws:ec2/natGateway:NatGateway":
		team := m.team(r)
		c := m.p.NATGatewayHour * HoursPerMonth
		m.add(r, team, ServiceNAT, false, c, c, fmt.Sprintf("$%.3f/h × %.0f h", m.p.NATGatewayHour, HoursPerMonth))
	case "aws:kms/key:Key":
		team := m.team(r)
		m.add(r, team, ServiceKMS, false, m.p.KMSKeyMonth, m.p.KMSKeyMonth, "customer-managed key")
	}
}

// team reads the team tag from tags, then tagsAll.
func (m *model) team(r *Resource) string {
	for _, key := range []string{"tags", "tagsAll"} {
		tags, ok := r.Inputs[key].(map[string]any)
		if !ok {
			if r.Inputs[key] == Unknown {
				return UnknownTeam
			}
			continue
		}
		if v, ok := tags[m.o.TeamTag].(string); ok && v != "" {
			if v == Unknown {
				return UnknownTeam
			}
			return v
		}
	}
	return Untagged
}

// ttlHours returns the hours the resource may run in the modelled month
// under its expires-at tag, and a note; HoursPerMonth when no TTL applies.
func (m *model) ttlHours(r *Resource) (float64, string) {
	if m.o.From.IsZero() {
		return HoursPerMonth, ""
	}
	v := m.tag(r, "expires-at")
	if v == "" {
		return HoursPerMonth, ""
	}
	var at time.Time
	var err error
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if at, err = time.Parse(layout, v); err == nil {
			break
		}
	}
	if err != nil {
		return HoursPerMonth, ""
	}
	left := at.Sub(m.o.From).Hours()
	switch {
	case left <= 0:
		return 0, "expired before the month (TTL)"
	case left < HoursPerMonth:
		return left, fmt.Sprintf("expires after %.0f h (TTL)", left)
	}
	return HoursPerMonth, ""
}

func (m *model) tag(r *Resource, key string) string {
	for _, k := range []string{"tags", "tagsAll"} {
		if tags, ok := r.Inputs[k].(map[string]any); ok {
			if v, ok := tags[key].(string); ok && v != Unknown {
				return v
			}
		}
	}
	return ""
}

// get follows a path of object keys; arrays of one object are looked into.
func get(v any, path ...string) any {
	for _, k := range path {
		if arr, ok := v.([]any); ok && len(arr) > 0 {
			v = arr[0]
		}
		obj, ok := v.(map[string]any)
		if !ok {
			if v == Unknown {
				return Unknown
			}
			return nil
		}
		v = obj[k]
	}
	return v
}

func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return ""
}

// num reads a number that may be written as a string; ok is false when
// absent, unknown or malformed.
func num(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case int:
		return float64(t), true
	case string:
		if t == Unknown {
			return 0, false
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil
	}
	return 0, false
}

func (m *model) report() Report {
	rep := Report{
		Stack: m.plan.Stack, Region: m.p.Region, PricesAs: m.p.AsOf, Sources: m.p.Sources, Usage: m.u,
		Lines: m.lines, Unpriced: m.unpriced,
	}
	if !m.o.From.IsZero() {
		rep.From = m.o.From.UTC().Format(time.RFC3339)
	}
	sort.SliceStable(rep.Lines, func(i, j int) bool {
		a, b := rep.Lines[i], rep.Lines[j]
		if a.Team != b.Team {
			return a.Team < b.Team
		}
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Resource < b.Resource
	})
	teams, services := map[string]*Total{}, map[string]*Total{}
	rep.Compute.Name, rep.Total.Name = "ML compute", "total"
	for _, l := range rep.Lines {
		for _, t := range []*Total{bucket(teams, l.Team), bucket(services, l.Service), &rep.Total} {
			t.Modelled += l.Modelled
			t.Baseline += l.Baseline
		}
		if l.Compute {
			rep.Compute.Modelled += l.Modelled
			rep.Compute.Baseline += l.Baseline
		}
	}
	rep.Teams, rep.Services = sortedTotals(teams), sortedTotals(services)
	return rep
}

func bucket(m map[string]*Total, name string) *Total {
	if t, ok := m[name]; ok {
		return t
	}
	t := &Total{Name: name}
	m[name] = t
	return t
}

func sortedTotals(m map[string]*Total) []Total {
	out := make([]Total, 0, len(m))
	for _, t := range m {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
