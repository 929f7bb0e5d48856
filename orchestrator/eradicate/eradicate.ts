import { IrKitError } from '../../lib/errors';
import {
  EvidenceStore,
  incidentPrefix,
  readManifest,
  readPlan,
  readPreservedInvestigation,
  requireVerifiedEvidence,
} from '../preserve';
import { ProtectionRule, protectedReason } from '../../lib/protection';
import * as v from '../../lib/validation';
import { awsErrorMessage, awsErrorName, awsFailure, ContainClients, isAwsError } from '../contain/aws';
import { Caller, whoAmI } from '../contain/environment';
import { containmentStatus, ContainmentStatus } from '../contain/status';
import { InvestigationResult } from '../investigate/types';
import { terminalSafe } from '../output/escape';
import { eradicateTarget, GONE_CODES, NOT_YET_CODES, StepContext } from './steps';
import { containedKind, EradicationTarget, eradicationTargets, targetLabel } from './targets';
import { EradicationRecord, RecordedCall, TargetOutcome, writeEradicationRecord } from './record';

export type { EradicationRecord, RecordedCall, TargetOutcome } from './record';

/**
 * `irkit eradicate`: the playbook's Part 5 ("THESE ACTIONS ARE FINAL AND UNRECOVERABLE"), run
 * directly from the CLI by a responder on SecurityBreakGlassRole, as the playbook does, with an
 * eradication record in the evidence store as the audit trail (what, when, by whom, AWS's
 * request id). It refuses before any change unless the incident's evidence manifest verifies
 * and every target that has a containment is contained.
 */
export interface EradicateOptions {
  readonly incidentId: string;
  /** The investigation result (`irkit investigate --out FILE`). */
  readonly result: InvestigationResult;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly includeExposedUser?: boolean;
  /** Where the evidence is: the kit's bucket (from IrKitEvidence) or a local folder; resolved lazily. */
  readonly evidence: () => Promise<EvidenceStore>;
  readonly protection: ProtectionRule;
  readonly now?: () => Date;
  /** Waits between retries of a change AWS refuses "not yet" (eventual consistency), in ms. @default 1, 2, 4, 8, 8 s */
  readonly backoffMs?: readonly number[];
  /** `irkit VERSION`, recorded in the manifest run that lists the record. @default 'irkit' */
  readonly tool?: string;
  /** Where the record goes under the incident's folder: a member account's `accounts/ACCOUNT/`. @default the incident's folder itself */
  readonly accountFolder?: string;
}

export interface EradicateIo {
  log(line: string): void;
  out(text: string): void;
  sleep(ms: number): Promise<void>;
  /** Asks for a line of input; absent when not on a terminal. */
  ask?(question: string): Promise<string>;
}

export interface EradicateResult {
  readonly dryRun: boolean;
  readonly targets: readonly TargetOutcome[];
  /** The calls in order (a dry run: those it would make). */
  readonly calls: readonly RecordedCall[];
  /** Where the record was written (a real run). */
  readonly recordPath?: string;
}

export const DEFAULT_BACKOFF_MS = [1000, 2000, 4000, 8000, 8000];

