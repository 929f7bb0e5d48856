import { ProtectionOptions, breakGlassRoleOf } from './protection';
import {
  AddressIntel,
  AwsAction,
  ImpactAnswer,
  Network,
  Principal,
  RelatedFindings,
  Resource,
  SourceIp,
} from './types';

/**
 * The playbook's Part 3 "Impact" questions, answered from the investigation's data. Where
 * the logs cannot settle a question (data classification, insider or outsider, business
 * impact), the answer says so and lists the facts a person needs to decide.
 */

export interface ImpactInput {
  readonly found: boolean;
  readonly principals: readonly Principal[];
  readonly resources: readonly Resource[];
  readonly sourceIps: readonly SourceIp[];
  readonly awsActions: readonly AwsAction[];
  readonly network: Network;
  readonly protection: ProtectionOptions;
  /** GuardDuty and AWS Health, when they were read. */
  readonly related?: RelatedFindings;
}

export const IMPACT_QUESTIONS = [
  'What related alerts have been triggered?',
  'What is the classification of the data accessed?',
  'What AWS services are not in the approved use list?',
  'What AWS service configurations have been changed?',
  'What guardrails have been disabled or modified?',
  'Was the actor an insider or outsider?',
  'What evidence supports benign and malicious activity?',
  'What is the impact to business applications and processes?',
  'Is there any indication of possible data exfiltration?',
] as const;

/** Calls that read data rather than configuration. */
const DATA_READS = new Set([
  'GetObject',
  'SelectObjectContent',
  'GetSecretValue',
  'BatchGetSecretValue',
  'GetParameter',
  'GetParameters',
  'GetParametersByPath',
  'Decrypt',
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'ExportTableToPointInTime',
  'GetFunction',
  'GetPasswordData',
  'GetAuthorizationToken',
]);

/** Calls that switch off or weaken a detective or preventive control. */
const GUARDRAIL_EVENTS = new Set([
  'StopLogging',
  'DeleteTrail',
  'UpdateTrail',
  'PutEventSelectors',
  'DeleteFlowLogs',
  'DeleteDetector',
  'UpdateDetector',
  'DisassociateFromMasterAccount',
  'DisassociateFromAdministratorAccount',
  'DeleteMembers',
  'StopConfigurationRecorder',
  'DeleteConfigurationRecorder',
  'DeleteDeliveryChannel',
  'DeleteConfigRule',
  'DisableSecurityHub',
  'BatchDisableStandards',
  'DeletePublicAccessBlock',
  'DeleteAccountPublicAccessBlock',
  'PutBucketPublicAccessBlock',
  'PutAccountPublicAccessBlock',
  'DisableEbsEncryptionByDefault',
  'DeleteLogGroup',
  'DeleteLogStream',
  'PutRetentionPolicy',
  'DeleteAlarms',
  'DisableAlarmActions',
  'DisableRule',
  'DeleteRule',
  'RemoveTargets',
  'ScheduleKeyDeletion',
  'DisableKey',
  'DeleteAccessAnalyzer',
  'LeaveOrganization',
  'DeletePolicy',
  'DetachRolePolicy',
  'DeleteRolePolicy',
  'DeactivateMFADevice',
  'DeleteVirtualMFADevice',
]);

/** Calls that copy data into something the actor controls. */
const COPY_EVENTS = new Set([
  'CreateSnapshot',
  'CopySnapshot',
  'CreateDBSnapshot',
  'CreateDBClusterSnapshot',
  'CreateImage',
]);

/** Calls that hand data or access to someone else. */
const SHARING_EVENTS = new Set([
  'ModifySnapshotAttribute',
  'ModifyImageAttribute',
  'ModifyDBSnapshotAttribute',
  'ModifyDBClusterSnapshotAttribute',
  'PutBucketPolicy',
  'PutBucketAcl',
  'PutObjectAcl',
  'PutResourcePolicy',
  'AddPermission',
  'CreateGrant',
  'PutKeyPolicy',
]);

