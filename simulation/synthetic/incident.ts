import { numberCalls } from './private/calls';
import { Scenario, createScenario } from './scenario';
import { ScenarioCall } from './types';
import {
  IncidentFlowRecord,
  TruthPrincipal,
  TruthResource,
  TruthRoleTarget,
  TruthTarget,
  VARIANT_NAMES,
  VariantName,
  VariantTruth,
  Variants,
  buildVariant,
} from './variants';

/**
 * The incident the generator writes: the playbook's calls plus those of the chosen variants,
 * and what an investigation of it must find.
 */
export interface GroundTruth {
  readonly accountId: string;
  /** The playbook's query window. */
  readonly window: { readonly from: string; readonly to: string };
  readonly exposedAccessKeyId: string;
  readonly variants: readonly VariantName[];
  /** Every incident call in time order (the variants' included). */
  readonly calls: readonly ScenarioCall[];
  /** Principals the actor used, starting with the exposed key's user. */
  readonly principals: readonly TruthPrincipal[];
  /** Every access key id the actor used (AKIA and ASIA). */
  readonly accessKeyIds: readonly string[];
  readonly sourceIps: readonly string[];
  readonly userAgents: readonly string[];
  /** Resources created, modified or deleted, in time order. */
  readonly resources: readonly TruthResource[];
  /** The probing calls of the playbook's recon. */
  readonly probedEventNames: readonly string[];
  readonly network: {
    /** Flow records involving the actor's IPs (0 in the playbook's incident). */
    readonly flowRecords: number;
    /**
     * What the library's key-network-activity returns for the exposed key: the flow records
     * whose source or destination is one of the key's source IPs, each counted once.
     */
    readonly joinRows: readonly {
      readonly sourceaddress: string;
      readonly destinationaddress: string;
      readonly count: number;
    }[];
  };
  /** What the containment plan must hold: users to deny, roles to revoke or deny, buckets to lock, instances to isolate. */
  readonly containment: {
    readonly users: readonly TruthTarget[];
    readonly roles: readonly TruthRoleTarget[];
    readonly buckets: readonly TruthTarget[];
    /** Instances the actor launched (and did not terminate itself): isolated. */
    readonly instances: readonly TruthTarget[];
  };
  readonly variantTruth: { readonly [K in VariantName]?: VariantTruth };
}

export interface Incident {
  readonly scenario: Scenario;
  readonly calls: readonly ScenarioCall[];
  readonly flowRecords: readonly IncidentFlowRecord[];
  readonly groundTruth: GroundTruth;
}

export interface IncidentOptions {
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly flowLogs: boolean;
  readonly variants?: Variants;
}

const unique = <T>(items: readonly T[]) => [...new Set(items)];

function baseTruth(s: Scenario): { principals: TruthPrincipal[]; resources: TruthResource[] } {
  const on = { account: s.accountId, region: s.region } as const;
  const t = (name: string) => s.calls.find((c) => c.eventName === name)?.eventTime ?? '';
  return {
    principals: [
      {
        kind: 'IAMUser',
        name: s.actor.userName,
        account: s.accountId,
        arn: s.actor.arn,
        accessKeyIds: [s.actor.accessKeyId],
        reachedBy: 'exposed key',
      },
      {
        kind: 'IAMUser',
        name: s.rogueUser.userName,
        account: s.accountId,
        arn: s.rogueUser.arn,
        accessKeyIds: [s.rogueUser.accessKeyId],
        reachedBy: 'CreateUser',
        from: s.actor.userName,
      },
    ],
    resources: [
      {
        ...on,
        type: 'AWS::IAM::User',
        name: s.rogueUser.userName,
        action: 'created',
        eventName: 'CreateUser',
        by: s.actor.userName,
        time: t('CreateUser'),
      },
      {
        ...on,
        type: 'AWS::IAM::User',
        name: s.rogueUser.userName,
        action: 'modified',
        eventName: 'AttachUserPolicy',
        by: s.actor.userName,
        time: t('AttachUserPolicy'),
      },
      {
        ...on,
        type: 'AWS::IAM::AccessKey',
        name: s.rogueUser.accessKeyId,
        action: 'created',
        eventName: 'CreateAccessKey',
        by: s.actor.userName,
        time: t('CreateAccessKey'),
      },
      {
        ...on,
        type: 'AWS::S3::Bucket',
        name: s.bucketName,
        action: 'created',
        eventName: 'CreateBucket',
        by: s.rogueUser.userName,
        time: t('CreateBucket'),
      },
      {
        ...on,
        type: 'AWS::S3::Object',
        name: `${s.bucketName}/${s.objectKey}`,
        action: 'created',
        eventName: 'PutObject',
        by: s.rogueUser.userName,
        time: t('PutObject'),
      },
    ],
  };
}

