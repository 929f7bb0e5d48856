import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Small log trees for engine tests, written the way CloudTrail and VPC Flow Logs write
 * them to S3: gzip of {"Records":[...]} with camelCase fields, and space-delimited flow
 * records under a header line.
 */

export const ACCOUNT = '777777777777';
export const KEY = 'AKIAIOSFODNN7EXAMPLE';
export const ATTACKER_IP = '198.51.100.77';
const UA = 'aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/';

export type CtRecord = Record<string, unknown>;

let counter = 0;

/** A CloudTrail record of an IAM user's call; `over` replaces any top-level field. */
export function ctRecord(over: CtRecord & { eventTime: string; eventName: string }): CtRecord {
  counter += 1;
  const user = (over.userName as string | undefined) ?? 'JorgeSouza';
  const rest = { ...over };
  delete rest.userName;
  delete rest.accessKeyId;
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDACKCEVSQ6C2EXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/${user}`,
      accountId: ACCOUNT,
      // null leaves the key out (console sign-ins have none).
      accessKeyId: 'accessKeyId' in over ? over.accessKeyId : KEY,
      userName: user,
    },
    eventSource: 'iam.amazonaws.com',
    awsRegion: 'us-east-1',
    sourceIPAddress: ATTACKER_IP,
    userAgent: `${UA}iam.list-users`,
    requestParameters: null,
    responseElements: null,
    requestID: `req-${counter}`,
    eventID: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...rest,
  };
}

export class LogTree {
  public readonly root: string;

  constructor(prefix = 'irkit-logs-') {
    this.root = mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  /** Writes a CloudTrail file in the S3 layout (day folder = delivery day) and returns its path. */
  cloudTrail(
    day: string,
    records: readonly CtRecord[],
    options: {
      region?: string;
      account?: string;
      org?: string;
      prefix?: string;
      name?: string;
      gzip?: boolean;
    } = {},
  ): string {
    const region = options.region ?? 'us-east-1';
    const account = options.account ?? ACCOUNT;
    const dir = path.join(
      this.root,
      ...(options.prefix ? [options.prefix] : []),
      'AWSLogs',
      ...(options.org ? [options.org] : []),
      account,
      'CloudTrail',
      region,
      ...day.split('/'),
    );
    const gzip = options.gzip ?? true;
    const name =
      options.name ??
      `${account}_CloudTrail_${region}_${day.replace(/\//g, '')}T0230Z_${String(++counter).padStart(16, 'A')}.json${gzip ? '.gz' : ''}`;
    return this.write(path.join(dir, name), JSON.stringify({ Records: records }), gzip);
  }

  /** Writes a VPC Flow Logs file in the S3 layout. */
  flowLog(day: string, header: string, lines: readonly string[], options: { region?: string } = {}): string {
    const region = options.region ?? 'us-east-1';
    const dir = path.join(this.root, 'AWSLogs', ACCOUNT, 'vpcflowlogs', region, ...day.split('/'));
    const name = `${ACCOUNT}_vpcflowlogs_${region}_fl-0123456789abcdef0_${day.replace(/\//g, '')}T0235Z_${String(++counter).padStart(8, '0')}.log.gz`;
    return this.write(path.join(dir, name), `${[header, ...lines].join('\n')}\n`, true);
  }

  /** Writes any file (relative to the root), gzipped when asked. */
  file(relative: string, content: string | Buffer, gzip = false): string {
    return this.write(path.join(this.root, relative), content, gzip);
  }

  touch(file: string, secondsLater: number): void {
    const when = new Date(Date.now() + secondsLater * 1000);
    utimesSync(file, when, when);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private write(file: string, content: string | Buffer, gzip: boolean): string {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, gzip ? gzipSync(content) : content);
    return file;
  }
}

/** The playbook's four calls made with the exposed key (Part 2, first table). */
export function playbookKeyCalls(): CtRecord[] {
  return [
    ctRecord({
      eventTime: '2021-07-24T02:22:31Z',
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetCallerIdentity',
      readOnly: true,
      userAgent: `${UA}sts.get-caller-identity`,
    }),
    ctRecord({
      eventTime: '2021-07-24T02:22:32Z',
      eventName: 'CreateUser',
      userAgent: `${UA}iam.create-user`,
      requestParameters: { userName: 'JaneDoe' },
      responseElements: {
        user: {
          path: '/',
          userName: 'JaneDoe',
          userId: 'AIDACKCEVSQ6C2EXAMPLE',
          arn: `arn:aws:iam::${ACCOUNT}:user/JaneDoe`,
          createDate: 'Jul 24, 2021 2:22:32 AM',
        },
      },
    }),
    ctRecord({
      eventTime: '2021-07-24T02:22:33Z',
      eventName: 'AttachUserPolicy',
      userAgent: `${UA}iam.attach-user-policy`,
      requestParameters: { userName: 'JaneDoe', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    }),
    ctRecord({
      eventTime: '2021-07-24T02:22:34Z',
      eventName: 'CreateAccessKey',
      userAgent: `${UA}iam.create-access-key`,
      requestParameters: { userName: 'JaneDoe' },
      responseElements: {
        accessKey: {
          userName: 'JaneDoe',
          accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
          status: 'Active',
          createDate: 'Jul 24, 2021 2:22:34 AM',
        },
      },
    }),
  ];
}

export const FLOW_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

/** 2021-07-24T02:30:00Z, as flow logs write times (epoch seconds). */
export const FLOW_START = 1627093800;

export function flowLine(src: string, dst: string, dstPort = 22): string {
  return `2 ${ACCOUNT} eni-0123456789abcdef0 ${src} ${dst} 49152 ${dstPort} 6 10 840 ${FLOW_START} ${FLOW_START + 60} ACCEPT OK`;
}
