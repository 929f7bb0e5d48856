import { PATTERNS } from '../../lib/validation';
import { Approval, ManualAction, ManualTarget, PlanEvidence } from '../contain/plan';
import { Principal, PolicyChange, Resource } from './types';

/**
 * The playbook's steps 9 and 10 for what `irkit contain` cannot run: each rogue resource the
 * actor launched, commanded, shared or switched off, and each change the actor made to a
 * pre-existing principal, as the exact AWS CLI command a responder would run. Every value in a
 * command comes from the logs, so each is checked against a strict pattern first; a value that
 * fails gets no command, only the action and "not a valid id: check by hand".
 */

/** Strict patterns for every value that goes into a command (none admits a space or a quote). */
export const VALUE_PATTERNS = {
  instance: /^i-[0-9a-f]{8,17}$/,
  snapshot: /^snap-[0-9a-f]{8,17}$/,
  image: /^ami-[0-9a-f]{8,17}$/,
  account: /^\d{12}$/,
  region: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
  /** CloudTrail: 3-128 letters, digits, `.`, `_`, `-`, starting and ending with a letter or digit; or its ARN. */
  trail:
    /^(arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/)?[A-Za-z0-9](?:[A-Za-z0-9._-]{1,126})[A-Za-z0-9]$/,
  detector: /^[0-9a-f]{32}$/,
  /** Lambda: 1-64 letters, digits, `-`, `_`; or the function's ARN. */
  function: /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/,
  iamName: PATTERNS.iamName,
  policyName: PATTERNS.iamPolicyName,
  accessKey: /^AKIA[A-Z0-9]{16}$/,
  policyArn: PATTERNS.iamPolicyArn,
} as const;

const INVALID = 'not a valid id: check by hand';

/** A manual action and the account whose plan holds it. */
export interface AccountAction {
  readonly account: string | null;
  readonly action: ManualAction;
}

export interface AccountApproval {
  readonly account: string | null;
  readonly approval: Approval;
}

type Check = readonly [keyof typeof VALUE_PATTERNS, string];

/** The command when every value passes its pattern; otherwise the failing value. */
function command(parts: readonly string[], checks: readonly Check[]): { command?: string; invalid?: string } {
  const bad = checks.find(([pattern, value]) => !VALUE_PATTERNS[pattern].test(value));
  return bad ? { invalid: bad[1] } : { command: parts.join(' ') };
}

function action(
  target: ManualTarget,
  name: string,
  region: string | undefined,
  what: string,
  built: { command?: string; invalid?: string },
  evidence: readonly PlanEvidence[],
): ManualAction {
  return {
    target,
    name,
    ...(region && VALUE_PATTERNS.region.test(region) ? { region } : {}),
    action: built.invalid !== undefined ? `${what}; ${JSON.stringify(built.invalid)} is ${INVALID}` : what,
    ...(built.command !== undefined ? { command: built.command } : {}),
    evidence,
  };
}

function resourceEvidence(r: Resource, reason: string): PlanEvidence {
  return {
    reason,
    eventName: r.eventName,
    eventTime: r.eventTime,
    ...(r.eventId ? { eventId: r.eventId } : {}),
    eventSource: r.eventSource,
    ...(r.sourceIp ? { sourceIp: r.sourceIp } : {}),
    actor: r.by,
  };
}

function regionArgs(region: string): string[] {
  return ['--region', region];
}

/** Resources of one type, grouped by account, region and name (the name may be null: skipped). */
function grouped(resources: readonly Resource[], type: string): Resource[][] {
  const groups = new Map<string, Resource[]>();
  for (const r of resources) {
    if (r.type !== type || r.name === null || r.action === 'probed') continue;
    const key = `${r.account ?? ''}|${r.region}|${r.name}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()];
}

function instanceActions(resources: readonly Resource[]): AccountAction[] {
  return grouped(resources, 'AWS::EC2::Instance').flatMap((events) => {
    const first = events[0];
    const id = first.name as string;
    if (events.some((e) => /^TerminateInstances/.test(e.eventName))) return [];
    const acted = events.filter((e) => !/^(Stop|Terminate)Instances/.test(e.eventName));
    if (acted.length === 0) return [];
    const launched = acted.some((e) => e.action === 'created');
    const what = launched
      ? `stop the instance the actor launched (stop, do not terminate: keep it for forensics, playbook step 14)`
      : `stop the pre-existing instance the actor commanded (${[...new Set(acted.map((e) => e.eventName))].join(', ')}), with its owner's approval; keep it for forensics`;
    const built = command(
      ['aws', 'ec2', 'stop-instances', '--instance-ids', id, ...regionArgs(first.region)],
      [
        ['instance', id],
        ['region', first.region],
      ],
    );
    const evidence = acted.map((e) =>
      resourceEvidence(e, `${e.eventName} by ${e.by}${e.detail ? ` (${e.detail})` : ''}`),
    );
    return [{ account: first.account, action: action('instance', id, first.region, what, built, evidence) }];
  });
}