export async function eradicate(
  clients: ContainClients,
  options: EradicateOptions,
  io: EradicateIo,
): Promise<EradicateResult> {
  const incidentId = v.incidentId(options.incidentId);
  const now = options.now ?? (() => new Date());
  checkIncident(options.result, incidentId);
  const targets = eradicationTargets(options.result, {
    includeExposedUser: options.includeExposedUser ?? false,
  });
  refuseProtected(targets, options.protection);

  // Who we are; a dry run without credentials goes on, saying so.
  let caller: Caller | undefined;
  let offline: string | undefined;
  try {
    caller = await whoAmI(clients);
  } catch (error) {
    if (!options.dryRun) throw error;
    offline = error instanceof IrKitError ? error.message : String(error);
  }
  const account = options.result.containmentPlan.accountId;
  if (caller && account && caller.account !== account) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      `the plan is for account ${account}, but the credentials are of account ${caller.account}`,
      { hint: 'use credentials of the plan’s account (--profile); nothing was changed' },
    );
  }

  if (offline) {
    io.log(`dry run without AWS (${offline}): evidence, containment and what is left were not read`);
  } else {
    await checkContained(clients, incidentId, targets);
    await checkEvidence(options, incidentId, targets, io);
  }

  if (targets.length === 0) {
    io.out(
      `Incident ${incidentId}: the investigation names nothing the actor created; nothing to eradicate.\n`,
    );
    return { dryRun: options.dryRun ?? false, targets: [], calls: [] };
  }

  if (options.dryRun) {
    const planned = await plannedEradication(targets, offline === undefined ? clients : undefined, now);
    io.out(formatPlan(incidentId, planned.targets, planned.calls, true));
    return { dryRun: true, ...planned };
  }

  io.out(formatTargets(incidentId, targets));
  await confirmEradication(incidentId, options.yes ?? false, io);

  const startedAt = now().toISOString();
  const calls: RecordedCall[] = [];
  const outcomes: TargetOutcome[] = [];
  for (const t of targets) {
    const label = targetLabel(t);
    const ctx = executingContext(clients, label, calls, now, io, options.backoffMs ?? DEFAULT_BACKOFF_MS);
    try {
      const any = await eradicateTarget(ctx, t);
      outcomes.push({ target: label, why: t.why, outcome: any ? 'done' : 'nothing left' });
      io.log(`${label}: ${any ? 'deleted' : 'nothing left'}`);
    } catch (error) {
      const reason = `${awsErrorName(error) ? `${awsErrorName(error)}: ` : ''}${awsErrorMessage(error)}`;
      outcomes.push({ target: label, why: t.why, outcome: 'failed', reason });
      io.log(`${label}: FAILED ${reason}`);
    }
  }
  const record: EradicationRecord = {
    formatVersion: 1,
    incidentId,
    account: caller?.account ?? account ?? '',
    operator: caller?.arn ?? '',
    startedAt,
    finishedAt: now().toISOString(),
    targets: outcomes,
    calls,
  };
  const written = await writeEradicationRecord(await options.evidence(), record, {
    tool: options.tool ?? 'irkit',
    ...(options.accountFolder ? { accountFolder: options.accountFolder } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const recordPath = written.location;
  io.out(formatPlan(incidentId, outcomes, calls, false));
  io.out(`Eradication record: ${recordPath}\n`);
  return { dryRun: false, targets: outcomes, calls, recordPath };
}

/** One thing the actor created, as `irkit status --plan` checks it now. */
export interface Remaining {
  readonly target: string;
  readonly why: string;
  readonly remains: boolean;
}

/**
 * The playbook's Part 6: what is left of what the actor created (the targets eradication
 * deletes), read live and changing nothing. `irkit status --incident ID` shows it (incidentRemains).
 */
export async function actorRemains(
  clients: ContainClients,
  result: InvestigationResult,
  incidentId: string,
  includeExposedUser = false,
): Promise<Remaining[]> {
  checkIncident(result, v.incidentId(incidentId));
  const out: Remaining[] = [];
  for (const t of eradicationTargets(result, { includeExposedUser })) {
    const ctx = planningContext(clients, false, targetLabel(t), [], () => new Date());
    let remains: boolean;
    try {
      remains = await eradicateTarget(ctx, t);
    } catch (error) {
      throw error instanceof IrKitError ? error : awsFailure(`checking ${targetLabel(t)} (Part 6)`, error);
    }
    out.push({ target: targetLabel(t), why: t.why, remains });
  }
  return out;
}

/** The investigation Part 6 checks against, and where it was read. */
export interface IncidentInvestigation {
  readonly result: InvestigationResult;
  /** The file given, or the preserved document's location (`s3://…/incidents/ID/investigation.json`). */
  readonly from: string;
}

/**
 * The investigation of the incident: the one given (`--plan`), else the one preserved in the
 * incident's evidence (`irkit preserve` keeps it as `investigation.json`), read only after the
 * manifest's chain checks and its bytes match the manifest. Throws IRKIT_EVIDENCE_MISSING when
 * there is neither, IRKIT_EVIDENCE_INVALID when the evidence does not check, IRKIT_INVALID_INPUT
 * when the document is of another incident.
 */
export async function incidentInvestigation(
  incidentId: string,
  given: IncidentInvestigation | undefined,
  evidence: () => Promise<EvidenceStore>,
): Promise<IncidentInvestigation> {
  v.incidentId(incidentId);
  if (given) return given;
  const hint = `pass the investigation with --plan FILE (irkit investigate --incident ${incidentId} --out FILE), or preserve it first (irkit preserve --plan FILE --incident ${incidentId})`;
  let store: EvidenceStore;
  try {
    store = await evidence();
  } catch (error) {
    if (!(error instanceof IrKitError && error.code === 'IRKIT_EVIDENCE_MISSING')) throw error;
    throw new IrKitError(
      'IRKIT_EVIDENCE_MISSING',
      `no --plan and no evidence to read the investigation of incident ${incidentId} from: ${error.message}`,
      { hint, cause: error },
    );
  }
  const preserved = await readPreservedInvestigation(store, incidentId);
  if (!preserved) {
    throw new IrKitError(
      'IRKIT_EVIDENCE_MISSING',
      `no --plan, and no investigation of incident ${incidentId} preserved in ${store.location}${incidentPrefix(incidentId)}`,
      { hint },
    );
  }
  return {
    result: readPlan({ path: preserved.location, bytes: preserved.bytes }, incidentId),
    from: preserved.location,
  };
}

/**
 * The investigation `irkit status --incident ID` checks Part 6 against (incidentInvestigation),
 * or, when neither exists and Part 6 was not asked for (`required` false: no --plan, no
 * --remains), why it was not checked instead of failing, so that the containment status of Part
 * 4 still shows before anything is preserved. Evidence that does not check, or a document of
 * another incident, always fails.
 */
export async function investigationForStatus(options: {
  readonly incidentId: string;
  readonly given?: IncidentInvestigation;
  readonly evidence: () => Promise<EvidenceStore>;
  readonly required: boolean;
}): Promise<IncidentInvestigation | { readonly notChecked: IrKitError }> {
  try {
    return await incidentInvestigation(options.incidentId, options.given, options.evidence);
  } catch (error) {
    if (options.required || options.given) throw error;
    if (error instanceof IrKitError && error.code !== 'IRKIT_EVIDENCE_MISSING') throw error;
    // No evidence, or none this role may read (only the break-glass and analyst roles read it).
    const notChecked =
      error instanceof IrKitError
        ? error
        : new IrKitError(
            'IRKIT_EVIDENCE_MISSING',
            `the evidence could not be read: ${awsErrorMessage(error)}`,
            {
              hint: 'run as SecurityAnalystRole or SecurityBreakGlassRole (they read the evidence), or pass --plan FILE',
              cause: error,
            },
          );
    return { notChecked };
  }
}

/** Part 6 checked (against the investigation read from `from`), or why it was not. */
export type IncidentRemains =
  { readonly from: string; readonly rows: readonly Remaining[] } | { readonly notChecked: IrKitError };

/** `irkit status --incident ID` in one account: what remains of what the actor created (investigationForStatus, actorRemains). */
export async function incidentRemains(
  clients: ContainClients,
  options: Parameters<typeof investigationForStatus>[0],
): Promise<IncidentRemains> {
  const investigation = await investigationForStatus(options);
  if ('notChecked' in investigation) return investigation;
  return {
    from: investigation.from,
    rows: await actorRemains(clients, investigation.result, options.incidentId),
  };
}

export function formatRemains(incidentId: string, rows: readonly Remaining[], from?: string): string {
  const left = rows.filter((r) => r.remains);
  const lines = [
    ...(from ? [`Checked against the investigation ${terminalSafe(from)}:`] : []),
    left.length === 0
      ? `Nothing of what the actor created remains (incident ${incidentId}, ${rows.length} target(s) checked).`
      : `${left.length} of ${rows.length} thing(s) the actor created remain (incident ${incidentId}):`,
    ...rows.map(
      (r) => `  ${terminalSafe(r.target)}: ${r.remains ? 'REMAINS' : 'gone'} (${terminalSafe(r.why)})`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** A plan of another incident is refused: its targets are not this incident's. */
function checkIncident(result: InvestigationResult, incidentId: string): void {
  for (const [what, id] of [
    ['the investigation', result.incidentId],
    ['its containment plan', result.containmentPlan.incidentId],
  ] as const) {
    if (id !== undefined && id !== incidentId) {
      throw new IrKitError('IRKIT_INVALID_INPUT', `${what} is of incident ${id}, not ${incidentId}`, {
        hint: `pass that incident's investigation (irkit investigate --incident ${incidentId} --out FILE); nothing was changed`,
      });
    }
  }
}

function refuseProtected(targets: readonly EradicationTarget[], rule: ProtectionRule): void {
  const refused = targets.flatMap((t) => {
    const kind = t.kind === 'access-key' || t.kind === 'login-profile' ? 'user' : t.kind;
    const name = t.kind === 'access-key' ? t.user : t.name;
    // Keys and passwords the actor gave a protected user are still the actor's: only deleting
    // a protected principal itself is refused.
    if (t.kind === 'access-key' || t.kind === 'login-profile') return [];
    const reason = protectedReason(rule, { kind, name });
    return reason ? [`${targetLabel(t)} is protected (${reason})`] : [];
  });
  if (refused.length > 0) {
    throw new IrKitError('IRKIT_PROTECTED_PRINCIPAL', `refusing to eradicate: ${refused.join('; ')}`, {
      hint: 'the kit never deletes a protected principal; nothing was changed',
    });
  }
}

/**
 * The manifest must exist and verify; an instance is terminated only once the manifest holds
 * an EBS snapshot of it (an `ebs-snapshot` item whose path or source names the instance).
 */
async function checkEvidence(
  options: EradicateOptions,
  incidentId: string,
  targets: readonly EradicationTarget[],
  io: EradicateIo,
): Promise<void> {
  const store = await options.evidence();
  const verified = await requireVerifiedEvidence(store, incidentId);
  io.log(`evidence: ${verified.items} item(s) in ${verified.runs} run(s) verified in ${verified.location}`);
  const instances = targets.filter((t) => t.kind === 'instance');
  if (instances.length === 0) return;
  const manifest = await readManifest(store, incidentId);
  const unsnapped = instances.filter(
    (t) =>
      !(manifest?.items ?? []).some(
        (i) => i.kind === 'ebs-snapshot' && (i.path.includes(t.name) || i.source.includes(t.name)),
      ),
  );
  if (unsnapped.length > 0) {
    throw new IrKitError(
      'IRKIT_EVIDENCE_MISSING',
      `no EBS snapshot of ${unsnapped.map((t) => t.name).join(', ')} in the evidence of incident ${incidentId}`,
      {
        hint: `an instance is terminated only after its volumes are preserved: irkit preserve --plan FILE --incident ${incidentId}; nothing was changed`,
      },
    );
  }
}

const HOLDING = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);

/** Every target with a containment kind is contained by a stack of this incident that holds. */
async function checkContained(
  clients: ContainClients,
  incidentId: string,
  targets: readonly EradicationTarget[],
): Promise<void> {
  const needing = targets.filter((t) => containedKind(t) !== undefined);
  if (needing.length === 0) return;
  const rows = await containmentStatus(clients, incidentId);
  const holds = (t: EradicationTarget) =>
    rows.some(
      (r: ContainmentStatus) =>
        r.kind === containedKind(t) &&
        (t.kind === 'bucket' || t.kind === 'instance'
          ? r.target === t.name
          : r.target.toLowerCase() === t.name.toLowerCase()) &&
        HOLDING.has(r.stackStatus),
    );
  const missing = needing.filter((t) => !holds(t));
  if (missing.length > 0) {
    throw new IrKitError(
      'IRKIT_NOT_CONTAINED',
      `not contained under incident ${incidentId}: ${missing.map(targetLabel).join(', ')}`,
      {
        hint: `contain first (irkit contain --plan FILE --incident ${incidentId}) and check with irkit status --incident ${incidentId}; nothing was changed`,
      },
    );
  }
}

/** Asks for the incident id to be typed (unless `yes`); throws, changing nothing, when it is not. */
export async function confirmEradication(incidentId: string, yes: boolean, io: EradicateIo): Promise<void> {
  if (yes) return;
  if (!io.ask) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      'eradication needs a confirmation and this is not a terminal',
      {
        hint: 'run it on a terminal to type the incident id, or pass --yes; nothing was changed',
      },
    );
  }
  const typed = await io.ask(
    `THESE ACTIONS ARE FINAL AND UNRECOVERABLE. Type the incident id (${incidentId}) to delete the targets above: `,
  );
  if (typed.trim() !== incidentId) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      'the incident id was not typed as it is; nothing was deleted',
      {
        hint: `type ${incidentId} exactly, or run again`,
      },
    );
  }
}

