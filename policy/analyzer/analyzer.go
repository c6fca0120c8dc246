// Package analyzer serves a policyx policy pack to the Pulumi engine: the
// analyzer gRPC protocol the engine speaks to every policy pack plugin.
//
// It does what policyx.Main does, with one difference that matters for the
// cost of a preview. policyx decodes a resource's properties and provider
// again for every policy (about 40 times per resource for the AI Factory
// pack); this server decodes each resource once per request and hands the
// same immutable property.Map to every policy, and it skips decoding when no
// policy would look at the result. Policies, their descriptions, enforcement
// levels, config and violation messages are policyx's own. Two more
// differences: ResourceValidationArgs.DryRun is set during a preview (policyx
// leaves it false), and the pack describes itself before a stack is
// configured (as `pulumi policy publish` asks it to), where policyx fails.
//
//	func main() {
//		if err := analyzer.Main(pack.New); err != nil { ... }
//	}
//
// Remediation policies are not served: a pack that contains one is refused
// when the engine configures it, rather than run without its remediations.
package analyzer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Factory builds the policy pack for the stack the engine analyzes; it has
// the signature policyx.Main takes.
type Factory func(*pulumi.Context) (policyx.PolicyPack, error)

// Main serves the pack built by factory until the engine stops the plugin.
// As the plugin protocol requires, it first prints the port it listens on.
func Main(factory Factory) error {
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterAnalyzerServer(srv, NewServer(factory))
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("starting the policy pack's analyzer server: %w", err)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		return fmt.Errorf("policy pack's analyzer server: %w", err)
	}
	return nil
}

// Server implements the engine's analyzer protocol for one policy pack.
type Server struct {
	pulumirpc.UnimplementedAnalyzerServer

	factory Factory

	mu        sync.RWMutex
	handshake *pulumirpc.AnalyzerHandshakeRequest
	pack      policyx.PolicyPack
	dryRun    bool
	stackTags map[string]string
	config    map[string]policyx.PolicyConfig
}

// NewServer returns a server that builds its pack with factory when the
// engine configures the stack.
func NewServer(factory Factory) *Server {
	return &Server{factory: factory}
}

// Handshake records the engine's address and the pack's directory.
func (s *Server) Handshake(_ context.Context, req *pulumirpc.AnalyzerHandshakeRequest) (*pulumirpc.AnalyzerHandshakeResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handshake = req
	return &pulumirpc.AnalyzerHandshakeResponse{}, nil
}

// ConfigureStack builds the pack for the stack, its config and whether
// this is a preview.
func (s *Server) ConfigureStack(_ context.Context, req *pulumirpc.AnalyzerStackConfigureRequest) (*pulumirpc.AnalyzerStackConfigureResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handshake == nil {
		return nil, errors.New("the engine configured the stack before the analyzer handshake")
	}
	pack, err := s.build(pulumi.RunInfo{
		Stack:            req.GetStack(),
		Project:          req.GetProject(),
		Organization:     req.GetOrganization(),
		RootDirectory:    s.handshake.GetRootDirectory(),
		EngineAddr:       s.handshake.GetEngineAddress(),
		Config:           req.GetConfig(),
		ConfigSecretKeys: req.GetConfigSecretKeys(),
		DryRun:           req.GetDryRun(),
		Parallel:         1,
	})
	if err != nil {
		return nil, err
	}
	for _, p := range pack.Policies() {
		if _, ok := p.(policyx.ResourceRemediationPolicy); ok {
			return nil, fmt.Errorf("policy %q of pack %q is a remediation policy, which this analyzer does not run; "+
				"serve the pack with policyx.Main or turn the policy into a validation policy", p.Name(), pack.Name())
		}
	}
	s.pack, s.dryRun, s.stackTags = pack, req.GetDryRun(), req.GetTags()
	return &pulumirpc.AnalyzerStackConfigureResponse{}, nil
}

// state is what one call works with, read under one lock so that a call
// never mixes two configurations.
type state struct {
	pack      policyx.PolicyPack
	dryRun    bool
	stackTags map[string]string
	config    map[string]policyx.PolicyConfig
}

