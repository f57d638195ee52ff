// A function URL handler that uses two shared libraries of the base image.
import { json, problem, readJsonBody } from "@acme/lambda-kit";
import { z } from "zod";

const Greeting = z.object({ name: z.string().min(1) });

export const handler = async (event) => {
  const body = readJsonBody(event);
  if (!body.ok) return problem(400, "InvalidJson", body.reason);
  const parsed = Greeting.safeParse(body.value);
  if (!parsed.success) return problem(400, "ValidationFailed", "send a non-empty name");
  return json(200, { greeting: `Hello, ${parsed.data.name}!` });
};
