package rules

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aifactory/platform/facts/tagkeys"
)

// Settings are the thresholds that vary by environment. DefaultSettings
// holds the strictest values (those of prod, or tighter); each environment's
// policy config file relaxes or tightens them per control.
type Settings struct {
	// Environment is the stack's environment; every resource's environment
	// tag must equal it and prod-protect applies when it is protected. The
	// policy pack defaults it to the stack's aifactory:environment config.
	// When empty, required-tags checks only that the tag is present.
	Environment string
	// RequiredTagKeys must be present, non-empty, on every taggable resource.
	RequiredTagKeys []string
	// MinLogRetentionDays is the least retention a log group may have.
	MinLogRetentionDays int
	// MaxSessionDurationSeconds bounds human and workspace roles' sessions.
	MaxSessionDurationSeconds int
	// WorkspaceServicePrincipals are the services whose roles count as
	// workspace roles (session limit and permissions boundary required).
	WorkspaceServicePrincipals []string
	// MaxEMRIdleTimeoutSeconds bounds EMR clusters' auto-termination idle timeout.
	MaxEMRIdleTimeoutSeconds int
	// MaxStudioIdleTimeoutMinutes bounds SageMaker Studio apps' idle shutdown.
	MaxStudioIdleTimeoutMinutes int
	// SageMakerInstanceTypes and EMRInstanceTypes are the allowed sizes.
	SageMakerInstanceTypes []string
	EMRInstanceTypes       []string
	// MaxECSTaskCPU (CPU units) and MaxECSTaskMemoryMiB bound Fargate task sizes.
	MaxECSTaskCPU       int
	MaxECSTaskMemoryMiB int
	// MinKMSDeletionWindowDays is the least waiting period before a key is deleted.
	MinKMSDeletionWindowDays int
	// ProtectedEnvironments are the environments whose stateful resources
	// must be protected from deletion.
	ProtectedEnvironments []string
	// AccountIDs are the AWS accounts of the environment: the stack's own
	// account and any the organisation deliberately shares with. Resource,
	// endpoint and trust policies may name no other account. When empty,
	// a resource policy's own account is read from the resource itself
	// (its ARN, or the ARNs its policy must name); a grant to an account
	// that cannot be placed so is unverified.
	AccountIDs []string
	// ServicesWithoutSourceKeys are service principals that AWS does not
	// send aws:SourceAccount or aws:SourceArn for when they assume a role,
	// so their trust statements cannot carry those conditions.
	ServicesWithoutSourceKeys []string
	// AllowInternetEgress says whether the environment may have internet
	// gateways, NAT gateways and public IP addresses.
	AllowInternetEgress bool
	// DataCaptureEnvironments are the environments whose endpoints must
	// capture requests and responses; EndpointTTLEnvironments those whose
	// endpoints must carry an expires-at tag.
	DataCaptureEnvironments []string
	EndpointTTLEnvironments []string
	// ServingInstanceTypes are the types endpoint variants may use, and
	// MaxEndpointInstances bounds a variant's instances (initial and auto
	// scaling maximum).
	ServingInstanceTypes []string
	MaxEndpointInstances int
	// AllowServerless says whether endpoints may use serverless inference,
	// and MaxServerlessConcurrency bounds its concurrency.
	AllowServerless          bool
	MaxServerlessConcurrency int
}

// DefaultSettings returns the strictest settings; the environment is left
// for the caller (the policy pack takes it from the stack).
func DefaultSettings() Settings {
	return Settings{
		RequiredTagKeys:             tagkeys.Required(),
		MinLogRetentionDays:         365,
		MaxSessionDurationSeconds:   3600,
		WorkspaceServicePrincipals:  []string{"sagemaker.amazonaws.com"},
		MaxEMRIdleTimeoutSeconds:    3600,
		MaxStudioIdleTimeoutMinutes: 60,
		SageMakerInstanceTypes: []string{
			"ml.t3.medium", "ml.t3.large", "ml.t3.xlarge",
			"ml.m5.large", "ml.m5.xlarge", "ml.m5.2xlarge",
			"ml.c5.xlarge", "ml.c5.2xlarge",
		},
		EMRInstanceTypes: []string{
			"m5.xlarge", "m5a.xlarge", "m6i.xlarge", "m6g.xlarge",
			"r5.xlarge", "r6i.xlarge", "r6g.xlarge", "c5.xlarge",
		},
		MaxECSTaskCPU:             4096,
		MaxECSTaskMemoryMiB:       16384,
		MinKMSDeletionWindowDays:  30,
		ProtectedEnvironments:     []string{"prod"},
		ServicesWithoutSourceKeys: []string{"ec2.amazonaws.com"},
		DataCaptureEnvironments:   []string{"prod"},
		EndpointTTLEnvironments:   []string{"dev"},
		ServingInstanceTypes:      []string{"ml.m5.large", "ml.m5.xlarge", "ml.c5.large", "ml.c5.xlarge"},
		MaxEndpointInstances:      4,
		MaxServerlessConcurrency:  5,
	}
}

