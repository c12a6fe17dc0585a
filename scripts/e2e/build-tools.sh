#!/usr/bin/env bash
# Builds (once per machine) the binaries the end-to-end test needs and prints, one per line,
# "<tool> <absolute path>". A tool found on PATH is used as it is; otherwise it is built from the
# Go module proxy into a version-stamped cache outside the repository:
#   ${K8SPROD_CACHE:-~/.cache/k8sprod}/<tool>-<version>/bin/
# A cache directory holds a binary only after its build finished (written to a temporary name and
# renamed), so an interrupted build is simply redone.
#
# Usage: scripts/e2e/build-tools.sh [tool...]
#   tools: pulumi pulumi-resource-kubernetes kube kwok etcd   (default: all, in that order)
# Environment:
#   K8SPROD_CACHE      cache root (default ~/.cache/k8sprod)
#   K8SPROD_NO_PATH=1  ignore binaries on PATH (to measure a cold build)
set -euo pipefail

# Versions. The Pulumi CLI is the newest release the Go module proxy serves (3.261-3.270 are refused
# by it); the Kubernetes provider is the one pseudo-version the proxy serves (v4.25.0's commit).
PULUMI_VERSION=v3.276.0
PULUMI_K8S_PROVIDER_VERSION=v4.0.0-20260115033456-f47bc2d6f199
PULUMI_K8S_PROVIDER_SEMVER=4.25.0
KUBERNETES_VERSION=v1.35.8
KUBERNETES_STAGING_VERSION=v0.35.8
KWOK_VERSION=v0.8.0

CACHE="${K8SPROD_CACHE:-$HOME/.cache/k8sprod}"
export GOFLAGS="${GOFLAGS:-} -mod=mod"
export CGO_ENABLED=0

log() { echo "build-tools: $*" >&2; }

# on_path NAME: prints NAME's path when it is on PATH and K8SPROD_NO_PATH is not set.
on_path() {
  [ "${K8SPROD_NO_PATH:-}" = 1 ] && return 1
  command -v "$1" 2>/dev/null
}

# wrapper DIR MODULE: a fresh wrapper module in DIR (the requirements are appended by the caller).
wrapper() {
  rm -rf "$1"
  mkdir -p "$1"
  printf 'module %s\n\ngo 1.25\n' "$2" >"$1/go.mod"
}

# finish TMPDIR DEST: moves the built binaries into place atomically.
finish() {
  mkdir -p "$(dirname "$2")"
  rm -rf "$2"
  mv "$1" "$2"
}

