import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

import { acknowledge } from '../../compliance';

/**
 * How cdk-nag spells a resolved CloudFormation value in a finding id: references as
 * `<LogicalId>` / `<LogicalId.Attr>`, joins flattened, imports by export name.
 */
function flatten(value: unknown): string {
  if (typeof value === 'string') {
    return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  if (value !== null && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if ('Fn::Sub' in node) {
      return flatten(node['Fn::Sub']);
    }
    if (Array.isArray(node['Fn::GetAtt'])) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ('Fn::ImportValue' in node) {
      return flatten(node['Fn::ImportValue']);
    }
    if ('Ref' in node) {
      return `<${flatten(node.Ref)}>`;
    }
  }
  return JSON.stringify(value);
}

/**
 * Acknowledges the AwsSolutions-IAM5 finding for one wildcard resource of a policy, naming the
 * resource exactly as cdk-nag reports it, so the acknowledgement covers that resource and
 * nothing else. The value must resolve within the policy's own stack.
 */
export function acknowledgeWildcardResource(policy: IConstruct, resource: string, reason: string): void {
  const flat = flatten(Stack.of(policy).resolve(resource));
  acknowledge(policy, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
}

/** Acknowledges the AwsSolutions-IAM4 finding for one AWS managed policy on a role or user. */
export function acknowledgeManagedPolicy(
  principal: IConstruct,
  policy: iam.IManagedPolicy,
  reason: string,
): void {
  const flat = flatten(Stack.of(principal).resolve(policy.managedPolicyArn));
  acknowledge(principal, `AwsSolutions-IAM4[Policy::${flat}]`, reason);
}
