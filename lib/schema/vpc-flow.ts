import { IrKitError } from '../errors';
import { ColumnType } from './types';

/**
 * VPC Flow Logs fields. Log files are space-delimited text with a header line naming the
 * fields (`version account-id interface-id ...`); the Glue columns use the playbook's names
 * (`sourceaddress`, `destinationaddress`), so its join query runs unchanged.
 */
export interface FlowField {
  /** The name in the log format and in the file's header line, e.g. `srcaddr`. */
  readonly logName: string;
  /** The Glue column name, e.g. `sourceaddress`. */
  readonly column: string;
  readonly type: ColumnType;
}

/** Every field AWS defines for flow logs (versions 2-5), by its log-format name. */
export const FLOW_LOG_FIELDS: Readonly<Record<string, FlowField>> = Object.fromEntries(
  (
    [
      ['version', 'version', 'int'],
      ['account-id', 'account', 'string'],
      ['interface-id', 'interfaceid', 'string'],
      ['srcaddr', 'sourceaddress', 'string'],
      ['dstaddr', 'destinationaddress', 'string'],
      ['srcport', 'sourceport', 'int'],
      ['dstport', 'destinationport', 'int'],
      ['protocol', 'protocol', 'int'],
      ['packets', 'numpackets', 'bigint'],
      ['bytes', 'numbytes', 'bigint'],
      ['start', 'starttime', 'bigint'],
      ['end', 'endtime', 'bigint'],
      ['action', 'action', 'string'],
      ['log-status', 'logstatus', 'string'],
      ['vpc-id', 'vpcid', 'string'],
      ['subnet-id', 'subnetid', 'string'],
      ['instance-id', 'instanceid', 'string'],
      ['tcp-flags', 'tcpflags', 'int'],
      ['type', 'type', 'string'],
      ['pkt-srcaddr', 'pktsrcaddr', 'string'],
      ['pkt-dstaddr', 'pktdstaddr', 'string'],
      ['region', 'region', 'string'],
      ['az-id', 'azid', 'string'],
      ['sublocation-type', 'sublocationtype', 'string'],
      ['sublocation-id', 'sublocationid', 'string'],
      ['pkt-src-aws-service', 'pktsrcawsservice', 'string'],
      ['pkt-dst-aws-service', 'pktdstawsservice', 'string'],
      ['flow-direction', 'flowdirection', 'string'],
      ['traffic-path', 'trafficpath', 'int'],
    ] as const
  ).map(([logName, column, type]) => [logName, { logName, column, type }]),
);

/** The default (version 2) format, in order. */
export const DEFAULT_FLOW_LOG_FORMAT: readonly string[] = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
];

/** Resolves a format (log-format names, in file order) to its fields; unknown names throw. */
export function flowLogFields(format: readonly string[] = DEFAULT_FLOW_LOG_FORMAT): FlowField[] {
  return format.map((name) => {
    const f = FLOW_LOG_FIELDS[name];
    if (!f) {
      throw new IrKitError('IRKIT_CONFIG', `unknown VPC Flow Logs field "${name}"`, {
        hint: `use the log-format names AWS defines: ${Object.keys(FLOW_LOG_FIELDS).join(', ')}`,
      });
    }
    return f;
  });
}
