import { AthenaClient, GetWorkGroupCommand } from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import type { IAMClient } from '@aws-sdk/client-iam';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ListSubscriptionsByTopicCommand, SNSClient, Subscription } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

import type { RuntimeConfig } from '../../lib/config';
import { awsErrorCode, isAwsError, notReached } from '../../lib/aws-errors';
import { IrKitError } from '../../lib/errors';
import { DEFAULT_NAMES } from '../../lib/names';
import { GLOBAL_EVENTS_REGION } from '../../lib/regions';
import { ACCESS_STACK_NAME } from '../../lib/stacks/access-stack';
import { ALERTS_OUTPUTS, ALERTS_STACK_NAME } from '../../lib/stacks/alerts-stack';
import { ANALYTICS_STACK_NAME } from '../../lib/stacks/analytics-stack';
import type { AwsTarget } from '../aws-profile';
import type { TemporaryCredentials } from '../contain/aws';
import { describeConfigSource, findConfig, runtimeConfig } from '../config';
import { surveyLayoutDays } from '../engines/discovery';
import { memberChecks, MemberChecksOptions } from './members';

/**
 * `irkit doctor`: is this machine ready to respond? Offline: the config found and valid, the
 * Node version, the layout of a --logs folder. With credentials: the profile and Region, the
 * caller, the kit's stacks and their state, the workgroup, the Glue tables and their projection
 * range against the window, CloudTrail objects in the bucket for each day of the window, and the
 * alert subscriptions (pending ones named). Every check says what to do when it fails; the
 * command never changes anything.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do, when it is not ok. */
  readonly fix?: string;
}

/** The AWS side: clients in the Region of the one rule, and the alerts' own Region (us-east-1). */
export interface DoctorAws {
  readonly target: AwsTarget;
  readonly sts: STSClient;
  readonly cloudFormation: CloudFormationClient;
  readonly athena: AthenaClient;
  readonly glue: GlueClient;
  readonly s3: S3Client;
  readonly alerts: { readonly cloudFormation: CloudFormationClient; readonly sns: SNSClient };
  /** IAM with a member account's assumed-role credentials (--members reads its break-glass role). */
  iamWith(credentials: TemporaryCredentials): IAMClient;
}

/** The days the tables and the bucket are checked for (`yyyy/MM/dd`). */
export interface DoctorWindow {
  readonly from: string;
  readonly to: string;
}

export interface DoctorOptions {
  /** A folder of exported logs to check the layout of. */
  readonly logs?: string;
  /** AWS clients; without them the AWS checks are skipped (offline). An error: no profile or Region. */
  readonly aws?: DoctorAws | IrKitError;
  /** Required with aws. */
  readonly window?: DoctorWindow;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly nodeVersion?: string;
  /** With aws: also each member account's baseline (an organization's IrKitOrganization). */
  readonly members?: Omit<MemberChecksOptions, 'operator'>;
}

const MIN_NODE = [20, 19] as const;
const KIT_STACKS = [ANALYTICS_STACK_NAME, ACCESS_STACK_NAME];
const HEALTHY = /_COMPLETE$/;

export async function doctor(options: DoctorOptions = {}): Promise<Check[]> {
  const configChecked = configCheck(options);
  const checks: Check[] = [nodeCheck(options.nodeVersion ?? process.versions.node), configChecked.check];
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
  if (options.aws instanceof IrKitError) {
    checks.push({
      name: 'profile and Region',
      status: 'fail',
      detail: options.aws.message,
      fix: options.aws.hint,
    });
    return checks;
  }
  const window = options.window;
  if (!window) throw new IrKitError('IRKIT_INVALID_INPUT', 'doctor: the AWS checks need a window');
  const aws = await awsChecks(options.aws, configChecked.names, window);
  checks.push(...aws);
  if (options.members && aws[0]?.status === 'ok') {
    const me = await options.aws.sts.send(new GetCallerIdentityCommand({}));
    const arn = me.Arn ?? '';
    const operator = { arn, account: me.Account ?? '', partition: arn.split(':')[1] ?? 'aws' };
    checks.push(...(await memberChecks(options.aws, { ...options.members, operator })));
  }
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
        detail: `Node ${version}: works; AWS SDK releases after January 2027 need Node 22 (irkit turns off the SDK's own warning of it, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED; this is where it is said)`,
        fix: 'upgrade to Node 22 when you can',
      }
    : { name: 'Node.js', status: 'ok', detail: `Node ${version}` };
}

