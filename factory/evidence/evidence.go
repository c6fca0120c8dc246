// Package evidence builds the evidence bundle of a stack's release: what
// an auditor asks for, taken from the record the platform keeps rather
// than assembled by hand. A bundle holds
//
//   - the control catalogue with its framework ids (AWS Security Hub FSBP,
//     Checkov) and each environment's enforcement level;
//   - every control's result on the stack's deployed resources (pass,
//     violation, unverified, not applicable, disabled), evaluated from the
//     stack's state with the environment's policy config, and the AWS
//     Config rules that check the control at runtime;
//   - the release record, its verified chain back to dev, and what the
//     policy pack found during the update and its gating preview;
//   - the stack's resources with the properties that prove each control;
//   - how to verify the CloudTrail digest files of the audit trail.
//
// A bundle is a directory with evidence.md (for people), evidence.json
// (for tools) and SHA256SUMS, written atomically. It is reproducible: the
// same release and state give the same bytes; the only times in it are
// those of the release record.
package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/aifactory/platform/components/audit"
	"github.com/aifactory/platform/factory"
	"github.com/aifactory/platform/factory/engine"
	"github.com/aifactory/platform/policy/pack"
	"github.com/aifactory/platform/policy/rules"
)

// Format names the bundle's layout; it changes when the layout does.
const Format = "aifactory-evidence/1"

// Control results.
const (
	// Pass: the control inspected resources of the stack and found nothing.
	Pass = "pass"
	// Violation: a deployed resource breaks the control.
	Violation = "violation"
	// Unverified: a value the control needs is not in the state (a secret,
	// or an account it cannot place).
	Unverified = "unverified"
	// NotApplicable: the stack has no resource of the types it inspects.
	NotApplicable = "not-applicable"
	// Disabled: the environment's policy config switches it off.
	Disabled = "disabled"
)

// Results lists the results in the order the bundle counts them.
var Results = []string{Pass, Violation, Unverified, NotApplicable, Disabled}

// Input is what a bundle is built from.
type Input struct {
	Stack       string
	Environment string
	// Release is the stack's release record; its chain must verify.
	Release factory.Release
	// State is the stack's checkpoint.
	State apitype.DeploymentV3
	// PolicyConfigs are the policy config files per environment, and
	// ConfigSources where each was read ("commit <sha>", "working tree").
	PolicyConfigs map[string][]byte
	ConfigSources map[string]string
	// StackFile is the stack file as of the release's commit, and
	// StackFileSource where it was read.
	StackFile       []byte
	StackFileSource string
}

// Bundle is the evidence of one release of one stack.
type Bundle struct {
	Format      string `json:"format"`
	Stack       string `json:"stack"`
	Environment string `json:"environment"`
	// Release is the record (without the records it was promoted from,
	// which are in Chain) and Chain the verified chain, newest first.
	Release ReleaseEvidence   `json:"release"`
	Chain   []factory.Release `json:"chain"`
	// Catalogue says which catalogue and configs the results come from.
	Catalogue CatalogueEvidence `json:"catalogue"`
	// Totals counts the controls by result.
	Totals    map[string]int     `json:"totals"`
	Controls  []ControlResult    `json:"controls"`
	Resources []ResourceEvidence `json:"resources"`
	// ConfigRules are the AWS Config rules deployed in the stack.
	ConfigRules []ConfigRuleEvidence `json:"configRules"`
	CloudTrail  TrailEvidence        `json:"cloudTrail"`
}

// ReleaseEvidence is the release record and what was checked about it.
type ReleaseEvidence struct {
	Record factory.Release `json:"record"`
	// Verified says the record's hash and its chain back to dev hold.
	Verified bool `json:"verified"`
	// StackFileSHA256 is the SHA-256 of the stack file as of the release's
	// commit, StackFileSource where it was read, and StackFileMatches
	// whether it is the file the release recorded (ConfigHash).
	StackFileSHA256  string `json:"stackFileSha256"`
	StackFileSource  string `json:"stackFileSource"`
	StackFileMatches bool   `json:"stackFileMatches"`
}

