import { Command } from 'commander';

import { IrKitError, invalidInput } from '../../../lib/errors';
import * as v from '../../../lib/validation';
import { protectionFromConfig } from '../../contain/config';
import { runtimeConfig } from '../../config';
import { EngineChoice, openEngine } from '../../engines/open';
import { EngineFlags, engineChoice, withEngineOptions } from './engine-flags';
import {
  IntelFlags,
  checkIntelFlags,
  intelSourcesFor,
  relatedFindingsFor,
  withIntelOptions,
} from './intel-flags';
import { interruptible } from './interrupt';
import { terminalSafe } from '../../output/escape';
import {
  RenderFlags,
  checkOutFile,
  outputFormat,
  renderOptions,
  withRenderOptions,
  writeOutput,
} from './output';
import { StatusLine } from './progress';
import { resolveWindow } from './window-flags';
import {
  DEFAULT_DEPTH,
  InvestigationProgress,
  InvestigationSubject,
  MAX_DEPTH,
  OUTPUT_FORMATS,
  OutputFormat,
  ProtectionOptions,
  RenderOptions,
  checkInvestigationInput,
  enrichResult,
  investigate,
  render,
} from '../../investigate';
import { EvidenceFlags, checkEvidenceFlags, reportExtrasFor, withEvidenceOption } from './evidence-flags';
import type { RegisterCommand } from './index';

/**
 * `irkit investigate`: the automated investigation from one exposed key (or user) to the
 * blast radius and the containment plan, on Athena or, over exported logs, the local engine.
 * The result goes to stdout (or --out), progress to stderr.
 */

export interface InvestigateFlags extends EngineFlags, RenderFlags, IntelFlags, EvidenceFlags {
  readonly accessKeyId?: string;
  readonly user?: string;
  readonly from?: string;
  readonly to?: string;
  readonly since?: string;
  readonly depth?: string;
  readonly format?: string;
  readonly out?: string;
  readonly force?: boolean;
  readonly incident?: string;
  readonly protect?: string[];
}

export interface InvestigateCommand {
  readonly subject: InvestigationSubject;
  readonly window: { readonly from: string; readonly to: string };
  /** The window as the command prints it. */
  readonly windowDescribed: string;
  readonly depth: number;
  readonly format: OutputFormat;
  readonly render: RenderOptions;
  readonly engine: EngineChoice;
  readonly out?: string;
  readonly protect: readonly string[];
}

const isNameOrArn = (value: string) =>
  v.PATTERNS.iamName.test(value) || v.PATTERNS.iamRoleOrUserArn.test(value);

/** Checks every flag before any engine or AWS client exists; throws IRKIT_INVALID_INPUT naming the flag. */
export function parseInvestigateFlags(flags: InvestigateFlags, now: Date = new Date()): InvestigateCommand {
  if ((flags.accessKeyId === undefined) === (flags.user === undefined)) {
    throw new IrKitError('IRKIT_INVALID_INPUT', 'give exactly one of --access-key-id and --user', {
      hint: 'e.g. irkit investigate --access-key-id AKIAIOSFODNN7EXAMPLE --from 2021/07/16 --to 2021/07/24',
    });
  }
  const subject: InvestigationSubject =
    flags.accessKeyId !== undefined
      ? { kind: 'accessKey', accessKeyId: flags.accessKeyId }
      : { kind: 'user', userName: flags.user as string };
  const depthText = flags.depth ?? String(DEFAULT_DEPTH);
  if (!/^\d+$/.test(depthText)) {
    throw invalidInput('--depth', depthText, `give a whole number from 0 to ${MAX_DEPTH}`);
  }
  const depth = Number(depthText);
  const window = resolveWindow(flags, now);
  const checked = checkInvestigationInput(subject, { from: window.from, to: window.to }, depth);
  const format = outputFormat(flags.format, flags.out, 'table');
  const render = renderOptions(flags, format);
  if (flags.incident !== undefined) v.incidentId(flags.incident);
  for (const name of flags.protect ?? []) {
    if (!isNameOrArn(name)) {
      try {
        v.bucketName(name);
      } catch {
        throw invalidInput('--protect', name, 'give an IAM user or role name, its ARN, or a bucket name');
      }
    }
  }
  checkIntelFlags(flags);
  checkEvidenceFlags(flags, format);
  if (flags.evidence !== undefined && flags.incident === undefined) {
    throw new IrKitError('IRKIT_INVALID_INPUT', '--evidence needs --incident ID', {
      hint: 'give the incident id irkit preserve was given',
    });
  }
  // --profile also serves --related-findings, so the local engine takes it then.
  const localWithFindings =
    flags.relatedFindings && (flags.engine ?? (flags.logs ? 'local' : 'athena')) === 'local';
  const engine = engineChoice(localWithFindings ? { ...flags, profile: undefined } : flags);
  checkOutFile(flags.out, flags.force);
  return {
    subject: checked.subject,
    window: checked.window,
    windowDescribed: window.described,
    depth,
    format,
    render,
    engine,
    ...(flags.out ? { out: flags.out } : {}),
    protect: flags.protect ?? [],
  };
}

