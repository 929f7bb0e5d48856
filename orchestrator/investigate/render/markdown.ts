import { kindModule } from '../../contain/kinds';
import { InvestigationResult, Principal } from '../types';
import { IntelSection, LinkFormat, relatedSections, reputationSection } from './intel';
import {
  Cells,
  allPlans,
  approvalLine,
  keyList,
  kindLabel,
  manualLine,
  reachLabel,
  stepAction,
  stepTarget,
  subjectLabel,
} from './text';

/**
 * The report a person reads (`--format markdown`): the playbook's Part 3 "Impact" questions
 * answered from the data, the Part 4 story and resource list with the containment plan, then
 * the tables behind them (the playbook's Part 2 tables per principal, resources, probes,
 * addresses, network, timeline) and the queries that produced them.
 */

const esc = (value: string | number | null | undefined) =>
  value === null || value === undefined ? '' : String(value).replace(/\|/g, '\\|').replace(/\s+/g, ' ');
const code = (value: string | null | undefined) => (value ? `\`${value.replace(/`/g, "'")}\`` : '');

function table(headers: readonly string[], rows: readonly Cells[]): string {
  if (rows.length === 0) return '_None._';
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${headers.map((_, i) => esc(r[i])).join(' | ')} |`),
  ].join('\n');
}

/** irkit's own URLs (from a parsed address, finding id or event ARN, encoded): live links. */
const mdLink: LinkFormat = (label, url) => `[${label}](${url.replace(/[()\s]/g, encodeURIComponent)})`;

function intelSection(section: IntelSection, level = '###'): string[] {
  return [
    `${level} ${section.title}`,
    '',
    section.rows.length === 0 ? `_${section.empty}_` : table(section.headers, section.rows),
    '',
    ...(section.notes.length > 0 ? [...section.notes.map((n) => `- ${esc(n)}`), ''] : []),
  ];
}

function story(result: InvestigationResult): string[] {
  const subject = result.principals.find((p) =>
    p.reached.some((r) => r.how === 'subject' || r.how === 'exposed key'),
  );
  if (!subject) return [];
  const key = subject.accessKeys.find((k) => k.origin === 'subject');
  const lines = [
    `The ${kindLabel(subject)} ${code(subject.name)}${key ? ` (access key ${code(key.accessKeyId)})` : ''} was the initial compromise vector.`,
  ];
  const verbs: Record<string, string> = {
    CreateUser: 'created the IAM user',
    CreateRole: 'created the role',
    CreateAccessKey: 'created an access key for',
    CreateLoginProfile: 'set a console password for',
    UpdateLoginProfile: 'changed the console password of',
    AssumeRole: 'assumed the role',
    AttachRolePolicy: 'changed the permissions of the role',
    PutRolePolicy: 'changed the permissions of the role',
    UpdateAssumeRolePolicy: 'changed the trust policy of the role',
  };
  for (const p of result.principals) {
    for (const r of p.reached) {
      const verb = verbs[r.how];
      if (verb && r.from)
        lines.push(`${code(r.from)} ${verb} ${code(p.name)}${p.account ? ` in account ${p.account}` : ''}.`);
    }
  }
  for (const b of result.resources.filter((r) => r.type === 'AWS::S3::Bucket' && r.action === 'created')) {
    lines.push(`${code(b.by)} created the S3 bucket ${code(b.name)}.`);
  }
  return lines;
}

function resourceList(result: InvestigationResult): string[] {
  return allPlans(result).flatMap((plan) => [
    `Resource list for account ${code(plan.accountId ?? 'unknown')}:`,
    '',
    ...(plan.steps.length === 0
      ? ['- nothing to contain']
      : plan.steps.map((s) => kindModule(s.kind).resourceLine(s, code))),
    '',
    ...((plan.manualActions ?? []).length > 0
      ? [
          'By hand (the kit cannot contain these yet; playbook steps 9 and 10):',
          '',
          ...(plan.manualActions ?? []).map((a) => `- ${manualLine(a, code)}`),
          '',
        ]
      : []),
    ...((plan.approvals ?? []).length > 0
      ? [
          'For the owner’s approval (pre-existing principals the actor changed, playbook step 10):',
          '',
          ...(plan.approvals ?? []).map((a) => `- ${approvalLine(a, code)}`),
          '',
        ]
      : []),
  ]);
}

function principalTables(p: Principal): string[] {
  return [
    `### ${kindLabel(p)} ${p.name}`,
    '',
    `Account ${p.account ?? 'unknown'}; reached: ${p.reached.map(reachLabel).join('; ')}; ` +
      `access keys: ${keyList(p) || 'none'}; first seen ${p.firstSeen ?? '-'}, last seen ${p.lastSeen ?? '-'}, ${p.events} call(s).` +
      `${p.note ? ` ${p.note}.` : ''}${p.protected ? ` Protected: ${p.protected}.` : ''}`,
    '',
    table(
      ['awsregion', 'eventsource', 'eventname', 'readonly', 'errorcode', 'errormessage', 'COUNT'],
      p.apiCalls.map((c) => [
        c.region,
        c.eventSource,
        c.eventName,
        c.readOnly === null ? '' : String(c.readOnly),
        c.errorCode,
        c.errorMessage,
        c.count,
      ]),
    ),
    '',
    table(
      ['sourceipaddress', 'calls'],
      p.sourceIps.map((s) => [s.value, s.count]),
    ),
    '',
    table(
      ['useragent', 'calls'],
      p.userAgents.map((u) => [u.value, u.count]),
    ),
    '',
    ...(p.deniedCalls.length > 0
      ? [
          'Denied calls:',
          '',
          table(
            ['region', 'eventsource', 'eventname', 'errorcode', 'errormessage', 'count', 'first', 'last'],
            p.deniedCalls.map((d) => [
              d.region,
              d.eventSource,
              d.eventName,
              d.errorCode,
              d.errorMessage,
              d.count,
              d.firstSeen,
              d.lastSeen,
            ]),
          ),
          '',
        ]
      : []),
    ...(p.consoleLogins.length > 0
      ? [
          'Console sign-ins:',
          '',
          table(
            ['time', 'source IP', 'result', 'MFA', 'user agent'],
            p.consoleLogins.map((l) => [l.eventTime, l.sourceIp, l.result, l.mfaUsed, l.userAgent]),
          ),
          '',
        ]
      : []),
  ];
}