/** Accounts, and whether made public, from a resource's `shared with account A, B; made public (group all)`. */
function sharedWith(detail: string | undefined): { accounts: string[]; isPublic: boolean } {
  const listed = /shared with account ([^;]+)/.exec(detail ?? '')?.[1] ?? '';
  return {
    accounts: listed
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a.length > 0),
    isPublic: /made public \(group all\)/.test(detail ?? ''),
  };
}

function sharingActions(resources: readonly Resource[], kind: 'snapshot' | 'image'): AccountAction[] {
  const type = kind === 'snapshot' ? 'AWS::EC2::Snapshot' : 'AWS::EC2::Image';
  return grouped(resources, type).flatMap((events) =>
    events.flatMap((e): AccountAction[] => {
      const { accounts, isPublic } = sharedWith(e.detail);
      const id = e.name as string;
      const checks: Check[] = [
        [kind, id],
        ['region', e.region],
      ];
      const base =
        kind === 'snapshot'
          ? [
              'aws',
              'ec2',
              'modify-snapshot-attribute',
              '--snapshot-id',
              id,
              '--attribute',
              'createVolumePermission',
            ]
          : ['aws', 'ec2', 'modify-image-attribute', '--image-id', id, '--attribute', 'launchPermission'];
      const out: AccountAction[] = [];
      const label = kind === 'snapshot' ? 'snapshot' : 'image';
      const evidence = [resourceEvidence(e, `${e.eventName} by ${e.by}: ${e.detail ?? ''}`)];
      if (accounts.length > 0) {
        const built = command(
          [...base, '--operation-type', 'remove', '--user-ids', ...accounts, ...regionArgs(e.region)],
          [...checks, ...accounts.map((a): Check => ['account', a])],
        );
        const what = `stop sharing the ${label} with account ${accounts.join(', ')} (the actor shared it)`;
        out.push({ account: e.account, action: action(kind, id, e.region, what, built, evidence) });
      }
      if (isPublic) {
        const group = kind === 'snapshot' ? '--group-names' : '--user-groups';
        const built = command(
          [...base, '--operation-type', 'remove', group, 'all', ...regionArgs(e.region)],
          checks,
        );
        const what = `make the ${label} private again (the actor made it public)`;
        out.push({ account: e.account, action: action(kind, id, e.region, what, built, evidence) });
      }
      return out;
    }),
  );
}

function trailActions(resources: readonly Resource[]): AccountAction[] {
  return grouped(resources, 'AWS::CloudTrail::Trail').flatMap((events) => {
    const first = events[0];
    const name = first.name as string;
    const deleted = events.find((e) => e.eventName === 'DeleteTrail');
    const stopped = events.filter((e) => e.eventName === 'StopLogging');
    if (deleted) {
      return [
        {
          account: first.account,
          action: {
            target: 'trail',
            name,
            ...(VALUE_PATTERNS.region.test(first.region) ? { region: first.region } : {}),
            action:
              'the actor deleted the trail: recreate it with its former settings (the kit’s own trail: redeploy the kit); ' +
              'no single command restores it, and nothing was logged by it since',
            evidence: [resourceEvidence(deleted, `DeleteTrail by ${deleted.by}`)],
          },
        },
      ];
    }
    if (stopped.length === 0) return [];
    const built = command(
      ['aws', 'cloudtrail', 'start-logging', '--name', name, ...regionArgs(first.region)],
      [
        ['trail', name],
        ['region', first.region],
      ],
    );
    const evidence = stopped.map((e) => resourceEvidence(e, `StopLogging by ${e.by}`));
    const what = 'turn the trail’s logging back on (the actor stopped it; nothing was logged by it since)';
    return [{ account: first.account, action: action('trail', name, first.region, what, built, evidence) }];
  });
}