/** Merges principals of the same account and name, keeping the first way it was reached. */
function mergePrincipals(list: readonly TruthPrincipal[]): TruthPrincipal[] {
  const out = new Map<string, TruthPrincipal>();
  for (const p of list) {
    const id = `${p.account}/${p.kind}/${p.name}`;
    const seen = out.get(id);
    out.set(id, seen ? { ...seen, accessKeyIds: unique([...seen.accessKeyIds, ...p.accessKeyIds]) } : p);
  }
  return [...out.values()];
}

/** The key's flow records by source and destination, computed from the incident's own data. */
function joinRows(calls: readonly ScenarioCall[], flows: readonly IncidentFlowRecord[], key: string) {
  const keyIps = new Set(
    calls.filter((c) => c.userIdentity.accessKeyId === key).map((c) => c.sourceIPAddress),
  );
  const counts = new Map<string, number>();
  for (const f of flows) {
    if (!keyIps.has(f.srcaddr) && !keyIps.has(f.dstaddr)) continue;
    const id = `${f.srcaddr} ${f.dstaddr}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([id, count]) => {
      const [sourceaddress, destinationaddress] = id.split(' ');
      return { sourceaddress, destinationaddress, count };
    })
    .sort((a, b) => b.count - a.count || a.sourceaddress.localeCompare(b.sourceaddress));
}

export function buildIncident(options: IncidentOptions): Incident {
  const scenario = createScenario(options.accounts[0]);
  const chosen = VARIANT_NAMES.filter((name) => options.variants?.[name]);
  const ctx = { scenario, accounts: options.accounts, regions: options.regions, flowLogs: options.flowLogs };
  const builds = chosen.map((name) => ({ name, ...buildVariant(name, ctx) }));
  const calls = numberCalls([...scenario.calls, ...builds.flatMap((b) => b.calls)]);
  const flowRecords = builds.flatMap((b) => b.flowRecords);
  const base = baseTruth(scenario);
  const resources = [...base.resources, ...builds.flatMap((b) => b.truth.resources)].sort((a, b) =>
    a.time.localeCompare(b.time),
  );
  const principals = mergePrincipals([...base.principals, ...builds.flatMap((b) => b.truth.principals)]);
  const deleted = new Set(
    resources.filter((r) => r.action === 'deleted').map((r) => `${r.account}/${r.type}/${r.name}`),
  );
  const buckets = resources
    .filter((r) => r.type === 'AWS::S3::Bucket' && r.action === 'created')
    .filter((r) => !deleted.has(`${r.account}/${r.type}/${r.name}`))
    .map((r) => ({ account: r.account, name: r.name }));
  const terminated = new Set(
    resources
      .filter((r) => r.type === 'AWS::EC2::Instance' && r.eventName === 'TerminateInstances')
      .map((r) => `${r.account}/${r.name}`),
  );
  const instances = resources
    .filter((r) => r.type === 'AWS::EC2::Instance' && r.action === 'created')
    .filter((r) => !terminated.has(`${r.account}/${r.name}`))
    .map((r) => ({ account: r.account, name: r.name }));
  const users = principals
    .filter((p) => p.kind === 'IAMUser')
    .map((p) => ({ account: p.account, name: p.name }));
  // Roles the actor used, created or changed; deny-all for those it created or re-trusted.
  const roleChanges = resources.filter((r) => r.type === 'AWS::IAM::Role');
  const rogue = new Set(
    roleChanges
      .filter((r) => r.eventName === 'CreateRole' || r.eventName === 'UpdateAssumeRolePolicy')
      .map((r) => `${r.account}/${r.name}`),
  );
  const roles = new Map<string, TruthRoleTarget>();
  for (const { account, name } of [...principals.filter((p) => p.kind === 'Role'), ...roleChanges]) {
    const id = `${account}/${name}`;
    roles.set(id, { account, name, mode: rogue.has(id) ? 'deny-all' : 'revoke' });
  }

  const groundTruth: GroundTruth = {
    accountId: scenario.accountId,
    window: scenario.window,
    exposedAccessKeyId: scenario.actor.accessKeyId,
    variants: chosen,
    calls,
    principals,
    accessKeyIds: unique(calls.map((c) => c.userIdentity.accessKeyId).filter((k): k is string => !!k)),
    // AWS's own calls (its quarantine) are not the actor's.
    sourceIps: unique(calls.filter((c) => c.principal !== 'aws').map((c) => c.sourceIPAddress)),
    userAgents: unique(calls.filter((c) => c.principal !== 'aws').map((c) => c.userAgent)),
    resources,
    probedEventNames: scenario.probeEventNames,
    network: {
      flowRecords: flowRecords.length,
      joinRows: joinRows(calls, flowRecords, scenario.actor.accessKeyId),
    },
    containment: { users, roles: [...roles.values()], buckets, instances },
    variantTruth: Object.fromEntries(builds.map((b) => [b.name, b.truth])),
  };
  return { scenario, calls, flowRecords, groundTruth };
}
