import { awsErrorCode } from '../../../aws-errors';
import { encodeState, State } from './state';
import { VerifiedRequest } from './trust';
import { ContainmentError, Outcome } from './types';

/**
 * A create that failed after changing something: the answer carries the state of what was
 * changed as the physical id, so CloudFormation's rollback delete undoes exactly that.
 */
export class PartialChange extends ContainmentError {
  constructor(
    message: string,
    public readonly physicalResourceId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static of(error: unknown, v: VerifiedRequest, state: State): Error {
    if (v.type !== 'Create') return error as Error;
    const message =
      error instanceof ContainmentError
        ? error.message
        : `${awsErrorCode(error) || 'Error'}: ${String((error as Error)?.message ?? error)}`;
    return new PartialChange(message, encodeState(state), { cause: error });
  }
}

/** A delete of a resource whose recorded id is not a state this handler wrote: nothing to undo. */
export function noState(): Outcome {
  return { physicalResourceId: '', data: { Released: 'nothing-recorded' } };
}

export function changedOnUpdate(v: VerifiedRequest, what: string): ContainmentError {
  return new ContainmentError(
    `refused: ${v.state ? `this resource of stack ${v.stackName} contains another target; it cannot become ${what}` : `CloudFormation records no containment of this handler for this resource`}; release the stack and contain again`,
  );
}
