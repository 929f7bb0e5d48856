import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { IrKitConfig } from '../config';
import { EvidenceLockMode, EvidenceStore } from '../constructs/evidence-store';
import { DEFAULT_NAMES, EVIDENCE_STACK } from '../names';

export interface EvidenceStackProps extends StackProps {
  /**
   * The preserving role's name: the break-glass role, the only IR role that can read a
   * contained bucket and snapshot an instance.
   * @default 'SecurityBreakGlassRole'
   */
  readonly breakGlassRoleName?: string;
  /** @default 'SecurityAnalystRole' */
  readonly analystRoleName?: string;
  /** @default 'GOVERNANCE' */
  readonly lockMode?: EvidenceLockMode;
  /** @default 365 */
  readonly retentionInDays?: number;
  /**
   * The organization of the member accounts the kit's baseline is deployed to: each one's
   * break-glass role (breakGlassRoleName) copies that account's object versions into its own
   * folder of an incident, `incidents/ID/accounts/ACCOUNT/`.
   * @default - no member account writes (no members configured)
   */
  readonly organizationId?: string;
}

export const EVIDENCE_STACK_NAME = EVIDENCE_STACK.name;

/** The evidence stack's settings from the kit config. */
export function evidenceSettings(config: IrKitConfig): Omit<EvidenceStackProps, keyof StackProps> {
  return {
    breakGlassRoleName: config.breakGlassRoleName,
    analystRoleName: config.analystRoleName,
    lockMode: config.evidence.lockMode,
    retentionInDays: config.evidence.retentionInDays,
    // Only with a member baseline: it is what holds the break-glass role in every member.
    ...(config.members.organizationalUnits.length > 0 ? { organizationId: config.organizationId } : {}),
  };
}

/**
 * `IrKitEvidence`: the evidence store, in a stack of its own because evidence outlives the
 * rest of the kit (RETAIN, Object Lock that cannot be turned off) and must not be replaced
 * or touched when the access or analytics stacks change. It names the IR roles by ARN, so
 * it deploys after IrKitAccess. Outputs are read back by `irkit preserve` and `irkit eradicate`.
 */
export class EvidenceStack extends Stack {
  public readonly store: EvidenceStore;

  constructor(scope: Construct, id: string, props: EvidenceStackProps = {}) {
    super(scope, id, props);
    const role = (name: string, roleName: string) =>
      iam.Role.fromRoleName(this, name, roleName, { mutable: false });
    this.store = new EvidenceStore(this, 'Store', {
      writerRoles: [role('BreakGlassRole', props.breakGlassRoleName ?? DEFAULT_NAMES.breakGlassRoleName)],
      readerRoles: [role('AnalystRole', props.analystRoleName ?? DEFAULT_NAMES.analystRoleName)],
      lockMode: props.lockMode,
      retentionInDays: props.retentionInDays,
      organizationId: props.organizationId,
      memberWriterRoleName: props.breakGlassRoleName,
    });
    new CfnOutput(this, EVIDENCE_STACK.outputs.bucketName, {
      value: this.store.bucket.bucketName,
      description: 'Evidence bucket (Object Lock); incidents/ID/ holds each incident',
    });
    new CfnOutput(this, EVIDENCE_STACK.outputs.keyArn, {
      value: this.store.key.keyArn,
      description: 'KMS key of the evidence bucket',
    });
  }
}
