/**
 * The playbook's names. They are the defaults of the config, so the playbook's queries and
 * commands paste verbatim into a kit deployed with no overrides.
 */
export const DEFAULT_NAMES = {
  databaseName: 'irworkshopgluedatabase',
  cloudTrailTableName: 'irworkshopgluetablecloudtrail',
  vpcFlowTableName: 'irworkshopgluetablevpcflow',
  workgroupName: 'IRWorkshopWorkgroup',
  analystRoleName: 'SecurityAnalystRole',
  adminRoleName: 'SecurityAdminRole',
  deployRoleName: 'SecurityDeployRole',
  breakGlassRoleName: 'SecurityBreakGlassRole',
  containmentExecutionRoleName: 'IrKitContainmentExecutionRole',
  containmentPolicyName: 'iam-containment-policy',
  simulationUserName: 'JorgeSouza',
} as const;

/** Statement ids the playbook prints; verification looks for them. */
export const CONTAINMENT_SIDS = {
  iamDenyAll: 'IamPolicyForContainment',
  bucket: 'BucketPolicyForContainment',
  revokeOlderSessions: 'RevokeOlderSessions',
} as const;

/** Every containment stack's name starts with this; the deploy role may touch only these. */
export const CONTAINMENT_STACK_PREFIX = 'irkit-contain-';

/** Tag keys the kit writes on what it creates. */
export const TAG_KEYS = {
  incident: 'irkit:incident',
  operator: 'irkit:operator',
  containedAt: 'irkit:contained-at',
  target: 'irkit:target',
  protected: 'irkit:protected',
  /** On the isolation security group the instance containment creates (no rules; release deletes it). */
  isolation: 'irkit:isolation',
} as const;

/**
 * The evidence store (lib/stacks/evidence-stack.ts): its stack, the outputs the orchestrator
 * reads back (stable API), and the folder each incident's evidence goes under.
 */
export const EVIDENCE_STACK = {
  name: 'IrKitEvidence',
  outputs: { bucketName: 'EvidenceBucketName', keyArn: 'EvidenceKeyArn' },
  incidentsPrefix: 'incidents/',
  /** Inside an incident's folder: each member account's evidence, `accounts/ACCOUNT/`. */
  accountsFolder: 'accounts/',
} as const;
