#!/usr/bin/env bash
# End to end on a real cluster, for machines with Docker (`make kind-e2e`): create a kind cluster, build the
# image and load it, `helm install` with the bundled development dependencies and the fake Google Drive,
# run `helm test`, apply samples/fake-drive.yaml, wait until it Succeeded and print the result.
#
#   hack/kind-e2e.sh            KEEP_CLUSTER=1 keeps the cluster afterwards (default: deleted)
#
# Needs: docker, kind, kubectl, helm (the pinned ones from `make tools` are fine). Not run in CI here: these
# machines have no Docker engine.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

cluster=${KIND_CLUSTER:-imagesync-e2e}
namespace=${NAMESPACE:-imagesync}
release=${RELEASE:-imagesync}
image=${IMAGE:-imagesync:e2e}
timeout=${TIMEOUT:-10m}
# KIND_NODE_IMAGE=kindest/node:<version> picks the Kubernetes version; default: the installed kind's own.
node_image=${KIND_NODE_IMAGE:-}

log() { echo "kind-e2e: $*" >&2; }
fail() {
  log "FAILED: $*"
  exit 1
}

for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || fail "$tool is not on PATH (kind: https://kind.sigs.k8s.io/docs/user/quick-start/)"
done
docker info >/dev/null 2>&1 || fail "the Docker engine does not answer (docker info)"

kubeconfig=$(mktemp)
export KUBECONFIG=$kubeconfig
cleanup() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    log "collecting diagnostics"
    kubectl -n "$namespace" get pods,imageimports -o wide || true
    kubectl -n "$namespace" describe imageimports || true
    kubectl -n "$namespace" logs -l app.kubernetes.io/instance="$release" --all-containers --tail=50 --prefix || true
  fi
  if [ "${KEEP_CLUSTER:-0}" = "1" ]; then
    log "keeping cluster $cluster (kubeconfig: $kubeconfig; delete with: kind delete cluster --name $cluster)"
  else
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
    rm -f "$kubeconfig"
  fi
  exit "$status"
}
trap cleanup EXIT

if kind get clusters | grep -qx "$cluster"; then
  log "reusing cluster $cluster"
  kind export kubeconfig --name "$cluster"
else
  log "creating cluster $cluster with node image ${node_image:-of the installed kind}"
  kind create cluster --name "$cluster" ${node_image:+--image "$node_image"} --wait 120s
fi

log "building $image (node ${NODE_VERSION%%.*})"
docker build --build-arg "NODE_VERSION=${NODE_VERSION%%.*}" -t "$image" "$root"
kind load docker-image "$image" --name "$cluster"

log "installing the chart with the development dependencies"
helm upgrade --install "$release" "$root/charts/imagesync" \
  --namespace "$namespace" --create-namespace \
  --values "$root/charts/imagesync/ci/dev-values.yaml" \
  --set image.repository="${image%%:*}" --set image.tag="${image##*:}" --set image.pullPolicy=Never \
  --wait --timeout "$timeout"
helm test "$release" --namespace "$namespace" --logs --timeout 5m

log "importing samples/fake-drive.yaml"
kubectl -n "$namespace" apply -f "$root/samples/fake-drive.yaml"
kubectl -n "$namespace" wait imageimport/fake-drive-demo --for=condition=Succeeded --timeout="$timeout"

kubectl -n "$namespace" get imageimport fake-drive-demo -o wide
kubectl -n "$namespace" get imageimport fake-drive-demo -o jsonpath='{.status.progress}{"\n"}'
log "PASSED: the import succeeded"
