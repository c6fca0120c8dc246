package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/constant"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/aifactory/platform/facts/versions"
	"github.com/aifactory/platform/internal/gobuild"
)

// host serves the language runtime protocol for `runtime: go` projects.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	// engine is the engine's address, passed on to the program.
	engine string
	// stdout and stderr receive the program's output.
	stdout, stderr io.Writer
}

func (h *host) Handshake(context.Context, *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: strings.TrimPrefix(versions.PulumiCLI, "v")}, nil
}

func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) InstallDependencies(*pulumirpc.InstallDependenciesRequest, pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	return nil
}

// Run builds and runs the program once. A program that fails is not an
// RPC error: the engine expects its message (or a bail) in the response.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	p, err := programOf(req)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	binary := p.binary
	if binary == "" {
		dir, err := os.MkdirTemp("", "pulumi-go-program-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		binary = filepath.Join(dir, "program")
		if err := gobuild.Build(ctx, p.dir, binary, p.entry); err != nil {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("building the Go program in %s: %v", p.dir, err)}, nil
		}
	}
	env, err := programEnv(req, h.engine)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	cmd := exec.CommandContext(ctx, binary, req.GetArgs()...)
	cmd.Dir = p.pwd
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = h.stdout, h.stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == constant.ExitStatusLoggedError:
		// The program already reported its error to the engine.
		return &pulumirpc.RunResponse{Bail: true}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("running the Go program %s: %v", binary, err)}, nil
	}
}

// program is what Run starts: the directory and package to build, or a
// prebuilt binary, and the working directory to start it in.
type program struct {
	dir, entry, binary, pwd string
}

// programOf reads the program from a run request: its ProgramInfo, or the
// deprecated pwd and program fields of an older engine.
func programOf(req *pulumirpc.RunRequest) (program, error) {
	p := program{dir: req.GetPwd(), entry: req.GetProgram(), pwd: req.GetPwd()}
	info := req.GetInfo()
	if info != nil {
		p.dir, p.entry = info.GetProgramDirectory(), info.GetEntryPoint()
		if p.pwd == "" {
			p.pwd = p.dir
		}
	}
	if p.dir == "" {
		return program{}, errors.New("the run request names no program directory")
	}
	if p.entry == "" {
		p.entry = "."
	}
	// A package path relative to the program directory, as go build wants it.
	if p.entry != "." && !filepath.IsAbs(p.entry) && !strings.HasPrefix(p.entry, "./") {
		p.entry = "./" + p.entry
	}
	for name, v := range info.GetOptions().AsMap() {
		switch name {
		case "binary":
			s, ok := v.(string)
			if !ok || s == "" {
				return program{}, fmt.Errorf("runtime option binary: want the path of a prebuilt program, got %v", v)
			}
			if !filepath.IsAbs(s) {
				s = filepath.Join(p.dir, s)
			}
			p.binary = s
		default:
			return program{}, fmt.Errorf("runtime option %s: the offline Go language host knows only \"binary\"; remove it, or use the official pulumi-language-go", name)
		}
	}
	return p, nil
}

// programEnv is the environment the Go SDK's pulumi.Run reads its run
// from (see the Env* constants of package pulumi).
func programEnv(req *pulumirpc.RunRequest, engine string) ([]string, error) {
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	keys := append([]string{}, req.GetConfigSecretKeys()...)
	sort.Strings(keys)
	secretKeys, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	env := []string{
		"PULUMI_MONITOR=" + req.GetMonitorAddress(),
		"PULUMI_ENGINE=" + engine,
		"PULUMI_PROJECT=" + req.GetProject(),
		"PULUMI_STACK=" + req.GetStack(),
		"PULUMI_ORGANIZATION=" + req.GetOrganization(),
		"PULUMI_ROOT_DIRECTORY=" + req.GetInfo().GetRootDirectory(),
		"PULUMI_CONFIG=" + string(config),
		"PULUMI_CONFIG_SECRET_KEYS=" + string(secretKeys),
		"PULUMI_DRY_RUN=" + strconv.FormatBool(req.GetDryRun()),
		"PULUMI_PARALLEL=" + strconv.Itoa(int(req.GetParallel())),
	}
	return env, nil
}
