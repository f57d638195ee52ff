#!/usr/bin/env bash
# The README's main job: make the machine ready, build the toolkit, then generate and build this
# repository's example image family (lambda-base.yaml) through the Docker Engine API and invoke
# every function image with each of its scenarios' events, comparing the exact responses.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/install.sh
node bin/lambda-base.js doctor
echo
node bin/lambda-base.js generate
node bin/lambda-base.js build --progress plain
# Until `lambda-base test` runs the scenarios, this prints each exact response and exits 1 on a mismatch.
node scripts/invoke-examples.mjs lambda-base.yaml