build_pulumi() {
  local dest="$CACHE/pulumi-$PULUMI_VERSION"
  if p=$(on_path pulumi); then echo "pulumi $p"; return; fi
  if [ -x "$dest/bin/pulumi" ]; then echo "pulumi $dest/bin/pulumi"; return; fi
  log "building the Pulumi CLI $PULUMI_VERSION into $dest"
  local work="$CACHE/.work/pulumi-$PULUMI_VERSION"
  wrapper "$work" k8sprod.local/pulumi-cli
  cat >>"$work/go.mod" <<MOD

require (
	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION
)

// pkg/v3's one replace that is not a local path (replaces of a dependency do not apply to its users).
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
MOD
  (cd "$work" && go mod download github.com/pulumi/pulumi/pkg/v3 &&
    go build -tags osusergo,grpcnotrace \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
      -o "$work/out/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  finish "$work/out" "$dest"
  echo "pulumi $dest/bin/pulumi"
}

build_kwok() {
  local dest="$CACHE/kwok-$KWOK_VERSION"
  if p=$(on_path kwok); then echo "kwok $p"; return; fi
  if [ -x "$dest/bin/kwok" ]; then echo "kwok $dest/bin/kwok"; return; fi
  log "building kwok $KWOK_VERSION into $dest"
  local work="$CACHE/.work/kwok-$KWOK_VERSION"
  rm -rf "$work"; mkdir -p "$work/out/bin"
  # kwok's go.mod has no replace directives, so `go install module@version` builds it as released.
  GOBIN="$work/out/bin" GOFLAGS= go install -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  finish "$work/out" "$dest"
  echo "kwok $dest/bin/kwok"
}

# kwok_stages: the kwok binary alone (unlike kwokctl) has no stages, and without them it neither makes its
# nodes Ready nor its pods Running. The stages are kwok's own "fast" set as released in the module
# (kustomize/stage: node-initialize, node-heartbeat, pod-ready, pod-complete, pod-delete), read from the
# module download and joined into one config file; nothing of kwok is copied into the repository.
kwok_stages() {
  local dest="$CACHE/kwok-stages-$KWOK_VERSION"
  if [ ! -s "$dest/stages.yaml" ]; then
    local dir f
    dir=$(cd "${TMPDIR:-/tmp}" && GOFLAGS= go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    mkdir -p "$dest"
    for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml \
      pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      printf -- '---\n'
      cat "$dir/kustomize/stage/$f"
    done >"$dest/stages.yaml.tmp"
    mv "$dest/stages.yaml.tmp" "$dest/stages.yaml"
  fi
  echo "kwok-stages $dest/stages.yaml"
}

build_k8s_provider() {
  local dest="$CACHE/pulumi-resource-kubernetes-$PULUMI_K8S_PROVIDER_SEMVER"
  if p=$(on_path pulumi-resource-kubernetes); then echo "pulumi-resource-kubernetes $p"; return; fi
  if [ -x "$dest/bin/pulumi-resource-kubernetes" ]; then
    echo "pulumi-resource-kubernetes $dest/bin/pulumi-resource-kubernetes"; return
  fi
  log "building the Kubernetes provider $PULUMI_K8S_PROVIDER_SEMVER ($PULUMI_K8S_PROVIDER_VERSION) into $dest"
  local work="$CACHE/.work/pulumi-resource-kubernetes-$PULUMI_K8S_PROVIDER_SEMVER"
  local mod="github.com/pulumi/pulumi-kubernetes/provider/v4"
  rm -rf "$work"; mkdir -p "$work"
  local dir
  dir=$(cd "$work" && GOFLAGS= go mod download -json "$mod@$PULUMI_K8S_PROVIDER_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  # The provider module is built as the main module so that its own go.mod and go.sum decide every
  # dependency version, as in upstream's build.
  cp -r "$dir" "$work/src"
  chmod -R u+w "$work/src"
  cd "$work/src"
  # Its one replace points at the SDK directory of the repository, which the module zip does not hold:
  # the SDK released from the same tag is served by the proxy.
  go mod edit -replace "github.com/pulumi/pulumi-kubernetes/sdk/v4=github.com/pulumi/pulumi-kubernetes/sdk/v4@v$PULUMI_K8S_PROVIDER_SEMVER"
  # cmd/pulumi-resource-kubernetes embeds schema-embed.json and terraform-mapping-embed.json, which upstream's
  # Makefile generates before building (`VERSION=... go generate` runs generate.go: schema.json with the
  # version stamped in, and the compacted Terraform mapping). The module zip holds only the inputs.
  (cd cmd/pulumi-resource-kubernetes && VERSION="$PULUMI_K8S_PROVIDER_SEMVER" go run ./generate.go)
  go build -ldflags "-s -w -X $mod/pkg/version.Version=$PULUMI_K8S_PROVIDER_SEMVER" \
    -o "$work/out/bin/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
  cd - >/dev/null
  finish "$work/out" "$dest"
  echo "pulumi-resource-kubernetes $dest/bin/pulumi-resource-kubernetes"
}

# The 31 staging modules k8s.io/kubernetes replaces with ./staging/src/...; in a wrapper module they are
# pinned to the release's published tags instead.
KUBE_STAGING=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
  cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api
  cri-client csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms
  kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics
  mount-utils pod-security-admission sample-apiserver sample-cli-plugin sample-controller)

build_kube() {
  local dest="$CACHE/kubernetes-$KUBERNETES_VERSION"
  local names=(kube-apiserver kube-controller-manager kube-scheduler)
  local all=1 n p
  for n in "${names[@]}"; do on_path "$n" >/dev/null || all=0; done
  if [ $all = 1 ]; then
    for n in "${names[@]}"; do echo "$n $(on_path "$n")"; done; return
  fi
  if [ ! -x "$dest/bin/kube-scheduler" ]; then
    log "building kube-apiserver, kube-controller-manager, kube-scheduler $KUBERNETES_VERSION into $dest"
    local work="$CACHE/.work/kubernetes-$KUBERNETES_VERSION"
    wrapper "$work" k8sprod.local/kubernetes
    {
      printf '\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$KUBERNETES_VERSION"
      for n in "${KUBE_STAGING[@]}"; do printf '\tk8s.io/%s => k8s.io/%s %s\n' "$n" "$n" "$KUBERNETES_STAGING_VERSION"; done
      printf ')\n'
    } >>"$work/go.mod"
    local v=k8s.io/component-base/version
    local minor
    minor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)
    local ld="-s -w -X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor"
    ld="$ld -X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z"
    ld="$ld -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION"
    (cd "$work" && GOFLAGS=-mod=mod go mod download k8s.io/kubernetes &&
      for n in "${names[@]}"; do
        log "  $n"
        go build -ldflags "$ld" -o "$work/out/bin/$n" "k8s.io/kubernetes/cmd/$n"
      done)
    finish "$work/out" "$dest"
  fi
  for n in "${names[@]}"; do echo "$n $dest/bin/$n"; done
}

# etcd comes from Debian's etcd-server (3.4, which Kubernetes 1.35 accepts), installed when missing.
find_etcd() {
  local p sudo=""
  if p=$(command -v etcd 2>/dev/null); then echo "etcd $p"; return; fi
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing Debian's etcd-server"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends etcd-server >/dev/null
  echo "etcd $(command -v etcd)"
}

main() {
  local tools=("$@")
  [ ${#tools[@]} -gt 0 ] || tools=(pulumi pulumi-resource-kubernetes kube kwok etcd)
  for t in "${tools[@]}"; do
    case "$t" in
      pulumi) build_pulumi ;;
      pulumi-resource-kubernetes) build_k8s_provider ;;
      kube) build_kube ;;
      kwok) build_kwok; kwok_stages ;;
      etcd) find_etcd ;;
      *) log "unknown tool $t"; exit 2 ;;
    esac
  done
}
main "$@"