// Param is a configurable threshold of a control: a key of the control's
// object in a policy config file (pulumi preview --policy-pack-config).
type Param struct {
	Key         string
	Description string
	// Type is the JSON schema type: "string", "integer", "boolean" or
	// "array" (of strings).
	Type string
	// ItemPattern, for arrays, is a regular expression every item must
	// match, and ItemHint says in words what it demands.
	ItemPattern, ItemHint string
	// Minimum bounds integer params.
	Minimum int
	// Default says whether the schema carries DefaultSettings' value as its
	// default; the environment has none, because it comes from the stack.
	Default bool
	field   func(*Settings) any
}

// Schema is the param's JSON schema, with the default taken from d.
func (p Param) Schema(d Settings) map[string]any {
	s := map[string]any{"type": p.Type, "description": p.Description}
	switch p.Type {
	case "integer":
		s["minimum"] = p.Minimum
	case "array":
		items := map[string]any{"type": "string"}
		if p.ItemPattern != "" {
			items["pattern"] = p.ItemPattern
		}
		s["items"] = items
	}
	if p.Default {
		switch v := p.field(&d).(type) {
		case *int:
			s["default"] = *v
		case *string:
			s["default"] = *v
		case *bool:
			s["default"] = *v
		case *[]string:
			// []any, because the engine marshals schemas through protobuf structs.
			items := make([]any, len(*v))
			for i, e := range *v {
				items[i] = e
			}
			s["default"] = items
		}
	}
	return s
}

// Value returns the param's value in s, for reports.
func (p Param) Value(s Settings) any {
	switch v := p.field(&s).(type) {
	case *int:
		return *v
	case *string:
		return *v
	case *bool:
		return *v
	case *[]string:
		return slices.Clone(*v)
	}
	return nil
}

func (p Param) set(s *Settings, raw any) error {
	switch dst := p.field(s).(type) {
	case *int:
		f, ok := raw.(float64)
		if i, isInt := raw.(int); isInt {
			f, ok = float64(i), true
		}
		if !ok || f != math.Trunc(f) {
			return fmt.Errorf("%s must be an integer", p.Key)
		}
		if int(f) < p.Minimum {
			return fmt.Errorf("%s must be at least %d", p.Key, p.Minimum)
		}
		*dst = int(f)
	case *string:
		str, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%s must be a string", p.Key)
		}
		*dst = str
	case *bool:
		b, ok := raw.(bool)
		if !ok {
			return fmt.Errorf("%s must be true or false", p.Key)
		}
		*dst = b
	case *[]string:
		var out []string
		switch list := raw.(type) {
		case []string:
			out = slices.Clone(list)
		case []any:
			for _, e := range list {
				str, ok := e.(string)
				if !ok {
					return fmt.Errorf("%s must be a list of strings", p.Key)
				}
				out = append(out, str)
			}
		default:
			return fmt.Errorf("%s must be a list of strings", p.Key)
		}
		if p.ItemPattern != "" {
			re := regexp.MustCompile(p.ItemPattern)
			for _, item := range out {
				if !re.MatchString(item) {
					return fmt.Errorf("%s: %q is not %s", p.Key, item, p.ItemHint)
				}
			}
		}
		*dst = out
	}
	return nil
}

// Configure returns base with the control's config properties applied (the
// object under the control's name in a policy config file, without
// enforcementLevel). An unknown key is an error, so that a misspelt
// threshold never silently leaves the default in force.
func (c Control) Configure(base Settings, props map[string]any) (Settings, error) {
	s := base
	var errs []error
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		i := slices.IndexFunc(c.Params, func(p Param) bool { return p.Key == k })
		if i < 0 {
			known := make([]string, len(c.Params))
			for j, p := range c.Params {
				known[j] = p.Key
			}
			hint := "it takes no settings, only enforcementLevel"
			if len(known) > 0 {
				hint = "known keys: " + strings.Join(known, ", ")
			}
			errs = append(errs, fmt.Errorf("unknown key %q (%s)", k, hint))
			continue
		}
		if err := c.Params[i].set(&s, props[k]); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return base, fmt.Errorf("policy config of %s: %w", c.Name, err)
	}
	return s, nil
}

