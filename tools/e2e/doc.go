// Package e2e proves that Flux really syncs clusters/<env>/: for each environment it starts etcd,
// a real kube-apiserver and the real Flux source-, kustomize- and helm-controller as processes on
// 127.0.0.1, serves a copy of this repository over Git smart HTTP, bootstraps Flux from
// clusters/<env>/flux-system and checks what lands in the apiserver against what `platctl build`
// predicts. The suite itself is e2e_test.go (build tag e2e, run by `make e2e`); this package holds
// its parts: the processes (controlplane.go, flux.go), the Git server (gitserver.go), the served
// repository with its throwaway SOPS key (repo.go, sops.go), the predictions (expect.go) and the
// checks against the apiserver (kube.go, dryrun.go).
package e2e
