/**
 * lambda-base/testing: run a function image the way Lambda does, from your
 * own tests. `await using fn = await startFunction(image)` starts it in the
 * harness's sandbox (read-only root, sized /tmp, memory and CPU limits,
 * non-root, port on 127.0.0.1) and removes the container when the block ends.
 */
import { UserError } from "../errors.js";
import { Sandbox, type SandboxOptions } from "../harness/sandbox.js";
import { LIMITS } from "../protocol/lambda.js";

export type { InvokeReport } from "../emulator/invocation.js";
export { reapOrphans, removeAllLive } from "../harness/cleanup.js";
export type { HarnessOptions, ImageTarget } from "../harness/context.js";
export { httpApiEvent } from "../harness/http-event.js";
export { htmlReport } from "../harness/reports/html.js";
export { jsonReport } from "../harness/reports/json.js";
export { junitReport } from "../harness/reports/junit.js";
export { markdownReport } from "../harness/reports/markdown.js";
export { runHarness } from "../harness/run.js";
export type { Exit, InvokeOptions, InvokeResult, SandboxOptions } from "../harness/sandbox.js";
export { Sandbox } from "../harness/sandbox.js";
export type { CheckResult, ImageResult, RunResult } from "../harness/types.js";

/** Starts IMAGE in a fresh sandbox and waits until its emulator listens. Dispose of it (or `await using`). */
export async function startFunction(
  image: string,
  options: Omit<SandboxOptions, "image"> = {},
): Promise<Sandbox> {
  // Outside Lambda's limits the emulator would refuse to start, and the image would be blamed for it.
  requireWithin("memoryMb", options.memoryMb, LIMITS.memoryMb, "MB");
  requireWithin("timeoutSeconds", options.timeoutSeconds, LIMITS.timeoutSeconds, "seconds");
  return Sandbox.start({ ...options, image });
}

function requireWithin(
  name: string,
  value: number | undefined,
  range: { min: number; max: number },
  unit: string,
): void {
  if (value === undefined || (Number.isInteger(value) && value >= range.min && value <= range.max)) return;
  throw new UserError(
    "HARNESS_BAD_OPTION",
    `${name} ${value} is outside Lambda's limits: it must be a whole number of ${unit} from ${range.min} to ${range.max}.`,
  );
}
