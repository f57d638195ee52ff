import { readOnlyExplanation } from "../expectations.js";
import { type Check, Findings } from "./check.js";
import { describeFaults, unexpectedFaults } from "./function-faults.js";

interface WriteOutcome {
  written: boolean;
  code?: string;
}

/**
 * Only /tmp is writable, and it has the configured size; the function runs as
 * a non-root user. The function's own invocations must not have written
 * outside /tmp: that fails on Lambda with EROFS, and the report says so plainly.
 */
export const readOnly: Check = {
  name: "read-only",
  async run(ctx) {
    const findings = new Findings();
    const sandbox = await ctx.startProbe();
    try {
      for (const path of [
        "/var/task/lambda-base-probe",
        "/opt/lambda-base-probe.txt",
        "/var/runtime/probe",
      ]) {
        const result = (await sandbox.invoke({ probe: "write", path })).json as WriteOutcome | undefined;
        findings.expect(
          result?.written === false && result.code === "EROFS",
          `writing ${path} fails with EROFS`,
          `writing ${path} ${result?.written ? "succeeded" : `failed with ${result?.code}`}; on Lambda it fails with EROFS`,
        );
      }
      const tmp = (await sandbox.invoke({ probe: "write", path: "/tmp/lambda-base-probe" }))
        .json as WriteOutcome;
      findings.expect(tmp?.written === true, "writing /tmp works", `writing /tmp failed (${tmp?.code})`);
      const info = (await sandbox.invoke({ probe: "tmp" })).json as
        | { bytes: number; uid: number }
        | undefined;
      const mb = Math.round((info?.bytes ?? 0) / 1024 / 1024);
      findings.expect(
        mb === ctx.target.settings.ephemeralStorageMb,
        `/tmp holds ${mb} MB, the configured ephemeral storage`,
        `/tmp holds ${mb} MB, not the configured ${ctx.target.settings.ephemeralStorageMb} MB`,
      );
      findings.expect(
        info?.uid !== 0,
        `the function runs as uid ${info?.uid}, not root`,
        "the function runs as root",
      );
    } finally {
      await sandbox.dispose();
    }
    const faults = unexpectedFaults(ctx, (i) => readOnlyExplanation(i.result) !== undefined);
    if (faults.length > 0) {
      const first = faults[0]!;
      findings.fail(`${readOnlyExplanation(first.result)} (${describeFaults(faults).join("; ")})`);
    } else findings.ok("the function's own invocations wrote nothing outside /tmp");
    return findings.verdict("only /tmp is writable, at its configured size; non-root user");
  },
};