// level returns a policy's effective enforcement level and config.
func (st state) level(p policyx.Policy) (policyx.EnforcementLevel, map[string]any) {
	if c, ok := st.config[p.Name()]; ok {
		return c.EnforcementLevel, c.Properties
	}
	return p.EnforcementLevel(), nil
}

// configured returns the call's state, or an error when the engine asks to
// analyze before configuring the stack.
func (s *Server) configured() (state, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.pack == nil {
		return state{}, status.Error(codes.FailedPrecondition, "the policy pack is not configured: the engine must call ConfigureStack first")
	}
	return state{pack: s.pack, dryRun: s.dryRun, stackTags: s.stackTags, config: s.config}, nil
}

// describe returns the pack to describe: the stack's, or, before a stack
// is configured, the pack built for no stack, whose policies, descriptions
// and schemas are the same.
func (s *Server) describe() (policyx.PolicyPack, error) {
	s.mu.RLock()
	pack := s.pack
	s.mu.RUnlock()
	if pack != nil {
		return pack, nil
	}
	return s.build(pulumi.RunInfo{})
}

// build runs the factory in a context made from info.
func (s *Server) build(info pulumi.RunInfo) (policyx.PolicyPack, error) {
	ctx, err := pulumi.NewContext(context.Background(), info)
	if err != nil {
		return nil, fmt.Errorf("creating the policy pack's context: %w", err)
	}
	pack, err := s.factory(ctx)
	if err != nil {
		return nil, fmt.Errorf("building the policy pack: %w", err)
	}
	return pack, nil
}

// GetPluginInfo reports the pack's version.
func (s *Server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	pack, err := s.describe()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.PluginInfo{Version: pack.Version().String()}, nil
}

// GetAnalyzerInfo describes the pack and its policies: names, descriptions,
// default enforcement levels and config schemas.
func (s *Server) GetAnalyzerInfo(context.Context, *emptypb.Empty) (*pulumirpc.AnalyzerInfo, error) {
	pack, err := s.describe()
	if err != nil {
		return nil, err
	}
	policies := make([]*pulumirpc.PolicyInfo, 0, len(pack.Policies()))
	for _, p := range pack.Policies() {
		info := &pulumirpc.PolicyInfo{
			Name:             p.Name(),
			Description:      p.Description(),
			EnforcementLevel: pulumirpc.EnforcementLevel(p.EnforcementLevel()),
		}
		if schema := p.ConfigSchema(); schema != nil {
			props := make(map[string]any, len(schema.Properties))
			for k, v := range schema.Properties {
				props[k] = v
			}
			st, err := structpb.NewStruct(props)
			if err != nil {
				return nil, fmt.Errorf("config schema of policy %q: %w", p.Name(), err)
			}
			info.ConfigSchema = &pulumirpc.PolicyConfigSchema{Properties: st, Required: schema.Required}
		}
		policies = append(policies, info)
	}
	return &pulumirpc.AnalyzerInfo{
		Name:           pack.Name(),
		Version:        pack.Version().String(),
		Policies:       policies,
		SupportsConfig: true,
	}, nil
}

