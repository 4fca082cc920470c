// Command pulumi-language-nodejs is a minimal Node.js language host for the Pulumi engine.
//
// It exists because Pulumi's own language host module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) cannot be fetched through the Go module
// proxy that this project's machines can reach (see ../../README.md). It implements the part of the
// LanguageRuntime gRPC service that `pulumi preview/up/refresh/destroy` and the Automation API need for a local
// Node.js program:
//
//   - GetPluginInfo: reports the version baked in with -ldflags (the same as the CLI's).
//   - GetRequiredPlugins: reports no plugins (dynamic providers are loaded on demand by the engine; resource
//     plugins of other packages would be loaded on demand too).
//   - Run: spawns `node <@pulumi/pulumi/cmd/run> ...` from the program's own @pulumi/pulumi, exactly like the real
//     host, passing the run flags and the PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS / PULUMI_NODEJS_TYPESCRIPT
//     environment that the SDK's run script reads.
//   - About, GetProgramDependencies, InstallDependencies (dependencies.go): as Pulumi's host answers them, so
//     `pulumi about` and `pulumi install` work.
//
// Like Pulumi's hosts, it checks the engine's health and stops (killing the program it runs) when the engine
// is gone, e.g. after a `kill -9` of `pulumi`. Everything else (Handshake, code generation, packing, ...)
// answers Unimplemented; the engine tolerates that for Handshake.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Exit code of the SDK's run script when it already printed a user-actionable message.
const exitCodeUserActionable = 32

// How often the engine's health is checked. Pulumi's hosts check every 5 minutes; a killed engine should not
// leave its program running (and its providers writing) for that long, and a check costs one local RPC.
const engineHealthCheckPeriod = time.Second

func main() {
	// The engine passes its own address as the last positional argument, possibly preceded by logging or
	// tracing flags (-v=N, --logtostderr, --tracing=...). We only need the address.
	engineAddress := ""
	tracing := ""
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "-tracing=") || strings.HasPrefix(a, "--tracing="):
			tracing = a[strings.IndexByte(a, '=')+1:]
		case (a == "-tracing" || a == "--tracing") && i+1 < len(args):
			i++
			tracing = args[i]
		case (a == "-root" || a == "--root") && i+1 < len(args):
			i++ // value not needed: the engine sends directories with every request
		case strings.HasPrefix(a, "-"):
			// other flags (logging) are ignored
		default:
			engineAddress = a
		}
	}

	nodePath, err := exec.LookPath("node")
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not find node on the PATH: %v\n", err)
		os.Exit(1)
	}

	// Stopped by Ctrl-C (the engine interrupts its plugins on shutdown) or when the engine's health check fails.
	stopped, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(stopped, engineAddress, engineHealthCheckPeriod, stop); err != nil {
			fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the engine health check: %v\n", err)
			os.Exit(1)
		}
	}

	host := &nodeHost{node: nodePath, engineAddress: engineAddress, tracing: tracing, stopped: stopped}
	var server *grpc.Server
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			server = srv
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the RPC server: %v\n", err)
		os.Exit(1)
	}
	// A hard stop, not a graceful one: it cancels the calls in flight, so Run kills the program it started.
	go func() {
		<-stopped.Done()
		server.Stop()
	}()
	// The engine reads the port from our stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: RPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	node          string
	engineAddress string
	tracing       string
	// Done when the host is stopping (the engine is gone, or an interrupt).
	stopped context.Context
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *nodeHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// runtimeOptions are the `runtime.options` of Pulumi.yaml that this host understands.
type runtimeOptions struct {
	typescript     bool
	tsconfig       string
	nodeargs       []string
	packagemanager npm.PackageManagerType
}

func readOptions(s *structpb.Struct) runtimeOptions {
	opts := runtimeOptions{typescript: true, packagemanager: npm.AutoPackageManager}
	if s == nil {
		return opts
	}
	m := s.AsMap()
	if v, ok := m["typescript"].(bool); ok {
		opts.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		opts.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok && strings.TrimSpace(v) != "" {
		opts.nodeargs = strings.Fields(v)
	}
	if v, ok := m["packagemanager"].(string); ok && v != "" {
		opts.packagemanager = npm.PackageManagerType(v)
	}
	return opts
}

func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := req.GetPwd()
	if info != nil && info.GetProgramDirectory() != "" {
		programDir = info.GetProgramDirectory()
	}
	opts := readOptions(info.GetOptions())

	runPath, err := h.resolveRunScript(programDir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", h.engineAddress)
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("stack", req.GetStack())
	flag("pwd", req.GetPwd())
	if info != nil {
		flag("root-directory", info.GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		flag("parallel", fmt.Sprint(req.GetParallel()))
	}
	flag("tracing", h.tracing)
	program := req.GetProgram()
	if info != nil && info.GetEntryPoint() != "" {
		program = info.GetEntryPoint()
	}
	if program == "" {
		program = "."
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{} // the SDK expects a JSON object, never null
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
		fmt.Sprintf("PULUMI_NODEJS_TYPESCRIPT=%t", opts.typescript),
	)
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	// The program is killed when the engine's call ends or the host stops, whichever comes first.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(h.stopped, cancel)()
	cmd := exec.CommandContext(runCtx, h.node, args...)
	cmd.Dir = programDir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitCodeUserActionable {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// resolveRunScript finds the SDK's run script from the program's own @pulumi/pulumi, the way Node resolves it.
func (h *nodeHost) resolveRunScript(programDir string) (string, error) {
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" {
		return p, nil
	}
	cmd := exec.Command(h.node, "-e",
		"process.stdout.write(require.resolve('@pulumi/pulumi/cmd/run', { paths: [process.cwd()] }))")
	cmd.Dir = programDir
	out, err := cmd.Output()
	if err != nil || len(out) == 0 {
		return "", fmt.Errorf("it looks like the Pulumi SDK has not been installed in %s "+
			"(could not resolve @pulumi/pulumi/cmd/run); run npm install", filepath.Clean(programDir))
	}
	return string(out), nil
}
