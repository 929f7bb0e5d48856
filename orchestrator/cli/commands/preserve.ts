import { readFileSync } from 'node:fs';

import { EC2Client } from '@aws-sdk/client-ec2';
import { Command } from 'commander';

import { IrKitError, invalidInput } from '../../../lib/errors';
import * as v from '../../../lib/validation';
import { checkedProfile } from '../../aws-profile';
import { runtimeConfig } from '../../config';
import { createAccountAccess, describeAccounts, failIfAnyAccountFailed } from '../../contain/accounts';
import { createClients } from '../../contain/aws';
import { collect } from '../../contain/terminal';
import {
  formatPreservationPlan,
  planPreservation,
  preservationOutcomes,
  preservationSummary,
  preserveAccounts,
} from '../../preserve/accounts';
import { formatPreserveReport, formatVerification } from '../../preserve/format';
import { verifyManifest } from '../../preserve/manifest';
import { preserveOffline, PreserveReport } from '../../preserve/preserve';
import { evidenceStoreFromStack, EvidenceStore, LocalEvidenceStore } from '../../preserve/store';
import type { RegisterCommand } from './index';

/** `irkit preserve`: the playbook's step 14, into the evidence bucket (or a folder offline); `--verify` checks it. */

interface PreserveFlags {
  readonly plan?: string;
  readonly incident: string;
  readonly logs?: string;
  readonly out?: string;
  readonly verify?: boolean;
  readonly format: string;
  readonly region?: string;
  readonly profile?: string;
  readonly account?: string[];
  readonly dryRun?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../../package.json') as { version: string };

function readPlanBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      `cannot read the investigation document ${path}: ${(error as Error).message}`,
      {
        hint: 'pass the JSON irkit investigate --incident ID --out FILE.json wrote',
        cause: error,
      },
    );
  }
}

function failOnConflicts(report: PreserveReport): void {
  if (report.conflicts.length === 0) return;
  throw new IrKitError(
    'IRKIT_EVIDENCE_INVALID',
    `${report.conflicts.length} path(s) of incident ${report.incidentId} already held other bytes than this run read; they were left as they are`,
    {
      hint: 'the rest is preserved and listed; find out who wrote those paths before trusting them (irkit preserve --verify)',
    },
  );
}

function write(report: PreserveReport, format: string): void {
  process.stdout.write(
    format === 'json'
      ? `${JSON.stringify(report, null, 2)}\n`
      : formatPreserveReport(report, format === 'markdown' ? 'markdown' : 'text'),
  );
}

