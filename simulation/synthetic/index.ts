/**
 * The synthetic incident: the playbook's attack as data (SCENARIO), its variants, and the
 * generator that writes it into realistic CloudTrail and VPC Flow Logs files.
 */
export { SCENARIO, createScenario, DEFAULT_INCIDENT_ACCOUNT } from './scenario';
export type { Scenario } from './scenario';
export type { ScenarioCall, ScenarioPrincipal, ScenarioUser, JsonObject, UserIdentity } from './types';
export { VARIANT_NAMES, VARIANT_IDS } from './variants';
export type {
  VariantName,
  Variants,
  VariantTruth,
  TruthPrincipal,
  TruthResource,
  TruthRoleTarget,
  TruthTarget,
  IncidentFlowRecord,
} from './variants';
export { buildIncident } from './incident';
export type { GroundTruth, Incident, IncidentOptions } from './incident';
export { DEFAULTS, DEFAULT_REGIONS, LIMITS, resolveOptions } from './options';
export type { GenerateOptions, GenerateProgress, ResolvedOptions } from './options';
export { generateIncident, INCIDENT_DAY, MANIFEST_FILE } from './generate';
export type { GenerateSummary } from './generate';
export { FLOW_LOG_HEADER } from './private/flow-logs';