export function renderMarkdown(result: InvestigationResult): string {
  const out: string[] = [
    `# Investigation: ${subjectLabel(result.subject)}`,
    '',
    `Window ${result.window.from}..${result.window.to}, ${result.engine} engine, depth ${result.depthLimit}` +
      `${result.incidentId ? `, incident ${result.incidentId}` : ''}; generated ${result.generatedAt} by ${result.generatedBy}.`,
    '',
    `**${result.summary.headline}.**`,
    '',
  ];
  if (result.warnings.length > 0) out.push('> Warnings:', ...result.warnings.map((w) => `> - ${esc(w)}`), '');
  if (!result.found) return `${out.join('\n')}\n`;

  out.push('## Part 3: Analysis - Impact', '');
  for (const q of result.impact) {
    out.push(`${q.number}. ${q.question}`, `   * ${q.answer}`, ...q.facts.map((f) => `     * ${esc(f)}`));
  }
  out.push('', '### Related findings (question 1)', '');
  for (const section of relatedSections(result, mdLink)) out.push(...intelSection(section, '####'));
  out.push('## Part 4: Containment', '', ...story(result), '', ...resourceList(result));
  for (const plan of allPlans(result)) {
    out.push(
      `Containment plan${plan.accountId ? ` for account ${code(plan.accountId)}` : ''}` +
        `${plan === result.containmentPlan ? ' (`irkit contain --plan FILE` with the JSON result)' : ''}:`,
      '',
      table(
        ['#', 'kind', 'target', 'action', 'evidence'],
        plan.steps.map((s, i) => [
          i + 1,
          s.kind,
          stepTarget(s),
          stepAction(s),
          s.evidence.map((e) => `${e.reason}${e.eventId ? ` (event ${e.eventId})` : ''}`).join('; '),
        ]),
      ),
      '',
    );
  }
  if (result.excluded.length > 0) {
    out.push(
      'Kept out of the plan:',
      '',
      table(
        ['kind', 'name', 'account', 'reason'],
        result.excluded.map((e) => [e.kind, e.name, e.account, e.reason]),
      ),
      '',
    );
  }

  out.push('## Part 2: Analysis - Scope', '', ...result.principals.flatMap(principalTables));
  out.push(
    '### Resources created, modified and deleted',
    '',
    table(
      ['eventtime', 'action', 'type', 'name', 'by', 'account', 'region', 'eventname', 'eventid'],
      result.resources
        .filter((r) => r.action !== 'probed')
        .map((r) => [
          r.eventTime,
          `${r.action}${r.preExisting ? ' (pre-existing)' : ''}`,
          r.type,
          `${r.name ?? ''}${r.detail ? ` (${r.detail})` : ''}`,
          r.by,
          r.account,
          r.region,
          r.eventName,
          r.eventId,
        ]),
    ),
    '',
    '### Probing calls',
    '',
    table(
      ['eventtime', 'by', 'awsregion', 'eventname', 'resource', 'eventid'],
      result.resources
        .filter((r) => r.action === 'probed')
        .map((r) => [r.eventTime, r.by, r.region, r.eventName, r.name ?? r.type, r.eventId]),
    ),
    '',
    '### Source IP addresses',
    '',
    table(
      ['address', 'calls', 'used by', 'first seen', 'last seen', 'other identities from it'],
      result.sourceIps.map((s) => [
        s.address,
        s.events,
        s.principals.join(', '),
        s.firstSeen,
        s.lastSeen,
        s.others
          .map((o) => `${o.identityArn ?? o.userName ?? o.identityType ?? '?'}: ${o.eventName} x${o.count}`)
          .join('; '),
      ]),
    ),
    '',
    ...intelSection(reputationSection(result, mdLink)),
    '### Network activity (VPC Flow Logs)',
    '',
    result.network.flows.length === 0
      ? `_${result.network.note ?? 'No traffic.'}_`
      : table(
          [
            'sourceaddress',
            'destinationaddress',
            'port',
            'protocol',
            'action',
            'records',
            'bytes',
            'first',
            'last',
          ],
          result.network.flows.map((f) => [
            f.sourceAddress,
            f.destinationAddress,
            f.destinationPort,
            f.protocol,
            f.action,
            f.records,
            f.bytes,
            f.firstStart,
            f.lastEnd,
          ]),
        ),
    '',
    '### Timeline',
    '',
    table(
      ['eventtime', 'principal', 'access key', 'eventname', 'action', 'resource', 'errorcode', 'eventid'],
      result.timeline.map((t) => [
        t.eventTime,
        t.principal,
        t.accessKeyId,
        t.eventName,
        t.action,
        t.resource,
        t.errorCode,
        t.eventId,
      ]),
    ),
    '',
    '### Queries run',
    '',
    table(
      ['query', 'parameters', 'rows', 'ms'],
      result.queries.map((q) => [
        q.queryId,
        Object.entries(q.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        q.rows,
        q.elapsedMs,
      ]),
    ),
    '',
  );
  return out.join('\n');
}