/** Clients for a plan made without AWS: every read is a placeholder there, so none is ever sent. */
const NO_AWS = new Proxy({} as ContainClients, {
  get: () => ({
    send: () => Promise.reject(new Error('a plan made without AWS sends nothing (a bug in irkit if seen)')),
  }),
});

/**
 * What `irkit eradicate --dry-run` does: each target and the calls that delete it, in order,
 * sending none. With clients, reads are live (what is left now); without (offline, the
 * report's Part 5), every list is a placeholder and every target is assumed to exist.
 */
export async function plannedEradication(
  targets: readonly EradicationTarget[],
  clients: ContainClients | undefined,
  now: () => Date = () => new Date(),
): Promise<{ targets: TargetOutcome[]; calls: RecordedCall[] }> {
  const calls: RecordedCall[] = [];
  const outcomes: TargetOutcome[] = [];
  for (const t of targets) {
    const ctx = planningContext(clients ?? NO_AWS, clients === undefined, targetLabel(t), calls, now);
    const any = await eradicateTarget(ctx, t);
    outcomes.push({ target: targetLabel(t), why: t.why, outcome: any ? 'planned' : 'nothing left' });
  }
  return { targets: outcomes, calls };
}

function planningContext(
  clients: ContainClients,
  offline: boolean,
  target: string,
  calls: RecordedCall[],
  now: () => Date,
): StepContext {
  return {
    clients,
    exists: async (_what, call) => (offline ? true : call()),
    read: async (_what, call, placeholder) => (offline ? [placeholder] : call()),
    write: async (call) => {
      calls.push({ target, call, at: now().toISOString(), outcome: 'done' });
    },
  };
}