// Configure stores each policy's enforcement level and config, as the
// engine reconciled them from the policy config file and the defaults.
func (s *Server) Configure(_ context.Context, req *pulumirpc.ConfigureAnalyzerRequest) (*emptypb.Empty, error) {
	config := make(map[string]policyx.PolicyConfig, len(req.GetPolicyConfig()))
	for name, c := range req.GetPolicyConfig() {
		// The struct round-trips through JSON so that numbers and nested
		// values reach policies as encoding/json would decode them.
		data, err := c.GetProperties().MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("config of policy %q: %w", name, err)
		}
		var props map[string]any
		if err := json.Unmarshal(data, &props); err != nil {
			return nil, fmt.Errorf("config of policy %q: %w", name, err)
		}
		config[name] = policyx.PolicyConfig{
			EnforcementLevel: policyx.EnforcementLevel(c.GetEnforcementLevel()),
			Properties:       props,
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.config = config
	return &emptypb.Empty{}, nil
}

// reporter collects one policy's violations as engine diagnostics.
type reporter struct {
	pack       policyx.PolicyPack
	policy     policyx.Policy
	level      policyx.EnforcementLevel
	defaultURN string
	out        *[]*pulumirpc.AnalyzeDiagnostic
}

// ReportViolation implements policyx.PolicyManager. The message follows the
// policy's description, as policyx reports it.
func (r reporter) ReportViolation(message, urn string) {
	if urn == "" {
		urn = r.defaultURN
	}
	text := r.policy.Description()
	if message != "" {
		text += "\n" + message
	}
	*r.out = append(*r.out, &pulumirpc.AnalyzeDiagnostic{
		PolicyName:        r.policy.Name(),
		PolicyPackName:    r.pack.Name(),
		PolicyPackVersion: r.pack.Version().String(),
		Description:       r.policy.Description(),
		Message:           text,
		EnforcementLevel:  pulumirpc.EnforcementLevel(r.level),
		Urn:               urn,
	})
}

// Analyze runs every enabled resource validation policy on one resource,
// decoded once for all of them.
func (s *Server) Analyze(ctx context.Context, req *pulumirpc.AnalyzeRequest) (*pulumirpc.AnalyzeResponse, error) {
	st, err := s.configured()
	if err != nil {
		return nil, err
	}
	var diags []*pulumirpc.AnalyzeDiagnostic
	var res *policyx.AnalyzerResource
	for _, p := range st.pack.Policies() {
		policy, ok := p.(policyx.ResourceValidationPolicy)
		if !ok {
			continue
		}
		level, config := st.level(policy)
		if level == policyx.EnforcementLevelDisabled {
			continue
		}
		if res == nil {
			decoded, err := decode(req, st.pack.Name()+".analyze")
			if err != nil {
				return nil, fmt.Errorf("decoding resource %q: %w", req.GetUrn(), err)
			}
			res = &decoded
		}
		// The properties are an immutable property.Map, shared; the
		// options hold slices and pointers, so each policy gets its own.
		r := *res
		r.Options = options(req.GetOptions())
		args := policyx.ResourceValidationArgs{
			Manager:   reporter{pack: st.pack, policy: policy, level: level, defaultURN: req.GetUrn(), out: &diags},
			Resource:  r,
			Config:    config,
			DryRun:    st.dryRun,
			StackTags: st.stackTags,
		}
		if err := policy.Validate(ctx, args); err != nil {
			return nil, fmt.Errorf("validating resource %q with policy %q: %w", req.GetUrn(), policy.Name(), err)
		}
	}
	return &pulumirpc.AnalyzeResponse{Diagnostics: diags}, nil
}

// Remediate has nothing to do: ConfigureStack refuses packs with
// remediation policies. Answering without decoding the resource keeps the
// engine's remediation pass, which it runs for every resource, cheap.
func (s *Server) Remediate(context.Context, *pulumirpc.AnalyzeRequest) (*pulumirpc.RemediateResponse, error) {
	if _, err := s.configured(); err != nil {
		return nil, err
	}
	return &pulumirpc.RemediateResponse{}, nil
}

// AnalyzeStack runs every enabled stack validation policy on all the
// stack's resources, with their parents and dependencies.
func (s *Server) AnalyzeStack(ctx context.Context, req *pulumirpc.AnalyzeStackRequest) (*pulumirpc.AnalyzeResponse, error) {
	st, err := s.configured()
	if err != nil {
		return nil, err
	}
	var diags []*pulumirpc.AnalyzeDiagnostic
	var resources []policyx.AnalyzerResource
	decoded := false
	for _, p := range st.pack.Policies() {
		policy, ok := p.(policyx.StackValidationPolicy)
		if !ok {
			continue
		}
		level, _ := st.level(policy)
		if level == policyx.EnforcementLevelDisabled {
			continue
		}
		if !decoded {
			if resources, err = decodeStack(req, st.pack.Name()+".analyzeStack"); err != nil {
				return nil, err
			}
			decoded = true
		}
		args := policyx.StackValidationArgs{
			Manager:   reporter{pack: st.pack, policy: policy, level: level, out: &diags},
			Resources: resources,
		}
		if err := policy.Validate(ctx, args); err != nil {
			return nil, fmt.Errorf("validating the stack with policy %q: %w", policy.Name(), err)
		}
	}
	return &pulumirpc.AnalyzeResponse{Diagnostics: diags}, nil
}

// Cancel has nothing to stop: every call runs to completion quickly.
func (s *Server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// unmarshal keeps unknowns, secrets, resource references and output values,
// so that policies see a preview's computed values and secrets as such.
func unmarshal(props *structpb.Struct, label string) (property.Map, error) {
	pm, err := plugin.UnmarshalProperties(props, plugin.MarshalOptions{
		Label:            label,
		KeepUnknowns:     true,
		KeepSecrets:      true,
		KeepResources:    true,
		KeepOutputValues: true,
	})
	if err != nil {
		return property.Map{}, err
	}
	return resource.FromResourcePropertyMap(pm), nil
}

// resourceRequest is what AnalyzeRequest and AnalyzerResource (of a stack
// analysis) have in common.
type resourceRequest interface {
	GetUrn() string
	GetType() string
	GetName() string
	GetProperties() *structpb.Struct
	GetOptions() *pulumirpc.AnalyzerResourceOptions
	GetProvider() *pulumirpc.AnalyzerProviderResource
}

func decode(r resourceRequest, label string) (policyx.AnalyzerResource, error) {
	props, err := unmarshal(r.GetProperties(), label)
	if err != nil {
		return policyx.AnalyzerResource{}, err
	}
	out := policyx.AnalyzerResource{
		Type:       r.GetType(),
		Properties: props,
		URN:        r.GetUrn(),
		Name:       r.GetName(),
		Options:    options(r.GetOptions()),
		Parent:     r.GetOptions().GetParent(),
	}
	if p := r.GetProvider(); p != nil {
		pprops, err := unmarshal(p.GetProperties(), label+".provider")
		if err != nil {
			return policyx.AnalyzerResource{}, fmt.Errorf("provider: %w", err)
		}
		out.Provider = policyx.AnalyzerProviderResource{Type: p.GetType(), Properties: pprops, URN: p.GetUrn(), Name: p.GetName()}
	}
	return out, nil
}

func decodeStack(req *pulumirpc.AnalyzeStackRequest, label string) ([]policyx.AnalyzerResource, error) {
	out := make([]policyx.AnalyzerResource, 0, len(req.GetResources()))
	for _, r := range req.GetResources() {
		res, err := decode(r, label)
		if err != nil {
			return nil, fmt.Errorf("decoding resource %q: %w", r.GetUrn(), err)
		}
		res.Parent = r.GetParent()
		res.Dependencies = r.GetDependencies()
		res.PropertyDependencies = map[string][]string{}
		for key, deps := range r.GetPropertyDependencies() {
			if urns := deps.GetUrns(); len(urns) > 0 {
				res.PropertyDependencies[key] = urns
			}
		}
		out = append(out, res)
	}
	return out, nil
}

// options converts the engine's resource options to the SDK's, as policyx does.
func options(o *pulumirpc.AnalyzerResourceOptions) pulumi.ResourceOptions {
	if o == nil {
		return pulumi.ResourceOptions{}
	}
	out := pulumi.ResourceOptions{
		AdditionalSecretOutputs: o.GetAdditionalSecretOutputs(),
		DeleteBeforeReplace:     o.GetDeleteBeforeReplaceDefined() && o.GetDeleteBeforeReplace(),
		IgnoreChanges:           o.GetIgnoreChanges(),
		Protect:                 o.GetProtect(),
	}
	for _, alias := range o.GetAliases() {
		out.Aliases = append(out.Aliases, pulumi.Alias{URN: pulumi.URN(alias)})
	}
	if t := o.GetCustomTimeouts(); t != nil && (t.GetCreate() != 0 || t.GetUpdate() != 0 || t.GetDelete() != 0 || t.GetRead() != 0) {
		out.CustomTimeouts = &pulumi.CustomTimeouts{
			Create: timeout(t.GetCreate()), Update: timeout(t.GetUpdate()),
			Delete: timeout(t.GetDelete()), Read: timeout(t.GetRead()),
		}
	}
	return out
}

func timeout(seconds float64) string {
	if seconds == 0 {
		return ""
	}
	return (time.Duration(seconds * float64(time.Second))).String()
}
