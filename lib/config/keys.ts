import { DEFAULT_NAMES } from '../names';
import { COMMERCIAL_REGIONS, GLOBAL_EVENTS_REGION, HEALTH_BACKUP_REGION } from '../regions';
import { DEFAULT_FLOW_LOG_FORMAT, FLOW_LOG_FIELDS, flowLogFields } from '../schema/vpc-flow';
import * as v from '../validation';
import { PATTERNS } from '../validation';
import {
  ConfigProblem,
  Raw,
  Reader,
  boolean,
  integer,
  known,
  list,
  matching,
  oneOf,
  problem,
  region,
  validated,
} from './readers';

/**
 * The kit's configuration, declared once: every key with its reader, its default and what it
 * means. The config's type (`IrKitConfig`), its validation, the "did you mean" of a misspelt key
 * and the key tables of docs/configuration.md all come from this table.
 */

/** The sections of docs/configuration.md, in order. */
export const SECTIONS = {
  logs: { title: 'Where the logs are' },
  names: {
    title: "Names (the playbook's by default)",
    after:
      'Glue names must be lower case because Athena folds identifiers to lower case; a table named\n`CloudTrail` would be unreachable from the saved queries.',
  },
  access: { title: 'Who may do what' },
  cost: { title: 'Query cost and retention' },
  stacks: { title: 'Optional stacks' },
  evidence: { title: 'Evidence (`IrKitEvidence`)' },
  deploy: { title: 'Where to deploy' },
  organization: {
    title: 'An organization: the member accounts',
    after:
      "With `members.organizationalUnits`, `cdk deploy` adds `IrKitOrganization` (two StackSets) and the organization\nalerts bus in `IrKitAlerts`; `irkit contain --plan`, `release` and `doctor` reach the member\naccounts through `members.deployRoleArn`; `status` through the member's `analystRoleName`, `preserve` and `eradicate` its `breakGlassRoleName`. The README's organization section says what to deploy where, in order.",
  },
} as const satisfies Record<string, { title: string; after?: string }>;

export type Section = keyof typeof SECTIONS;

/** What docs/configuration.md says of a key. */
export interface KeyDoc {
  readonly section: Section;
  /** The form of the value. */
  readonly type: string;
  /** The default, in words (when absent: the `default` value, as JSON). */
  readonly defaultText?: string;
  readonly meaning: string;
}

/** The cdk CLI's environment: defaults for `env`. */
export interface ConfigDefaults {
  /** CDK_DEFAULT_ACCOUNT: the account of the credentials cdk runs with, when there are any. */
  readonly account?: string;
  /** CDK_DEFAULT_REGION. */
  readonly region?: string;
}

export interface KeySpec<T> {
  readonly kind: 'key';
  readonly read: Reader<T>;
  /** The value when the key is absent (and neither `derive` nor `fromDefaults` gives one). */
  readonly default?: T;
  /** Absent: a problem, unless irkit reads it at run time (where only what it uses must be right). */
  readonly required?: { readonly problem: string; readonly fix: string };
  /** Absent: computed from the keys read before it (and the raw config). Deployment only. */
  readonly derive?: (config: Record<string, unknown>, raw: Raw) => T;
  /** Absent: a raw value from cdk's environment, read (and refused) like the key's own. */
  readonly fromDefaults?: (defaults: ConfigDefaults) => unknown;
  /**
   * `irkit` reads the key at run time too; a reader here replaces the deployment's (a responder
   * with a config still incomplete for deployment is not stopped).
   */
  readonly runtime?: true | Reader<T>;
  readonly doc: KeyDoc;
}

export interface GroupSpec<G extends Record<string, KeySpec<unknown>>> {
  readonly kind: 'group';
  readonly keys: G;
}

function key<T>(spec: Omit<KeySpec<T>, 'kind'>): KeySpec<T> {
  return { kind: 'key', ...spec };
}

function group<G extends Record<string, KeySpec<unknown>>>(keys: G): GroupSpec<G> {
  return { kind: 'group', keys };
}

const EXAMPLE_RESPONDER = 'arn:aws:iam::777777777777:role/IncidentResponder';

const accountId = validated(v.accountId, 'AWS account id (12 digits)');
const roleName = validated(v.iamRoleName, 'IAM role name');
const prefix = matching(
  PATTERNS.s3Prefix,
  'S3 key prefix',
  'give the folder path before AWSLogs/ with no leading or trailing slash, e.g. "cloudtrail" or "org/logs"',
);
const glueName = matching(
  PATTERNS.glueName,
  'Glue name',
  'use lower-case letters, digits and underscores (Athena folds names to lower case), e.g. irworkshopgluedatabase',
);
const regions = (example: string, nonEmpty: boolean) => list(region, { nonEmpty, example });

