import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator, stopAll } from "../helpers/emulator-process.js";

afterAll(stopAll);

const rssMb = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

describe("emulator under load, with the real aws-lambda-ric 3.3.0", () => {
  it("serves 50 concurrent invokes with 4 environments: 50 correct answers, one invoke per environment at a time", async () => {
    const emu = await startEmulator({
      handler: "sleep.handler",
      args: ["--environments", "4", "--timeout", "30"],
    });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => emu.invoke({ ms: 20 + (i % 5) })));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(answers.map((a) => a.json())).toEqual(
      Array.from({ length: 50 }, (_, i) => ({ slept: 20 + (i % 5) })),
    );
    // four runtimes started, no more: the rest waited for a free environment
    expect(emu.stdout().match(/Init Duration/g)).toHaveLength(4);
    expect(emu.child.exitCode).toBeNull();
  });

  it("loses none of 10,000 sequential invokes and does not grow by more than 10 MB", async () => {
    const emu = await startEmulator({ handler: "basic.handler" });
    for (let i = 0; i < 500; i++) await emu.invoke({ i });
    const before = rssMb(emu.child.pid!);
    let correct = 0;
    let lastId = "";
    for (let i = 0; i < 10_000; i++) {
      const answer = await emu.invoke({ i });
      if (answer.status === 200 && answer.json<{ event: { i: number } }>().event.i === i) correct++;
      lastId = answer.headers.get("x-amzn-requestid")!;
    }
    await emu.report(lastId);
    const after = rssMb(emu.child.pid!);
    expect(correct).toBe(10_000);
    expect(emu.stdout().match(/^REPORT /gm)).toHaveLength(10_500);
    expect(after - before).toBeLessThan(10);
  }, 300_000);
});
