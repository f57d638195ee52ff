/**
 * CloudWatch Embedded Metric Format: one JSON object per line on stdout, which
 * CloudWatch Logs turns into metrics without an API call.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import type { InvokeRecord } from "./records.js";

const METRICS: Array<{ name: string; unit: string; value: (r: InvokeRecord) => number | undefined }> = [
  { name: "Duration", unit: "Milliseconds", value: (r) => r.durationMs },
  { name: "BilledDuration", unit: "Milliseconds", value: (r) => r.billedDurationMs },
  { name: "MaxMemoryUsed", unit: "Megabytes", value: (r) => r.maxMemoryUsedMB },
  { name: "MemorySize", unit: "Megabytes", value: (r) => r.memorySizeMB },
  { name: "InitDuration", unit: "Milliseconds", value: (r) => r.initDurationMs },
  { name: "ColdStart", unit: "Count", value: (r) => (r.coldStart ? 1 : 0) },
  { name: "Errors", unit: "Count", value: (r) => (r.status === "success" ? 0 : 1) },
];

export function emfLine(record: InvokeRecord, namespace: string): string {
  const present = METRICS.flatMap((m) => {
    const value = m.value(record);
    return value === undefined ? [] : [{ ...m, value }];
  });
  const parsed = Date.parse(record.startTime);
  const document: Record<string, unknown> = {
    _aws: {
      Timestamp: Number.isNaN(parsed) ? Date.now() : parsed,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [["FunctionName"]],
          Metrics: present.map((m) => ({ Name: m.name, Unit: m.unit })),
        },
      ],
    },
    FunctionName: record.functionName,
    ...Object.fromEntries(present.map((m) => [m.name, m.value])),
    // Properties, not metrics: searchable in Logs Insights, no metric cost.
    requestId: record.requestId,
    functionVersion: record.functionVersion,
    status: record.status,
    ...(record.errorType ? { errorType: record.errorType } : {}),
    complete: record.complete,
  };
  return JSON.stringify(document);
}