/** True for an account id or an account's `:root` ARN: trust in the whole account. */
export function isAccountRootPrincipal(value: string): boolean {
  return PATTERNS.accountRoot.test(value);
}

/**
 * One entry of trustedPrincipals or breakGlassPrincipals: an exact IAM role or user ARN, or,
 * only when the config opts in (`allowAccountRootTrust`), a whole account. `assumes` says what
 * the entry would let in.
 */
function trustedPrincipal(assumes: string): Reader<string> {
  return (value, key, root) => {
    if (typeof value === 'string' && PATTERNS.iamRoleOrUserArn.test(value)) return value;
    if (typeof value === 'string' && isAccountRootPrincipal(value)) {
      if (root.allowAccountRootTrust === true) return value;
      const account = /\d{12}/.exec(value)?.[0] ?? '';
      throw problem(
        key,
        value,
        `this trusts the whole account ${account}: any IAM user or role in it that may call sts:AssumeRole, an exposed administrator key included, could ${assumes}`,
        `name your responders' IAM role or user, e.g. "${EXAMPLE_RESPONDER}"; only if you accept that risk, add "allowAccountRootTrust": true`,
      );
    }
    if (typeof value === 'string' && value.includes('*')) {
      throw problem(
        key,
        value,
        'a wildcard lets in principals nobody listed',
        `name each IAM role or user exactly, e.g. "${EXAMPLE_RESPONDER}"`,
      );
    }
    const session = typeof value === 'string' ? PATTERNS.assumedRoleArn.exec(value) : null;
    if (session) {
      throw problem(
        key,
        value,
        'a role session, not a role: its session name is whatever the caller passes to AssumeRole, so it identifies nobody, and the session ends within hours',
        `trust the role itself, "arn:${session[1]}:iam::${session[2]}:role/${session[3]}"`,
      );
    }
    throw problem(
      key,
      value,
      'not an IAM role or user ARN',
      `give an ARN such as "${EXAMPLE_RESPONDER}" (a path is allowed: arn:aws:iam::777777777777:role/team/IncidentResponder); the kit trusts no service, federated or group principal`,
    );
  };
}

/** At run time the responders are only read (synth validates them): any string without spaces. */
const anyPrincipals = list(matching(/^\S+$/, 'principal', 'give an IAM role or user ARN'), {
  nonEmpty: false,
  example: `["${EXAMPLE_RESPONDER}"]`,
});

const protectedPrincipal: Reader<string> = (value, key) => {
  if (
    typeof value === 'string' &&
    (PATTERNS.iamName.test(value) || PATTERNS.iamPathName.test(value) || PATTERNS.iamPrincipalArn.test(value))
  ) {
    return value;
  }
  throw problem(
    key,
    value,
    'not an IAM user or role name, path/name or ARN',
    'give a name such as ci-deployer, a name with its path such as contractors/alice, or an ARN such as arn:aws:iam::777777777777:role/OrgAdmin',
  );
};

const flowLogField = known(
  Object.keys(FLOW_LOG_FIELDS),
  'not a VPC Flow Logs field',
  `use the log-format names AWS defines: ${Object.keys(FLOW_LOG_FIELDS).join(', ')}`,
);

const flowLogFormat: Reader<readonly string[]> = (value, key, root) => {
  const names = list(flowLogField, {
    nonEmpty: true,
    example: JSON.stringify(DEFAULT_FLOW_LOG_FORMAT.slice(0, 3)),
  })(value, key, root);
  // The table's columns come from the same resolver, so a format it accepts here builds there.
  flowLogFields(names);
  if (!names.includes('start')) {
    throw problem(
      key,
      value,
      'has no "start" field',
      'the queries bound flow records to the window by their start time: keep "start" in the format',
    );
  }
  return names;
};

const name = (field: Exclude<keyof typeof DEFAULT_NAMES, 'simulationUserName'>) => DEFAULT_NAMES[field];
const namedRole = (field: Parameters<typeof name>[0], meaning: string, defaultNote = '') =>
  key<string>({
    read: roleName,
    default: name(field),
    runtime: true,
    doc: {
      section: 'names',
      type: 'IAM role name',
      defaultText: `\`${name(field)}\`${defaultNote}`,
      meaning,
    },
  });