/** Events the kit's credential-alert rules match (DESIGN.md "Alerts"). */
function alertMatch(r: Resource, breakGlass: string): string | undefined {
  switch (r.eventName) {
    case 'CreateAccessKey':
      return 'IAM user access key created';
    case 'CreateUser':
      return 'IAM user created';
    case 'CreateLoginProfile':
    case 'UpdateLoginProfile':
      return 'console password set';
    case 'AttachUserPolicy':
    case 'AttachRolePolicy':
    case 'AttachGroupPolicy':
      return r.detail?.endsWith('/AdministratorAccess') ? 'administrator policy attached' : undefined;
    default:
      return r.name === breakGlass ? 'break-glass role used' : undefined;
  }
}

const label = (r: Resource) => `${r.type} ${r.name ?? '(no one resource)'}`;
const when = (r: Resource) =>
  `${r.eventName} by ${r.by} at ${r.eventTime}${r.eventId ? ` (event ${r.eventId})` : ''}`;
const list = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
const unique = <T>(items: readonly T[]) => [...new Set(items)];

/** One line on what an address is (playbook step 6): scope, AWS owner, Tor exit. */
export function intelSummary(intel: AddressIntel): string {
  const parts = [
    intel.scope === 'public' ? 'public address' : `${intel.scope} (${intel.range ?? intel.scope})`,
  ];
  if (intel.ipv4) parts.push(`IPv4-mapped ${intel.ipv4}`);
  if (intel.aws) {
    const services = intel.aws.services.filter((s) => s !== 'AMAZON');
    parts.push(
      `AWS ${services.length > 0 ? services.join('/') : 'AMAZON'} ${intel.aws.region} (${intel.aws.prefix})`,
    );
  }
  if (intel.torExit === true) parts.push('a listed Tor exit');
  return parts.join('; ');
}

/** Part 3 Q6's line for one of the actor's addresses. */
export function addressFact(a: SourceIp): string {
  return `${a.address}: ${a.events} call(s) by ${list(a.principals)}${a.intel ? `; ${intelSummary(a.intel)}` : ''}`;
}

const CREDENTIALS_EXPOSED = 'AWS_RISK_CREDENTIALS_EXPOSED';

const severityLabel = (severity: number | null) =>
  severity === null
    ? 'severity ?'
    : `${severity >= 9 ? 'Critical' : severity >= 7 ? 'High' : severity >= 4 ? 'Medium' : 'Low'} ${severity}`;

/** Part 3 Q1's sentence and facts from GuardDuty and AWS Health (or that they were not read). */
export function relatedAlertsPart(related: RelatedFindings | undefined): {
  sentence: string;
  facts: string[];
} {
  if (!related) {
    return {
      sentence:
        'GuardDuty and AWS Health were not read: check GuardDuty findings and AWS Health (AWS_RISK_CREDENTIALS_EXPOSED) for the same period, or run with --related-findings.',
      facts: [],
    };
  }
  const regions = related.guardDuty.regions;
  const unread = regions.filter((r) => r.status === 'denied' || r.status === 'failed');
  const read = regions.filter((r) => r.status === 'checked');
  const findings = related.guardDuty.findings;
  const events = related.health.events;
  const sentence =
    `GuardDuty: ${findings.length} finding(s) on the actor's keys and principals in ${read.length} Region(s) with a detector` +
    `${unread.length > 0 ? `; not read in ${list(unread.map((r) => `${r.region} (${r.status})`))}` : ''}. ` +
    (related.health.status === 'checked'
      ? `AWS Health: ${events.length} ${CREDENTIALS_EXPOSED} event(s)${events.length > 0 ? `, ${events.filter((e) => e.actorKey).length} naming the actor's keys` : ''}.`
      : `AWS Health not read (${related.health.status}).`);
  return {
    sentence,
    facts: [
      ...findings.map(
        (f) =>
          `GuardDuty ${f.type} (${severityLabel(f.severity)}) in ${f.region} on ${f.accessKeyId ?? f.userName ?? 'the actor'}` +
          `${f.updatedAt ? `, updated ${f.updatedAt}` : ''}${f.archived ? ', archived' : ''}: finding ${f.id}`,
      ),
      ...events.map(
        (e) =>
          `AWS Health ${e.eventTypeCode} (${e.statusCode ?? '?'}) from ${e.startTime ?? '?'}` +
          `${e.affectedEntities.length > 0 ? ` for ${e.affectedEntities.join(', ')}` : ''}: event ${e.arn}`,
      ),
    ],
  };
}

/**
 * Q1 with the GuardDuty and AWS Health part replaced (`irkit report --related-findings` on a
 * saved result): the part `previous` wrote is taken off the end, `next`'s appended.
 */
