import { putRevoke, readInline, revokeTimeOf } from '../../lib/constructs/containment/handler/iam';
import { INLINE_POLICY_NAMES } from '../../lib/constructs/containment/names';
import { IrKitError } from '../../lib/errors';
import { ROLE_PARAMS } from '../../lib/stacks/containment/parameters';
import { awsFailure, ContainClients } from './aws';
import type { TargetResult } from './contain';
import { PreparedTarget } from './prepare';

/**
 * An IR role the actor assumed: its sessions issued before containment are revoked, never
 * deny-all'd (the responders need the role). The handler never changes an IR role, and its role
 * is denied doing so in IAM, so this one revoke is put directly by the caller, who prepare.ts has
 * checked is on the break-glass role (the only IR role allowed to write another's policies). It
 * is the kit's own revoke document under the kit's name; an inline policy of that name that the
 * kit did not write is never overwritten. Release does not lift it: remove it by hand once the
 * role's trust is reviewed.
 */
export async function revokeIrRoleSessions(
  clients: ContainClients,
  p: PreparedTarget,
  incidentId: string,
): Promise<TargetResult> {
  const at = p.parameters.find((x) => x.ParameterKey === ROLE_PARAMS.containmentTime)?.ParameterValue;
  if (!at) throw new IrKitError('IRKIT_INVALID_INPUT', `${p.label}: no containment time was prepared`);
  const policyName = INLINE_POLICY_NAMES.revokeOlderSessions(incidentId);
  try {
    const done = await putRevoke('role', p.target.name, policyName, at, clients);
    const now = revokeTimeOf(await readInline('role', p.target.name, policyName, clients));
    const verified = now !== undefined && Date.parse(now) >= Date.parse(at);
    return {
      label: p.label,
      stackName: '-',
      outcome: verified ? 'contained' : 'failed',
      verified,
      notes: [
        ...p.notes,
        `${done === 'written' ? 'put' : 'found'} inline policy ${policyName} directly as the break-glass role (no stack: the handler never changes an IR role)`,
        `release does not lift it: once the role's trust is reviewed, remove it with aws iam delete-role-policy --role-name ${p.target.name} --policy-name ${policyName}`,
      ],
      ...(verified ? {} : { reason: `the revoke on ${p.label} did not read back` }),
    };
  } catch (error) {
    if (error instanceof IrKitError) throw error;
    throw awsFailure(`revoking the older sessions of ${p.label}`, error);
  }
}