/** 100 years, the longest default retention S3 Object Lock takes. */
export const MAX_EVIDENCE_RETENTION_DAYS = 36_500;

/** Athena refuses a per-query cutoff below 10 MB. */
export const MIN_BYTES_SCANNED_CUTOFF = 10_000_000;
/** 100 GiB: a generous month of an organization's CloudTrail; about USD 0.50 a query at most. */
export const DEFAULT_BYTES_SCANNED_CUTOFF = 100 * 1024 ** 3;
export const DEFAULT_RESULTS_RETENTION_IN_DAYS = 365;
export const DEFAULT_PROJECTION_START_DATE = '2020/01/01';

/** The member accounts' deploy role, by default: the baseline creates the deploy role under its configured name. */
export function defaultDeployRoleArnTemplate(deployRoleName: string): string {
  return `arn:aws:iam::{account}:role/${deployRoleName}`;
}

const MEMBERS = group({
  organizationalUnits: key<readonly string[]>({
    read: list(
      matching(
        PATTERNS.organizationalUnitOrRoot,
        'organizational unit or root id',
        'give the id AWS Organizations shows: "ou-exa1-11111111", or the root "r-exa1"',
      ),
      { nonEmpty: false, example: '["ou-exa1-11111111"]' },
    ),
    default: [],
    doc: {
      section: 'organization',
      type: 'list of `ou-...` or `r-...` ids',
      defaultText: 'none: no member baseline',
      meaning:
        'The organizational units (or the root) whose accounts, and every account that joins them later, get the member baseline (the four IR roles trusting `trustedPrincipals`, the containment policy, handler and execution role, in `env.region`) and the alert rules (in `members.regions`), by the service-managed StackSets of `IrKitOrganization`. The security account (`env.account`) is always left out. `IrKitEvidence` then admits the break-glass role of each member account (of `organizationId`) to copy the object versions of that account into its own `incidents/ID/accounts/ACCOUNT/` folder, and nowhere else. Needs `organizationId`, `env.account` and `env.region`. Example: `["ou-exa1-11111111"]`',
    },
  }),
  regions: key<readonly string[]>({
    read: regions('["us-east-1", "eu-west-1"]', false),
    derive: (config) => config.alertRegions as readonly string[],
    doc: {
      section: 'organization',
      type: 'list of commercial Region names',
      defaultText: '`alertRegions`',
      meaning:
        "Regions of the member accounts' alert rules, beside us-east-1 (always: IAM's events arrive there). Each rule forwards to the security account's `irkit-organization-alerts` bus, which admits only the organization (`aws:PrincipalOrgID`). Example: `[\"eu-west-1\"]`",
    },
  }),
  administrator: key<'delegated' | 'management'>({
    read: oneOf(['delegated', 'management'] as const),
    default: 'delegated',
    runtime: true,
    doc: {
      section: 'organization',
      type: '`"delegated"` or `"management"`',
      meaning:
        "Where `IrKitOrganization` deploys: in a delegated administrator account for CloudFormation StackSets (AWS's advice; the StackSets are created with `CallAs: DELEGATED_ADMIN`), or in the management account itself.",
    },
  }),
  administrationAccount: key<string | undefined>({
    read: accountId,
    doc: {
      section: 'organization',
      type: '12-digit string',
      defaultText: '`env.account` (the security account as the delegated administrator)',
      meaning:
        'The account `IrKitOrganization` deploys to: the management account, or the delegated administrator when it is not the security account. Example: `"111111111111"`',
    },
  }),
  deployRoleArn: key<string | undefined>({
    read: matching(
      PATTERNS.roleArnTemplate,
      'role ARN template',
      'give an IAM role ARN with {account} for the member account id, e.g. "arn:aws:iam::{account}:role/SecurityDeployRole"',
    ),
    runtime: true,
    doc: {
      section: 'organization',
      type: 'role ARN with `{account}`',
      defaultText: '`arn:aws:iam::{account}:role/` + `deployRoleName`',
      meaning:
        'The role `irkit` assumes in a member account, from the security account, with the operator\'s name in the session. Example: `"arn:aws:iam::{account}:role/SecurityDeployRole"`',
    },
  }),
});

