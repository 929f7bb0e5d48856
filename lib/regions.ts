/**
 * Every current commercial AWS Region (partition `aws`), listed once. The CloudTrail and
 * VPC Flow Logs tables project region_partition over this list, and the config defaults to it.
 * GovCloud, China and the European Sovereign Cloud are separate partitions and are left out.
 */
export const COMMERCIAL_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];

/** IAM, STS global endpoint and Organizations events are delivered in this Region. */
export const GLOBAL_EVENTS_REGION = 'us-east-1';

/** AWS Health's backup Region for global events, where AWS advises a second rule. */
export const HEALTH_BACKUP_REGION = 'us-west-2';
