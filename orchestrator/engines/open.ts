import type { RuntimeConfig } from '../../lib/config';
import { runtimeConfig, tableNamesOf } from '../config';
import { AthenaEngine, createAthenaClient } from './athena';
import { QueryEngine } from './engine';
import { LocalEngine } from './local';

/** Which engine a command runs on, from its flags (already checked by the command). */
export type EngineChoice =
  | {
      readonly kind: 'local';
      readonly logs: string;
      readonly cachePath?: string;
      readonly strict?: boolean;
    }
  | {
      readonly kind: 'athena';
      /** @default the config's workgroupName */
      readonly workGroup?: string;
      readonly region?: string;
      readonly profile?: string;
    };

/**
 * Opens the chosen engine with the deployed kit's names (cdk.json): the Glue database and
 * tables the SQL names, the workgroup, and the flow logs' format, so a kit deployed with
 * other names answers the same queries.
 */
export async function openEngine(
  choice: EngineChoice,
  config: RuntimeConfig = runtimeConfig(),
): Promise<QueryEngine> {
  const names = tableNamesOf(config);
  if (choice.kind === 'athena') {
    return new AthenaEngine({
      client: createAthenaClient({ region: choice.region, profile: choice.profile }),
      workGroup: choice.workGroup ?? config.names.workgroupName,
      names,
    });
  }
  return openLocalEngine(choice, config);
}

/** The local engine with the deployed kit's names and flow log format (cdk.json). */
export function openLocalEngine(
  choice: Extract<EngineChoice, { kind: 'local' }>,
  config: RuntimeConfig = runtimeConfig(),
): Promise<LocalEngine> {
  const names = tableNamesOf(config);
  return LocalEngine.open({
    logs: choice.logs,
    names,
    flowLogFormat: config.vpcFlowLogFormat,
    ...(choice.cachePath !== undefined ? { cachePath: choice.cachePath } : {}),
    ...(choice.strict !== undefined ? { strict: choice.strict } : {}),
  });
}
