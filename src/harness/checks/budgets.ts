import type { CheckContext } from "../context.js";
import type { CheckResult } from "../types.js";

interface Budget {
  name: string;
  limit: number;
  unit: string;
  measured: () => number | undefined;
  what: string;
}

/** One check per budget the config sets; a broken one says by how much. */
export function checkBudgets(ctx: CheckContext): CheckResult[] {
  const b = ctx.target.budgets;
  const budgets: Budget[] = [];
  if (b.coldStartP95Ms !== undefined)
    budgets.push({
      name: "budget:cold-start-p95",
      limit: b.coldStartP95Ms,
      unit: "ms",
      what: "cold start p95 (first invoke on a fresh container, request to response)",
      measured: () => (ctx.coldStart?.firstInvokeMs.count ? ctx.coldStart.firstInvokeMs.p95 : undefined),
    });
  if (b.maxMemoryUsedMb !== undefined)
    budgets.push({
      name: "budget:max-memory-used",
      limit: b.maxMemoryUsedMb,
      unit: "MB",
      what: "Max Memory Used",
      measured: () => {
        const used = ctx.invocations.flatMap((i) =>
          i.result.report ? [i.result.report.maxMemoryUsedMb] : [],
        );
        return used.length ? Math.max(...used) : undefined;
      },
    });
  if (b.imageSizeMb !== undefined)
    budgets.push({
      name: "budget:image-size",
      limit: b.imageSizeMb,
      unit: "MB",
      what: "image size",
      measured: () => Math.round(ctx.facts.sizeBytes / 1e4) / 100,
    });
  return budgets.map((budget) => {
    const value = budget.measured();
    if (value === undefined)
      return {
        name: budget.name,
        status: "failed",
        summary: `${budget.what}: nothing was measured (did the cold-start check run?)`,
        details: [],
        durationMs: 0,
      };
    const over = value - budget.limit;
    const percent = Math.round((over / budget.limit) * 100);
    return {
      name: budget.name,
      status: over > 0 ? "failed" : "passed",
      summary:
        over > 0
          ? `${budget.what} ${value} ${budget.unit} is ${Math.round(over * 100) / 100} ${budget.unit} (${percent}%) over the budget of ${budget.limit} ${budget.unit}`
          : `${budget.what} ${value} ${budget.unit}, within the budget of ${budget.limit} ${budget.unit}`,
      details: [],
      durationMs: 0,
    };
  });
}
