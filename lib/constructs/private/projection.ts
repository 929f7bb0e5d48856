import { Token } from 'aws-cdk-lib';

import { IrKitError } from '../../errors';
import { DATE_PARTITION_FORMAT, PARTITION_KEYS } from '../../schema/cloudtrail';
import * as v from '../../validation';

/**
 * Athena partition projection shared by the CloudTrail and VPC Flow Logs tables: the three
 * partition keys, computed from the storage path instead of stored in the catalog, so a new
 * day, account or region needs no crawler and no ALTER TABLE.
 */
export interface ProjectionProps {
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  /** First date_partition, `yyyy/MM/dd`. */
  readonly startDate: string;
  /** `s3://...${account_partition}...${region_partition}/${date_partition}`. */
  readonly locationTemplate: string;
}

/** Partition columns in the order they appear in the storage path. */
export const PARTITION_COLUMNS = [
  { name: PARTITION_KEYS.account, type: 'string' },
  { name: PARTITION_KEYS.region, type: 'string' },
  { name: PARTITION_KEYS.date, type: 'string' },
] as const;

function propsError(what: string, value: unknown, fix: string): IrKitError {
  return new IrKitError('IRKIT_CONFIG', `table projection: invalid ${what} ${JSON.stringify(value)}`, {
    hint: fix,
  });
}

/** Refuses what would make a table that silently matches nothing. Tokens are left to deploy time. */
export function validateProjection(props: ProjectionProps): void {
  if (props.accounts.length === 0) {
    throw propsError('accounts', props.accounts, 'give at least one account id, e.g. ["777777777777"]');
  }
  for (const account of props.accounts) {
    if (!Token.isUnresolved(account) && !/^\d{12}$/.test(account)) {
      throw propsError('account', account, 'an account id is exactly 12 digits, e.g. 777777777777');
    }
  }
  if (props.regions.length === 0) {
    throw propsError('regions', props.regions, 'give at least one Region, e.g. ["us-east-1"]');
  }
  for (const region of props.regions) {
    if (!Token.isUnresolved(region) && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
      throw propsError('region', region, 'a Region looks like us-east-1');
    }
  }
  try {
    if (v.partitionDate(props.startDate) !== props.startDate) throw new Error('not yyyy/MM/dd');
  } catch {
    throw propsError(
      'projection start date',
      props.startDate,
      `give the date as ${DATE_PARTITION_FORMAT}, e.g. 2020/01/01`,
    );
  }
}

/** The table parameters that switch projection on. */
export function projectionParameters(props: ProjectionProps): Record<string, string> {
  validateProjection(props);
  return {
    'projection.enabled': 'true',
    [`projection.${PARTITION_KEYS.date}.type`]: 'date',
    [`projection.${PARTITION_KEYS.date}.format`]: DATE_PARTITION_FORMAT,
    [`projection.${PARTITION_KEYS.date}.range`]: `${props.startDate},NOW`,
    [`projection.${PARTITION_KEYS.date}.interval`]: '1',
    [`projection.${PARTITION_KEYS.date}.interval.unit`]: 'DAYS',
    [`projection.${PARTITION_KEYS.region}.type`]: 'enum',
    [`projection.${PARTITION_KEYS.region}.values`]: props.regions.join(','),
    [`projection.${PARTITION_KEYS.account}.type`]: 'enum',
    [`projection.${PARTITION_KEYS.account}.values`]: props.accounts.join(','),
    'storage.location.template': props.locationTemplate,
  };
}

/** `s3://bucket/[prefix/]` with no doubled slash whatever the prefix. */
export function s3Root(bucketName: string, prefix?: string): string {
  return `s3://${bucketName}/${prefix ? `${prefix}/` : ''}`;
}