// CatalogueEvidence names the catalogue and the policy configs.
type CatalogueEvidence struct {
	Pack string `json:"pack"`
	// PackVersion is the version of the catalogue that evaluated the state;
	// the release records the version that checked the update.
	PackVersion   string            `json:"packVersion"`
	Environments  []string          `json:"environments"`
	ConfigSources map[string]string `json:"configSources"`
}

// ControlResult is one control of the catalogue and its result on the stack.
type ControlResult struct {
	Name        string   `json:"name"`
	Category    string   `json:"category"`
	Requirement string   `json:"requirement"`
	FSBP        []string `json:"fsbp"`
	Checkov     []string `json:"checkov"`
	// Levels is the control's enforcement level per environment; Level is
	// this stack's.
	Levels map[string]string `json:"levels"`
	Level  string            `json:"level"`
	// Settings are the control's thresholds in this stack's environment.
	Settings map[string]any `json:"settings,omitempty"`
	Result   string         `json:"result"`
	// Resources counts the stack's resources of the types it inspects.
	Resources int             `json:"resources"`
	Findings  []FindingResult `json:"findings,omitempty"`
	// ConfigRules are the deployed AWS Config rules that check the control
	// on the running resources.
	ConfigRules []string `json:"configRules,omitempty"`
	// EvidenceProperties are the properties that prove it (see Resources).
	EvidenceProperties []string `json:"evidenceProperties"`
}

// FindingResult is a control's finding on a resource.
type FindingResult struct {
	Verdict string `json:"verdict"`
	URN     string `json:"urn"`
	Message string `json:"message"`
}

