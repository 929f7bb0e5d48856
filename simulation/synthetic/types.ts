import { JsonObject, RecordSpec, UserIdentity } from './private/records';

export type { Json, JsonObject, RecordSpec, Resource, SessionContext, UserIdentity } from './private/records';

/**
 * Which of the actor's identities made a call:
 * - actor: the exposed key's user (JorgeSouza, AKIAIOSFODNN7EXAMPLE)
 * - rogue: the user the actor created (JaneDoe, AKIAI44QH8DHBEXAMPLE)
 * - actorSession: the actor's own GetSessionToken session (variant sessionToken)
 * - actorRole: a role session the actor assumed (variant assumeRole)
 * - rogueConsole: the rogue user signed in to the console (variant loginProfile)
 * - rogueCrossAccountRole: a role in a second account the rogue user assumed (variant spread)
 * - crossAccountCopy: the second account's copy of a cross-account AssumeRole (variant spread)
 * - actorFederated: the federated user the actor minted with GetFederationToken (variant federation)
 * - aws: AWS itself, quarantining the exposed key's user (variant quarantine): not the actor
 * - stolenInstanceRole: an instance's role credentials the actor stole (variant instanceCredentials)
 */
export type ScenarioPrincipal =
  | 'actor'
  | 'rogue'
  | 'actorSession'
  | 'actorRole'
  | 'rogueConsole'
  | 'rogueCrossAccountRole'
  | 'crossAccountCopy'
  | 'actorFederated'
  | 'aws'
  | 'stolenInstanceRole';

/**
 * One API call of the incident: the CloudTrail record it produces (but for its random
 * requestID/eventID) plus, for calls the attack script makes, the AWS CLI command.
 */
export interface ScenarioCall extends RecordSpec {
  /** 1-based position in the incident's time order. */
  readonly step: number;
  readonly principal: ScenarioPrincipal;
  /** The AWS CLI command (`iam create-user`), or undefined for console sign-ins and clicks. */
  readonly cli?: string;
  /** The account whose trail records the call (recipientAccountId). */
  readonly recipientAccountId: string;
  readonly userIdentity: UserIdentity;
  readonly requestParameters: JsonObject | null;
  readonly responseElements: JsonObject | null;
  /**
   * When the record's file was delivered, for a record delivered in a later file (and day
   * folder) than its event time's: CloudTrail delivers within minutes, so the last events of
   * a day sit in the next day's folder. Absent: delivered with the events of its minute.
   */
  readonly deliveredAt?: string;
}

/** An IAM user of the incident with its long-term access key. */
export interface ScenarioUser {
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  readonly accessKeyId: string;
}