export function replaceRelatedAlerts(
  answer: ImpactAnswer,
  previous: RelatedFindings | undefined,
  next: RelatedFindings,
): ImpactAnswer {
  const old = relatedAlertsPart(previous);
  const fresh = relatedAlertsPart(next);
  const text = answer.answer.endsWith(old.sentence)
    ? answer.answer.slice(0, answer.answer.length - old.sentence.length).trimEnd()
    : answer.answer;
  const tail = answer.facts.slice(answer.facts.length - old.facts.length);
  const facts =
    old.facts.length > 0 && tail.every((f, i) => f === old.facts[i])
      ? answer.facts.slice(0, answer.facts.length - old.facts.length)
      : answer.facts;
  return {
    ...answer,
    answer: `${text ? `${text} ` : ''}${fresh.sentence}`,
    facts: [...facts, ...fresh.facts],
  };
}

/** Q6 with each address line rewritten from the (re)classified addresses, in the same order. */
export function replaceAddressFacts(
  answer: ImpactAnswer,
  previous: readonly SourceIp[],
  next: readonly SourceIp[],
): ImpactAnswer {
  const before = previous.filter((s) => s.principals.length > 0).map(addressFact);
  const after = next.filter((s) => s.principals.length > 0).map(addressFact);
  const matches = before.length === after.length && before.every((f, i) => answer.facts[i] === f);
  return matches ? { ...answer, facts: [...after, ...answer.facts.slice(before.length)] } : answer;
}

function configChanges(input: ImpactInput): string[] {
  const changes: string[] = [];
  for (const p of input.principals.filter((x) => x.actor && x.kind === 'IAMUser')) {
    const created = p.reached.find((r) => r.how === 'CreateUser');
    if (!created) continue;
    const policies = p.policies.map((c) => c.policy.split('/').pop() ?? c.policy);
    const keys = p.accessKeys.filter((k) => k.origin === 'CreateAccessKey').map((k) => k.accessKeyId);
    const password = p.reached.some((r) => r.how === 'CreateLoginProfile');
    changes.push(
      `The IAM user ${p.name} was created by ${created.from}` +
        (policies.length > 0 ? ` with ${list(policies)} attached` : '') +
        (keys.length > 0 ? `${policies.length > 0 ? ' and' : ' with'} access key ${list(keys)}` : '') +
        (password ? ', and given a console password' : '') +
        '.',
    );
  }
  const buckets = input.resources.filter((r) => r.type === 'AWS::S3::Bucket' && r.action === 'created');
  for (const b of buckets) {
    const objects = input.resources
      .filter(
        (r) => r.type === 'AWS::S3::Object' && r.action === 'created' && r.name?.startsWith(`${b.name}/`),
      )
      .map((r) => r.name?.slice((b.name?.length ?? 0) + 1) ?? '');
    changes.push(
      `The S3 bucket ${b.name} was created by ${b.by}` +
        (objects.length > 0 ? ` and object(s) ${list(objects)} placed in it` : '') +
        '.',
    );
  }
  const told = new Set([
    'AWS::S3::Bucket',
    'AWS::IAM::User',
    'AWS::IAM::AccessKey',
    'AWS::IAM::LoginProfile',
  ]);
  for (const r of input.resources) {
    if (r.action === 'probed') continue;
    if (told.has(r.type) && r.action !== 'deleted' && !r.preExisting) continue;
    if (r.type === 'AWS::S3::Object' && r.action === 'created') continue;
    changes.push(`${label(r)} ${r.action}${r.detail ? ` (${r.detail})` : ''}: ${when(r)}.`);
  }
  return changes;
}

