// The smallest function of the family: answers with a greeting and where it ran.
export const handler = async (event, context) => ({
  message: `hello, ${event.name ?? "world"}`,
  node: process.versions.node,
  function: context.functionName,
});