/**
 * Progress on stderr: each level and query; log reading as one line (on a terminal, updated
 * in place, never glued onto the next line); Athena's waits on a terminal only. Call `end()`
 * before the command's own output.
 */
export function progressPrinter(
  started: number,
  command = 'investigate',
  status: StatusLine = new StatusLine(),
): ((event: InvestigationProgress) => void) & { end: () => void } {
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
  const loading = new Set<string>();
  const text = (message: string) => `irkit ${command}: [${seconds()}] ${message}`;
  const print = (event: InvestigationProgress) => {
    if (event.kind === 'level') {
      status.line(text(`depth ${event.depth}: ${event.nodes.join(', ')}`));
    } else if (event.kind === 'query') {
      status.line(text(`${event.queryId} (${event.label}): ${event.rows} row(s) in ${event.elapsedMs} ms`));
    } else if (event.event.phase === 'load' || event.event.phase === 'wait') {
      const first = event.event.phase === 'load' && !loading.has(event.event.queryId);
      loading.add(event.event.queryId);
      if (first) status.line(text(event.event.message));
      else status.update(text(event.event.message));
    }
  };
  return Object.assign(print, { end: () => status.clear() });
}

async function run(flags: InvestigateFlags): Promise<void> {
  const command = parseInvestigateFlags(flags);
  const config = runtimeConfig();
  const configured = protectionFromConfig(config);
  const protection: ProtectionOptions = {
    ...configured,
    protectedPrincipals: [...configured.protectedPrincipals, ...command.protect],
  };
  const started = Date.now();
  const intel = intelSourcesFor('investigate', flags, true) ?? {};
  process.stderr.write(`irkit investigate: window ${command.windowDescribed}\n`);
  await interruptible('investigate', async (signal) => {
    const engine = await openEngine(command.engine, config);
    const progress = progressPrinter(started);
    try {
      const investigated = await investigate(engine, command.subject, command.window, {
        depth: command.depth,
        incidentId: flags.incident,
        protection,
        signal,
        onProgress: progress,
      }).finally(() => progress.end());
      const related = await relatedFindingsFor('investigate', investigated, flags);
      const result = enrichResult(investigated, { intel, ...(related ? { related } : {}) });
      for (const warning of result.warnings)
        process.stderr.write(`irkit investigate: warning: ${terminalSafe(warning)}\n`);
      const extras = await reportExtrasFor('investigate', result, flags);
      writeOutput(
        'investigate',
        render(result, command.format, { ...command.render, extras }),
        command.out,
        command.format,
      );
      process.stderr.write(
        `irkit investigate: ${terminalSafe(result.summary.headline)} (${result.queries.length} queries in ${((Date.now() - started) / 1000).toFixed(1)} s on ${engine.kind})\n`,
      );
    } finally {
      await engine.close();
    }
  });
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export const registerInvestigate: RegisterCommand = (program: Command) => {
  withEvidenceOption(withIntelOptions(withRenderOptions(withEngineOptions(program.command('investigate')))))
    .description(
      'follow an exposed access key (or user) through everything it did and created: blast radius, impact and containment plan',
    )
    .option('--access-key-id <id>', 'the exposed access key (AKIA... or ASIA...)')
    .option('--user <name>', 'or an IAM user (e.g. whose password was exposed)')
    .option('--from <date>', 'first day of the window (YYYY/MM/DD, YYYY-MM-DD or an ISO time)')
    .option(
      '--since <duration>',
      'or the window back from --to: 15d, 90d, 36h (the playbook looks 15, then 90 days back)',
    )
    .option('--to <date>', 'last day of the window (default: today, UTC)')
    .option('--depth <n>', `steps to follow from the subject, 0-${MAX_DEPTH} (default ${DEFAULT_DEPTH})`)
    .option(
      '--format <format>',
      `output: ${OUTPUT_FORMATS.join(', ')} (default: table, or from the --out extension)`,
    )
    .option(
      '--out <file>',
      'write the output to this file instead of stdout (.json for irkit contain --plan)',
    )
    .option('--force', 'replace an existing --out file')
    .option('--incident <id>', 'incident id written into the result and its plan (e.g. IR-2021-0724)')
    .option('--protect <name>', 'a user, role or bucket never to put in the plan (repeatable)', collect)
    .addHelpText(
      'after',
      '\nEach source and VPC flow-log address is classified offline (private, shared, documentation, ..., AWS service and Region from\n' +
        'ip-ranges.json, Tor exit from --tor-exits) with its ExoneraTor, GreyNoise and RDAP links and whois command\n' +
        '(playbook step 6). --related-findings also needs guardduty:ListDetectors/ListFindings/GetFindings and\n' +
        'health:DescribeEvents/DescribeAffectedEntities (the SecurityAnalystRole has them); a Region that fails is reported.\n' +
        '\nRoles the actor created or whose trust policy it changed get deny-all; other roles it used, a revoke of\n' +
        'older sessions. An IR role (or the break-glass role) the actor used gets a revoke only, marked irRole, for a\n' +
        'responder on the break-glass role to run. The kit’s own roles, cdk.json protectedPrincipals and the log bucket\n' +
        'are never put in the plan; they are reported under "excluded".\n',
    )
    .action((flags: InvestigateFlags) => run(flags));
};
