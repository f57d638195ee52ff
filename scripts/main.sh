#!/usr/bin/env bash
# The README's main job: make the machine ready, build the toolkit, then build this
# repository's image family (lambda-base.yaml) through the Docker Engine API and
# invoke its example function through the emulator inside the image.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/install.sh
node bin/lambda-base.js doctor
echo
node bin/lambda-base.js generate
node bin/lambda-base.js build --progress plain
echo
image=org/lambda-base-hello:22
id=$(docker run -d --read-only --tmpfs /tmp -p 127.0.0.1::8080 --label lambda-base.main=smoke "$image")
trap 'docker rm -f "$id" >/dev/null 2>&1 || true' EXIT
port=$(docker port "$id" 8080/tcp | head -n 1 | sed 's/.*://')
for _ in $(seq 1 100); do docker logs "$id" 2>&1 | grep -q "listening on" && break; sleep 0.1; done
echo "invoke of $image through its built-in emulator:"
curl -sS -d '{"name":"lambda-base"}' "http://127.0.0.1:$port/2015-03-31/functions/function/invocations"
echo
docker logs "$id" 2>/dev/null | grep -E '^REPORT' || true
