package main

// About, GetProgramDependencies and InstallDependencies, answered as Pulumi's own Node.js host answers them
// (`pulumi about`, `pulumi install`, and the update metadata the CLI records). Like Pulumi's host, they use the
// package-manager logic of the sdk/v3 module (nodejs/npm): the `packagemanager` runtime option, else the lock
// file found (yarn.lock, pnpm-lock.yaml, bun.lock), else npm; dependencies are read from that lock file.

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// About reports the `node` this host runs programs with, and the package manager the program uses.
func (h *nodeHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.CommandContext(ctx, h.node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("failed to execute '%s --version': %w", h.node, err)
	}
	metadata := map[string]string{}
	if dir := programDirectory(req.GetInfo()); dir != "" {
		if pm, err := npm.ResolvePackageManager(readOptions(req.GetInfo().GetOptions()).packagemanager, dir); err == nil {
			metadata["packagemanager"] = pm.Name()
			if v, err := pm.Version(); err == nil {
				metadata[pm.Name()+"Version"] = v.String()
			}
		}
	}
	return &pulumirpc.AboutResponse{
		Executable: h.node,
		Version:    strings.TrimSpace(string(out)),
		Metadata:   metadata,
	}, nil
}

// GetProgramDependencies lists the program's packages (direct ones unless transitive ones are asked for).
func (h *nodeHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDirectory(req.GetInfo())
	if dir == "" {
		dir = req.GetPwd() //nolint:staticcheck // older engines send only the deprecated fields
	}
	pm, err := npm.ResolvePackageManager(readOptions(req.GetInfo().GetOptions()).packagemanager, dir)
	if err != nil {
		return nil, err
	}
	deps, err := pm.ListPackages(ctx, dir, req.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("failed to get dependencies: %w", err)
	}
	result := make([]*pulumirpc.DependencyInfo, len(deps))
	for i, dep := range deps {
		result[i] = &pulumirpc.DependencyInfo{Name: dep.Name, Version: dep.Version}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: result}, nil
}

// InstallDependencies runs the package manager's install in the program's workspace root, streaming its output.
func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := programDirectory(req.GetInfo())
	if dir == "" {
		dir = req.GetDirectory() //nolint:staticcheck // older engines send only the deprecated field
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()

	root := dir
	if workspace, err := npm.FindWorkspaceRoot(dir); err == nil {
		root = workspace
	} else if !errors.Is(err, npm.ErrNotInWorkspace) {
		return fmt.Errorf("failure while trying to find workspace root: %w", err)
	}

	fmt.Fprint(stdout, "Installing dependencies...\n\n")
	packagemanager := readOptions(req.GetInfo().GetOptions()).packagemanager
	if _, err := npm.Install(server.Context(), packagemanager, root, false /* production */, stdout, stderr); err != nil {
		return fmt.Errorf("npm install failed: %w", err)
	}
	fmt.Fprint(stdout, "Finished installing dependencies\n\n")
	return closer.Close()
}

func programDirectory(info *pulumirpc.ProgramInfo) string {
	if info == nil {
		return ""
	}
	return info.GetProgramDirectory()
}
