import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CfnOutput, CfnStackSet, Stack, StackProps } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

import { IrKitError } from '../../errors';
import { GLOBAL_EVENTS_REGION } from '../../regions';
import { PATTERNS } from '../../validation';
import { IrKitConfig } from '../../config';
import { ORGANIZATION_BUS_NAME } from '../../constructs/credential-alerts';
import { accessSettings } from '../access-stack';
import { MEMBER_STACK_SETS, MemberTemplate, MemberTemplateKind, memberTemplates } from './member-templates';

/** Who creates the StackSets: the management account, or a delegated administrator for StackSets. */
export type StackSetCaller = 'SELF' | 'DELEGATED_ADMIN';

export interface OrganizationStackProps extends StackProps {
  /** The member templates (memberTemplates()). */
  readonly templates: Record<MemberTemplateKind, MemberTemplate>;
  /** Organizational units (ou-...) or the root (r-...) whose accounts, present and future, get the baseline. */
  readonly organizationalUnits: readonly string[];
  /** The Region of each member's baseline (IR roles, handler): where `irkit contain` deploys there. */
  readonly baselineRegion: string;
  /** The Regions of the member alert rules; us-east-1 (IAM's events) is always among them. */
  readonly alertRegions: readonly string[];
  /**
   * Accounts of those units that must not get the baseline: the security account, which holds
   * the same role names from the access stack.
   * @default - none
   */
  readonly excludedAccounts?: readonly string[];
  /**
   * 'DELEGATED_ADMIN' when this stack deploys in a delegated administrator account for StackSets
   * (AWS's advice: keep the management account for organization administration only);
   * 'SELF' in the management account.
   * @default 'DELEGATED_ADMIN'
   */
  readonly callAs?: StackSetCaller;
}

export const ORGANIZATION_STACK_NAME = 'IrKitOrganization';
export const ORGANIZATION_OUTPUTS = {
  baselineStackSet: 'BaselineStackSetName',
  alertsStackSet: 'AlertsStackSetName',
} as const;

/**
 * `IrKitOrganization`: two service-managed StackSets with automatic deployment, so every account
 * of the configured organizational units, and every account that joins them later, holds the
 * member baseline (in the baseline Region) and the alert rules (in every alert Region). Deployed in
 * the management account or, as AWS advises, a delegated administrator account; the templates
 * travel as file assets (the baseline, with its inline handler, is over CloudFormation's 51,200-byte
 * inline limit), so that account needs `cdk bootstrap`.
 */
export class OrganizationStack extends Stack {
  public readonly baseline: CfnStackSet;
  public readonly alerts: CfnStackSet;

  constructor(scope: Construct, id: string, props: OrganizationStackProps) {
    super(scope, id, {
      description:
        'IR Kit: the member-account baseline and alert rules, deployed to the organization by StackSets',
      ...props,
    });
    if (props.organizationalUnits.length === 0) {
      throw new IrKitError('IRKIT_CONFIG', 'no organizational units to deploy the member baseline to', {
        hint: 'list them in members.organizationalUnits, e.g. ["ou-exa1-11111111"] (or the root, r-exa1)',
      });
    }
    for (const ou of props.organizationalUnits) {
      if (!PATTERNS.organizationalUnitOrRoot.test(ou)) {
        throw new IrKitError('IRKIT_CONFIG', `invalid organizational unit: ${JSON.stringify(ou)}`, {
          hint: 'give the id AWS Organizations shows: ou-exa1-11111111, or the root r-exa1',
        });
      }
    }
    const alertRegions = [...new Set([GLOBAL_EVENTS_REGION, ...props.alertRegions])];
    this.baseline = this.stackSet('Baseline', 'baseline', props, [props.baselineRegion]);
    this.alerts = this.stackSet('Alerts', 'alerts', props, alertRegions);
    new CfnOutput(this, ORGANIZATION_OUTPUTS.baselineStackSet, {
      value: MEMBER_STACK_SETS.baseline,
      description: 'StackSet of the member baseline (irkit doctor reads its instances)',
    });
    new CfnOutput(this, ORGANIZATION_OUTPUTS.alertsStackSet, {
      value: MEMBER_STACK_SETS.alerts,
      description: 'StackSet of the member alert rules',
    });
  }

  private stackSet(
    id: string,
    kind: MemberTemplateKind,
    props: OrganizationStackProps,
    regions: readonly string[],
  ): CfnStackSet {
    const template = new s3assets.Asset(this, `${id}Template`, {
      path: templateFile(kind, props.templates[kind]),
    });
    const excluded = props.excludedAccounts ?? [];
    return new CfnStackSet(this, id, {
      stackSetName: MEMBER_STACK_SETS[kind],
      description: `IR Kit member accounts: ${kind === 'baseline' ? 'IR roles and containment' : 'credential alert rules'}`,
      permissionModel: 'SERVICE_MANAGED',
      callAs: props.callAs ?? 'DELEGATED_ADMIN',
      // Accounts joining the units get the stack; an account leaving them loses it.
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      // Every account counts: one account failing must not stop the others (irkit doctor lists it).
      operationPreferences: {
        failureTolerancePercentage: 100,
        maxConcurrentPercentage: 100,
        regionConcurrencyType: 'PARALLEL',
      },
      templateUrl: template.httpUrl,
      stackInstancesGroup: [
        {
          regions: [...regions],
          deploymentTargets: {
            organizationalUnitIds: [...props.organizationalUnits],
            ...(excluded.length > 0 ? { accounts: [...excluded], accountFilterType: 'DIFFERENCE' } : {}),
          },
        },
      ],
    });
  }
}

/** The organization stack's settings from the kit config; undefined without member units. */
export function organizationSettings(config: IrKitConfig): OrganizationStackProps | undefined {
  const { members, env } = config;
  if (members.organizationalUnits.length === 0) return undefined;
  const security = env.account as string; // a config rule requires it with members
  const region = env.region as string;
  const access = accessSettings(config);
  return {
    env: { account: members.administrationAccount ?? security, region },
    templates: memberTemplates({
      baseline: { ...access, evidenceAccount: security },
      alerts: {
        centralBusArn: `arn:aws:events:${GLOBAL_EVENTS_REGION}:${security}:event-bus/${ORGANIZATION_BUS_NAME}`,
        breakGlassRoleName: config.breakGlassRoleName,
      },
    }),
    organizationalUnits: members.organizationalUnits,
    baselineRegion: region,
    alertRegions: members.regions,
    excludedAccounts: [security],
    callAs: members.administrator === 'management' ? 'SELF' : 'DELEGATED_ADMIN',
  };
}

/** The template as a file for its asset, named by its content, so an unchanged template is not uploaded again. */
function templateFile(kind: MemberTemplateKind, template: MemberTemplate): string {
  const hash = createHash('sha256').update(template.body).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'irkit-member-templates');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${MEMBER_STACK_SETS[kind]}-${hash}.template.json`);
  writeFileSync(path, template.body);
  return path;
}
