/**
 * The telemetry extension: subscribes to the Telemetry API, keeps one record
 * per invoke (duration, billed duration, memory, init duration, cold start,
 * status, error type) and delivers them in batches to an HTTP endpoint, or as
 * EMF lines on stdout. At SHUTDOWN, whatever the reason, it waits briefly for
 * the reports still owed (a timed-out invoke's report may follow the SHUTDOWN
 * event) and delivers everything before Lambda's 2,000 ms budget runs out.
 */
import type { AddressInfo } from "node:net";
import { createLogger } from "../../log/logger.js";
import {
  ERROR_TYPES,
  SANDBOX_HOSTNAME,
  SHUTDOWN_BUDGET_MS,
  TELEMETRY_BUFFERING,
} from "../../protocol/lambda.js";
import { ExtensionsApi, extensionName, type ShutdownEvent } from "../shared/extensions-api.js";
import { reasonOf } from "../shared/http.js";
import { Delivery } from "./delivery.js";
import { startTelemetryListener } from "./listener.js";
import { InvokeRecords } from "./records.js";
import { readTelemetrySettings } from "./settings.js";

/** Of the shutdown budget, this much is kept for the final delivery rather than for waiting on reports. */
const DELIVERY_RESERVE_MS = 800;

export async function runTelemetryExtension(): Promise<never> {
  const name = extensionName();
  const logger = createLogger({ name });
  const runtimeApi = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!runtimeApi) {
    logger.error("AWS_LAMBDA_RUNTIME_API is not set: this program runs as a Lambda extension only");
    process.exit(1);
  }
  const api = new ExtensionsApi(runtimeApi, name);
  const registration = await api.register(["INVOKE", "SHUTDOWN"]);

  const failInit = async (message: string): Promise<never> => {
    logger.error(message);
    // Lambda's report names the extension already.
    await api.initError(ERROR_TYPES.extensionInit, message).catch(() => {});
    process.exit(1);
  };

  let settings: ReturnType<typeof readTelemetrySettings>;
  try {
    settings = readTelemetrySettings(process.env);
  } catch (error) {
    return failInit(reasonOf(error));
  }
  const records = new InvokeRecords(registration);
  const delivery = new Delivery({
    namespace: settings.namespace,
    batchSize: settings.batchSize,
    logger,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  });
  let queuedSince = 0;
  const maybeFlush = () => {
    const done = records.takeCompleted();
    if (done.length > 0) {
      if (delivery.queued === 0) queuedSince = Date.now();
      delivery.add(done);
    }
    const due = delivery.queued > 0 && Date.now() - queuedSince >= settings.flushMs;
    if (delivery.queued >= settings.batchSize || due) {
      queuedSince = Date.now();
      void delivery.flush();
    }
  };

  let port = settings.port;
  try {
    const server = await startTelemetryListener(
      settings.port,
      (events) => {
        for (const event of events) records.accept(event);
        maybeFlush();
      },
      logger,
      !settings.portSet,
    );
    port = (server.address() as AddressInfo).port;
  } catch (error) {
    return failInit(
      `cannot listen on 127.0.0.1:${settings.port} (${reasonOf(error)}); set LAMBDA_BASE_TELEMETRY_PORT`,
    );
  }
  const subscription = await api
    .subscribeTelemetry({
      types: ["platform"],
      buffering: {
        maxItems: TELEMETRY_BUFFERING.maxItems.min,
        maxBytes: TELEMETRY_BUFFERING.maxBytes.min,
        timeoutMs: settings.bufferMs,
      },
      destinationUri: `http://${SANDBOX_HOSTNAME}:${port}/`,
    })
    .catch((error: unknown) => ({ status: 0, body: reasonOf(error) }));
  if (subscription.status !== 200) {
    // The function must still run: a monitoring gap is not a reason to fail init.
    logger.warn(
      `the Telemetry API refused the subscription (HTTP ${subscription.status}: ${subscription.body.trim()}); no platform metrics will be recorded`,
    );
  }
  // Lambda freezes the environment between invokes; this timer only matters while it runs.
  setInterval(maybeFlush, Math.max(100, Math.min(settings.flushMs, 1000))).unref();

  let shuttingDown: Promise<never> | undefined;
  const shutdown = (event: ShutdownEvent): Promise<never> => {
    shuttingDown ??= finish(event);
    return shuttingDown;
  };
  const finish = async (event: ShutdownEvent): Promise<never> => {
    const deadline = Number.isFinite(event.deadlineMs)
      ? event.deadlineMs
      : Date.now() + SHUTDOWN_BUDGET_MS.external;
    await records.settled(deadline - DELIVERY_RESERVE_MS);
    const all = records.takeAll();
    const missing = all.filter((r) => !r.complete).length;
    delivery.add(all);
    const total = delivery.queued;
    await delivery.flushFinal(Math.max(100, deadline - Date.now() - 200));
    logger.info(
      `shutdown (${event.shutdownReason}): delivered ${total} records${missing > 0 ? `, ${missing} without a platform.report` : ""}`,
    );
    process.exit(0);
  };
  process.once("SIGTERM", () => {
    void shutdown({ eventType: "SHUTDOWN", shutdownReason: "spindown", deadlineMs: Date.now() + 1000 });
  });

  for (;;) {
    let event: Awaited<ReturnType<typeof api.next>>;
    try {
      event = await api.next();
    } catch (error) {
      if (shuttingDown) return shuttingDown;
      // The Runtime API is gone (the platform died under us): still deliver what was recorded.
      logger.warn(`the Extensions API failed (${reasonOf(error)}); delivering the records and stopping`);
      delivery.add(records.takeAll());
      await delivery.flushFinal(1000).catch(() => {});
      process.exit(1);
    }
    if (event.eventType === "SHUTDOWN") return shutdown(event);
    records.invoked(event.requestId);
    maybeFlush();
  }
}
