#!/usr/bin/env bash
# The README's main job: make the machine ready, build the toolkit, show what it has.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/install.sh
node bin/lambda-base.js doctor
