// Consumes order events from SQS and reports partial batch failures: only the messages listed in
// batchItemFailures return to the queue (the event source mapping needs ReportBatchItemFailures).
import { processBatch } from "@acme/lambda-kit";
import { Logger } from "@aws-lambda-powertools/logger";
import { z } from "zod";

const logger = new Logger();

const OrderEvent = z.object({ orderId: z.string().min(1), action: z.enum(["ship", "cancel"]) });

async function handleRecord(record) {
  // A body that is not JSON, or not an order event, throws: that message fails, the others go on.
  const message = OrderEvent.parse(JSON.parse(record.body));
  logger.info("order event", { messageId: record.messageId, ...message });
}

export const handler = async (event, context) => {
  logger.addContext(context);
  return processBatch(event, handleRecord, (record, error) =>
    logger.warn("message failed", { messageId: record.messageId, reason: error.name }),
  );
};