export function answerImpact(input: ImpactInput): ImpactAnswer[] {
  const answer = (number: number, text: string, facts: readonly string[] = []): ImpactAnswer => ({
    number,
    question: IMPACT_QUESTIONS[number - 1],
    answer: text,
    facts,
  });
  if (!input.found) {
    return IMPACT_QUESTIONS.map((_, i) =>
      answer(i + 1, 'Nothing to assess: the subject has no activity in the window.'),
    );
  }
  const actors = input.principals.filter((p) => p.actor);
  const changed = input.resources.filter((r) => r.action !== 'probed');
  const probed = input.resources.filter((r) => r.action === 'probed');
  const breakGlass = breakGlassRoleOf(input.protection);

  const alerts = changed
    .map((r) => [r, alertMatch(r, breakGlass)] as const)
    .filter(([, match]) => match !== undefined)
    .map(([r, match]) => `${match}: ${label(r)}, ${when(r)}`);
  const breakGlassUsed = actors.some(
    (p) => p.kind === 'Role' && p.name.toLowerCase() === breakGlass.toLowerCase(),
  );
  if (breakGlassUsed) alerts.push(`break-glass role ${breakGlass} assumed by the actor`);
  const quarantines = input.awsActions
    .filter((a) => a.kind === 'quarantine')
    .map(
      (a) =>
        `AWS quarantined ${a.principal}: ${a.policy} (${a.eventName}) at ${a.eventTime}${a.eventId ? ` (event ${a.eventId})` : ''}, by ${a.by}: AWS's own signal that the user's key was exposed`,
    );

  const dataReads = probed.filter((r) => DATA_READS.has(r.eventName));
  const probedServices = unique(probed.map((r) => r.eventSource));
  const services = new Map<string, number>();
  for (const p of actors)
    for (const c of p.apiCalls) services.set(c.eventSource, (services.get(c.eventSource) ?? 0) + c.count);

  const guardrails = input.resources.filter((r) => GUARDRAIL_EVENTS.has(r.eventName));
  const addresses = input.sourceIps.filter((s) => s.principals.length > 0);
  const agents = unique(actors.flatMap((p) => p.userAgents.map((u) => u.value)));
  const shared = input.sourceIps.filter((s) => s.others.length > 0);
  const firsts = actors
    .map((p) => p.firstSeen)
    .filter((t): t is string => !!t)
    .sort();
  const lasts = actors
    .map((p) => p.lastSeen)
    .filter((t): t is string => !!t)
    .sort();
  const preExisting = changed.filter((r) => r.preExisting);
  const events = actors.reduce((n, p) => n + p.events, 0);
  const denied = actors.flatMap((p) =>
    p.deniedCalls.map((d) => `${p.name}: ${d.eventName} ${d.errorCode} x${d.count}`),
  );

  const exfiltration: string[] = [
    ...dataReads.map((r) => `data read: ${label(r)}, ${when(r)}`),
    ...changed.filter((r) => COPY_EVENTS.has(r.eventName)).map((r) => `data copied: ${label(r)}, ${when(r)}`),
    ...changed
      .filter((r) => SHARING_EVENTS.has(r.eventName))
      .map((r) => `shared or exposed: ${label(r)}${r.detail ? ` (${r.detail})` : ''}, ${when(r)}`),
  ];
  const ownBuckets = new Set(
    changed.filter((r) => r.type === 'AWS::S3::Bucket' && r.action === 'created').map((r) => r.name),
  );
  // Objects the actor wrote into its own bucket and did not delete afterwards.
  const deletedAfter = (r: Resource) =>
    changed.some(
      (d) => d.action === 'deleted' && d.type === r.type && d.name === r.name && d.eventTime >= r.eventTime,
    );
  const staged = changed.filter(
    (r) =>
      r.type === 'AWS::S3::Object' &&
      r.action === 'created' &&
      ownBuckets.has(r.name?.split('/')[0] ?? null) &&
      !deletedAfter(r),
  );
  for (const r of staged) {
    // Only what was probed before the write can be in what was written.
    const before = probed.filter((p) => p.eventTime <= r.eventTime).length;
    if (before === 0) continue;
    exfiltration.push(
      `after probing ${before} time(s), ${r.by} wrote ${r.name} into a bucket the actor created: it may hold what was probed (${when(r)})`,
    );
  }
  const outbound = input.network.flows.filter(
    (f) => addresses.some((a) => a.address === f.destinationAddress) && f.action === 'ACCEPT' && f.bytes > 0,
  );
  exfiltration.push(
    ...outbound.map(
      (f) =>
        `network: ${f.bytes} bytes from ${f.sourceAddress} to the actor's ${f.destinationAddress} (port ${f.destinationPort ?? '?'} of the actor's side: ${f.records} flow record(s))`,
    ),
  );
  const accounts = unique(actors.map((p) => p.account).filter((a): a is string => !!a));

  const related = relatedAlertsPart(input.related);
  return [
    answer(
      1,
      (quarantines.length > 0
        ? `AWS quarantined ${list(unique(input.awsActions.filter((a) => a.kind === 'quarantine').map((a) => a.principal)))}: AWS's own signal that the key was exposed (expect an AWS Health AWS_RISK_CREDENTIALS_EXPOSED event and a support case). `
        : '') +
        (alerts.length > 0
          ? `${alerts.length} of the actor's actions match the kit's credential-alert rules; where the alerts stack is deployed they were notified. `
          : "None of the actor's actions match the kit's credential-alert rules. ") +
        related.sentence,
      [...quarantines, ...alerts, ...related.facts],
    ),
    answer(
      2,
      dataReads.length > 0
        ? `The actor read ${dataReads.length} data resource(s) and probed the configuration of ${probedServices.length} service(s): classify each (the logs cannot).`
        : probed.length > 0
          ? `The actor read no data; it probed the configuration of ${probedServices.length} service(s) (${list(probedServices)}): service configuration, typically classified "Internal".`
          : 'The actor read no data and probed no service configuration.',
      [
        ...dataReads.map((r) => `${label(r)}: ${when(r)}`),
        ...probedServices.map(
          (s) => `${s}: ${list(unique(probed.filter((r) => r.eventSource === s).map((r) => r.eventName)))}`,
        ),
      ],
    ),
    answer(
      3,
      `The actor called ${services.size} service(s); compare them with the approved list.`,
      [...services.entries()].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s}: ${n} call(s)`),
    ),
    answer(
      4,
      changed.length > 0
        ? `${changed.length} change(s): ${input.resources.filter((r) => r.action === 'created').length} created, ${input.resources.filter((r) => r.action === 'modified').length} modified, ${input.resources.filter((r) => r.action === 'deleted').length} deleted.`
        : 'None: the actor changed no service configuration.',
      configChanges(input),
    ),
    answer(
      5,
      guardrails.length > 0
        ? `${guardrails.length} guardrail change(s): review and restore them first.`
        : 'None: no logging, detection or protection setting was disabled or modified.',
      guardrails.map((r) => `${label(r)}: ${when(r)}`),
    ),
    answer(
      6,
      `Not decidable from the logs alone: the actor worked from ${addresses.length} address(es) (${list(addresses.map((a) => a.address))})` +
        `${firsts.length > 0 ? ` between ${firsts[0]} and ${lasts[lasts.length - 1]}` : ''}; compare with the credential owner's usual addresses, tools and hours` +
        (shared.length > 0
          ? `; ${shared.length} of these addresses were also used by other identities (see sourceIps)`
          : '') +
        '.',
      [
        ...addresses.map(addressFact),
        ...agents.map((u) => `user agent: ${u}`),
        ...shared.flatMap((s) =>
          s.others.map(
            (o) =>
              `${s.address} also used by ${o.identityArn ?? o.userName ?? `an ${o.identityType ?? 'unknown'} identity`}: ${o.eventName} x${o.count}`,
          ),
        ),
      ],
    ),
    answer(
      7,
      `${events} API call(s) logged in CloudTrail by ${actors.length} identity(ies) of the actor in account(s) ${list(accounts)}` +
        `${changed.length > 0 ? `, ${changed.length} of them changes` : ''}${denied.length > 0 ? `, and ${denied.length} kind(s) of denied call` : ''}.`,
      [
        ...changed.map((r) => `${label(r)} ${r.action}: ${when(r)}`),
        ...denied.map((d) => `denied: ${d}`),
        ...staged.map(
          (r) => `object uploaded by the actor: ${r.name} (retrieve it for analysis before eradication)`,
        ),
      ],
    ),
    answer(
      8,
      preExisting.length > 0
        ? `${preExisting.length} pre-existing resource(s) were changed or deleted: ask their owners what depends on them.`
        : 'No pre-existing resource was changed or deleted; escalate to the owner of the exposed credential to confirm what it was for.',
      preExisting.map((r) => `${label(r)} ${r.action}${r.detail ? ` (${r.detail})` : ''}: ${when(r)}`),
    ),
    answer(
      9,
      exfiltration.length > 0
        ? `Yes, possible: ${exfiltration.length} indication(s).`
        : 'No indication in CloudTrail or VPC Flow Logs: the actor read no data, shared nothing and no traffic left to its addresses.',
      exfiltration,
    ),
  ];
}