function detectorActions(resources: readonly Resource[]): AccountAction[] {
  return grouped(resources, 'AWS::GuardDuty::Detector').flatMap((events) => {
    const first = events[0];
    const id = first.name as string;
    const deleted = events.find((e) => e.eventName === 'DeleteDetector');
    if (deleted) {
      const built = command(
        ['aws', 'guardduty', 'create-detector', '--enable', ...regionArgs(first.region)],
        [['region', first.region]],
      );
      const what =
        'the actor deleted the GuardDuty detector: create a new one in the Region (its findings are gone)';
      const evidence = [resourceEvidence(deleted, `DeleteDetector by ${deleted.by}`)];
      return [
        { account: first.account, action: action('detector', id, first.region, what, built, evidence) },
      ];
    }
    const updated = events.filter((e) => e.eventName === 'UpdateDetector');
    if (updated.length === 0) return [];
    const built = command(
      ['aws', 'guardduty', 'update-detector', '--detector-id', id, '--enable', ...regionArgs(first.region)],
      [
        ['detector', id],
        ['region', first.region],
      ],
    );
    const what = 'the actor updated the GuardDuty detector (it may have disabled it): enable it again';
    const evidence = updated.map((e) => resourceEvidence(e, `UpdateDetector by ${e.by}`));
    return [{ account: first.account, action: action('detector', id, first.region, what, built, evidence) }];
  });
}

function functionActions(resources: readonly Resource[]): AccountAction[] {
  return grouped(resources, 'AWS::Lambda::Function').flatMap((events) => {
    const first = events[0];
    const name = first.name as string;
    if (events.some((e) => e.action === 'deleted')) return [];
    const changed = events.filter((e) => e.action === 'created' || e.action === 'modified');
    if (changed.length === 0) return [];
    const created = changed.some((e) => e.action === 'created');
    const built = command(
      [
        'aws',
        'lambda',
        'put-function-concurrency',
        '--function-name',
        name,
        '--reserved-concurrent-executions',
        '0',
        ...regionArgs(first.region),
      ],
      [
        ['function', name],
        ['region', first.region],
      ],
    );
    const what =
      `throttle the function the actor ${created ? 'created' : 'changed'} (reserved concurrency 0: nothing runs; ` +
      `keep its code for forensics${created ? '' : ', and undo with `aws lambda delete-function-concurrency` once its owner restores it'})`;
    const evidence = changed.map((e) =>
      resourceEvidence(e, `${e.eventName} by ${e.by}${e.detail ? ` (${e.detail})` : ''}`),
    );
    return [
      { account: first.account, action: action('function', name, first.region, what, built, evidence) },
    ];
  });
}

/** Manual actions for the rogue resources of playbook step 9 the kit cannot contain yet. */
export function resourceActions(resources: readonly Resource[]): AccountAction[] {
  return [
    ...instanceActions(resources),
    ...sharingActions(resources, 'snapshot'),
    ...sharingActions(resources, 'image'),
    ...trailActions(resources),
    ...detectorActions(resources),
    ...functionActions(resources),
  ];
}

function eventEvidence(reason: string, e: PolicyChange['event'] | undefined, actor?: string): PlanEvidence {
  return {
    reason,
    ...(e?.eventName ? { eventName: e.eventName } : {}),
    ...(e?.eventTime ? { eventTime: e.eventTime } : {}),
    ...(e?.eventId ? { eventId: e.eventId } : {}),
    ...(e?.sourceIp ? { sourceIp: e.sourceIp } : {}),
    ...(actor ? { actor } : {}),
  };
}

function policyAction(p: Principal, c: PolicyChange): ManualAction | undefined {
  const user = p.kind === 'IAMUser';
  const who = user ? ['--user-name', p.name] : ['--role-name', p.name];
  const nameCheck: Check = ['iamName', p.name];
  let built: { command?: string; invalid?: string };
  if (/^Attach(User|Role)Policy$/.test(c.eventName)) {
    built = command(
      ['aws', 'iam', user ? 'detach-user-policy' : 'detach-role-policy', ...who, '--policy-arn', c.policy],
      [nameCheck, ['policyArn', c.policy]],
    );
  } else if (/^Put(User|Role)Policy$/.test(c.eventName)) {
    built = command(
      ['aws', 'iam', user ? 'delete-user-policy' : 'delete-role-policy', ...who, '--policy-name', c.policy],
      [nameCheck, ['policyName', c.policy]],
    );
  } else if (c.eventName === 'AddUserToGroup' && user) {
    built = command(
      ['aws', 'iam', 'remove-user-from-group', ...who, '--group-name', c.policy],
      [nameCheck, ['policyName', c.policy]],
    );
  } else {
    return undefined;
  }
  return action(
    'policy',
    c.policy,
    undefined,
    `flagged: ${c.by} ${c.eventName === 'AddUserToGroup' ? `added ${p.name} to group` : `gave ${p.name}`} ${c.policy} (${c.eventName}): undo it once its owner confirms it is not theirs`,
    built,
    [eventEvidence(`${c.policy} ${c.eventName} by ${c.by}`, c.event, c.by)],
  );
}