function executingContext(
  clients: ContainClients,
  target: string,
  calls: RecordedCall[],
  now: () => Date,
  io: EradicateIo,
  backoffMs: readonly number[],
): StepContext {
  return {
    clients,
    exists: (_what, call) => call(),
    read: (_what, call) => call(),
    write: async (call, send) => {
      for (let attempt = 0; ; attempt++) {
        const at = now().toISOString();
        try {
          const out = await send();
          calls.push({
            target,
            call,
            at,
            outcome: 'done',
            ...(out.$metadata.requestId ? { requestId: out.$metadata.requestId } : {}),
          });
          return;
        } catch (error) {
          const requestId = (error as { $metadata?: { requestId?: string } }).$metadata?.requestId;
          if (isAwsError(error, ...GONE_CODES)) {
            calls.push({ target, call, at, outcome: 'already gone', ...(requestId ? { requestId } : {}) });
            return;
          }
          if (isAwsError(error, ...NOT_YET_CODES) && attempt < backoffMs.length) {
            io.log(
              `${target}: ${call}: ${awsErrorName(error)} (eventual consistency); retrying in ${backoffMs[attempt] / 1000} s`,
            );
            await io.sleep(backoffMs[attempt]);
            continue;
          }
          calls.push({
            target,
            call,
            at,
            outcome: 'failed',
            ...(requestId ? { requestId } : {}),
            error: `${awsErrorName(error)}: ${awsErrorMessage(error)}`,
          });
          throw error;
        }
      }
    },
  };
}

