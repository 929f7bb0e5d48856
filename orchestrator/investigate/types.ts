import { ContainmentKind } from '../contain/kinds';
import { ContainmentPlan } from '../contain/plan';
import { EngineKind } from '../engines/engine';

/**
 * The investigation result document (`irkit investigate --format json`). Stable and
 * versioned: fields are only added within a format version; anything renamed, removed or
 * changed in meaning bumps INVESTIGATION_FORMAT_VERSION. docs/investigation-format.md
 * describes every field.
 */
export const INVESTIGATION_FORMAT_VERSION = 1;

/** Where the investigation starts: an exposed access key, or an IAM user (e.g. a leaked password). */
export type InvestigationSubject =
  | { readonly kind: 'accessKey'; readonly accessKeyId: string }
  | { readonly kind: 'user'; readonly userName: string };

export interface InvestigationWindow {
  /** First day, as date_partition (`YYYY/MM/DD`). */
  readonly from: string;
  /** Last day, included. */
  readonly to: string;
}

/**
 * CloudTrail's userIdentity types: an assumed-role session is its `Role`; `Other` is an
 * identity with no type CloudTrail names.
 */
export type PrincipalKind =
  | 'IAMUser'
  | 'Role'
  | 'FederatedUser'
  | 'Root'
  | 'AWSService'
  | 'AWSAccount'
  | 'SAMLUser'
  | 'WebIdentityUser'
  | 'IdentityCenterUser'
  | 'Other';

/** How a principal entered the investigation. */
export type ReachedHow =
  | 'subject'
  | 'exposed key'
  | 'CreateUser'
  | 'CreateRole'
  | 'CreateAccessKey'
  | 'CreateLoginProfile'
  | 'UpdateLoginProfile'
  | 'AssumeRole'
  | 'GetSessionToken'
  | 'GetFederationToken'
  | 'AttachRolePolicy'
  | 'PutRolePolicy'
  | 'UpdateAssumeRolePolicy'
  | 'instance credentials'
  | 'source IP';

/** The CloudTrail event behind a finding. */
export interface EventRef {
  readonly eventName: string;
  /** ISO 8601, CloudTrail's eventTime. */
  readonly eventTime: string;
  readonly eventId: string | null;
  readonly eventSource?: string;
  readonly region?: string;
  readonly sourceIp?: string | null;
}

export interface Reach {
  readonly how: ReachedHow;
  /** Name of the principal whose call reached this one (absent for the subject). */
  readonly from?: string;
  /** The access key that made that call. */
  readonly viaAccessKeyId?: string;
  readonly event?: EventRef;
  /** What was inferred, and from which records (for `instance credentials`). */
  readonly detail?: string;
}

export type AccessKeyOrigin =
  | 'subject'
  | 'CreateAccessKey'
  | 'GetSessionToken'
  | 'GetFederationToken'
  | 'AssumeRole'
  | 'instance credentials'
  | 'observed';

export interface AccessKeyInfo {
  readonly accessKeyId: string;
  /** AKIA: long-term (can be deactivated); ASIA: temporary session credentials. */
  readonly type: 'long-term' | 'session';
  readonly origin: AccessKeyOrigin;
  /** The key (or principal) whose call created or minted this key. */
  readonly mintedBy?: string;
  readonly event?: EventRef;
  /** First and last use in the window; null when the key was never used. */
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  readonly events: number;
  /** Set when the actor deleted the key (it cannot be deactivated any more). */
  readonly deleted?: EventRef;
}

/** One row of the playbook's API activity table. */
export interface ApiCallSummary {
  readonly region: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly readOnly: boolean | null;
  readonly errorCode: string | null;
  /** One example message: calls are counted by API, read-only flag and error code. */
  readonly errorMessage: string | null;
  readonly count: number;
}

