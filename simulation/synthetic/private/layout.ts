import { datePath, fileStamp } from './time';

/**
 * Object keys exactly as CloudTrail and VPC Flow Logs deliver them to S3, so the local
 * engine and Athena's partition projection see the real layout:
 *   [PREFIX/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz
 *   [PREFIX/]AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/ACCOUNT_vpcflowlogs_REGION_fl-ID_YYYYMMDDTHHmmZ_HASH.log.gz
 */

export interface CloudTrailKey {
  readonly prefix?: string;
  readonly organizationId?: string;
  readonly account: string;
  readonly region: string;
  /** Start of the delivery window, epoch ms: names the date folder and the file. */
  readonly time: number;
  /** 16 letters and digits. */
  readonly unique: string;
  readonly compress: boolean;
}

export function cloudTrailKey(k: CloudTrailKey): string {
  const root = [k.prefix, 'AWSLogs', k.organizationId, k.account].filter(Boolean).join('/');
  const name = `${k.account}_CloudTrail_${k.region}_${fileStamp(k.time)}_${k.unique}.json${k.compress ? '.gz' : ''}`;
  return `${root}/CloudTrail/${k.region}/${datePath(k.time)}/${name}`;
}

export interface FlowLogKey {
  readonly prefix?: string;
  readonly account: string;
  readonly region: string;
  readonly flowLogId: string;
  readonly time: number;
  /** 8 hex digits. */
  readonly hash: string;
  readonly compress: boolean;
}

export function flowLogKey(k: FlowLogKey): string {
  const root = [k.prefix, 'AWSLogs', k.account].filter(Boolean).join('/');
  const name = `${k.account}_vpcflowlogs_${k.region}_${k.flowLogId}_${fileStamp(k.time)}_${k.hash}.log${k.compress ? '.gz' : ''}`;
  return `${root}/vpcflowlogs/${k.region}/${datePath(k.time)}/${name}`;
}
