/*
 * Parameter names of the containment templates: the API between the stacks and the
 * orchestrator that fills them. Plain constants, so reading them loads no CDK code.
 */
import { PATTERNS } from '../../validation';

export const COMMON_PARAMS = { incidentId: 'IncidentId' } as const;

export const USER_PARAMS = {
  userName: 'UserName',
  accessKeyId1: 'AccessKeyId1',
  accessKeyId2: 'AccessKeyId2',
  /** Sessions the user minted before it (GetSessionToken, GetFederationToken) stay denied. */
  containmentTime: 'ContainmentTime',
  /** Comma-separated key ids to set Active again on delete ('' = none); only keys the stack deactivated. */
  restoreKeyIds: 'RestoreKeyIds',
  /** 'true' (default): the revoke of older sessions outlives release; 'false' lifts it too. */
  keepSessionRevoke: 'KeepSessionRevoke',
} as const;

/** IAM allows two access keys per user, hence two optional key slots. */
export const USER_KEY_SLOTS = [USER_PARAMS.accessKeyId1, USER_PARAMS.accessKeyId2] as const;

export const ROLE_PARAMS = {
  roleName: 'RoleName',
  containmentTime: 'ContainmentTime',
  /** 'revoke' (a shared role the actor assumed) or 'deny-all' (a rogue role: created or re-trusted by the actor). */
  roleMode: 'RoleMode',
  keepSessionRevoke: 'KeepSessionRevoke',
} as const;

export const ROLE_MODES = ['revoke', 'deny-all'] as const;
export type RoleMode = (typeof ROLE_MODES)[number];

/** ISO 8601 UTC, as CloudFormation's AllowedPattern. */
export const CONTAINMENT_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?Z$';
/** Up to two long-term key ids, comma-separated, or empty. */
export const KEY_LIST_PATTERN = '^(AKIA[A-Z0-9]{16}(,AKIA[A-Z0-9]{16})?)?$';

/**
 * A bucket policy may be 20 KB; a parameter value at most 4,096 bytes. The original policy
 * is split over six parameters (room for multi-byte characters at the cuts) and joined again
 * in the template.
 */
export const ORIGINAL_POLICY_CHUNKS = 6;
export const PARAMETER_VALUE_MAX_BYTES = 4096;

export const BUCKET_PARAMS = {
  bucketName: 'BucketName',
  breakGlassRoleArn: 'BreakGlassRoleArn',
  originalPolicyPresent: 'OriginalPolicyPresent',
  originalPolicyChunk: (i: number) => `OriginalPolicy${i + 1}`,
} as const;

/** Stack outputs the orchestrator reads back. */
export const CONTAINMENT_OUTPUTS = {
  denyMode: 'DenyMode',
  policyName: 'PolicyName',
  roleMode: 'RoleContainmentMode',
} as const;

/** IAM user and role names. */
export const IAM_NAME_PATTERN = PATTERNS.iamName.source;
