import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

import { isAwsError, awsErrorCode } from '../../lib/aws-errors';
import { IrKitError } from '../../lib/errors';
import { ACCESS_STACK_NAME } from '../../lib/stacks/access-stack';
import { ALERTS_STACK_NAME } from '../../lib/stacks/alerts-stack';
import { ANALYTICS_STACK_NAME } from '../../lib/stacks/analytics-stack';
import { describeConfigSource, findConfig, runtimeConfig } from '../config';
import { surveyLayoutDays } from '../engines/discovery';

/**
 * `irkit doctor`: is this machine ready to respond? Offline: the config found and valid, the
 * Node version, the layout of a --logs folder. With credentials: the caller, and the kit's stacks
 * and their state. Every check says what to do when it fails; the command never changes anything.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do, when it is not ok. */
  readonly fix?: string;
}

export interface DoctorOptions {
  /** A folder of exported logs to check the layout of. */
  readonly logs?: string;
  /** AWS clients; without them the AWS checks are skipped (offline). */
  readonly aws?: { readonly sts: STSClient; readonly cloudFormation: CloudFormationClient };
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly nodeVersion?: string;
}

const MIN_NODE = [20, 19] as const;
const KIT_STACKS = [ANALYTICS_STACK_NAME, ACCESS_STACK_NAME];
const HEALTHY = /_COMPLETE$/;

export async function doctor(options: DoctorOptions = {}): Promise<Check[]> {
  const checks: Check[] = [nodeCheck(options.nodeVersion ?? process.versions.node), configCheck(options)];
  if (options.logs !== undefined) checks.push(...(await logsChecks(options.logs)));
  if (!options.aws) {
    checks.push({
      name: 'AWS',
      status: 'skip',
      detail:
        'offline: no AWS checks (give --profile/--region, or credentials in the environment, and --aws)',
    });
    return checks;
  }
  checks.push(...(await awsChecks(options.aws)));
  return checks;
}

function nodeCheck(version: string): Check {
  const [major, minor] = version.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  if (!ok) {
    return {
      name: 'Node.js',
      status: 'fail',
      detail: `Node ${version}; irkit needs ${MIN_NODE.join('.')} or later`,
      fix: 'install Node 22 (the AWS SDK needs 22 for releases after January 2027)',
    };
  }
  return major < 22
    ? {
        name: 'Node.js',
        status: 'warn',
        detail: `Node ${version}: works; AWS SDK releases after January 2027 need Node 22 (the SDK warns once)`,
        fix: 'upgrade to Node 22 when you can',
      }
    : { name: 'Node.js', status: 'ok', detail: `Node ${version}` };
}

function configCheck(options: DoctorOptions): Check {
  try {
    const source = findConfig(options.cwd, options.env);
    const config = runtimeConfig(options.cwd, options.env);
    const where = describeConfigSource(source, options.cwd) ?? `config from ${source.path}`;
    return {
      name: 'config',
      status: source.how === 'none' ? 'warn' : 'ok',
      detail: `${where}; database ${config.names.databaseName}, workgroup ${config.names.workgroupName}`,
      ...(source.how === 'none'
        ? { fix: 'run irkit from the kit’s folder, or name its cdk.json with --config FILE' }
        : {}),
    };
  } catch (error) {
    if (!(error instanceof IrKitError)) throw error;
    // A config error carries each fix in its message, one line per mistake.
    return {
      name: 'config',
      status: 'fail',
      detail: error.message,
      fix: error.hint ?? 'correct each key as its Fix says (docs/configuration.md lists every key)',
    };
  }
}

async function logsChecks(root: string): Promise<Check[]> {
  const checks: Check[] = [];
  for (const kind of ['cloudtrail', 'vpcflow'] as const) {
    const name = kind === 'cloudtrail' ? 'CloudTrail logs' : 'VPC Flow Logs';
    try {
      const days = await surveyLayoutDays(root, kind);
      checks.push(
        days
          ? {
              name,
              status: 'ok',
              detail: `${days.folders} day folder(s), ${days.first} to ${days.last}, under ${root}`,
            }
          : {
              name,
              status: kind === 'cloudtrail' ? 'fail' : 'warn',
              detail: `no AWSLogs/.../${kind === 'cloudtrail' ? 'CloudTrail' : 'vpcflowlogs'}/REGION/YYYY/MM/DD folders under ${root}`,
              fix: 'point --logs at the exported bucket contents (the folder holding AWSLogs/), e.g. aws s3 sync s3://BUCKET/AWSLogs logs/AWSLogs',
            },
      );
    } catch (error) {
      if (!(error instanceof IrKitError)) throw error;
      checks.push({ name, status: 'fail', detail: error.message, fix: error.hint });
    }
  }
  return checks;
}

async function awsChecks(aws: NonNullable<DoctorOptions['aws']>): Promise<Check[]> {
  const checks: Check[] = [];
  try {
    const me = await aws.sts.send(new GetCallerIdentityCommand({}));
    checks.push({ name: 'caller', status: 'ok', detail: `${me.Arn} (account ${me.Account})` });
  } catch (error) {
    checks.push({
      name: 'caller',
      status: 'fail',
      detail: `sts:GetCallerIdentity failed: ${awsErrorCode(error)}: ${(error as Error).message}`,
      fix: 'check the credentials (--profile, or aws sso login) and --region',
    });
    return checks;
  }
  for (const stack of [...KIT_STACKS, ALERTS_STACK_NAME]) {
    try {
      const out = await aws.cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
      const status = out.Stacks?.[0]?.StackStatus ?? 'unknown';
      const healthy = HEALTHY.test(status) && !/ROLLBACK|DELETE/.test(status);
      checks.push({
        name: `stack ${stack}`,
        status: healthy ? 'ok' : 'fail',
        detail: status,
        ...(healthy
          ? {}
          : { fix: `see its events: aws cloudformation describe-stack-events --stack-name ${stack}` }),
      });
    } catch (error) {
      const missing = isAwsError(error, 'ValidationError');
      checks.push({
        name: `stack ${stack}`,
        // The alerts stack lives in us-east-1: from another Region it is not found here.
        status: missing && stack === ALERTS_STACK_NAME ? 'warn' : 'fail',
        detail: missing
          ? 'not deployed in this account and Region'
          : `${awsErrorCode(error)}: ${(error as Error).message}`,
        fix: missing
          ? stack === ALERTS_STACK_NAME
            ? 'it deploys to us-east-1: run irkit doctor --region us-east-1 to check it'
            : `deploy it: npx cdk deploy ${stack}`
          : 'the credentials need cloudformation:DescribeStacks (the analyst and deploy roles have it)',
      });
    }
  }
  return checks;
}

export function describeChecks(checks: readonly Check[]): string {
  const mark: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };
  const lines = checks.flatMap((c) => [
    `${mark[c.status]}  ${c.name}: ${c.detail}`,
    ...(c.fix && c.status !== 'ok' ? [`      -> ${c.fix}`] : []),
  ]);
  return `${lines.join('\n')}\n`;
}
