#!/usr/bin/env bash
# The README's main job: make the machine ready, build the toolkit, generate and build this
# repository's example image family (lambda-base.yaml) through the Docker Engine API, then test
# every function image with `lambda-base test` and end with where the reports are and the verdict.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
bash scripts/install.sh
node bin/lambda-base.js doctor
echo
node bin/lambda-base.js generate
node bin/lambda-base.js build --progress plain
echo
# The full-length 15-minute ceiling is CI's job (vitest project `ceiling`); here it runs short even
# when CI=true, so this command ends in minutes. `lambda-base test --full-duration` runs it in full.
status=0
node bin/lambda-base.js test --no-full-duration \
  --json reports/results.json --junit reports/junit.xml \
  --markdown reports/summary.md --html reports/report.html || status=$?
echo
if [ -f reports/results.json ]; then
  echo "reports:"
  for file in reports/results.json reports/junit.xml reports/summary.md reports/report.html; do
    echo "  $(pwd)/$file"
  done
  node -e '
    const r = JSON.parse(require("fs").readFileSync("reports/results.json", "utf8"));
    const checks = r.images.flatMap((i) => i.checks);
    const n = (s) => checks.filter((c) => c.status === s).length;
    const failed = checks.filter((c) => c.status === "failed").map((c) => c.name);
    console.log(r.passed
      ? `verdict: PASS (${r.images.length} images, ${n("passed")} checks passed, ${n("skipped")} skipped)`
      : `verdict: FAIL (${n("failed")} of ${checks.length} checks failed: ${[...new Set(failed)].join(", ")})`);
  '
else
  echo "verdict: FAIL (lambda-base test ended with exit code $status before writing its reports)"
fi
exit "$status"
