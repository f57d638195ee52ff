// An orders API behind API Gateway (HTTP API, payload 2.0) or a Lambda function URL.
// Shared libraries from the base image: the logger and zod (platform-deps), the router and
// response helpers (@acme/lambda-kit). Bad input gets a 4xx answer, never a function error.
import { createRouter, json, problem, readJsonBody, requestLine } from "@acme/lambda-kit";
import { Logger } from "@aws-lambda-powertools/logger";
import { z } from "zod";

const logger = new Logger();

/** Unit prices in cents; a real service would read them from its catalogue. */
const PRICES_CENTS = { "BOOK-1": 1250, "MUG-2": 899 };

const Order = z
  .object({
    sku: z.string().regex(/^[A-Z0-9]+-[0-9]+$/, "must look like BOOK-1"),
    quantity: z.number().int().min(1).max(100),
    note: z.string().max(200).optional(),
  })
  .strict();

function createOrder({ event }) {
  const body = readJsonBody(event);
  if (!body.ok) return problem(400, "InvalidJson", body.reason);
  const parsed = Order.safeParse(body.value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    return problem(400, "ValidationFailed", "the order does not match the schema", { issues });
  }
  const order = parsed.data;
  const unitCents = PRICES_CENTS[order.sku];
  if (unitCents === undefined) return problem(422, "UnknownSku", `no product with sku ${order.sku}`);
  // The request id makes a retried request find the same order id (idempotent creation).
  const orderId = `ord-${event.requestContext.requestId}`;
  const created = { orderId, sku: order.sku, quantity: order.quantity, totalCents: unitCents * order.quantity };
  if (order.note) created.note = order.note;
  return json(201, created, { location: `/orders/${encodeURIComponent(orderId)}` });
}

const route = createRouter({
  "GET /": () => json(200, { service: "orders", routes: ["GET /", "POST /orders"] }),
  "POST /orders": createOrder,
});

export const handler = async (event, context) => {
  logger.addContext(context);
  const response = await route(event, context);
  logger.info("request", { ...requestLine(event), statusCode: response.statusCode });
  return response;
};