/**
 * Playbook step 10 for a pre-existing principal the actor changed: the actor's key set
 * Inactive, the password it set and the policies it attached flagged, each with its command,
 * and the principal listed for its owner's approval of a deny-all.
 */
export function changedPrincipal(
  p: Principal,
  incidentId: string | undefined,
): { actions: ManualAction[]; approval?: Approval } {
  const user = p.kind === 'IAMUser';
  const actions: ManualAction[] = [];
  const changes: PlanEvidence[] = [];
  if (user) {
    for (const k of p.accessKeys) {
      if (k.origin !== 'CreateAccessKey' || k.type !== 'long-term') continue;
      const reach = p.reached.find(
        (r) => r.how === 'CreateAccessKey' && (!k.event?.eventId || r.event?.eventId === k.event.eventId),
      );
      const creator = reach?.from
        ? `${reach.from}${reach.viaAccessKeyId ? ` with ${reach.viaAccessKeyId}` : ''}`
        : (k.mintedBy ?? 'the actor');
      const reason = `access key ${k.accessKeyId} created by ${creator}`;
      changes.push(eventEvidence(reason, k.event, reach?.from ?? k.mintedBy));
      if (k.deleted) continue;
      const built = command(
        [
          'aws',
          'iam',
          'update-access-key',
          '--user-name',
          p.name,
          '--access-key-id',
          k.accessKeyId,
          '--status',
          'Inactive',
        ],
        [
          ['iamName', p.name],
          ['accessKey', k.accessKeyId],
        ],
      );
      const used = k.firstSeen
        ? `, used ${k.events} time(s), ${k.firstSeen} to ${k.lastSeen}`
        : ', never used';
      actions.push(
        action(
          'access-key',
          k.accessKeyId,
          undefined,
          `deactivate the key the actor created for the pre-existing user ${p.name}${used} (the user's own keys stay)`,
          built,
          [eventEvidence(reason, k.event, reach?.from ?? k.mintedBy)],
        ),
      );
    }
    for (const r of p.reached) {
      if (r.how !== 'CreateLoginProfile' && r.how !== 'UpdateLoginProfile') continue;
      const reason = `console password ${r.how === 'CreateLoginProfile' ? 'created' : 'replaced'} by ${r.from ?? 'the actor'} (${r.how})`;
      changes.push(eventEvidence(reason, r.event, r.from));
      const built = command(
        ['aws', 'iam', 'delete-login-profile', '--user-name', p.name],
        [['iamName', p.name]],
      );
      const what =
        r.how === 'CreateLoginProfile'
          ? `flagged: delete the console password the actor gave ${p.name} (the user had none)`
          : `flagged: the actor replaced ${p.name}'s console password: delete it with the owner's approval (the owner then sets a new one)`;
      actions.push(
        action('login-profile', p.name, undefined, what, built, [eventEvidence(reason, r.event, r.from)]),
      );
    }
    for (const r of p.reached.filter((x) => x.how === 'GetSessionToken')) {
      changes.push(
        eventEvidence(
          'session credentials minted with GetSessionToken: they stay valid until they expire unless the owner approves the deny-all',
          r.event,
          r.from,
        ),
      );
    }
  }
  for (const c of p.policies) {
    changes.push(eventEvidence(`${c.policy} ${c.eventName} by ${c.by}`, c.event, c.by));
    const a = policyAction(p, c);
    if (a) actions.push(a);
  }
  if (changes.length === 0 || !VALUE_PATTERNS.iamName.test(p.name)) return { actions };
  const flag = user ? '--user' : '--role';
  return {
    actions,
    approval: {
      kind: user ? 'user' : 'role',
      name: p.name,
      changes,
      command: `irkit contain --incident ${incidentId ?? 'INCIDENT-ID'} ${flag} ${p.name}`,
    },
  };
}