/** The config check, and the names the AWS checks use (the playbook's when the config is broken). */
function configCheck(options: DoctorOptions): { check: Check; names: RuntimeConfig['names'] } {
  try {
    const source = findConfig(options.cwd, options.env);
    const config = runtimeConfig(options.cwd, options.env);
    const where = describeConfigSource(source, options.cwd) ?? `config from ${source.path}`;
    return {
      names: config.names,
      check: {
        name: 'config',
        status: source.how === 'none' ? 'warn' : 'ok',
        detail: `${where}; database ${config.names.databaseName}, workgroup ${config.names.workgroupName}`,
        ...(source.how === 'none'
          ? { fix: 'run irkit from the kit’s folder, or name its cdk.json with --config FILE' }
          : {}),
      },
    };
  } catch (error) {
    if (!(error instanceof IrKitError)) throw error;
    // A config error carries each fix in its message, one line per mistake.
    return {
      names: { ...DEFAULT_NAMES },
      check: {
        name: 'config',
        status: 'fail',
        detail: error.message,
        fix: error.hint ?? 'correct each key as its Fix says (docs/configuration.md lists every key)',
      },
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

/** An AWS call that failed, said as what it is: never "refused" when the service was not reached. */
function awsFailed(name: string, doing: string, error: unknown, deniedFix: string): Check {
  const unsent = notReached(doing, error);
  if (unsent) return { name, status: 'fail', detail: unsent.message, fix: unsent.fix };
  const code = awsErrorCode(error);
  const message = (error as Error)?.message ?? String(error);
  const denied = /AccessDenied|not authorized|UnauthorizedOperation/i.test(`${code} ${message}`);
  return {
    name,
    status: 'fail',
    detail: `${doing} failed: ${code ? `${code}: ` : ''}${message}`,
    fix: denied ? deniedFix : `see the error above; ${deniedFix}`,
  };
}

async function awsChecks(
  aws: DoctorAws,
  names: RuntimeConfig['names'],
  window: DoctorWindow,
): Promise<Check[]> {
  const { target } = aws;
  const checks: Check[] = [
    {
      name: 'profile and Region',
      status: 'ok',
      detail: `${target.profile ? `profile ${target.profile}` : 'the default credential chain (no --profile)'}; Region ${target.region} (from ${target.regionSource})`,
    },
  ];
  let account: string;
  try {
    const me = await aws.sts.send(new GetCallerIdentityCommand({}));
    checks.push({ name: 'caller', status: 'ok', detail: `${me.Arn} (account ${me.Account})` });
    account = me.Account ?? '';
  } catch (error) {
    checks.push(
      awsFailed(
        'caller',
        'sts:GetCallerIdentity',
        error,
        'check the credentials (--profile, or aws sso login)',
      ),
    );
    return checks;
  }
  for (const [stack, cloudFormation, where] of [
    ...KIT_STACKS.map((st) => [st, aws.cloudFormation, target.region] as const),
    [ALERTS_STACK_NAME, aws.alerts.cloudFormation, GLOBAL_EVENTS_REGION] as const,
  ]) {
    checks.push(await stackCheck(stack, cloudFormation, where));
  }
  checks.push(await workgroupCheck(aws, names.workgroupName));
  const tables = await Promise.all(
    [names.cloudTrailTableName, names.vpcFlowTableName].map((table) =>
      tableCheck(aws, names.databaseName, table, window),
    ),
  );
  checks.push(...tables.map((t) => t.check));
  checks.push(await logObjectsCheck(aws, tables[0].location, account, target.region, window));
  checks.push(await subscriptionsCheck(aws));
  return checks;
}

async function stackCheck(
  stack: string,
  cloudFormation: CloudFormationClient,
  region: string,
): Promise<Check> {
  const name = `stack ${stack}`;
  try {
    const out = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
    const status = out.Stacks?.[0]?.StackStatus ?? 'unknown';
    const healthy = HEALTHY.test(status) && !/ROLLBACK|DELETE/.test(status);
    return {
      name,
      status: healthy ? 'ok' : 'fail',
      detail: `${status} (${region})`,
      ...(healthy
        ? {}
        : {
            fix: `see its events: aws cloudformation describe-stack-events --stack-name ${stack} --region ${region}`,
          }),
    };
  } catch (error) {
    if (isAwsError(error, 'ValidationError')) {
      return {
        name,
        status: 'fail',
        detail: `not deployed in this account in ${region}`,
        fix: `deploy it: npx cdk deploy ${stack}`,
      };
    }
    return awsFailed(
      name,
      'cloudformation:DescribeStacks',
      error,
      'the credentials need cloudformation:DescribeStacks (the analyst and deploy roles have it)',
    );
  }
}

async function workgroupCheck(aws: DoctorAws, workGroup: string): Promise<Check> {
  const name = `workgroup ${workGroup}`;
  try {
    const out = await aws.athena.send(new GetWorkGroupCommand({ WorkGroup: workGroup }));
    const state = out.WorkGroup?.State ?? 'unknown';
    return state === 'ENABLED'
      ? {
          name,
          status: 'ok',
          detail: `enabled, engine ${out.WorkGroup?.Configuration?.EngineVersion?.EffectiveEngineVersion ?? 'unknown'}`,
        }
      : {
          name,
          status: 'fail',
          detail: `state ${state}: queries cannot run in it`,
          fix: `enable it: aws athena update-work-group --work-group ${workGroup} --state ENABLED`,
        };
  } catch (error) {
    if (
      isAwsError(error, 'InvalidRequestException') &&
      /not found|does not exist/i.test((error as Error).message)
    ) {
      return {
        name,
        status: 'fail',
        detail: 'not found in this account and Region',
        fix: 'deploy IrKitAnalytics here (npx cdk deploy IrKitAnalytics), or give the Region it is in (--region)',
      };
    }
    return awsFailed(
      name,
      'athena:GetWorkGroup',
      error,
      'use the analyst role, which may read the workgroup',
    );
  }
}

interface TableResult {
  readonly check: Check;
  /** The table's S3 location template, when the table was read. */
  readonly location?: string;
}

/** The table exists, and its date projection covers the window (a day outside it reads as no data). */
async function tableCheck(
  aws: DoctorAws,
  database: string,
  table: string,
  window: DoctorWindow,
): Promise<TableResult> {
  const name = `table ${database}.${table}`;
  try {
    const out = await aws.glue.send(new GetTableCommand({ DatabaseName: database, Name: table }));
    const parameters = out.Table?.Parameters ?? {};
    const location = parameters['storage.location.template'];
    const range = parameters['projection.date_partition.range'];
    if (parameters['projection.enabled'] !== 'true' || range === undefined) {
      return {
        location,
        check: {
          name,
          status: 'fail',
          detail: 'no date partition projection: queries would read no partitions',
          fix: 'redeploy IrKitAnalytics (npx cdk deploy IrKitAnalytics), which defines the projection',
        },
      };
    }
    const [start, end] = range.split(',').map((x) => x.trim());
    const problems = [
      ...(start > window.from ? [`starts ${start}, after the window's first day ${window.from}`] : []),
      ...(end !== 'NOW' && end < window.to ? [`ends ${end}, before the window's last day ${window.to}`] : []),
    ];
    return {
      location,
      check: problems.length
        ? {
            name,
            status: 'fail',
            detail: `projection range ${range} ${problems.join(' and ')}: those days read as empty`,
            fix: `set projectionStartDate to ${window.from} or earlier in the config and redeploy IrKitAnalytics`,
          }
        : { name, status: 'ok', detail: `projection ${range} covers ${window.from} to ${window.to}` },
    };
  } catch (error) {
    if (isAwsError(error, 'EntityNotFoundException')) {
      return {
        check: {
          name,
          status: 'fail',
          detail: 'not found in this account and Region',
          fix: 'deploy IrKitAnalytics here, or check databaseName and the table names of the config (irkit uses the config found)',
        },
      };
    }
    return {
      check: awsFailed(name, 'glue:GetTable', error, 'use the analyst role, which may read the Glue tables'),
    };
  }
}

/** Days of the window, first to last (`yyyy/MM/dd`). */
function daysOf(window: DoctorWindow): string[] {
  const days: string[] = [];
  const at = new Date(`${window.from.replace(/\//g, '-')}T00:00:00Z`);
  const last = new Date(`${window.to.replace(/\//g, '-')}T00:00:00Z`);
  while (at <= last && days.length < MAX_WINDOW_DAYS) {
    days.push(at.toISOString().slice(0, 10).replace(/-/g, '/'));
    at.setUTCDate(at.getUTCDate() + 1);
  }
  return days;
}

const MAX_WINDOW_DAYS = 120;

/** CloudTrail objects in the bucket for each day of the window, for the caller's account and Region. */
async function logObjectsCheck(
  aws: DoctorAws,
  template: string | undefined,
  account: string,
  region: string,
  window: DoctorWindow,
): Promise<Check> {
  const name = 'CloudTrail objects';
  const where = template === undefined ? undefined : /^s3:\/\/([^/]+)\/(.*)$/.exec(template);
  if (!where) {
    return {
      name,
      status: 'skip',
      detail: 'the CloudTrail table was not read, so the log location is unknown',
    };
  }
  const [, bucket, keyTemplate] = where;
  const prefixOf = (day: string) =>
    `${keyTemplate
      .replace('${account_partition}', account)
      .replace('${region_partition}', region)
      .replace('${date_partition}', day)
      .replace(/\/*$/, '')}/`;
  const days = daysOf(window);
  const missing: string[] = [];
  try {
    for (const day of days) {
      const out = await aws.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefixOf(day), MaxKeys: 1 }),
      );
      if (!out.KeyCount) missing.push(day);
    }
  } catch (error) {
    return awsFailed(
      name,
      `s3:ListObjectsV2 on ${bucket}`,
      error,
      'use the analyst role, which may list the log bucket (and decrypt with its key)',
    );
  }
  const shown = `s3://${bucket}/${prefixOf('YYYY/MM/DD')}`;
  if (missing.length === 0) {
    return {
      name,
      status: 'ok',
      detail: `every day ${window.from} to ${window.to} has objects under ${shown}`,
    };
  }
  const list =
    missing.length > 5
      ? `${missing.slice(0, 5).join(', ')} and ${missing.length - 5} more`
      : missing.join(', ');
  return {
    name,
    status: missing.length === days.length ? 'fail' : 'warn',
    detail: `${missing.length} of ${days.length} days have no objects under ${shown}: ${list}`,
    fix:
      missing.length === days.length
        ? `check that the trail delivers to s3://${bucket} (aws cloudtrail get-trail-status), and the account and Region (--region) of the window`
        : 'days without objects hold no events for this account and Region: the trail was off, or delivered elsewhere',
  };
}

