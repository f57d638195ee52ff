"use strict";
// Partial batch responses: Lambda deletes every message of the batch except those listed in
// batchItemFailures, which return to the queue. Needs ReportBatchItemFailures on the event source
// mapping; without it, any error fails the whole batch.

/**
 * Runs handleRecord on each record in order and lists the ones that threw. On a FIFO queue the
 * records after a failure are listed too, unprocessed: processing them would break the order.
 */
async function processBatch(event, handleRecord, onFailure = () => {}) {
  const records = Array.isArray(event?.Records) ? event.Records : [];
  const fifo = records.some((record) => String(record.eventSourceARN ?? "").endsWith(".fifo"));
  const batchItemFailures = [];
  for (const record of records) {
    if (fifo && batchItemFailures.length > 0) {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      await handleRecord(record);
    } catch (error) {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      onFailure(record, error);
    }
  }
  return { batchItemFailures };
}

exports.processBatch = processBatch;