/** Every key of the config, in the order docs/configuration.md lists them. */
export const KEYS = {
  logBucket: key<string | undefined>({
    read: validated(v.bucketName, 'S3 bucket name'),
    runtime: true,
    doc: {
      section: 'logs',
      type: 'string (bucket name)',
      defaultText: 'none: created by `IrKitLogSources` as `irkit-logs-ACCOUNT-REGION`',
      meaning:
        'The bucket your trail (and flow logs) deliver to. Given, it is imported: the kit never changes its policy, so it must already let CloudTrail and `delivery.logs.amazonaws.com` write (it does if a trail already writes there). Required unless `logSources.enabled`. Example: `"DOC-EXAMPLE-BUCKET"`',
    },
  }),
  cloudTrailPrefix: key<string | undefined>({
    read: prefix,
    runtime: true,
    doc: {
      section: 'logs',
      type: 'string (S3 prefix, no leading or trailing `/`)',
      defaultText: 'none',
      meaning:
        'The trail\'s S3 key prefix, the folder before `AWSLogs/`. Example: `"cloudtrail"` for `s3://BUCKET/cloudtrail/AWSLogs/...`',
    },
  }),
  vpcFlowLogPrefix: key<string | undefined>({
    read: prefix,
    doc: {
      section: 'logs',
      type: 'string (S3 prefix)',
      defaultText: 'none',
      meaning: 'The same for the VPC Flow Logs. Example: `"flows"`',
    },
  }),
  organizationId: key<string | undefined>({
    read: validated(v.organizationId, 'organization id'),
    runtime: true,
    doc: {
      section: 'logs',
      type: 'string `o-` + 10-32 lower-case letters or digits',
      defaultText: 'none (an account trail)',
      meaning:
        'Set when the bucket holds an organization trail, whose objects sit under `AWSLogs/o-xxx/ACCOUNT/`. Not allowed with `logSources.enabled` (the kit\'s own trail is an account trail). Example: `"o-exampleorgid"`',
    },
  }),
  accounts: key<readonly string[]>({
    read: list(accountId, { nonEmpty: true, example: '["777777777777"]' }),
    required: {
      problem: 'required: the accounts whose logs the tables read',
      fix: 'add "accounts": ["777777777777"] (every account of an organization trail you want to query)',
    },
    doc: {
      section: 'logs',
      type: 'list of 12-digit strings, no duplicates',
      defaultText: '**required**',
      meaning:
        'Accounts the tables project as `account_partition`: your account, or every account of an organization trail you want to query. Example: `["777777777777"]`',
    },
  }),
  regions: key<readonly string[]>({
    read: regions('["us-east-1"]', true),
    default: COMMERCIAL_REGIONS,
    // irkit investigate --related-findings reads GuardDuty in each.
    runtime: true,
    doc: {
      section: 'logs',
      type: 'list of commercial Region names',
      defaultText: 'every commercial Region (`lib/regions.ts`)',
      meaning:
        'Regions projected as `region_partition`, and where `irkit investigate --related-findings` reads GuardDuty. A Region outside the list is refused with the closest name. Example: `["us-east-1", "eu-west-1"]`',
    },
  }),
  alertRegions: key<readonly string[]>({
    read: regions('["us-east-1", "eu-west-1"]', false),
    // An attacker may call STS in any Region and GuardDuty finds in each.
    derive: (config, raw) => (raw.regions !== undefined ? (config.regions as readonly string[]) : []),
    doc: {
      section: 'logs',
      type: 'list of commercial Region names',
      defaultText: '`regions` when given, else none',
      meaning:
        'Regions whose alert events are forwarded to the alerts topic in us-east-1: STS serves `AssumeRole` in the caller\'s Region (a break-glass assumption through `eu-west-1`\'s endpoint never reaches us-east-1 by itself) and GuardDuty findings are regional. One stack `IrKitAlertForwarding-<region>` per Region (no CDK bootstrap needed there); us-west-2, AWS Health\'s backup Region for global events, always forwards. List every Region your accounts use. Example: `["eu-west-1", "eu-central-1"]`',
    },
  }),
  projectionStartDate: key<string>({
    read: validated(v.partitionDate, 'date (yyyy/MM/dd)'),
    default: DEFAULT_PROJECTION_START_DATE,
    doc: {
      section: 'logs',
      type: 'string `yyyy/MM/dd` (or `yyyy-MM-dd`)',
      defaultText: `\`${DEFAULT_PROJECTION_START_DATE}\``,
      meaning:
        'First day of the `date_partition` projection; the range ends at `NOW`. Example: `"2021/07/01"`',
    },
  }),
  vpcFlowLogFormat: key<readonly string[]>({
    read: flowLogFormat,
    default: DEFAULT_FLOW_LOG_FORMAT,
    runtime: true,
    doc: {
      section: 'logs',
      type: 'list of flow-log field names, in file order',
      defaultText: `the version-2 default format (\`${DEFAULT_FLOW_LOG_FORMAT.join(' ')}\`)`,
      meaning:
        'The flow logs\' log format. It shapes both the flow log the kit creates and the flow table\'s columns, which carry the playbook\'s names (`srcaddr` is `sourceaddress`). Example: `["version", "vpc-id", "srcaddr", "dstaddr", "action"]`',
    },
  }),

  databaseName: key<string>({
    read: glueName,
    default: name('databaseName'),
    runtime: true,
    doc: {
      section: 'names',
      type: 'Glue name: lower-case letters, digits, `_`',
      defaultText: `\`${name('databaseName')}\``,
      meaning: 'Glue database holding both tables; the saved queries name it. Example: `"ir_logs"`',
    },
  }),
  cloudTrailTableName: key<string>({
    read: glueName,
    default: name('cloudTrailTableName'),
    runtime: true,
    doc: {
      section: 'names',
      type: 'Glue name',
      defaultText: `\`${name('cloudTrailTableName')}\``,
      meaning: 'The CloudTrail table. Example: `"cloudtrail"`',
    },
  }),
  vpcFlowTableName: key<string>({
    read: glueName,
    default: name('vpcFlowTableName'),
    runtime: true,
    doc: {
      section: 'names',
      type: 'Glue name',
      defaultText: `\`${name('vpcFlowTableName')}\``,
      meaning: 'The VPC Flow Logs table. Example: `"vpcflow"`',
    },
  }),
  workgroupName: key<string>({
    read: matching(
      PATTERNS.workgroupName,
      'Athena workgroup name',
      'use 1-128 letters, digits, dots, hyphens or underscores',
    ),
    default: name('workgroupName'),
    runtime: true,
    doc: {
      section: 'names',
      type: '1-128 letters, digits, `.` `_` `-`',
      defaultText: `\`${name('workgroupName')}\``,
      meaning: 'The Athena workgroup the queries are saved in and run in. Example: `"IR-Investigations"`',
    },
  }),
  analystRoleName: namedRole('analystRoleName', 'Read-only investigator role. Example: `"IrAnalyst"`'),
  adminRoleName: namedRole(
    'adminRoleName',
    'Administers the kit\'s Athena and Glue resources. Example: `"IrAdmin"`',
    ' (the playbook also calls it AthenaAdminRole)',
  ),
  deployRoleName: namedRole(
    'deployRoleName',
    'Deploys and deletes `irkit-contain-*` stacks only. Example: `"IrDeploy"`',
  ),
  breakGlassRoleName: namedRole(
    'breakGlassRoleName',
    'Administrator with MFA; the one principal a contained bucket still admits. Example: `"IrBreakGlass"`',
  ),
  containmentExecutionRoleName: namedRole(
    'containmentExecutionRoleName',
    'CloudFormation\'s role for containment stacks. Example: `"IrContainExec"`',
  ),
  containmentPolicyName: key<string>({
    read: matching(PATTERNS.iamPolicyName, 'IAM policy name', 'use 1-128 letters, digits and + = , . @ _ -'),
    default: name('containmentPolicyName'),
    runtime: true,
    doc: {
      section: 'names',
      type: 'IAM policy name',
      defaultText: `\`${name('containmentPolicyName')}\``,
      meaning: 'The deny-all managed policy attached to a contained user. Example: `"ir-deny-all"`',
    },
  }),

  trustedPrincipals: key<readonly string[]>({
    read: list(trustedPrincipal('assume the analyst, admin and deploy roles'), {
      nonEmpty: true,
      example: `["${EXAMPLE_RESPONDER}"]`,
    }),
    required: {
      problem: 'required: who may assume the IR roles',
      fix: `add "trustedPrincipals": ["${EXAMPLE_RESPONDER}"], the ARNs of your responders' IAM roles or users`,
    },
    runtime: anyPrincipals,
    doc: {
      section: 'access',
      type: 'list of exact IAM role or user ARNs, `arn:aws:iam::ACCOUNT:role/NAME` or `...:user/NAME`, optionally with a path (`...:role/team/NAME`), any account or partition',
      defaultText: '**required**',
      meaning:
        'Who may assume `SecurityAnalystRole`, `SecurityAdminRole` and `SecurityDeployRole`. No wildcards, no service or federated principals, no IAM groups (a trust policy cannot name one), and no session ARNs (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`): the session name is whatever the caller passes to AssumeRole, so it identifies nobody, and the session ends within hours; trust the role itself. An account id or `arn:aws:iam::ACCOUNT:root` is refused unless `allowAccountRootTrust` is true. Example: `["arn:aws:iam::777777777777:role/IncidentResponder"]`',
    },
  }),
  breakGlassPrincipals: key<readonly string[]>({
    read: list(
      trustedPrincipal('assume the administrator break-glass role after enrolling an MFA device of its own'),
      { nonEmpty: true, example: '["arn:aws:iam::777777777777:role/IncidentCommander"]' },
    ),
    derive: (config) => config.trustedPrincipals as readonly string[],
    runtime: anyPrincipals,
    doc: {
      section: 'access',
      type: 'same form, non-empty',
      defaultText: '`trustedPrincipals`',
      meaning:
        'Who may assume `SecurityBreakGlassRole` (always with MFA). Give it its own, smaller set of principals. Example: `["arn:aws:iam::777777777777:role/IncidentCommander"]`',
    },
  }),
  allowAccountRootTrust: key<boolean>({
    read: boolean,
    default: false,
    doc: {
      section: 'access',
      type: 'boolean',
      meaning:
        'The explicit opt-in to an account id or `arn:aws:iam::ACCOUNT:root` in either list. That trusts the whole account: every IAM user or role of it whose own policies allow `sts:AssumeRole`, an exposed administrator key included, can assume the deploy role, and the break-glass role after enrolling an MFA device of its own. Synth then prints warning `@irkit/access:accountRootTrust` on `IrKitAccess`. `true` with no account in either list is an error, so the opt-in does not linger for the next account id someone adds.',
    },
  }),
  protectedPrincipals: key<readonly string[]>({
    read: list(protectedPrincipal, { nonEmpty: false, example: '["ci-deployer"]' }),
    default: [],
    runtime: true,
    doc: {
      section: 'access',
      type: 'list of IAM user/role names or ARNs',
      meaning:
        'Principals the orchestrator never contains, beside the kit\'s own roles and the caller. Example: `["ci-deployer", "arn:aws:iam::777777777777:role/OrgAdmin"]`',
    },
  }),
  alertEmails: key<readonly string[]>({
    read: list(matching(PATTERNS.email, 'e-mail address', 'give an address such as security@example.com'), {
      nonEmpty: false,
      example: '["security@example.com"]',
    }),
    default: [],
    doc: {
      section: 'access',
      type: 'list of e-mail addresses',
      meaning:
        'Subscribed to the credential-alert topic (each must confirm the subscription). Example: `["security@example.com"]`',
    },
  }),

  bytesScannedCutoffPerQuery: key<number>({
    read: integer(MIN_BYTES_SCANNED_CUTOFF, Number.MAX_SAFE_INTEGER, 'bytes'),
    default: DEFAULT_BYTES_SCANNED_CUTOFF,
    doc: {
      section: 'cost',
      type: "whole number of bytes, at least 10000000 (Athena's minimum, 10 MB)",
      defaultText: `${DEFAULT_BYTES_SCANNED_CUTOFF} (100 GiB, about USD 0.50 a query at most)`,
      meaning:
        'Athena cancels any query of the workgroup that would scan more. Example: `10737418240` (10 GiB)',
    },
  }),
  resultsRetentionInDays: key<number>({
    read: integer(1, 3650, 'days'),
    default: DEFAULT_RESULTS_RETENTION_IN_DAYS,
    doc: {
      section: 'cost',
      type: 'whole number, 1-3650',
      meaning:
        "Query results older than this are expired by the results bucket's lifecycle rule (an expired result stays recoverable as a previous version for 30 more days). Keep it longer than your incident records need.",
    },
  }),
  workgroupOnDelete: key<'retain' | 'delete'>({
    read: oneOf(['retain', 'delete'] as const),
    default: 'retain',
    doc: {
      section: 'cost',
      type: '`"retain"` or `"delete"`',
      meaning:
        "What deleting `IrKitAnalytics` does to the Athena workgroup. `retain` keeps it, with its query history and anything people saved in it by hand (the record of what responders ran); a later deploy then needs it deleted (`aws athena delete-work-group --work-group NAME --recursive-delete-option`) or imported first. `delete` deletes it with all it holds (Athena's `RecursiveDeleteOption`), so the stack deletes cleanly once queries have run.",
    },
  }),
  containmentHandlerConcurrency: key<number>({
    read: integer(0, 1, 'concurrent executions'),
    default: 1,
    doc: {
      section: 'cost',
      type: '1 or 0',
      meaning:
        "Reserved concurrency of the containment handler. 1 runs one containment change at a time in the account, so two stacks can never both act on the same user, role or bucket. Set 0 only where the account's Lambda concurrency quota allows no reservation (new accounts with a quota of 10); concurrent containments of one target are then not serialized.",
    },
  }),

  logSources: group({
    enabled: key<boolean>({
      read: boolean,
      default: false,
      runtime: true,
      doc: {
        section: 'stacks',
        type: 'boolean',
        meaning:
          "Deploy `IrKitLogSources`: a multi-Region trail with log file validation, encrypted with a rotating customer key, recording management events and the S3 object events of the simulation's buckets (`irkit-sim-*`), delivering to `logBucket` or to a bucket it creates (versioned, SSL-only, private, retained, with server access logs). Readers of the CloudTrail table need `kms:Decrypt` on the trail key (stack output `TrailKeyArn`).",
      },
    }),
    vpcId: key<string | undefined>({
      read: matching(PATTERNS.vpcId, 'VPC id', 'give an id such as vpc-0123456789abcdef0'),
      doc: {
        section: 'stacks',
        type: 'string `vpc-` + 8 or 17 hex digits',
        defaultText: 'none',
        meaning:
          'Also deliver this VPC\'s flow logs (all traffic, one-minute aggregation, gzip text with a header line) in `vpcFlowLogFormat` to the same bucket. Needs `logSources.enabled`. Example: `"vpc-0123456789abcdef0"`',
      },
    }),
  }),
  simulation: group({
    enabled: key<boolean>({
      read: boolean,
      default: false,
      doc: {
        section: 'stacks',
        type: 'boolean',
        meaning: 'Deploy `IrKitSimulation`, the exposed user of the workshop.',
      },
    }),
    sandboxAccount: key<string | undefined>({
      read: accountId,
      doc: {
        section: 'stacks',
        type: '12-digit string',
        defaultText: 'none; required when `simulation.enabled`',
        meaning: 'The only account the simulation may be deployed to; synth refuses any other.',
      },
    }),
    userName: key<string>({
      read: validated(v.iamUserName, 'IAM user name'),
      default: DEFAULT_NAMES.simulationUserName,
      doc: {
        section: 'stacks',
        type: 'IAM user name',
        defaultText: `\`${DEFAULT_NAMES.simulationUserName}\``,
        meaning: 'The exposed user the simulation creates.',
      },
    }),
  }),
  evidence: group({
    lockMode: key<'GOVERNANCE' | 'COMPLIANCE'>({
      read: oneOf(['GOVERNANCE', 'COMPLIANCE'] as const),
      default: 'GOVERNANCE',
      doc: {
        section: 'evidence',
        type: '`"GOVERNANCE"` or `"COMPLIANCE"`',
        meaning:
          "S3 Object Lock mode of the evidence bucket's default retention. The bucket policy denies `s3:BypassGovernanceRetention`, object deletion and retention changes to every principal, so in GOVERNANCE mode only someone who first rewrites the bucket policy (an account administrator, leaving a CloudTrail record) could shorten it; in COMPLIANCE mode nobody can, the root user included, until it ends. Choose COMPLIANCE when your legal requirements say so: it cannot be undone.",
      },
    }),
    retentionInDays: key<number>({
      read: integer(1, MAX_EVIDENCE_RETENTION_DAYS, 'days'),
      default: 365,
      doc: {
        section: 'evidence',
        type: 'whole number, 1-36500',
        meaning: 'How long every version of every evidence object is locked. Example: `2555` (7 years)',
      },
    }),
  }),
  env: group({
    account: key<string | undefined>({
      read: accountId,
      fromDefaults: (d) => d.account,
      runtime: true,
      doc: {
        section: 'deploy',
        type: '12-digit string',
        defaultText: '`CDK_DEFAULT_ACCOUNT` (the account of your credentials); none offline',
        meaning:
          'Account of the stacks. With neither, stacks are environment-agnostic, which is how `cdk synth` runs with no credentials.',
      },
    }),
    region: key<string | undefined>({
      read: region,
      fromDefaults: (d) => d.region,
      runtime: true,
      doc: {
        section: 'deploy',
        type: 'commercial Region',
        defaultText: '`CDK_DEFAULT_REGION`',
        meaning:
          'Region of every stack but `IrKitAlerts`, which always deploys in us-east-1, where IAM events arrive.',
      },
    }),
  }),
  members: MEMBERS,
};

