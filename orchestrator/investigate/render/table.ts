import { InvestigationResult } from '../types';
import { IntelSection, LinkFormat, relatedSections, reputationSection } from './intel';
import {
  allPlans,
  approvalLine,
  keyList,
  manualLine,
  kindLabel,
  planRows,
  reachLabel,
  subjectLabel,
  textTable,
} from './text';

/**
 * The terminal view (`--format table`): the blast radius and the containment plan, in the
 * playbook's table style. The JSON document holds everything, this the essentials.
 */
const textLink: LinkFormat = (label, url) => `${label} ${url}`;

export function renderTable(result: InvestigationResult): string {
  const out: string[] = [];
  const section = (title: string, body: string) => out.push(`${title}\n${body}\n`);
  const intel = (s: IntelSection) =>
    section(
      s.title,
      [s.rows.length === 0 ? s.empty : textTable(s.headers, s.rows), ...s.notes.map((n) => `- ${n}`)].join(
        '\n',
      ),
    );
  out.push(
    `Investigation of ${subjectLabel(result.subject)}, ${result.window.from}..${result.window.to} (${result.engine} engine, depth ${result.depthLimit})`,
    `${result.summary.headline}\n`,
  );
  if (!result.found) {
    if (result.warnings.length > 0) section('Warnings', result.warnings.map((w) => `- ${w}`).join('\n'));
    return `${out.join('\n')}`;
  }
  section(
    'Principals',
    textTable(
      ['kind', 'name', 'account', 'reached', 'access keys', 'first seen', 'last seen', 'calls', 'source IPs'],
      result.principals.map((p) => [
        `${kindLabel(p)}${p.actor ? '' : ' (not the actor)'}${p.protected ? ' (protected)' : ''}`,
        p.name,
        p.account,
        p.reached.map(reachLabel).join('; '),
        keyList(p),
        p.firstSeen,
        p.lastSeen,
        p.events,
        p.sourceIps.map((s) => s.value).join(', '),
      ]),
    ),
  );
  const changes = result.resources.filter((r) => r.action !== 'probed');
  if (changes.length > 0) {
    section(
      'Resources created, modified and deleted',
      textTable(
        ['action', 'type', 'name', 'by', 'account', 'region', 'time', 'call', 'event id'],
        changes.map((r) => [
          `${r.action}${r.preExisting ? ' (pre-existing)' : ''}`,
          r.type,
          `${r.name ?? ''}${r.detail ? ` (${r.detail})` : ''}`,
          r.by,
          r.account,
          r.region,
          r.eventTime,
          r.eventName,
          r.eventId,
        ]),
      ),
    );
  }
  const probes = result.resources.filter((r) => r.action === 'probed');
  if (probes.length > 0) {
    section(
      'Probed',
      textTable(
        ['time', 'by', 'region', 'call', 'resource', 'event id'],
        probes.map((r) => [r.eventTime, r.by, r.region, r.eventName, r.name ?? r.type, r.eventId]),
      ),
    );
  }
  section(
    'Source IP addresses',
    textTable(
      ['address', 'calls', 'used by', 'others from it'],
      result.sourceIps.map((s) => [
        s.address,
        s.events,
        s.principals.join(', '),
        s.others
          .map((o) => `${o.identityArn ?? o.userName ?? o.identityType ?? '?'} ${o.eventName} x${o.count}`)
          .join('; '),
      ]),
    ),
  );
  intel(reputationSection(result, textLink, 'lines'));
  for (const related of relatedSections(result, textLink)) intel(related);
  section(
    'Network (VPC Flow Logs)',
    result.network.flows.length === 0
      ? (result.network.note ?? 'no traffic')
      : textTable(
          ['source', 'destination', 'port', 'protocol', 'action', 'records', 'bytes', 'first', 'last'],
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
  );
  for (const plan of allPlans(result)) {
    const title = `Containment plan${plan.accountId ? ` for account ${plan.accountId}` : ''}${plan === result.containmentPlan ? ' (irkit contain --plan FILE)' : ''}`;
    section(
      title,
      plan.steps.length === 0
        ? 'nothing to contain'
        : textTable(['#', 'kind', 'target', 'action', 'evidence'], planRows(plan)),
    );
    const asIs = (value: string) => value;
    if ((plan.manualActions ?? []).length > 0) {
      section(
        `By hand${plan.accountId ? ` in account ${plan.accountId}` : ''} (the kit cannot contain these yet)`,
        (plan.manualActions ?? []).map((a) => `- ${manualLine(a, asIs)}`).join('\n'),
      );
    }
    if ((plan.approvals ?? []).length > 0) {
      section(
        `For the owner’s approval${plan.accountId ? ` in account ${plan.accountId}` : ''}`,
        (plan.approvals ?? []).map((a) => `- ${approvalLine(a, asIs)}`).join('\n'),
      );
    }
  }
  if (result.excluded.length > 0) {
    section(
      'Kept out of the plan',
      textTable(
        ['kind', 'name', 'account', 'reason'],
        result.excluded.map((e) => [e.kind, e.name, e.account, e.reason]),
      ),
    );
  }
  if (result.warnings.length > 0) section('Warnings', result.warnings.map((w) => `- ${w}`).join('\n'));
  return out.join('\n');
}
