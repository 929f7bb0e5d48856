import { EVIDENCE_STACK } from '../names';

/** IAM's policy variable for the account of the principal making the request. */
export const PRINCIPAL_ACCOUNT_VARIABLE = '${aws:PrincipalAccount}';

/**
 * Where a member account's break-glass role may write in the security account's evidence bucket:
 * its own account's folder of any incident, `incidents/ID/accounts/ITS-ACCOUNT/...` (`own`).
 * IAM's `*` matches `/` too, so `own` alone would also admit a key that nests that folder deeper,
 * inside another account's folder or anywhere in the incident's root
 * (`incidents/ID/accounts/OTHER/accounts/ITS-ACCOUNT/x`): `nested` names exactly those keys, to
 * deny them. No key irkit writes is nested: an incident id has no `/`, and every segment after
 * the account's folder is a fixed name or percent-encoded (evidenceSegment).
 */
export function memberEvidenceObjects(bucketArn: string): { readonly own: string; readonly nested: string } {
  const { incidentsPrefix, accountsFolder } = EVIDENCE_STACK;
  const folder = `${accountsFolder}${PRINCIPAL_ACCOUNT_VARIABLE}/*`;
  return {
    own: `${bucketArn}/${incidentsPrefix}*/${folder}`,
    nested: `${bucketArn}/${incidentsPrefix}*/*/${folder}`,
  };
}
