import { IrKitError } from '../../lib/errors';
import { validatePlan } from '../contain/plan';
import { INVESTIGATION_FORMAT_VERSION, InvestigationResult } from './types';

/** JSON kinds of the result document's top-level fields (docs/investigation-format.md). */
const TOP_LEVEL: Readonly<Record<string, 'string' | 'number' | 'boolean' | 'object' | 'array'>> = {
  generatedAt: 'string',
  generatedBy: 'string',
  subject: 'object',
  window: 'object',
  engine: 'string',
  depthLimit: 'number',
  found: 'boolean',
  summary: 'object',
  principals: 'array',
  resources: 'array',
  sourceIps: 'array',
  network: 'object',
  timeline: 'array',
  impact: 'array',
  containmentPlan: 'object',
  otherAccountPlans: 'array',
  excluded: 'array',
  warnings: 'array',
  queries: 'array',
};

/** Fields added within format version 1: absent in documents written before them. */
const OPTIONAL: Readonly<Record<string, 'object' | 'array'>> = {
  awsActions: 'array',
  ipIntelligence: 'object',
  relatedFindings: 'object',
};

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

function invalid(source: string, problem: string): IrKitError {
  return new IrKitError('IRKIT_INVALID_INPUT', `${source} ${problem}`, {
    hint: 'pass the JSON that `irkit investigate --format json --out FILE` wrote, unedited',
  });
}

/**
 * Reads a saved investigation result (`irkit investigate --out FILE.json`): JSON, a format
 * version this irkit knows, every top-level field of the documented kind, and a valid
 * containment plan. Throws IRKIT_INVALID_INPUT naming the field otherwise.
 */
export function parseInvestigationResult(text: string, source = 'result'): InvestigationResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw invalid(source, `is not valid JSON (${(error as Error).message}); was it cut short?`);
  }
  if (kindOf(doc) !== 'object') throw invalid(source, 'is not a JSON object');
  const record = doc as Record<string, unknown>;
  if ('steps' in record && !('subject' in record)) {
    throw invalid(source, 'is a containment plan, not an investigation result');
  }
  const version = record.formatVersion;
  if (typeof version === 'number' && Number.isInteger(version) && version > INVESTIGATION_FORMAT_VERSION) {
    throw new IrKitError(
      'IRKIT_INVALID_INPUT',
      `${source} has formatVersion ${version}, newer than this irkit reads (${INVESTIGATION_FORMAT_VERSION})`,
      { hint: 'use the irkit version that wrote it, or upgrade irkit' },
    );
  }
  if (version !== INVESTIGATION_FORMAT_VERSION) {
    throw invalid(
      source,
      `is not an investigation result: formatVersion is ${JSON.stringify(version)}, expected ${INVESTIGATION_FORMAT_VERSION}`,
    );
  }
  for (const [key, kind] of Object.entries(TOP_LEVEL)) {
    if (kindOf(record[key]) !== kind) {
      throw invalid(source, `field ${key} is ${kindOf(record[key])}, expected ${kind}`);
    }
  }
  for (const [key, kind] of Object.entries(OPTIONAL)) {
    if (key in record && kindOf(record[key]) !== kind) {
      throw invalid(source, `field ${key} is ${kindOf(record[key])}, expected ${kind} (or absent)`);
    }
  }
  validatePlan(record.containmentPlan, `${source}: containmentPlan`);
  return doc as InvestigationResult;
}
