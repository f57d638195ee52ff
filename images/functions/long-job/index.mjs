// A batch job that may run up to Lambda's 15-minute ceiling. Before each unit of work it checks
// context.getRemainingTimeInMillis() and stops while marginMs remain, answering with how far it
// got (resumeFrom), instead of being cut off by the timeout with the work in an unknown state.
import { setTimeout as sleep } from "node:timers/promises";
import { workUntilDeadline } from "@acme/lambda-kit";
import { Logger } from "@aws-lambda-powertools/logger";
import { z } from "zod";

const logger = new Logger();

const Job = z
  .object({
    jobId: z.string().min(1),
    items: z.number().int().min(0),
    startAt: z.number().int().min(0).default(0),
    /** stands in for the real work of one item */
    itemMs: z.number().int().min(0).max(60_000),
    marginMs: z.number().int().min(0).max(900_000).default(10_000),
  })
  .strict();

export const handler = async (event, context) => {
  logger.addContext(context);
  const job = Job.parse(event);
  const total = job.items - Math.min(job.startAt, job.items);
  const { processed, remaining } = await workUntilDeadline(context, total, () => sleep(job.itemMs), {
    marginMs: job.marginMs,
  });
  if (remaining === 0) return { jobId: job.jobId, status: "completed", processed };
  const resumeFrom = job.startAt + processed;
  logger.warn("stopping before the deadline", { jobId: job.jobId, resumeFrom, remaining });
  return { jobId: job.jobId, status: "stopped-before-deadline", processed, remaining, resumeFrom };
};
