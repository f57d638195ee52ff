"use strict";
// Lambda ends an invocation hard at its timeout: the process is stopped mid-work and the
// invocation fails. A long job checks the time left before each unit of work and stops while it
// still has marginMs, so it can answer with how far it got.

/**
 * Calls work(index) for index 0..total-1 while context.getRemainingTimeInMillis() exceeds marginMs.
 * Returns { processed, remaining }: remaining > 0 means it stopped for the deadline.
 */
async function workUntilDeadline(context, total, work, { marginMs }) {
  let processed = 0;
  while (processed < total && context.getRemainingTimeInMillis() > marginMs) {
    await work(processed);
    processed += 1;
  }
  return { processed, remaining: total - processed };
}

exports.workUntilDeadline = workUntilDeadline;
