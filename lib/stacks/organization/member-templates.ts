import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { App, BootstraplessSynthesizer, Stack } from 'aws-cdk-lib';

import { applyCompliance } from '../../compliance';
import { AccessStack, AccessStackProps } from '../access-stack';
import { MemberAlertsStack, MemberAlertsStackProps } from './member-alerts-stack';

/** The StackSets the IrKitOrganization stack deploys to the member accounts, by what they carry. */
export const MEMBER_STACK_SETS = {
  baseline: 'IrKitMemberBaseline',
  alerts: 'IrKitMemberAlerts',
} as const;
export type MemberTemplateKind = keyof typeof MEMBER_STACK_SETS;

export interface MemberTemplate {
  /** The template as CloudFormation takes it (compact JSON). */
  readonly body: string;
  readonly template: Record<string, unknown>;
}

export interface MemberTemplatesProps {
  /** The member baseline: the access stack's settings, without the analytics buckets (none in a member). */
  readonly baseline: Omit<
    AccessStackProps,
    'logBucket' | 'logBucketKey' | 'resultsBucket' | 'resultsKey' | 'env'
  >;
  readonly alerts: Omit<MemberAlertsStackProps, 'env'>;
}

/**
 * The two member templates, synthesized in an app of their own: the baseline is the access stack
 * itself (the four IR roles trusting the security account's responders, the containment policy,
 * the handler, bundled inline, and the execution role), so a member account holds what a single
 * account does, its break-glass role writing into the security account's S3 only its own evidence
 * folder (evidenceAccount); the alerts template forwards to the security account. cdk-nag checks both,
 * so an unacknowledged finding fails here as it fails any stack. No environment: CloudFormation
 * StackSets fill in each account and Region.
 */
export function memberTemplates(props: MemberTemplatesProps): Record<MemberTemplateKind, MemberTemplate> {
  const outdir = mkdtempSync(join(tmpdir(), 'irkit-members-'));
  try {
    const app = new App({
      outdir,
      analyticsReporting: false,
      // As for the containment templates: the built-in validator's engine takes seconds to start
      // and only ever warns; cdk-nag, applied below, is what fails the synth.
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:disable-stack-trace': true },
    });
    applyCompliance(app);
    const stacks: Record<MemberTemplateKind, Stack> = {
      baseline: new AccessStack(app, MEMBER_STACK_SETS.baseline, {
        ...props.baseline,
        synthesizer: new BootstraplessSynthesizer(),
        description:
          'IR Kit member account baseline: the IR roles, the containment policy, handler and execution role',
      }),
      alerts: new MemberAlertsStack(app, MEMBER_STACK_SETS.alerts, props.alerts),
    };
    const assembly = app.synth();
    const read = (stack: Stack): MemberTemplate => {
      const template = assembly.getStackArtifact(stack.artifactId).template as Record<string, unknown>;
      return { body: JSON.stringify(template), template };
    };
    return { baseline: read(stacks.baseline), alerts: read(stacks.alerts) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
