#!/usr/bin/env bash
# The README's test command: set-up, then both tiers (unit and integration).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/install.sh
mkdir -p reports
exec npx vitest run "$@"