// ResourceEvidence is a deployed resource with the properties that prove
// the controls that inspect it.
type ResourceEvidence struct {
	URN     string `json:"urn"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	ID      string `json:"id,omitempty"`
	Protect bool   `json:"protect"`
	// RetainOnDelete: a destroy leaves the resource in AWS.
	RetainOnDelete bool `json:"retainOnDelete,omitempty"`
	// Controls are the controls that inspect its type.
	Controls []string `json:"controls"`
	// Properties are its values of the controls' evidence properties;
	// secret values are "[secret]".
	Properties map[string]any `json:"properties,omitempty"`
}

// ConfigRuleEvidence is a deployed AWS Config rule.
type ConfigRuleEvidence struct {
	Name       string `json:"name"`
	Identifier string `json:"identifier"`
	Control    string `json:"control"`
	FSBP       string `json:"fsbp,omitempty"`
}

// TrailEvidence is the audit trail and how to verify its digest files.
type TrailEvidence struct {
	// Present says the stack has an audit trail; the rest is empty when not.
	Present   bool   `json:"present"`
	TrailArn  string `json:"trailArn,omitempty"`
	Region    string `json:"region,omitempty"`
	Account   string `json:"account,omitempty"`
	Bucket    string `json:"bucket,omitempty"`
	LogPrefix string `json:"logPrefix,omitempty"`
	// DigestPrefix is where the digest files of the trail's home region
	// are; other regions have the same path with their name.
	DigestPrefix string `json:"digestPrefix,omitempty"`
	LogGroup     string `json:"logGroup,omitempty"`
	// ObjectLockMode and RetentionDays are the bucket's default retention.
	ObjectLockMode string `json:"objectLockMode,omitempty"`
	RetentionDays  int    `json:"retentionDays,omitempty"`
	// ValidateCommand validates every log and digest file delivered since
	// the release.
	ValidateCommand string `json:"validateCommand,omitempty"`
}

// Build builds the bundle. It fails when the release's chain does not
// verify or a policy config cannot be read: no bundle is better than one
// that vouches for an altered record.
func Build(in Input) (Bundle, error) {
	if err := in.Release.Verify(); err != nil {
		return Bundle{}, factory.Refused(fmt.Errorf("the release record of %s does not verify, so it cannot be evidence: %w", in.Stack, err))
	}
	configs := map[string]rules.PolicyConfig{}
	var envs []string
	for env := range in.PolicyConfigs {
		envs = append(envs, env)
	}
	sortEnvironments(envs)
	for _, env := range envs {
		pc, err := rules.ParsePolicyConfig(in.PolicyConfigs[env])
		if err != nil {
			return Bundle{}, fmt.Errorf("policy config of %s (%s): %w", env, in.ConfigSources[env], err)
		}
		configs[env] = pc
	}
	own, ok := configs[in.Environment]
	if !ok {
		return Bundle{}, fmt.Errorf("no policy config for environment %s among %v", in.Environment, envs)
	}

	record := in.Release
	record.From = nil
	sum := sha256.Sum256(in.StackFile)
	stackFileHash := hex.EncodeToString(sum[:])
	b := Bundle{
		Format: Format, Stack: in.Stack, Environment: in.Environment,
		Release: ReleaseEvidence{
			Record: record, Verified: true,
			StackFileSHA256: stackFileHash, StackFileSource: in.StackFileSource, StackFileMatches: stackFileHash == in.Release.ConfigHash,
		},
		Chain:     in.Release.Chain(),
		Catalogue: CatalogueEvidence{Pack: pack.Name, PackVersion: pack.Version, Environments: envs, ConfigSources: in.ConfigSources},
		Totals:    map[string]int{},
	}

	resources, states := deployed(in.State)
	// Which top-level properties the state holds as secrets, per resource.
	secrets := map[string]map[string]bool{}
	for _, r := range states {
		for k, v := range r.Outputs {
			if m, ok := v.(map[string]any); ok && m[sigKey] == secretSig {
				if secrets[string(r.URN)] == nil {
					secrets[string(r.URN)] = map[string]bool{}
				}
				secrets[string(r.URN)][k] = true
			}
		}
	}
	b.ConfigRules = configRules(states)
	rulesOf := map[string][]string{}
	for _, r := range b.ConfigRules {
		rulesOf[r.Control] = append(rulesOf[r.Control], r.Name)
	}
	for _, c := range rules.Catalogue() {
		cr := ControlResult{
			Name: c.Name, Category: string(c.Category), Requirement: c.Requirement,
			FSBP: nonNil(c.FSBP), Checkov: nonNil(c.Checkov), Levels: map[string]string{},
			Level: string(own.Level(c.Name)), ConfigRules: rulesOf[c.Name], EvidenceProperties: nonNil(c.EvidenceProperties()),
		}
		for _, env := range envs {
			cr.Levels[env] = string(configs[env].Level(c.Name))
		}
		settings := own.Settings(c.Name)
		for _, p := range c.Params {
			if cr.Settings == nil {
				cr.Settings = map[string]any{}
			}
			cr.Settings[p.Key] = p.Value(settings)
		}
		for _, r := range resources {
			if c.AppliesTo(r.Type) {
				cr.Resources++
			}
		}
		cr.Result = NotApplicable
		if cr.Resources > 0 {
			cr.Result = Pass
		}
		if own.Level(c.Name) == rules.Disabled {
			cr.Result = Disabled
		} else {
			for _, f := range rules.Settle(c.Evaluate(resources, settings), resources) {
				message := f.Message
				if f.Verdict == rules.Unverified && secrets[f.URN][f.Property] {
					message = fmt.Sprintf("%s %q: %s is a secret in the state, which the bundle neither reads nor shows, so it cannot be checked here",
						shortType(f.Type), f.Name, f.Property)
				}
				cr.Findings = append(cr.Findings, FindingResult{Verdict: string(f.Verdict), URN: f.URN, Message: message})
				switch {
				case f.Verdict == rules.Violation:
					cr.Result = Violation
				case cr.Result != Violation:
					cr.Result = Unverified
				}
			}
			sort.Slice(cr.Findings, func(i, j int) bool {
				if cr.Findings[i].URN != cr.Findings[j].URN {
					return cr.Findings[i].URN < cr.Findings[j].URN
				}
				return cr.Findings[i].Message < cr.Findings[j].Message
			})
		}
		b.Totals[cr.Result]++
		b.Controls = append(b.Controls, cr)
	}
	b.Resources = resourceEvidence(states)
	b.CloudTrail = trailEvidence(in.State, states, in.Release)
	return b, nil
}

// MandatoryViolations names the controls that are violated at the
// mandatory level in the stack's environment.
func (b Bundle) MandatoryViolations() []string {
	var out []string
	for _, c := range b.Controls {
		if c.Result == Violation && c.Level == string(rules.Mandatory) {
			out = append(out, c.Name)
		}
	}
	return out
}

// resourceState is a custom AWS resource of the state.
type resourceState struct {
	apitype.ResourceV3
	name string
}

// deployed returns the AWS resources of the state as the controls read
// them (outputs, the real state after the update) and as they are.
func deployed(dep apitype.DeploymentV3) ([]rules.Resource, []resourceState) {
	var out []rules.Resource
	var states []resourceState
	for _, r := range dep.Resources {
		typ := string(r.Type)
		if !r.Custom || r.Delete || !strings.HasPrefix(typ, "aws:") {
			continue
		}
		name := engine.URNName(string(r.URN))
		deps := map[string][]string{}
		for k, urns := range r.PropertyDependencies {
			for _, u := range urns {
				deps[string(k)] = append(deps[string(k)], string(u))
			}
		}
		props := map[string]property.Value{}
		for k, v := range r.Outputs {
			props[k] = toValue(v)
		}
		out = append(out, rules.Resource{
			Type: typ, Name: name, URN: string(r.URN), Protect: r.Protect,
			Properties: property.NewMap(props), PropertyDependencies: deps,
		})
		states = append(states, resourceState{ResourceV3: r, name: name})
	}
	sort.Slice(states, func(i, j int) bool { return states[i].URN < states[j].URN })
	return out, states
}

// Signature keys of the state's special objects (secrets, assets,
// archives, resource references).
const (
	sigKey    = "4dabf18193072939515e22adb298388d"
	secretSig = "1b47061264138c4ac30d75fd1eb44270"
)

// toValue turns a state value into a property value. A secret, whose
// value the state holds encrypted, becomes an unknown secret: a control
// that needs it reports it unverified and never sees or shows it.
func toValue(v any) property.Value {
	switch t := v.(type) {
	case nil:
		return property.Value{}
	case bool:
		return property.New(t)
	case float64:
		return property.New(t)
	case string:
		return property.New(t)
	case []any:
		items := make([]property.Value, len(t))
		for i, x := range t {
			items[i] = toValue(x)
		}
		return property.New(items)
	case map[string]any:
		if sig, ok := t[sigKey]; ok {
			return property.New(property.Computed).WithSecret(sig == secretSig)
		}
		m := make(map[string]property.Value, len(t))
		for k, x := range t {
			m[k] = toValue(x)
		}
		return property.New(m)
	}
	return property.New(fmt.Sprint(v))
}

// plain is a state value for the bundle: secrets and other special objects
// replaced by a marker.
func plain(v any) any {
	switch t := v.(type) {
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = plain(x)
		}
		return out
	case map[string]any:
		if sig, ok := t[sigKey]; ok {
			if sig == secretSig {
				return "[secret]"
			}
			return "[not shown]"
		}
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = plain(x)
		}
		return out
	}
	return v
}

// resourceEvidence lists each resource with the evidence properties of
// the controls that inspect it.
func resourceEvidence(states []resourceState) []ResourceEvidence {
	catalogue := rules.Catalogue()
	out := make([]ResourceEvidence, 0, len(states))
	for _, r := range states {
		re := ResourceEvidence{
			URN: string(r.URN), Type: string(r.Type), Name: r.name, ID: string(r.ID),
			Protect: r.Protect, RetainOnDelete: r.RetainOnDelete, Controls: []string{},
		}
		for _, c := range catalogue {
			if !c.AppliesTo(re.Type) {
				continue
			}
			re.Controls = append(re.Controls, c.Name)
			for _, p := range c.EvidenceProperties() {
				v, ok := r.Outputs[p]
				if !ok || v == nil {
					continue
				}
				if re.Properties == nil {
					re.Properties = map[string]any{}
				}
				re.Properties[p] = plain(v)
			}
		}
		out = append(out, re)
	}
	return out
}

// configRules lists the deployed AWS Config rules, by name.
func configRules(states []resourceState) []ConfigRuleEvidence {
	out := []ConfigRuleEvidence{}
	for _, r := range states {
		if r.Type != "aws:cfg/rule:Rule" {
			continue
		}
		ev := ConfigRuleEvidence{Name: str(r.Outputs["name"])}
		if source, ok := r.Outputs["source"].(map[string]any); ok {
			ev.Identifier = str(source["sourceIdentifier"])
		}
		if tags, ok := r.Outputs["tags"].(map[string]any); ok {
			ev.Control, ev.FSBP = str(tags["control"]), str(tags["fsbp"])
		}
		out = append(out, ev)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// trailEvidence finds the audit trail in the stack's outputs and state.
func trailEvidence(dep apitype.DeploymentV3, states []resourceState, rel factory.Release) TrailEvidence {
	var outputs map[string]any
	for _, r := range dep.Resources {
		if r.Type == "pulumi:pulumi:Stack" {
			outputs = r.Outputs
		}
	}
	arn := str(outputs["auditTrailArn"])
	if arn == "" {
		return TrailEvidence{}
	}
	parts := strings.SplitN(arn, ":", 6)
	te := TrailEvidence{
		Present: true, TrailArn: arn, Bucket: str(outputs["auditBucketName"]), LogPrefix: str(outputs["auditTrailPrefix"]),
		LogGroup: str(outputs["auditLogGroupName"]),
	}
	if len(parts) == 6 {
		te.Region, te.Account = parts[3], parts[4]
	}
	if te.LogPrefix == "" {
		te.LogPrefix = audit.TrailPrefix
	}
	te.DigestPrefix = te.LogPrefix + "/AWSLogs/" + te.Account + "/CloudTrail-Digest/" + te.Region + "/"
	for _, r := range states {
		if r.Type != "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2" {
			continue
		}
		rule, _ := r.Outputs["rule"].(map[string]any)
		retention, _ := rule["defaultRetention"].(map[string]any)
		if days, ok := retention["days"].(float64); ok {
			te.ObjectLockMode, te.RetentionDays = str(retention["mode"]), int(days)
		}
	}
	te.ValidateCommand = fmt.Sprintf("aws cloudtrail validate-logs --trail-arn %s --start-time %s --verbose",
		arn, rel.Time.UTC().Format("2006-01-02T15:04:05Z"))
	return te
}

// shortType turns aws:sns/topic:Topic into sns.Topic, as findings name types.
func shortType(token string) string {
	parts := strings.Split(token, ":")
	if len(parts) != 3 {
		return token
	}
	mod, _, _ := strings.Cut(parts[1], "/")
	return mod + "." + parts[2]
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// sortEnvironments orders environments in promotion order, others after
// by name.
func sortEnvironments(envs []string) {
	rank := map[string]int{"dev": 0, "staging": 1, "prod": 2}
	slices.SortFunc(envs, func(a, b string) int {
		ra, aok := rank[a]
		rb, bok := rank[b]
		switch {
		case aok && bok:
			return ra - rb
		case aok:
			return -1
		case bok:
			return 1
		}
		return strings.Compare(a, b)
	})
}