export const registerPreserve: RegisterCommand = (program: Command) => {
  program
    .command('preserve')
    .description(
      "preserve the incident's evidence (playbook step 14): the investigation, the actor's raw CloudTrail records, IAM state, bucket objects, instance snapshots, with a SHA-256 manifest",
    )
    .requiredOption('--incident <id>', 'the incident id (its folder is incidents/ID/)')
    .option('--plan <file>', 'the investigation document (irkit investigate --out FILE.json)')
    .option('--logs <dir>', 'offline: the exported logs the investigation read (with --out)')
    .option('--out <dir>', 'offline: the evidence folder (incidents/ID/ is made in it)')
    .option('--verify', 're-read every preserved item and check it against the manifest')
    .option('--format <format>', 'text, markdown or json', 'text')
    .option('--region <region>', 'AWS Region of the evidence stack')
    .option('--profile <profile>', 'AWS profile for the credentials (the break-glass role)')
    .option(
      '--account <id>',
      'only this other account of the investigation (repeatable); entered as its break-glass role. Default: every account it names',
      collect,
    )
    .option(
      '--dry-run',
      'print, per account, the role it would assume and the calls; change nothing (no credentials needed)',
    )
    .action(async (flags: PreserveFlags) => {
      v.incidentId(flags.incident);
      if (!['text', 'markdown', 'json'].includes(flags.format)) {
        throw invalidInput('--format', flags.format, 'use --format text, markdown or json');
      }
      const progress = (line: string) => process.stderr.write(`irkit: ${line}\n`);
      if (flags.verify) {
        if (flags.plan !== undefined || flags.logs !== undefined) {
          throw new IrKitError(
            'IRKIT_INVALID_INPUT',
            '--verify takes --incident (and --out DIR offline), not --plan or --logs',
            {
              hint: `irkit preserve --verify --incident ${flags.incident} [--out DIR]`,
            },
          );
        }
        const store: EvidenceStore =
          flags.out !== undefined
            ? new LocalEvidenceStore(flags.out)
            : await evidenceStoreFromStack(createClients({ region: flags.region, profile: flags.profile }));
        const result = await verifyManifest(store, flags.incident);
        process.stdout.write(
          flags.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatVerification(result),
        );
        if (!result.ok) {
          throw new IrKitError(
            'IRKIT_EVIDENCE_INVALID',
            `${result.problems.length} problem(s) in the evidence of incident ${flags.incident}`,
            {
              hint: 'treat those items as tampered with: find out who changed them (CloudTrail data events, the bucket access logs); nothing was changed',
            },
          );
        }
        return;
      }
      if (flags.plan === undefined) {
        throw new IrKitError('IRKIT_INVALID_INPUT', '--plan FILE is required to preserve', {
          hint: `irkit preserve --plan investigation.json --incident ${flags.incident}, or --verify to check what was preserved`,
        });
      }
      if ((flags.logs === undefined) !== (flags.out === undefined)) {
        throw new IrKitError(
          'IRKIT_INVALID_INPUT',
          'offline preservation needs both --logs DIR and --out DIR',
          {
            hint: `irkit preserve --plan FILE --incident ${flags.incident} --logs ./logs --out ./evidence`,
          },
        );
      }
      const plan = { path: flags.plan, bytes: readPlanBytes(flags.plan) };
      const common = { incidentId: flags.incident, plan, tool: `irkit ${version}`, progress };
      const offline = flags.logs !== undefined && flags.out !== undefined;
      if (offline && (flags.account?.length || flags.dryRun)) {
        throw new IrKitError(
          'IRKIT_INVALID_INPUT',
          '--account and --dry-run are for preserving from the accounts, not offline',
          {
            hint: `leave out --logs and --out (irkit preserve --plan FILE --incident ${flags.incident} --dry-run)`,
          },
        );
      }
      if (offline) {
        const report = await preserveOffline({
          ...common,
          logs: flags.logs as string,
          out: flags.out as string,
        });
        write(report, flags.format);
        failOnConflicts(report);
        return;
      }
      const config = runtimeConfig();
      const access = createAccountAccess({
        region: flags.region,
        profile: flags.profile,
        deployRoleArnTemplate: config.deployRoleArnTemplate,
      });
      const accounts = { accounts: flags.account, breakGlassRoleName: config.names.breakGlassRoleName };
      if (flags.dryRun) {
        const planned = await planPreservation(access, { ...common, ...accounts });
        process.stdout.write(
          flags.format === 'json'
            ? `${JSON.stringify(planned, null, 2)}\n`
            : formatPreservationPlan(flags.incident, planned),
        );
        return;
      }
      const profile = flags.profile ? checkedProfile(flags.profile) : undefined;
      const ec2 = new Map<string, EC2Client>();
      const result = await preserveAccounts(access, {
        ...common,
        ...accounts,
        clients: {
          ...access.home,
          ec2: (region) => {
            if (!ec2.has(region)) ec2.set(region, new EC2Client({ region, ...(profile ? { profile } : {}) }));
            return ec2.get(region) as EC2Client;
          },
        },
        // Another account's EC2 in any Region, with that account's assumed-role credentials.
        ec2For: (clients, region) => new EC2Client({ region, credentials: clients.ec2.config.credentials }),
        ...(config.logBucket
          ? {
              trail: {
                bucket: config.logBucket,
                prefix: config.cloudTrailPrefix,
                organizationId: config.organizationId,
              },
            }
          : {}),
      });
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify(result.accounts.length ? result : result.home, null, 2)}\n`);
      } else {
        write(result.home, flags.format);
        for (const o of result.accounts) {
          process.stdout.write(`\nAccount ${o.account} (as ${o.roleArn ?? 'your credentials'}):\n`);
          if (o.result) write(o.result, flags.format);
          else process.stdout.write(`  FAILED: ${o.error ?? 'unknown'}\n`);
        }
        if (result.accounts.length) {
          process.stdout.write(`\nPer account:\n${describeAccounts(result.accounts, preservationSummary)}`);
        }
      }
      failOnConflicts(result.home);
      failIfAnyAccountFailed(preservationOutcomes(result), 'preservation', 'IRKIT_PRESERVATION_FAILED');
    });
};
