/**
 * lambda-base/testing: run a function image the way Lambda does, from your
 * own tests. `await using fn = await startFunction(image)` starts it in the
 * harness's sandbox (read-only root, sized /tmp, memory and CPU limits,
 * non-root, port on 127.0.0.1) and removes the container when the block ends.
 */
import { Sandbox, type SandboxOptions } from "../harness/sandbox.js";

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
export function startFunction(image: string, options: Omit<SandboxOptions, "image"> = {}): Promise<Sandbox> {
  return Sandbox.start({ ...options, image });
}
