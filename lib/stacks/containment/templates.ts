import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { App } from 'aws-cdk-lib';

import { BucketContainmentStack } from './bucket-containment-stack';
import { RoleContainmentStack } from './role-containment-stack';
import { UserContainmentStack } from './user-containment-stack';

export type ContainmentTemplateKind = 'user' | 'role' | 'bucket';

/** CloudFormation's limit for a template body passed inline to CreateStack / UpdateStack. */
export const TEMPLATE_BODY_MAX_BYTES = 51_200;

export interface ContainmentTemplate {
  readonly kind: ContainmentTemplateKind;
  /** The template as CreateStack's TemplateBody takes it (compact JSON). */
  readonly body: string;
  readonly template: Record<string, unknown>;
  /** Parameter names the template declares. */
  readonly parameters: readonly string[];
}

let cache: Record<ContainmentTemplateKind, ContainmentTemplate> | undefined;

/**
 * The three containment templates, synthesized once per process from the CDK stacks. They
 * are parameterized, so every target of a kind shares one template; only parameters differ.
 */
export function containmentTemplates(): Record<ContainmentTemplateKind, ContainmentTemplate> {
  if (cache) return cache;
  const outdir = mkdtempSync(join(tmpdir(), 'irkit-contain-'));
  try {
    const app = new App({
      outdir,
      analyticsReporting: false,
      // The built-in template validator takes seconds to start (a WASM engine) on every run of
      // irkit; these templates are fixed and validated by the test suite instead.
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:disable-stack-trace': true },
    });
    const stacks = {
      user: new UserContainmentStack(app, 'UserContainment'),
      role: new RoleContainmentStack(app, 'RoleContainment'),
      bucket: new BucketContainmentStack(app, 'BucketContainment'),
    };
    const assembly = app.synth();
    const read = (kind: ContainmentTemplateKind): ContainmentTemplate => {
      const template = assembly.getStackArtifact(stacks[kind].artifactId).template as Record<string, unknown>;
      const body = JSON.stringify(template);
      if (Buffer.byteLength(body) > TEMPLATE_BODY_MAX_BYTES) {
        throw new Error(
          `the ${kind} containment template is ${Buffer.byteLength(body)} bytes, over CloudFormation's inline limit`,
        );
      }
      return { kind, body, template, parameters: Object.keys((template.Parameters ?? {}) as object) };
    };
    cache = { user: read('user'), role: read('role'), bucket: read('bucket') };
    return cache;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function containmentTemplate(kind: ContainmentTemplateKind): ContainmentTemplate {
  return containmentTemplates()[kind];
}
