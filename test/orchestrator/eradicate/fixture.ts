import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { STSClient } from '@aws-sdk/client-sts';

import { ContainClients } from '../../../orchestrator/contain/aws';
import { demoInvestigation, InvestigationResult } from '../../../orchestrator/investigate';
import {
  appendManifestRun,
  EvidenceKind,
  incidentPrefix,
  INVESTIGATION_PATH,
  LocalEvidenceStore,
  sha256Hex,
} from '../../../orchestrator/preserve';
import { ACCOUNT, WireAccount } from '../../support/wire-account';

export const INCIDENT = 'IR-DEMO';
export const EXPOSED_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const ACTOR_KEY = 'AKIAI44QH8DHBEXAMPLE';
export const BUCKET = 'DOC-EXAMPLE-BUCKET';
export const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/iam-containment-policy`;
export const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** The demo incident investigated offline, as `irkit investigate --incident IR-DEMO --out FILE` writes it. */
export async function demoResult(): Promise<InvestigationResult> {
  return (await demoInvestigation({ backgroundEvents: 100, incidentId: INCIDENT })).result;
}

/** The account after the workshop attack and its containment: JaneDoe, her bucket, JorgeSouza's exposed key. */
export function attackedAccount(account: WireAccount): void {
  account.addUser('JorgeSouza', {
    keys: new Map([
      [EXPOSED_KEY, 'Inactive'],
      ['AKIAJORGEOTHERKEY000', 'Active'],
    ]),
    attached: [POLICY_ARN],
  });
  account.addUser('JaneDoe', {
    keys: new Map([[ACTOR_KEY, 'Inactive']]),
    attached: [ADMIN, POLICY_ARN],
    inline: new Map([[`IrKitRevokeOlderSessions-${INCIDENT}`, '{}']]),
    loginProfile: true,
    groups: ['Developers'],
    mfa: [`arn:aws:iam::${ACCOUNT}:mfa/JaneDoe`],
  });
  account.buckets.set(BUCKET, {
    policy: '{}',
    versions: [
      { Key: 'stuff', VersionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY' },
      { Key: 'stuff', VersionId: 'null', deleteMarker: true },
    ],
  });
  for (const [kind, key, name] of [
    ['user', 'UserName', 'JorgeSouza'],
    ['user', 'UserName', 'JaneDoe'],
    ['bucket', 'BucketName', BUCKET],
  ]) {
    const stack = account.addStack(`irkit-contain-${INCIDENT}-${kind}-${name}`, {
      IncidentId: INCIDENT,
      [key]: name,
    });
    stack.status = 'CREATE_COMPLETE';
  }
}

/**
 * A local evidence store holding a verified manifest of the incident: the raw records (one
 * item) and, when given, the investigation document as `irkit preserve` keeps it.
 */
export async function preservedEvidence(investigation?: Buffer): Promise<LocalEvidenceStore> {
  const store = new LocalEvidenceStore(mkdtempSync(join(tmpdir(), 'irkit-erad-evidence-')));
  const files: Array<[string, EvidenceKind, Buffer]> = [
    ['cloudtrail/records.json', 'cloudtrail-records', Buffer.from('{"Records":[]}\n')],
    ...(investigation
      ? [[INVESTIGATION_PATH, 'investigation', investigation] as [string, EvidenceKind, Buffer]]
      : []),
  ];
  for (const [path, , body] of files)
    await store.write(`${incidentPrefix(INCIDENT)}${path}`, body, sha256Hex(body));
  await appendManifestRun(store, INCIDENT, {
    operator: `arn:aws:sts::${ACCOUNT}:assumed-role/SecurityBreakGlassRole/responder`,
    tool: 'irkit test',
    startedAt: '2021-07-26T00:40:00.000Z',
    items: files.map(([path, kind, body]) => ({
      path,
      kind,
      sha256: sha256Hex(body),
      size: body.length,
      source: 'test',
      collectedBy: 'test',
      collectedAt: '2021-07-26T00:40:00.000Z',
    })),
  });
  return store;
}

export function clientsOf(account: WireAccount, maxAttempts = 3): ContainClients {
  return {
    ...account.clients(maxAttempts),
    sts: new STSClient(account.wire.clientConfig('sts', { maxAttempts })),
  };
}

/** The demo investigation, as if the actor had done the same in other accounts: each a plan of its own. */
export function acrossAccounts(base: InvestigationResult, accounts: readonly string[]): InvestigationResult {
  return {
    ...base,
    principals: [
      ...base.principals,
      ...accounts.flatMap((account) =>
        base.principals.map((p) => ({ ...p, id: `${p.id}@${account}`, account })),
      ),
    ],
    otherAccountPlans: accounts.map((accountId) => ({ ...base.containmentPlan, accountId })),
  };
}
