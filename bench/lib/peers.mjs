// The three local invoke paths compared by local-invoke.mjs, each started as its
// own process around the same no-op ES module handler, and stopped by its pid.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { post } from "./load.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bench = join(root, "bench");
// the same CommonJS no-op handler for every peer (lambda-local serves no ES module over HTTP)
const handlers = join(bench, "fixtures/noop");

export async function freePort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** Peers that had to be killed because they did not exit within 5 s of SIGTERM. */
export const stuck = [];

function start(command, args, options, readyLine) {
  // its own process group, so that a peer that ignores SIGTERM goes down with all its children
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const ready = new Promise((resolve, reject) => {
    const onData = (c) => {
      output += c;
      const m = readyLine.exec(output);
      if (m) resolve(m);
      if (output.length > 100_000) output = output.slice(-10_000);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`${args.join(" ")} exited ${code}:\n${output.slice(-3000)}`)),
    );
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const grace = setTimeout(() => {
        stuck.push(args.slice(0, 2).join(" "));
        process.kill(-child.pid, "SIGKILL");
      }, 5000);
      child.once("exit", () => {
        clearTimeout(grace);
        // whatever the peer started and left behind in its group
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
        resolve();
      });
      // to the whole group, as a terminal's Ctrl-C reaches a process and its children
      process.kill(-child.pid, "SIGTERM");
    });
  return { child, ready, stop };
}

async function untilAnswers(url, deadlineMs = 30_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await post(url);
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** lambda-base emulate around the real aws-lambda-ric (the devDependency, 3.3.0 on this Node 20 host). */
export async function startOurs({ environments }) {
  const p = start(
    process.execPath,
    [
      join(root, "bin/lambda-base.js"),
      "emulate",
      "--runtime-interface-emulator-address",
      "127.0.0.1:0",
      "--environments",
      String(environments),
      "--init-at-start",
      "--",
      process.execPath,
      join(root, "node_modules/aws-lambda-ric/bin/index.mjs"),
      "index.handler",
    ],
    { cwd: handlers },
    /listening on (http:\/\/127\.0\.0\.1:\d+\/2015-03-31\/functions\/function\/invocations)/,
  );
  const [, url] = await p.ready;
  await untilAnswers(url);
  return { url, stop: p.stop, child: p.child };
}

/** lambda-local's own HTTP server (--watch), the way its README runs a handler as a server. */
export async function startLambdaLocal() {
  const port = await freePort();
  const p = start(
    process.execPath,
    [
      // lambda-local's server listens on every interface; this preload keeps it on loopback
      "--import",
      join(bench, "lib/loopback-only.mjs"),
      join(bench, "node_modules/lambda-local/build/cli.js"),
      "--lambda-path",
      join(handlers, "index.js"),
      "--handler",
      "handler",
      "--verboselevel",
      "0",
      "--watch",
      String(port),
    ],
    { cwd: handlers },
    /listening on/,
  );
  const url = `http://127.0.0.1:${port}/`;
  await p.ready;
  await untilAnswers(url);
  return { url, stop: p.stop };
}

/**
 * serverless-offline 13 under Serverless Framework 3 (v4 downloads its binary from
 * serverless.com at first run and needs a login, which this machine cannot reach),
 * invoked through its Lambda invoke endpoint, in its default mode (worker threads).
 */
export async function startServerlessOffline() {
  const dir = mkdtempSync(join(os.tmpdir(), "lb-bench-sls-"));
  copyFileSync(join(handlers, "index.js"), join(dir, "index.js"));
  copyFileSync(join(handlers, "package.json"), join(dir, "package.json"));
  symlinkSync(join(bench, "node_modules"), join(dir, "node_modules"));
  writeFileSync(
    join(dir, "serverless.yml"),
    [
      "service: bench",
      'frameworkVersion: "3"',
      "provider: { name: aws, runtime: nodejs20.x }",
      "plugins: [serverless-offline]",
      "functions:",
      "  noop: { handler: index.handler }",
      "",
    ].join("\n"),
  );
  const [lambdaPort, httpPort, websocketPort] = [await freePort(), await freePort(), await freePort()];
  const p = start(
    process.execPath,
    [
      join(bench, "node_modules/serverless/bin/serverless.js"),
      "offline",
      "start",
      "--host",
      "127.0.0.1",
      "--lambdaPort",
      String(lambdaPort),
      "--httpPort",
      String(httpPort),
      "--websocketPort",
      String(websocketPort),
      "--noSponsor",
    ],
    {
      cwd: dir,
      // no telemetry, update or notification calls to serverless.com
      env: { ...process.env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off", CI: "true" },
    },
    /\[http for lambda\] listening on/,
  );
  await p.ready;
  const url = `http://127.0.0.1:${lambdaPort}/2015-03-31/functions/bench-dev-noop/invocations`;
  await untilAnswers(url);
  return {
    url,
    stop: async () => {
      await p.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