/** A check across keys; skipped when one of its keys is already wrong. */
export interface Rule {
  readonly keys: readonly string[];
  readonly check: (config: ParsedKeys) => ConfigProblem | undefined;
}

/** The values the table gives, by its own shape. */
export type ParsedKeys = { readonly [K in keyof typeof KEYS]: ValueOf<(typeof KEYS)[K]> };
type ValueOf<S> =
  S extends KeySpec<infer T>
    ? T
    : S extends GroupSpec<infer G>
      ? { readonly [K in keyof G]: ValueOf<G[K]> }
      : never;

const at = (k: string, value: unknown, what: string, fix: string): ConfigProblem => ({
  key: k,
  value,
  problem: what,
  fix,
});

/** What keys must agree on. Keys are dotted paths without the `irkit.` root. */
export const RULES: readonly Rule[] = [
  {
    keys: ['allowAccountRootTrust', 'trustedPrincipals', 'breakGlassPrincipals'],
    check: (c) =>
      c.allowAccountRootTrust &&
      ![...c.trustedPrincipals, ...c.breakGlassPrincipals].some(isAccountRootPrincipal)
        ? at(
            'allowAccountRootTrust',
            true,
            'no entry of trustedPrincipals or breakGlassPrincipals is an account, so the opt-in is unused',
            'remove allowAccountRootTrust, so that an account id added later is refused again',
          )
        : undefined,
  },
  {
    keys: ['logBucket', 'logSources.enabled'],
    check: (c) =>
      c.logBucket === undefined && !c.logSources.enabled
        ? at(
            'logBucket',
            undefined,
            'the tables need a bucket to read, and log sources are off',
            'name the bucket your trail writes to ("logBucket": "DOC-EXAMPLE-BUCKET"), or set "logSources": {"enabled": true} to create one',
          )
        : undefined,
  },
  {
    keys: ['logSources.vpcId', 'logSources.enabled'],
    check: (c) =>
      c.logSources.vpcId !== undefined && !c.logSources.enabled
        ? at(
            'logSources.vpcId',
            c.logSources.vpcId,
            'flow logs are created by the log-sources stack, which is off',
            'set logSources.enabled to true, or remove vpcId',
          )
        : undefined,
  },
  {
    keys: ['organizationId', 'logSources.enabled'],
    check: (c) =>
      c.organizationId !== undefined && c.logSources.enabled
        ? at(
            'organizationId',
            c.organizationId,
            "the log-sources stack's trail is an account trail (AWSLogs/ACCOUNT/...), but organizationId makes the tables read an organization trail's layout (AWSLogs/o-xxx/ACCOUNT/...)",
            'remove organizationId to query the trail the kit creates, or turn logSources off and point logBucket at the organization trail bucket',
          )
        : undefined,
  },
  ...(['organizationId', 'env.account', 'env.region'] as const).map((needed): Rule => ({
    keys: ['members.organizationalUnits', needed],
    check: (c) => {
      const value =
        needed === 'organizationId'
          ? c.organizationId
          : c.env[needed === 'env.account' ? 'account' : 'region'];
      return c.members.organizationalUnits.length > 0 && value === undefined
        ? at(
            needed,
            undefined,
            'required with members.organizationalUnits',
            needed === 'organizationId'
              ? 'add "organizationId": "o-exampleorgid": the alerts bus admits only that organization'
              : `set ${needed} (the security account and its Region): the member roles trust it and the member alerts go to it`,
          )
        : undefined;
    },
  })),
  {
    keys: ['simulation.enabled', 'simulation.sandboxAccount'],
    check: (c) =>
      c.simulation.enabled && c.simulation.sandboxAccount === undefined
        ? at(
            'simulation.sandboxAccount',
            undefined,
            'required when the simulation is enabled: the only account it may run in',
            'add "sandboxAccount": "777777777777" (a sandbox account with nothing of value in it)',
          )
        : undefined,
  },
];

/** Regions whose regional alert events are forwarded: never the alerts Region itself, always Health's backup. */
export function alertForwardingRegionsOf(alertRegions: readonly string[]): string[] {
  return [...new Set([...alertRegions, HEALTH_BACKUP_REGION])].filter((r) => r !== GLOBAL_EVENTS_REGION);
}
