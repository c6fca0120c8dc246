package factory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/aifactory/platform/components/analytics/spec"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/internal/stackconfig"
)

// VendRequest is what a data-science team asks for: a workspace in a
// stack, described in a small YAML file (see docs/onboarding.md).
type VendRequest struct {
	// Team is the team's DNS-safe name, 2-32 characters.
	Team string `yaml:"team"`
	// Owner is the e-mail address accountable for the team's resources.
	Owner string `yaml:"owner"`
	// CostCenter is the team's cost-allocation code.
	CostCenter string `yaml:"costCenter"`
	// DataClassification is public, internal, confidential or restricted.
	DataClassification string `yaml:"dataClassification"`
	// InstanceType is the team's default Studio instance type, from the
	// environment's workspace.allowedInstanceTypes.
	InstanceType string `yaml:"instanceType"`
	// MonthlyBudget is the team's monthly budget in US dollars, above 0.
	MonthlyBudget float64 `yaml:"monthlyBudget"`
	// EMR, when set, gives the team EMR Studio access and a cluster made
	// from a template.
	EMR *EMRRequest `yaml:"emr,omitempty"`
	// Stack is the stack to vend into; dev when empty. Staging and prod
	// get their teams by promotion (see VendOptions.SkipPromotion).
	Stack string `yaml:"stack,omitempty"`
}

// EMRRequest is a team's request for EMR.
type EMRRequest struct {
	// Template is one of ClusterTemplates; empty for Studio access without a cluster.
	Template string `yaml:"template,omitempty"`
	// Identities are the team's people: IAM roles or groups (SSO users or
	// groups in an SSO-mode environment).
	Identities []spec.Identity `yaml:"identities"`
}

// ClusterTemplates are the cluster shapes a vending request may name. Each
// expires ClusterLifetime after it is vended.
func ClusterTemplates() map[string]spec.Cluster {
	return map[string]spec.Cluster{
		"spark-small": {
			ReleaseLabel: "emr-7.5.0", Applications: []string{"Spark"},
			MasterInstanceTypes: []string{"m5.xlarge", "m6i.xlarge"}, CoreInstanceTypes: []string{"m5.xlarge", "m6i.xlarge"},
			CoreCapacity: 1, TaskInstanceTypes: []string{"m5.xlarge", "m5a.xlarge", "m6i.xlarge"}, TaskSpotCapacity: 2,
			MaxCapacity: 6, IdleTimeout: 30 * time.Minute,
		},
		"spark-memory": {
			ReleaseLabel: "emr-7.5.0", Applications: []string{"Spark"},
			MasterInstanceTypes: []string{"m5.xlarge", "m6i.xlarge"}, CoreInstanceTypes: []string{"r5.xlarge", "m6i.xlarge"},
			CoreCapacity: 1, TaskInstanceTypes: []string{"r5.xlarge", "m5.xlarge", "m5a.xlarge", "m6i.xlarge"}, TaskSpotCapacity: 2,
			MaxCapacity: 8, IdleTimeout: 30 * time.Minute,
		},
	}
}

// ClusterLifetime is how long a vended cluster lives before its expires-at.
const ClusterLifetime = 30 * 24 * time.Hour

// Vended describes what vending did.
type Vended struct {
	Team   string `json:"team"`
	Action string `json:"action"` // "vended", "previewed", "removed", "removal previewed"
	// StudioURL and AccessPointAlias come from the stack's outputs after
	// the update; Prefix is the team's key prefix behind the access point.
	StudioURL        string `json:"studioUrl,omitempty"`
	AccessPointAlias string `json:"accessPointAlias,omitempty"`
	Prefix           string `json:"prefix,omitempty"`
	// Branch and Commit name the git commit that records the change.
	Branch string `json:"branch,omitempty"`
	Commit string `json:"commit,omitempty"`
}

