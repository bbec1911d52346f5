package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// StartFlux starts the Flux source-, kustomize- and helm-controller from bin as processes that
// reach the apiserver through cp.Kubeconfig, and waits until each reports ready. The controllers
// have no --kubeconfig flag; they read $KUBECONFIG. They run with their defaults except for
// 127.0.0.1 addresses and a 5s (not 30s) wait before rechecking a dependency that is not ready,
// so the dependsOn chain of the layers does not dominate the run time.
func StartFlux(ctx context.Context, procs *Procs, bin string, cp *ControlPlane) error {
	env := []string{"KUBECONFIG=" + cp.Kubeconfig, "RUNTIME_NAMESPACE=flux-system"}
	storage := filepath.Join(cp.Dir, "source-controller-storage")
	if err := os.MkdirAll(storage, 0o755); err != nil { // it exits if the directory is missing
		return err
	}
	storageAddr, err := FreeAddr()
	if err != nil {
		return err
	}
	controllers := []struct {
		name string
		args []string
	}{
		{"source-controller", []string{
			"--storage-path=" + storage, "--storage-addr=" + storageAddr, "--storage-adv-addr=" + storageAddr,
			"--requeue-dependency=5s",
		}},
		{"kustomize-controller", []string{"--requeue-dependency=5s"}},
		{"helm-controller", []string{"--requeue-dependency=5s"}},
	}
	var health []string
	for _, c := range controllers {
		metrics, err := FreeAddr()
		if err != nil {
			return err
		}
		h, err := FreeAddr()
		if err != nil {
			return err
		}
		args := append([]string{
			"--metrics-addr=" + metrics, "--health-addr=" + h, "--watch-all-namespaces=true",
			"--log-level=info", "--log-encoding=json",
		}, c.args...)
		if err := procs.Start(c.name, filepath.Join(bin, c.name), args, env...); err != nil {
			return err
		}
		health = append(health, "http://"+h+"/readyz")
	}
	for _, u := range health {
		if err := waitHTTP(ctx, procs, http.DefaultClient, u, 60*time.Second); err != nil {
			return fmt.Errorf("flux: %w", err)
		}
	}
	return nil
}
