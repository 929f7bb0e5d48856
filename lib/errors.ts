/**
 * Every failure the kit reports to a person is an IrKitError: a stable code a script can
 * match on, a message that names the bad value, and a hint that says what to do next.
 */
export type IrKitErrorCode =
  | 'IRKIT_CONFIG'
  | 'IRKIT_INVALID_INPUT'
  | 'IRKIT_UNKNOWN_QUERY'
  | 'IRKIT_LOGS_MISSING'
  | 'IRKIT_LOGS_CORRUPT'
  | 'IRKIT_QUERY_FAILED'
  | 'IRKIT_QUERY_CANCELLED'
  | 'IRKIT_INTERRUPTED'
  | 'IRKIT_QUERY_TOO_EXPENSIVE'
  | 'IRKIT_KEY_NOT_OURS'
  | 'IRKIT_PROTECTED_PRINCIPAL'
  | 'IRKIT_PLAN_INVALID'
  | 'IRKIT_CONTAINMENT_FAILED'
  | 'IRKIT_UNKNOWN_INCIDENT'
  | 'IRKIT_EVIDENCE_MISSING'
  | 'IRKIT_EVIDENCE_INVALID'
  | 'IRKIT_NOT_CONTAINED'
  | 'IRKIT_ERADICATION_FAILED'
  | 'IRKIT_PRESERVATION_FAILED'
  | 'IRKIT_STATUS_INCOMPLETE'
  | 'IRKIT_AWS';

export class IrKitError extends Error {
  public readonly code: IrKitErrorCode;
  /** What the person should do about it. */
  public readonly hint?: string;

  constructor(code: IrKitErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IrKitError';
    this.code = code;
    this.hint = options.hint;
  }

  /** One line for a terminal: code, message, and the hint when there is one. */
  public describe(): string {
    return `${this.code}: ${this.message}${this.hint ? `\n  -> ${this.hint}` : ''}`;
  }
}

/** Shorthand for the commonest error: a value a person typed that the kit refuses. */
export function invalidInput(what: string, value: unknown, hint: string): IrKitError {
  return new IrKitError('IRKIT_INVALID_INPUT', `invalid ${what}: ${JSON.stringify(value)}`, { hint });
}
