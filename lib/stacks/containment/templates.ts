import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { App, Stack } from 'aws-cdk-lib';

import { BucketContainmentStack } from './bucket-containment-stack';
import { InstanceContainmentStack } from './instance-containment-stack';
import { RoleContainmentStack } from './role-containment-stack';
import { UserContainmentStack } from './user-containment-stack';

/**
 * One stack class per containment kind, in the order of orchestrator/contain/kinds/index.ts.
 * The orchestrator indexes the templates by its kind word, so the two registries must name the
 * same kinds (the compiler checks that where contain.ts looks a template up).
 */
const CONTAINMENT_STACKS = [
  { kind: 'user', Stack: UserContainmentStack, id: 'UserContainment' },
  { kind: 'role', Stack: RoleContainmentStack, id: 'RoleContainment' },
  { kind: 'bucket', Stack: BucketContainmentStack, id: 'BucketContainment' },
  { kind: 'instance', Stack: InstanceContainmentStack, id: 'InstanceContainment' },
] as const satisfies ReadonlyArray<{
  kind: string;
  Stack: new (scope: App, id: string) => Stack;
  id: string;
}>;

export type ContainmentTemplateKind = (typeof CONTAINMENT_STACKS)[number]['kind'];

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
 * The containment templates, one per kind, synthesized once per process from the CDK stacks. They
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
    const stacks = CONTAINMENT_STACKS.map(({ kind, Stack: KindStack, id }) => ({
      kind,
      stack: new KindStack(app, id),
    }));
    const assembly = app.synth();
    const read = (kind: ContainmentTemplateKind, stack: Stack): ContainmentTemplate => {
      const template = assembly.getStackArtifact(stack.artifactId).template as Record<string, unknown>;
      const body = JSON.stringify(template);
      if (Buffer.byteLength(body) > TEMPLATE_BODY_MAX_BYTES) {
        throw new Error(
          `the ${kind} containment template is ${Buffer.byteLength(body)} bytes, over CloudFormation's inline limit`,
        );
      }
      return { kind, body, template, parameters: Object.keys((template.Parameters ?? {}) as object) };
    };
    cache = Object.fromEntries(stacks.map(({ kind, stack }) => [kind, read(kind, stack)])) as Record<
      ContainmentTemplateKind,
      ContainmentTemplate
    >;
    return cache;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
