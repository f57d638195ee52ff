import { ERROR_TYPES } from "../../protocol/lambda.js";
import { extensionsIn } from "../log-lines.js";
import { type Check, Findings, skipped } from "./check.js";

/**
 * Every extension baked into /opt/extensions registers during init (Lambda's
 * `EXTENSION Name: ... State: Ready Events: [...]` line), takes its events (the
 * invoke phase ends, which needs every subscribed extension back at its
 * `next`), and shuts down cleanly on SIGTERM.
 */
export const extensions: Check = {
  name: "extensions",
  async run(ctx) {
    const sandbox = await ctx.startProbe();
    const findings = new Findings();
    try {
      const listing = (await sandbox.invoke({ probe: "list", dir: "/opt/extensions" })).json as
        | { entries: string[] }
        | undefined;
      const baked = listing?.entries ?? [];
      if (baked.length === 0) return skipped("no extensions are baked into /opt/extensions");
      const second = await sandbox.invoke({});
      findings.expect(
        second.report !== undefined,
        "the invoke phase ended (REPORT written): every subscribed extension took its INVOKE event",
        "no REPORT line after an invoke: an extension did not come back for its next event",
      );
      const lines = extensionsIn(sandbox.stdout);
      for (const name of baked) {
        const line = lines.find((l) => l.name === name);
        if (!line)
          findings.fail(
            `${name} did not register during init (no EXTENSION line${lines.length === 0 ? "; an image built before the emulator printed them needs a rebuild" : ""})`,
          );
        else
          findings.expect(
            line.state === "Ready" && line.events.length > 0,
            `${name} registered, Ready, for ${line.events.join(", ")}`,
            `${name} registered as ${line.state} for [${line.events.join(", ")}]`,
          );
      }
      const exit = await sandbox.stop(5);
      const failures = Object.values(ERROR_TYPES)
        .filter((t) => t.startsWith("Extension."))
        .filter((t) => sandbox.stdout.includes(t) || sandbox.stderr.includes(t));
      findings.expect(
        exit.code === 0 && failures.length === 0,
        "SIGTERM shut every extension down cleanly",
        `shutdown ended with exit code ${exit.code}${failures.length ? ` and ${failures.join(", ")}` : ""}`,
      );
    } finally {
      await sandbox.dispose();
    }
    return findings.verdict("every baked extension registered, took its events and shut down");
  },
};
