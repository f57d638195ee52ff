#!/usr/bin/env bash
# Makes this machine ready for lambda-base: a Docker engine that answers, buildx,
# and the offline stand-ins for the upstream node images. Idempotent: when
# everything is present it only checks and returns within seconds.
#
# Exit codes: 0 ready; 2 something is missing that this script may not install
# (not root, not Debian, socket permission); 3 an install or import step failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
log() { printf 'setup: %s\n' "$*" >&2; }
fail() { local code=$1; shift; printf 'setup: error: %s\n' "$*" >&2; exit "$code"; }

# docker info's own error text tells the three cases apart.
engine_state() {
  local out
  if out=$(docker info --format '{{.ServerVersion}}' 2>&1); then echo "ok"; return; fi
  case "$out" in
    *"permission denied while trying to connect"*|*"connect: permission denied"*) echo "permission" ;;
    *) echo "down" ;;
  esac
}

install_engine() {
  [ "$(id -u)" = 0 ] || fail 2 "no Docker engine answers and installing one needs root.
  Run this script as root, or start an engine yourself and set DOCKER_HOST (for example
  unix:///var/run/docker.sock), then run it again."
  [ -r /etc/debian_version ] && command -v apt-get >/dev/null || fail 2 "no Docker engine answers and this is not Debian,
  so this script cannot install one. Install Docker Engine 26 or later with buildx
  (https://docs.docker.com/engine/install/), start it, and run this script again."
  log "installing Docker Engine 26 and buildx from Debian trixie packages (pinned; the rest of the system stays on bookworm)"
  cat > /etc/apt/sources.list.d/lambda-base-trixie.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > /etc/apt/preferences.d/lambda-base-trixie
  apt-get update -qq >/dev/null 2>&1 || fail 3 "apt-get update failed; check that Debian's mirrors are reachable."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io/trixie docker-cli/trixie docker-buildx/trixie \
    >/tmp/lambda-base-apt.log 2>&1 || fail 3 "installing docker.io from trixie failed; see /tmp/lambda-base-apt.log"
}

start_engine() {
  command -v dockerd >/dev/null || install_engine
  if ! pgrep -x dockerd >/dev/null; then
    [ "$(id -u)" = 0 ] || fail 2 "dockerd is installed but not running, and starting it needs root."
    log "starting dockerd in the background (log: /var/log/lambda-base-dockerd.log)"
    nohup dockerd >/var/log/lambda-base-dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 120); do
    [ "$(engine_state)" = ok ] && return 0
    sleep 0.5
  done
  fail 3 "dockerd did not answer within 60 s; see /var/log/lambda-base-dockerd.log"
}

ensure_buildx() {
  docker buildx version >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -r /etc/debian_version ]; then
    [ -f /etc/apt/preferences.d/lambda-base-trixie ] || install_engine
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-buildx/trixie >/tmp/lambda-base-apt.log 2>&1 ||
      fail 3 "installing docker-buildx failed; see /tmp/lambda-base-apt.log"
  else
    fail 2 "docker buildx is missing. Install the buildx plugin (Debian: docker-buildx), then run this again."
  fi
}

# The host tests run the real aws-lambda-ric, whose install compiles native code.
ensure_host_tools() {
  local missing=()
  for tool in autoconf automake libtool cmake make g++ python3; do
    case $tool in libtool) command -v libtoolize >/dev/null || missing+=(libtool) ;; *) command -v "$tool" >/dev/null || missing+=("$tool") ;; esac
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing build tools for aws-lambda-ric: ${missing[*]}"
    apt-get install -y -qq "${missing[@]}" >/tmp/lambda-base-apt.log 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/tmp/lambda-base-apt.log 2>&1; } ||
      fail 3 "installing ${missing[*]} failed; see /tmp/lambda-base-apt.log"
  else
    fail 2 "aws-lambda-ric compiles native code and needs: ${missing[*]}. Install them (Debian: apt-get install ${missing[*]})."
  fi
}
ensure_host_tools

command -v docker >/dev/null || { [ "$(id -u)" = 0 ] && install_engine; } || true
command -v docker >/dev/null || fail 2 "the docker command is missing and could not be installed."

case "$(engine_state)" in
  ok) ;;
  permission) fail 2 "the Docker socket refused this user (permission denied).
  Add the user to the docker group (usermod -aG docker \$USER, then log in again) or run as root." ;;
  down)
    if [ "$(id -u)" != 0 ]; then
      fail 2 "no Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}, and installing or starting one needs root.
  Run this script as root, or start an engine yourself and point DOCKER_HOST at it."
    fi
    if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "unix:///var/run/docker.sock" ]; then
      fail 2 "DOCKER_HOST=$DOCKER_HOST does not answer. Start that engine, or unset DOCKER_HOST to use (and if needed install) the local one."
    fi
    start_engine ;;
esac
ensure_buildx

bash "$here/standins.sh" || exit $?
log "ready: engine $(docker info --format '{{.ServerVersion}}'), $(docker buildx version | cut -d' ' -f1,2)"