/** The alerts topic's subscriptions: confirmed, and the pending ones named. */
async function subscriptionsCheck(aws: DoctorAws): Promise<Check> {
  const name = 'alert subscriptions';
  let topic: string | undefined;
  try {
    const out = await aws.alerts.cloudFormation.send(
      new DescribeStacksCommand({ StackName: ALERTS_STACK_NAME }),
    );
    topic = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === ALERTS_OUTPUTS.topicArn)?.OutputValue;
  } catch {
    // The stack check above already says why.
  }
  if (!topic) {
    return {
      name,
      status: 'skip',
      detail: `no alerts topic: ${ALERTS_STACK_NAME} is not deployed (see above)`,
    };
  }
  try {
    const subscriptions: Subscription[] = [];
    let token: string | undefined;
    do {
      const out = await aws.alerts.sns.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: topic, NextToken: token }),
      );
      subscriptions.push(...(out.Subscriptions ?? []));
      token = out.NextToken;
    } while (token);
    const pending = subscriptions.filter((s) => s.SubscriptionArn === 'PendingConfirmation');
    const confirmed = subscriptions.length - pending.length;
    if (subscriptions.length === 0) {
      return {
        name,
        status: 'fail',
        detail: `nobody is subscribed to ${topic}: alerts reach no one`,
        fix: 'add alertEmails to the config and redeploy IrKitAlerts (npx cdk deploy IrKitAlerts)',
      };
    }
    if (pending.length > 0) {
      return {
        name,
        status: confirmed > 0 ? 'warn' : 'fail',
        detail: `${confirmed} confirmed; not confirmed: ${pending.map((s) => `${s.Protocol} ${s.Endpoint}`).join(', ')}`,
        fix: `each must click the link in the "AWS Notification - Subscription Confirmation" e-mail; resend with aws sns subscribe --topic-arn ${topic} --protocol email --notification-endpoint ADDRESS --region ${GLOBAL_EVENTS_REGION}`,
      };
    }
    return { name, status: 'ok', detail: `${confirmed} confirmed on ${topic}` };
  } catch (error) {
    return awsFailed(
      name,
      'sns:ListSubscriptionsByTopic',
      error,
      'use a role that may read the alerts topic (sns:ListSubscriptionsByTopic)',
    );
  }
}

export function describeChecks(checks: readonly Check[]): string {
  const mark: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };
  const lines = checks.flatMap((c) => [
    `${mark[c.status]}  ${c.name}: ${c.detail}`,
    ...(c.fix && c.status !== 'ok' ? [`      -> ${c.fix}`] : []),
  ]);
  return `${lines.join('\n')}\n`;
}
