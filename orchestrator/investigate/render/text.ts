/** The labels every renderer shares. */

import { ContainmentStep, kindModule } from '../../contain/kinds';
import { Approval, ContainmentPlan, ManualAction, ManualTarget } from '../../contain/plan';
import { InvestigationResult, InvestigationSubject, Principal, Reach } from '../types';

export function subjectLabel(subject: InvestigationSubject): string {
  return subject.kind === 'accessKey' ? `access key ${subject.accessKeyId}` : `IAM user ${subject.userName}`;
}

export function kindLabel(p: Pick<Principal, 'kind'>): string {
  switch (p.kind) {
    case 'IAMUser':
      return 'IAM user';
    case 'Role':
      return 'role';
    case 'FederatedUser':
      return 'federated user';
    case 'Root':
      return 'root user';
    default:
      return 'identity';
  }
}

export function reachLabel(r: Reach): string {
  return r.how === 'subject' || r.how === 'exposed key'
    ? r.how
    : `${r.how}${r.from ? ` by ${r.from}` : ''}${r.event?.eventTime ? ` at ${r.event.eventTime}` : ''}`;
}

export function keyList(p: Principal): string {
  return p.accessKeys.map((k) => `${k.accessKeyId}${k.deleted ? ' (deleted)' : ''}`).join(', ');
}

export function stepTarget(step: ContainmentStep): string {
  return kindModule(step.kind).stepTarget(step);
}

export function stepAction(step: ContainmentStep): string {
  return kindModule(step.kind).stepAction(step);
}

/** The plan a result carries, then the other accounts' plans. */
export function allPlans(result: InvestigationResult): ContainmentPlan[] {
  return [result.containmentPlan, ...result.otherAccountPlans];
}

const TARGET_LABELS: Readonly<Record<ManualTarget, string>> = {
  'access-key': 'IAM Access Key ID',
  'login-profile': 'Console password of IAM User',
  policy: 'Policy',
  instance: 'EC2 Instance',
  snapshot: 'EBS Snapshot',
  image: 'AMI',
  trail: 'CloudTrail Trail',
  detector: 'GuardDuty Detector',
  function: 'Lambda Function',
};

/**
 * A manual action as one line of Part 4's resource list: what it acts on, what to do and the
 * command, through `code` (a code span in Markdown, as-is in a table).
 */
export function manualLine(a: ManualAction, code: (value: string) => string): string {
  const where = a.region ? ` (${a.region})` : '';
  const events = a.evidence
    .map((e) => e.eventId)
    .filter((id): id is string => !!id)
    .join(', ');
  return (
    `${TARGET_LABELS[a.target]}: ${code(a.name)}${where}: ${a.action}` +
    `${a.command ? `: ${code(a.command)}` : ''}${events ? ` (event ${events})` : ''}`
  );
}

/** A principal for its owner's approval, as one line: what the actor changed and the deny-all to approve. */
export function approvalLine(a: Approval, code: (value: string) => string): string {
  const changes = a.changes.map((c) => `${c.reason}${c.eventId ? ` (event ${c.eventId})` : ''}`).join('; ');
  return `${a.kind === 'user' ? 'IAM User' : 'IAM Role'} ${code(a.name)}: the actor changed it (${changes}); deny-all only with its owner’s approval: ${code(a.command)}`;
}
