import { ERROR_TYPES } from "../../protocol/lambda.js";
import { type Check, Findings } from "./check.js";
import { describeFaults, unexpectedFaults } from "./function-faults.js";

const CRASH_TYPES = new Set<string>([ERROR_TYPES.exit, ERROR_TYPES.outOfMemory]);

/**
 * A runtime that dies mid-invoke is reported as Runtime.ExitError naming its
 * exit status, and the environment recovers on the next invoke. The
 * function's own invocations must not have crashed its runtime.
 */
export const crash: Check = {
  name: "crash",
  async run(ctx) {
    const findings = new Findings();
    const sandbox = await ctx.startProbe();
    try {
      await sandbox.invoke({});
      const dead = await sandbox.invoke({ probe: "crash", code: 7 });
      findings.expect(
        dead.errorType === ERROR_TYPES.exit && /7/.test(dead.errorMessage ?? ""),
        `a runtime exiting with status 7 was reported as ${ERROR_TYPES.exit} (${dead.errorMessage})`,
        `a runtime exiting with status 7 was reported as ${dead.errorType ?? "a response"} (${dead.errorMessage ?? dead.body.slice(0, 100)})`,
      );
      const next = await sandbox.invoke({});
      findings.expect(
        !next.functionError,
        "the next invoke worked",
        `the next invoke after the crash failed: ${next.errorType}`,
      );
    } finally {
      await sandbox.dispose();
    }
    const faults = unexpectedFaults(ctx, (i) => CRASH_TYPES.has(i.result.errorType ?? ""));
    if (faults.length > 0)
      findings.fail(`the function's runtime crashed: ${describeFaults(faults).join("; ")}`);
    else findings.ok("the function's own runtime never crashed");
    return findings.verdict("a crash is reported as Runtime.ExitError and the environment recovers");
  },
};
