/**
 * Every failure the toolkit reports carries a stable code a user can search for.
 * UserError: the input was wrong (bad flag, port in use, bad config); printed
 * without a stack. SystemError: something around us failed (engine gone, disk full).
 */
export abstract class LambdaBaseError extends Error {
  abstract readonly exitCode: number;
  constructor(
    readonly code: string,
    message: string,
    /** What the user can do about it, one sentence. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UserError extends LambdaBaseError {
  readonly exitCode = 2;
}

export class SystemError extends LambdaBaseError {
  readonly exitCode = 3;
}

/** One line (two with a hint) a person can act on. */
export function describeError(error: unknown): string {
  if (error instanceof LambdaBaseError) {
    return `error[${error.code}]: ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ""}`;
  }
  return `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
