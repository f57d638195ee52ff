// HTTP load shared by the invoke benchmarks: keep-alive POSTs of "{}" from N
// callers, latencies per invoke, invokes per second over the whole batch.
import http from "node:http";

export const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

export function post(url, body = "{}") {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        // a function error is a 200 with X-Amz-Function-Error on Lambda's invoke API: not a valid sample
        res.statusCode === 200 && !res.headers["x-amz-function-error"]
          ? resolve(Buffer.concat(chunks).toString())
          : reject(
              new Error(`${url}: status ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`),
            ),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** `count` invokes spread over `callers` concurrent callers, after `warmup` sequential ones. */
export async function measure(url, { callers, count, warmup }) {
  for (let i = 0; i < warmup; i++) await post(url);
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next++ < count) {
        const t = performance.now();
        await post(url);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    perSecond: latencies.length / seconds,
  };
}

export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Median of each figure over repeated rounds. */
export function medianOf(rounds) {
  return Object.fromEntries(Object.keys(rounds[0]).map((k) => [k, median(rounds.map((r) => r[k]))]));
}