// VendOptions tune vending.
type VendOptions struct {
	// Yes applies the change after a clean preview; without it the stack
	// file is left as it was after the preview.
	Yes bool
	// SkipPromotion vends into (or offboards from) a stack that releases
	// are promoted into, staging or prod, directly. Without it only the
	// environment releases start in (dev) is vended into: a team reaches
	// staging and prod by promotion, so their releases keep a chain back to
	// dev. A direct change leaves a release without a parent, which
	// `release verify` refuses until a promotion replaces it.
	SkipPromotion bool
}

// checkVendTarget refuses to vend into (or offboard from) a stack that
// releases are promoted into, unless the promotion is skipped on purpose.
// what is "vend the team into" or "offboard the team from".
func checkVendTarget(what string, cfg *stackconfig.Config, o VendOptions) error {
	if previousEnvironment(cfg.Environment) == "" || o.SkipPromotion {
		return nil
	}
	var steps []string
	for i := 1; i < len(stackconfig.Environments); i++ {
		steps = append(steps, fmt.Sprintf("`aifactory promote %s %s`", stackconfig.Environments[i-1], stackconfig.Environments[i]))
		if stackconfig.Environments[i] == cfg.Environment {
			break
		}
	}
	return BadInput(fmt.Errorf("stack: %s is a %s stack, which changes by promotion only: %s %s, then promote (%s); "+
		"--skip-promotion changes %s directly, and its release then has no parent, so `aifactory release verify %s` refuses it until a promotion replaces it",
		cfg.Stack, cfg.Environment, what, stackconfig.Environments[0], strings.Join(steps, ", then "), cfg.Stack, cfg.Stack))
}

// ParseVendRequest reads a request strictly: an unknown or misspelt field
// is an error.
func ParseVendRequest(b []byte) (VendRequest, error) {
	var r VendRequest
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return VendRequest{}, BadInput(fmt.Errorf("vending request: %w; see docs/onboarding.md for its fields", err))
	}
	if r.Stack == "" {
		r.Stack = "dev"
	}
	return r, nil
}

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// Validate checks the request against the target stack's config and
// reports every problem with its field and the fix.
func (r VendRequest) Validate(cfg *stackconfig.Config) error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if err := scope.CheckTeamName("team", r.Team); err != nil {
		errs = append(errs, err)
	}
	for _, t := range cfg.Teams {
		if t.Name == r.Team {
			fail("team", "%q already has a workspace in stack %s; choose another name or offboard it first", r.Team, cfg.Stack)
		}
	}
	if !emailPattern.MatchString(r.Owner) {
		fail("owner", "%q is not an e-mail address; give the address accountable for the team's resources", r.Owner)
	}
	if strings.TrimSpace(r.CostCenter) == "" {
		fail("costCenter", "is empty; give the code the team's resources are billed to")
	}
	if !slices.Contains(stackconfig.DataClassifications, r.DataClassification) {
		fail("dataClassification", "%q is not allowed; use one of %s", r.DataClassification, strings.Join(stackconfig.DataClassifications, ", "))
	}
	if !slices.Contains(cfg.Workspace.AllowedInstanceTypes, r.InstanceType) {
		fail("instanceType", "%q is not allowed in %s; use one of %s", r.InstanceType, cfg.Environment, strings.Join(cfg.Workspace.AllowedInstanceTypes, ", "))
	}
	if !(r.MonthlyBudget > 0) {
		fail("monthlyBudget", "%v: give the team's monthly budget in US dollars, above 0", r.MonthlyBudget)
	}
	if r.EMR != nil {
		if len(r.EMR.Identities) == 0 {
			fail("emr.identities", "is empty; name the IAM roles or groups of the team's people")
		}
		errs = append(errs, spec.CheckIdentities("emr.identities", spec.AuthMode(cfg.Analytics.AuthMode), r.EMR.Identities)...)
		if r.EMR.Template != "" {
			tpl, ok := ClusterTemplates()[r.EMR.Template]
			if !ok {
				fail("emr.template", "%q is not a cluster template; use one of %s", r.EMR.Template, strings.Join(templateNames(), ", "))
			} else if err := r.cluster(tpl, time.Time{}).Validate(cfg.AnalyticsLimits(), time.Time{}); err != nil {
				fail("emr.template", "%q does not fit %s's limits: %v", r.EMR.Template, cfg.Environment, err)
			}
		}
	}
	if len(errs) > 0 {
		return BadInput(fmt.Errorf("invalid vending request:\n  - %s", joinErrors(errs, "\n  - ")))
	}
	return nil
}

