import { describe, expect, it } from "vitest";
import { describeError, SystemError, UserError } from "../../src/errors.js";
import { createLogger } from "../../src/log/logger.js";

describe("errors and logs", () => {
  it("prints a user error as code, message and hint without a stack, with exit code 2", () => {
    const error = new UserError(
      "EMULATOR_PORT_IN_USE",
      "127.0.0.1:8080 is already in use.",
      "choose another port.",
    );
    expect(describeError(error)).toBe(
      "error[EMULATOR_PORT_IN_USE]: 127.0.0.1:8080 is already in use.\n  hint: choose another port.",
    );
    expect(error.exitCode).toBe(2);
    expect(new SystemError("ENGINE_UNREACHABLE", "x").exitCode).toBe(3);
  });

  it("keeps the stack of an unexpected error, which is a bug of ours", () => {
    expect(describeError(new TypeError("boom"))).toMatch(/^internal error: TypeError: boom\n\s+at /);
  });

  it("writes only the levels asked for, with fields", () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", name: "t", write: (l) => lines.push(l) });
    logger.debug("hidden");
    logger.info("shown", { requestId: "r-1", note: "two words" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ INFO {2}\[t\] shown requestId=r-1 note="two words"\n$/);
  });
});