/** Denied calls of one API and error code (EC2 writes a unique encoded message per call). */
export interface DeniedCall {
  readonly region: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly errorCode: string;
  /** One example message. */
  readonly errorMessage: string | null;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export interface ConsoleLogin {
  readonly eventTime: string;
  readonly region: string;
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  /** `Success` or `Failure`, as CloudTrail records it. */
  readonly result: string | null;
  readonly mfaUsed: string | null;
  readonly errorMessage: string | null;
  readonly eventId: string | null;
}

export interface Counted {
  readonly value: string;
  readonly count: number;
}

/** A policy attached, put or a group joined, on a principal of the investigation. */
export interface PolicyChange {
  readonly eventName: string;
  /** Policy ARN, inline policy name or group name. */
  readonly policy: string;
  readonly by: string;
  readonly event: EventRef;
}

export interface Principal {
  /** `KIND:ACCOUNT:name` (name lower-cased, as IAM compares names); stable within a document. */
  readonly id: string;
  readonly kind: PrincipalKind;
  readonly name: string;
  readonly account: string | null;
  readonly arn: string | null;
  /** Every way the investigation reached it, first the one that brought it in. */
  readonly reached: readonly Reach[];
  /** Role session names (AssumedRole) or federated session names seen, sorted. */
  readonly sessionNames: readonly string[];
  /** Steps from the subject (0 for the subject's principal). */
  readonly depth: number;
  /** True when the principal is the actor's: its activity is part of the blast radius. */
  readonly actor: boolean;
  /** True when its activity (or its sessions') was queried. */
  readonly investigated: boolean;
  /** Why it was not investigated, or only in part. */
  readonly note?: string;
  /** Set for principals the kit never contains (IR roles, break-glass, configured names). */
  readonly protected?: string;
  readonly accessKeys: readonly AccessKeyInfo[];
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  /**
   * Calls attributed to the actor through this principal; for a principal only seen acting
   * from the actor's addresses (`source IP`), its calls from those addresses.
   */
  readonly events: number;
  readonly sourceIps: readonly Counted[];
  readonly userAgents: readonly Counted[];
  readonly apiCalls: readonly ApiCallSummary[];
  readonly deniedCalls: readonly DeniedCall[];
  readonly consoleLogins: readonly ConsoleLogin[];
  readonly policies: readonly PolicyChange[];
}

export type ResourceAction = 'created' | 'modified' | 'deleted' | 'probed';

export interface Resource {
  /** CloudFormation-style type (`AWS::S3::Bucket`), or the service (`AWS::KMS`) for a call on no one resource. */
  readonly type: string;
  /** Name or id (`DOC-EXAMPLE-BUCKET`, `DOC-EXAMPLE-BUCKET/stuff`, `i-1234567890abcdef0`); null when the call names none. */
  readonly name: string | null;
  readonly arn: string | null;
  readonly account: string | null;
  readonly region: string;
  readonly action: ResourceAction;
  /** Name of the principal that made the call. */
  readonly by: string;
  readonly byPrincipal: string;
  readonly accessKeyId: string | null;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: string;
  readonly eventId: string | null;
  readonly sourceIp: string | null;
  /** For a change to something the actor did not create in the window: it existed before. */
  readonly preExisting: boolean;
  /** What the call did beyond its name, e.g. the policy attached or the account a snapshot was shared with. */
  readonly detail?: string;
}

export interface OtherIdentityActivity {
  /** The identity's name, whatever its type (see PrincipalKind). */
  readonly identity: string;
  readonly identityType: string | null;
  readonly identityArn: string | null;
  readonly userName: string | null;
  readonly accessKeyId: string | null;
  readonly eventSource: string;
  readonly eventName: string;
  readonly errorCode: string | null;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/**
 * What an address is, by IANA's special-purpose address registries (RFC 6890 and the RFCs
 * each block names); `public` when in none. IPv6 outside global unicast (2000::/3) is `reserved`.
 */
export type AddressScope =
  | 'public'
  | 'private'
  | 'shared'
  | 'loopback'
  | 'link-local'
  | 'documentation'
  | 'multicast'
  | 'unspecified'
  | 'reserved';

/** The AWS range holding an address, from AWS's published ip-ranges.json. */
export interface AwsOwner {
  /** The longest AWS prefix holding the address. */
  readonly prefix: string;
  readonly region: string;
  readonly networkBorderGroup: string | null;
  /**
   * Every service of every AWS prefix holding it, sorted. `AMAZON` alone: AWS's own
   * network; `EC2`: an EC2 instance's address, anyone's (an actor can rent one).
   */
  readonly services: readonly string[];
}

/** Where to look an address up by hand (playbook step 6). */
export interface AddressLookups {
  /** ExoneraTor: was it a Tor relay on that day (the day the actor last used it). */
  readonly exonerator: string;
  readonly greynoise: string;
  /** RDAP (whois over HTTPS) through rdap.org's bootstrap redirect. */
  readonly rdap: string;
  /** The whois command to run. */
  readonly whois: string;
}

/** What is known of an address offline (playbook step 6, "Establish reputation for source IP addresses"). */
export interface AddressIntel {
  readonly scope: AddressScope;
  /** The special-purpose block holding it (`198.51.100.0/24: Documentation, TEST-NET-2 (RFC 5737)`), unless public. */
  readonly range?: string;
  /** For an IPv4-mapped IPv6 address (`::ffff:198.51.100.7`), the IPv4 address everything here describes. */
  readonly ipv4?: string;
  /** Set when the address is in AWS's published ranges; absent when it is not, or no ip-ranges.json was given. */
  readonly aws?: AwsOwner;
  /** From the Tor exit list given; absent when no list was given. */
  readonly torExit?: boolean;
  /** Absent for addresses no public service knows (private, shared, loopback, link-local, multicast, reserved). */
  readonly lookups?: AddressLookups;
}

/** What the addresses were checked against (set when they were classified). */
export interface IpIntelligence {
  /** ip-ranges.json read: its path or URL, AWS's syncToken and createDate, prefixes; null when none was at hand. */
  readonly ipRanges: {
    readonly source: string;
    readonly syncToken: string;
    readonly createDate: string;
    readonly prefixes: number;
  } | null;
  /** The Tor exit list read and its distinct addresses; null when none was given. */
  readonly torExits: { readonly source: string; readonly addresses: number } | null;
  /** What was not checked and how to check it. */
  readonly notes: readonly string[];
}

export interface SourceIp {
  readonly address: string;
  /** False for CloudTrail's service names (`AWS Internal`, `s3.amazonaws.com`); those are not looked up. */
  readonly isIp: boolean;
  /** Set for IP addresses once classified (see ipIntelligence). */
  readonly intel?: AddressIntel;
  readonly events: number;
  /** Names of the actor's principals that used it. */
  readonly principals: readonly string[];
  readonly userAgents: readonly string[];
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  /** Calls from this address by identities that are not the actor's. */
  readonly others: readonly OtherIdentityActivity[];
}

/**
 * A call AWS made, not the actor: its quarantine of an exposed key, or a call a service made
 * with the actor's credentials on its behalf (never counted among the actor's addresses or changes).
 */
export interface AwsAction {
  readonly kind: 'quarantine' | 'on behalf';
  /** The service (`invokedBy`, the service source address or agent), or the caller's ARN. */
  readonly by: string;
  /** The principal quarantined, or on whose behalf the call was made. */
  readonly principal: string;
  readonly principalId: string;
  readonly accessKeyId: string | null;
  /** The quarantine policy attached or put. */
  readonly policy?: string;
  /** The resource the call named, if any. */
  readonly resource: string | null;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: string;
  readonly eventId: string | null;
  readonly region: string;
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
}

/** A GuardDuty finding on one of the actor's keys or principals (Part 3 Q1, "What related alerts have been triggered?"). */
export interface GuardDutyFindingRef {
  readonly id: string;
  readonly detectorId: string;
  readonly region: string;
  readonly accountId: string | null;
  /** `UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS`, ... */
  readonly type: string;
  readonly title: string | null;
  /** GuardDuty's 1.0-10.0 (Low below 4, Medium below 7, High below 9, Critical from 9). */
  readonly severity: number | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  /** The activity GuardDuty saw: first and last event, and how many times. */
  readonly eventFirstSeen: string | null;
  readonly eventLastSeen: string | null;
  readonly count: number | null;
  readonly accessKeyId: string | null;
  readonly userName: string | null;
  readonly archived: boolean;
  readonly consoleUrl: string;
}

/** How the GuardDuty findings of one Region were read. */
export interface GuardDutyRegionCheck {
  readonly region: string;
  /** `denied`: the credentials may not read GuardDuty there; `failed`: any other error (see error). */
  readonly status: 'checked' | 'no detector' | 'denied' | 'failed';
  readonly detectorIds: readonly string[];
  readonly findings: number;
  readonly error?: string;
}

/** An AWS Health event (AWS_RISK_CREDENTIALS_EXPOSED: AWS found the key exposed, e.g. on a public site). */
export interface HealthEventRef {
  readonly arn: string;
  readonly eventTypeCode: string;
  readonly service: string | null;
  readonly region: string | null;
  /** `open`, `closed` or `upcoming`. */
  readonly statusCode: string | null;
  readonly startTime: string | null;
  readonly lastUpdatedTime: string | null;
  /** The entities AWS names (the exposed access key ids). */
  readonly affectedEntities: readonly string[];
  /** True when an affected entity is one of the actor's keys. */
  readonly actorKey: boolean;
  readonly consoleUrl: string;
}

/** AWS's own signals on the actor's credentials, read from GuardDuty and AWS Health (with credentials). */
export interface RelatedFindings {
  readonly checkedAt: string;
  /** The keys and principal names searched for. */
  readonly accessKeyIds: readonly string[];
  readonly userNames: readonly string[];
  /** Findings updated, and Health events started, from this time on (the window's first day). */
  readonly since: string;
  readonly guardDuty: {
    readonly regions: readonly GuardDutyRegionCheck[];
    readonly findings: readonly GuardDutyFindingRef[];
  };
  readonly health: {
    /** `subscription required`: the AWS Health API needs Business, Enterprise On-Ramp or Enterprise Support. */
    readonly status: 'checked' | 'subscription required' | 'denied' | 'failed';
    readonly error?: string;
    readonly events: readonly HealthEventRef[];
  };
}

export interface NetworkFlow {
  readonly sourceAddress: string;
  readonly destinationAddress: string;
  readonly destinationPort: number | null;
  readonly protocol: number | null;
  readonly action: string | null;
  readonly records: number;
  readonly bytes: number;
  /** ISO 8601 start of the first and end of the last flow record. */
  readonly firstStart: string | null;
  readonly lastEnd: string | null;
}

export interface Network {
  /** The actor's IP addresses whose VPC Flow Logs traffic was looked up. */
  readonly addresses: readonly string[];
  readonly flows: readonly NetworkFlow[];
  readonly records: number;
  readonly bytes: number;
  /** Why there is nothing to show, when that is so (no addresses, no flow log files). */
  readonly note?: string;
  /**
   * Every address of the flows, classified as the source addresses are (playbook step 6; see
   * ipIntelligence); absent until classified, and in documents written before.
   */
  readonly addressIntel?: readonly FlowAddress[];
}

/** One address seen in the flows, and what it is. */
export interface FlowAddress {
  readonly address: string;
  /** Whether it sent, received, or both, in the flows. */
  readonly side: 'source' | 'destination' | 'both';
  readonly flows: number;
  readonly bytes: number;
  /** End of the last flow record holding it. */
  readonly lastSeen: string | null;
  /** Absent when the flow log's text is not an IP address. */
  readonly intel?: AddressIntel;
}

export interface TimelineEntry {
  readonly eventTime: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly region: string;
  readonly principal: string;
  readonly principalId: string;
  readonly accessKeyId: string | null;
  /**
   * created, modified, deleted, probed, credentials (AssumeRole*, GetSessionToken,
   * GetFederationToken, CreateAccessKey, Create/UpdateLoginProfile), or other (ConsoleLogin, ...).
   */
  readonly action: string;
  readonly resource: string | null;
  readonly errorCode: string | null;
  readonly eventId: string | null;
  /** Set when AWS made the call with the principal's credentials (see AwsAction): the service. */
  readonly aws?: string;
}

export interface ExcludedFinding {
  /** A containment kind, or `root` / `other` for identities no plan step can contain. */
  readonly kind: ContainmentKind | 'root' | 'other';
  readonly name: string;
  readonly account: string | null;
  readonly reason: string;
}

/** One of the playbook's Part 3 "Impact" questions, answered from the data. */
export interface ImpactAnswer {
  readonly number: number;
  readonly question: string;
  readonly answer: string;
  /** The data behind the answer, one line each. */
  readonly facts: readonly string[];
}

export interface QueryRun {
  readonly queryId: string;
  readonly params: Readonly<Record<string, string>>;
  readonly rows: number;
  readonly elapsedMs: number;
}

export interface InvestigationSummary {
  /** One sentence: what was found. */
  readonly headline: string;
  readonly accounts: readonly string[];
  readonly principals: number;
  readonly accessKeys: number;
  readonly resources: { readonly [A in ResourceAction]: number };
  readonly sourceIps: number;
  readonly flowRecords: number;
  readonly planSteps: number;
}

export interface InvestigationResult {
  readonly formatVersion: typeof INVESTIGATION_FORMAT_VERSION;
  readonly generatedAt: string;
  readonly generatedBy: string;
  readonly incidentId?: string;
  readonly subject: InvestigationSubject;
  readonly window: InvestigationWindow;
  readonly engine: EngineKind;
  readonly depthLimit: number;
  /** False when the subject has no activity in the window: everything below is empty. */
  readonly found: boolean;
  readonly summary: InvestigationSummary;
  readonly principals: readonly Principal[];
  readonly resources: readonly Resource[];
  readonly sourceIps: readonly SourceIp[];
  /** What the source addresses were classified with (playbook step 6); absent in documents written before. */
  readonly ipIntelligence?: IpIntelligence;
  /** What AWS did, not the actor: its quarantine of the exposed key, calls made on a principal's behalf. */
  readonly awsActions: readonly AwsAction[];
  /** GuardDuty findings and AWS Health events on the actor's credentials; absent when not checked (offline). */
  readonly relatedFindings?: RelatedFindings;
  readonly network: Network;
  readonly timeline: readonly TimelineEntry[];
  readonly impact: readonly ImpactAnswer[];
  /** What `irkit contain --plan FILE` executes, for the subject's account. */
  readonly containmentPlan: ContainmentPlan;
  /** Plans for the other accounts the actor reached, one per account, to run with that account's credentials. */
  readonly otherAccountPlans: readonly ContainmentPlan[];
  /** Targets found but kept out of every plan, and why. */
  readonly excluded: readonly ExcludedFinding[];
  readonly warnings: readonly string[];
  /** Every query run, in order: the audit trail of the answer. */
  readonly queries: readonly QueryRun[];
}