// Parameters of the catalogue, shared where two controls read the same setting.
var (
	paramEnvironment = Param{
		Key: "environment", Type: "string",
		Description: "The stack's environment (dev, staging, prod). Defaults to the stack's aifactory:environment config, else the stack name.",
		field:       func(s *Settings) any { return &s.Environment },
	}
	paramRequiredKeys = Param{
		Key: "requiredKeys", Type: "array", Default: true,
		Description: "Tag keys every taggable resource must carry with a non-empty value.",
		field:       func(s *Settings) any { return &s.RequiredTagKeys },
	}
	paramMinRetention = Param{
		Key: "minimumRetentionDays", Type: "integer", Minimum: 1, Default: true,
		Description: "Least CloudWatch Logs retention, in days.",
		field:       func(s *Settings) any { return &s.MinLogRetentionDays },
	}
	paramMaxSession = Param{
		Key: "maxSessionDurationSeconds", Type: "integer", Minimum: 3600, Default: true,
		Description: "Longest session of human and workspace roles, in seconds (AWS minimum 3600).",
		field:       func(s *Settings) any { return &s.MaxSessionDurationSeconds },
	}
	paramWorkspacePrincipals = Param{
		Key: "workspaceServicePrincipals", Type: "array", Default: true,
		Description: "Service principals whose roles are workspace roles.",
		field:       func(s *Settings) any { return &s.WorkspaceServicePrincipals },
	}
	paramEMRIdle = Param{
		Key: "maxIdleTimeoutSeconds", Type: "integer", Minimum: 60, Default: true,
		Description: "Longest idle time before an EMR cluster terminates itself, in seconds.",
		field:       func(s *Settings) any { return &s.MaxEMRIdleTimeoutSeconds },
	}
	paramStudioIdle = Param{
		Key: "maxIdleTimeoutMinutes", Type: "integer", Minimum: 60, Default: true,
		Description: "Longest idle time before a Studio app shuts down, in minutes (SageMaker minimum 60).",
		field:       func(s *Settings) any { return &s.MaxStudioIdleTimeoutMinutes },
	}
	paramSageMakerTypes = Param{
		Key: "sagemakerInstanceTypes", Type: "array", Default: true,
		Description: "Allowed SageMaker instance types (Studio apps, spaces, notebooks).",
		field:       func(s *Settings) any { return &s.SageMakerInstanceTypes },
	}
	paramEMRTypes = Param{
		Key: "emrInstanceTypes", Type: "array", Default: true,
		Description: "Allowed EMR instance types (all fleets and groups).",
		field:       func(s *Settings) any { return &s.EMRInstanceTypes },
	}
	paramECSCPU = Param{
		Key: "maxEcsTaskCpu", Type: "integer", Minimum: 256, Default: true,
		Description: "Largest ECS task CPU, in CPU units (1024 = 1 vCPU).",
		field:       func(s *Settings) any { return &s.MaxECSTaskCPU },
	}
	paramECSMemory = Param{
		Key: "maxEcsTaskMemoryMiB", Type: "integer", Minimum: 512, Default: true,
		Description: "Largest ECS task memory, in MiB.",
		field:       func(s *Settings) any { return &s.MaxECSTaskMemoryMiB },
	}
	paramDeletionWindow = Param{
		Key: "minimumDeletionWindowDays", Type: "integer", Minimum: 7, Default: true,
		Description: "Least KMS key deletion window, in days (AWS allows 7-30).",
		field:       func(s *Settings) any { return &s.MinKMSDeletionWindowDays },
	}
	paramProtectedEnvironments = Param{
		Key: "protectedEnvironments", Type: "array", Default: true,
		Description: "Environments whose stateful resources must be protected from deletion.",
		field:       func(s *Settings) any { return &s.ProtectedEnvironments },
	}
	paramAccountIDs = Param{
		Key: "accountIds", Type: "array", Default: true, ItemPattern: `^[0-9]{12}$`, ItemHint: "a 12-digit AWS account id",
		Description: "AWS account ids of the environment (the stack's account and accounts it deliberately shares with); resource, endpoint and trust policies may name no other. Empty: each resource policy's account is read from the resource itself, and grants to an account that cannot be placed so are unverified.",
		field:       func(s *Settings) any { return &s.AccountIDs },
	}
	paramServicesWithoutSourceKeys = Param{
		Key: "servicesWithoutSourceKeys", Type: "array", Default: true,
		Description: "Service principals for which AWS provides no aws:SourceAccount or aws:SourceArn when they assume a role (EC2 for instance profiles), exempt from iam-trust-confused-deputy.",
		field:       func(s *Settings) any { return &s.ServicesWithoutSourceKeys },
	}
	paramAllowInternetEgress = Param{
		Key: "allowInternetEgress", Type: "boolean", Default: true,
		Description: "Whether the environment may have internet gateways, NAT gateways and public IP addresses (the stack's aifactory:network.allowInternetEgress).",
		field:       func(s *Settings) any { return &s.AllowInternetEgress },
	}
)