func templateNames() []string {
	var names []string
	for n := range ClusterTemplates() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func joinErrors(errs []error, sep string) string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Error()
	}
	return strings.Join(parts, sep)
}

// cluster is the team's cluster from a template, expiring at expires
// (a time far enough ahead for validation when zero).
func (r VendRequest) cluster(tpl spec.Cluster, expires time.Time) spec.Cluster {
	if expires.IsZero() {
		expires = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	tpl.Name = "workbench"
	tpl.ExpiresAt = expires
	return tpl
}

// teamEntry is the request as an entry of aifactory:teams, in the stack
// file's own syntax.
func (r VendRequest) teamEntry(now time.Time) teamYAML {
	t := teamYAML{
		Name: r.Team, CostCenter: r.CostCenter, Owner: r.Owner,
		DataClassification: r.DataClassification, InstanceType: r.InstanceType, Budget: budgetYAML{MonthlyUSD: r.MonthlyBudget},
	}
	if r.EMR != nil {
		t.Analytics = &analyticsYAML{}
		for _, id := range r.EMR.Identities {
			t.Analytics.Identities = append(t.Analytics.Identities, identityYAML{Type: string(id.Type), Name: id.Name})
		}
		if tpl, ok := ClusterTemplates()[r.EMR.Template]; ok {
			c := r.cluster(tpl, now.Add(ClusterLifetime).UTC().Truncate(time.Second))
			t.Analytics.Clusters = append(t.Analytics.Clusters, clusterYAML{
				Name: c.Name, ReleaseLabel: c.ReleaseLabel, Applications: c.Applications,
				MasterInstanceTypes: c.MasterInstanceTypes, CoreInstanceTypes: c.CoreInstanceTypes, CoreCapacity: c.CoreCapacity,
				TaskInstanceTypes: c.TaskInstanceTypes, TaskSpotCapacity: c.TaskSpotCapacity, MaxCapacity: c.MaxCapacity,
				IdleTimeout: c.IdleTimeout.String(), ExpiresAt: c.ExpiresAt.Format(time.RFC3339),
			})
		}
	}
	return t
}

// The stack file's syntax of a team entry.
type (
	teamYAML struct {
		Name               string         `yaml:"name"`
		CostCenter         string         `yaml:"costCenter"`
		Owner              string         `yaml:"owner"`
		DataClassification string         `yaml:"dataClassification"`
		InstanceType       string         `yaml:"instanceType"`
		Budget             budgetYAML     `yaml:"budget"`
		Analytics          *analyticsYAML `yaml:"analytics,omitempty"`
	}
	budgetYAML struct {
		MonthlyUSD float64 `yaml:"monthlyUsd"`
	}
	analyticsYAML struct {
		Identities []identityYAML `yaml:"identities,omitempty"`
		Clusters   []clusterYAML  `yaml:"clusters,omitempty"`
	}
	identityYAML struct {
		Type string `yaml:"type"`
		Name string `yaml:"name"`
	}
	clusterYAML struct {
		Name                string   `yaml:"name"`
		ReleaseLabel        string   `yaml:"releaseLabel"`
		Applications        []string `yaml:"applications,flow"`
		MasterInstanceTypes []string `yaml:"masterInstanceTypes,flow"`
		CoreInstanceTypes   []string `yaml:"coreInstanceTypes,flow"`
		CoreCapacity        int      `yaml:"coreCapacity"`
		TaskInstanceTypes   []string `yaml:"taskInstanceTypes,flow"`
		TaskSpotCapacity    int      `yaml:"taskSpotCapacity"`
		MaxCapacity         int      `yaml:"maxCapacity"`
		IdleTimeout         string   `yaml:"idleTimeout"`
		ExpiresAt           string   `yaml:"expiresAt"`
	}
)

// Vend adds the requested team to its stack: it validates the request
// (nothing changes when it is invalid), adds the team to the stack file
// (comments and order kept), previews with the policy pack and, with Yes,
// applies and reads the team's Studio URL and access point from the
// outputs. In a git checkout the change is committed on branch
// vend/<team>, with the preview's summary in the message, for a pull
// request. A failed preview or update leaves the stack file byte for byte
// as it was.
func (f *Factory) Vend(ctx context.Context, r VendRequest, o VendOptions) (Result, error) {
	if r.Stack == "" {
		r.Stack = "dev"
	}
	cfg, err := f.Config(r.Stack)
	if err != nil {
		return Result{}, err
	}
	if err := checkVendTarget("vend the team into", cfg, o); err != nil {
		return Result{}, err
	}
	if err := r.Validate(cfg); err != nil {
		return Result{}, err
	}
	entry, err := yaml.Marshal([]teamYAML{r.teamEntry(f.opts.Now())})
	if err != nil {
		return Result{}, err
	}
	branch := "vend/" + r.Team
	return f.changeTeams(ctx, r.Stack, r.Team, branch, o.Yes, func(file []byte) ([]byte, error) {
		return appendTeam(file, entry)
	}, func(res *Result) {
		res.Vended = &Vended{Team: r.Team, Action: "previewed", Prefix: "teams/" + r.Team + "/"}
		if o.Yes {
			res.Vended.Action = "vended"
		}
	})
}

// Offboard removes a team from its stack: its Studio profile, roles,
// access point and clusters go; its objects under teams/<team>/ stay in
// the data bucket (retained, versioned, as every object is).
func (f *Factory) Offboard(ctx context.Context, stack, team string, o VendOptions) (Result, error) {
	cfg, err := f.Config(stack)
	if err != nil {
		return Result{}, err
	}
	if err := checkVendTarget("offboard the team from", cfg, o); err != nil {
		return Result{}, err
	}
	found := false
	for _, t := range cfg.Teams {
		found = found || t.Name == team
	}
	if !found {
		return Result{}, BadInput(fmt.Errorf("team %q is not in stack %s; nothing to remove", team, stack))
	}
	if len(cfg.Teams) == 1 {
		return Result{}, BadInput(fmt.Errorf("team %q is the last team of stack %s, and a stack needs at least one", team, stack))
	}
	return f.changeTeams(ctx, stack, team, "vend/remove-"+team, o.Yes, func(file []byte) ([]byte, error) {
		return removeTeam(file, team)
	}, func(res *Result) {
		res.Vended = &Vended{Team: team, Action: "removal previewed", Prefix: "teams/" + team + "/"}
		if o.Yes {
			res.Vended.Action = "removed"
		}
	})
}

// changeTeams edits the stack file, previews, applies with yes and
// commits; any failure restores the file.
func (f *Factory) changeTeams(ctx context.Context, stack, team, branch string, yes bool,
	edit func([]byte) ([]byte, error), describe func(*Result),
) (res Result, err error) {
	path := f.StackFile(stack)
	original, err := os.ReadFile(path)
	if err != nil {
		return Result{}, err
	}
	checkout := isCheckout(f.root)
	if checkout {
		if _, err := gitOutput(f.root, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch); err == nil {
			return Result{}, BadInput(fmt.Errorf("branch %s already exists; merge or delete it before vending %s again", branch, team))
		}
	}
	changed, err := edit(original)
	if err != nil {
		return Result{}, err
	}
	if _, err := stackconfig.ParseFile(stack, changed); err != nil {
		return Result{}, BadInput(fmt.Errorf("the changed stack file would be invalid: %w", err))
	}
	if err := writeAtomic(path, changed); err != nil {
		return Result{}, err
	}
	restore := true
	defer func() {
		if restore {
			if rerr := writeAtomic(path, original); rerr != nil {
				err = errors.Join(err, fmt.Errorf("restoring %s: %w", path, rerr))
			}
		}
	}()

	preview, err := f.Preview(ctx, stack)
	res = preview
	describe(&res)
	if err != nil || !yes {
		return res, err
	}
	// The commit that records the change is made before the update, so the
	// release record can name it, and gets its branch only once the update
	// succeeded.
	var commit string
	if checkout {
		commit, err = commitFile(f.root, path, changed,
			fmt.Sprintf("%s: %s team %s\n\nPreview: %s\nApplied by %s.", stack, res.Vended.Action, team, preview.SummaryLine(), f.opts.Operator), f.opts.Operator)
		if err != nil {
			return res, fmt.Errorf("recording the change of %s for branch %s: %w", path, branch, err)
		}
	}
	up, err := f.Up(ctx, stack, UpOptions{Branch: branch, BranchCommit: commit})
	up.Vended = res.Vended
	res = up
	if err != nil {
		return res, err
	}
	restore = false
	res.Vended.StudioURL, _ = res.Outputs["studioDomainUrl"].(string)
	if aliases, ok := res.Outputs["accessPointAliases"].(map[string]any); ok {
		res.Vended.AccessPointAlias, _ = aliases[team].(string)
	}
	if checkout {
		if err := createBranch(f.root, branch, commit); err != nil {
			return res, fmt.Errorf("the team is %s in %s, but recording it on branch %s failed: %w", res.Vended.Action, stack, branch, err)
		}
		res.Vended.Branch, res.Vended.Commit = branch, commit
	}
	return res, nil
}

// appendTeam adds entry (a one-item YAML list) at the end of the
// aifactory:teams list of a stack file, indented like the list's items,
// leaving every other byte of the file as it was.
func appendTeam(file, entry []byte) ([]byte, error) {
	lines := strings.SplitAfter(string(file), "\n")
	start, indent := -1, ""
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		if strings.HasPrefix(trimmed, stackconfig.Namespace+":teams:") {
			start, indent = i, l[:len(l)-len(trimmed)]
			break
		}
	}
	if start < 0 {
		return nil, BadInput(fmt.Errorf("the stack file has no %s:teams list to add the team to", stackconfig.Namespace))
	}
	end, itemIndent := start+1, ""
	for i := start + 1; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\n")
		trimmed := strings.TrimLeft(l, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		ind := l[:len(l)-len(trimmed)]
		if len(ind) <= len(indent) && !strings.HasPrefix(trimmed, "- ") {
			break
		}
		if itemIndent == "" && strings.HasPrefix(trimmed, "- ") {
			itemIndent = ind
		}
		end = i + 1
	}
	if itemIndent == "" {
		itemIndent = indent + "  "
	}
	var add strings.Builder
	for _, l := range strings.SplitAfter(string(entry), "\n") {
		if l != "" {
			add.WriteString(itemIndent + l)
		}
	}
	out := strings.Join(lines[:end], "") + add.String() + strings.Join(lines[end:], "")
	return []byte(out), nil
}

// removeTeam removes the team's entry from the aifactory:teams list,
// leaving every other byte of the file as it was.
func removeTeam(file []byte, team string) ([]byte, error) {
	lines := strings.SplitAfter(string(file), "\n")
	item := regexp.MustCompile(`^(\s*)- name:\s*"?` + regexp.QuoteMeta(team) + `"?\s*$`)
	for i, l := range lines {
		m := item.FindStringSubmatch(strings.TrimRight(l, "\n"))
		if m == nil {
			continue
		}
		indent := m[1]
		end := i + 1
		for ; end < len(lines); end++ {
			next := strings.TrimRight(lines[end], "\n")
			trimmed := strings.TrimLeft(next, " ")
			ind := next[:len(next)-len(trimmed)]
			if trimmed != "" && len(ind) <= len(indent) {
				break
			}
		}
		// Comments right above the entry belong to the next one or to the
		// list, so they stay.
		return []byte(strings.Join(lines[:i], "") + strings.Join(lines[end:], "")), nil
	}
	return nil, BadInput(fmt.Errorf("team %q: no `- name: %s` entry found in the stack file; remove it by hand", team, team))
}

// writeAtomic replaces path with b through a temporary file and a rename,
// keeping its permissions.
func writeAtomic(path string, b []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