function formatTargets(incidentId: string, targets: readonly EradicationTarget[]): string {
  return [
    `Eradication of incident ${incidentId}: ${targets.length} target(s), deleted in this order:`,
    ...targets.map((t) => `  ${terminalSafe(targetLabel(t))}: ${terminalSafe(t.why)}`),
    '',
  ].join('\n');
}

export function formatPlan(
  incidentId: string,
  outcomes: readonly TargetOutcome[],
  calls: readonly RecordedCall[],
  dryRun: boolean,
): string {
  const lines = [
    dryRun
      ? `Eradication of incident ${incidentId} (dry run: nothing was changed). The calls, in order:`
      : `Eradication of incident ${incidentId}:`,
  ];
  for (const o of outcomes) {
    const mine = calls.filter((c) => c.target === o.target);
    const state = o.outcome === 'failed' ? `FAILED: ${o.reason ?? ''}` : o.outcome.toUpperCase();
    lines.push(`  ${terminalSafe(o.target)} (${terminalSafe(o.why)}): ${terminalSafe(state)}`);
    for (const c of mine) {
      lines.push(
        `    ${terminalSafe(c.call)}${dryRun ? '' : `  ${c.outcome}${c.requestId ? ` request ${terminalSafe(c.requestId)}` : ''}`}`,
      );
    }
  }
  if (outcomes.length > 0 && outcomes.every((o) => o.outcome === 'nothing left')) {
    lines.push(`Nothing of the actor is left to eradicate in incident ${incidentId}.`);
  }
  return `${lines.join('\n')}\n`;
}

/** Exit code 4, naming each failed target (the others are done). */
export function failIfAnyFailed(result: EradicateResult): void {
  const failed = result.targets.filter((t) => t.outcome === 'failed');
  if (failed.length === 0) return;
  throw new IrKitError(
    'IRKIT_ERADICATION_FAILED',
    `${failed.length} of ${result.targets.length} target(s) not eradicated:\n${failed.map((f) => `  - ${terminalSafe(f.target)}: ${terminalSafe(f.reason ?? '')}`).join('\n')}`,
    {
      hint: 'the others are done and recorded; fix the cause and run the same command again (it finds what is left)',
    },
  );
}
