import {
  IntelSources,
  classifyFlowAddresses,
  classifySourceIps,
  intelligenceRecord,
} from '../intel/classify';
import { replaceAddressFacts, replaceRelatedAlerts } from './impact';
import { InvestigationResult, RelatedFindings } from './types';

/**
 * What irkit adds to an investigation beyond the logs, for `irkit investigate` and again for
 * `irkit report` on a saved result: each source and flow-log address classified (playbook step 6) and
 * AWS's own findings on the actor's credentials (Part 3 Q1). The impact answers that use
 * them are updated in place of what an earlier enrichment wrote; everything else is kept.
 */
export interface Enrichment {
  /** Classify the source addresses with these sources (an empty object: special ranges only). */
  readonly intel?: IntelSources;
  /** GuardDuty and AWS Health, read by fetchRelatedFindings. */
  readonly related?: RelatedFindings;
}

/** The result with `key` set to `value` right after `anchor`, as docs/investigation-format.md orders them. */
function placed<K extends keyof InvestigationResult>(
  result: InvestigationResult,
  anchor: keyof InvestigationResult,
  key: K,
  value: InvestigationResult[K],
): InvestigationResult {
  const entries = Object.entries(result).filter(([k]) => k !== key);
  entries.splice(entries.findIndex(([k]) => k === anchor) + 1, 0, [key, value]);
  return Object.fromEntries(entries) as unknown as InvestigationResult;
}

export function enrichResult(result: InvestigationResult, enrichment: Enrichment): InvestigationResult {
  let next: InvestigationResult = result;
  if (enrichment.intel) {
    const sourceIps = classifySourceIps(result.sourceIps, enrichment.intel, result.window.to);
    const addressIntel = classifyFlowAddresses(result.network.flows, enrichment.intel, result.window.to);
    next = placed(
      {
        ...next,
        sourceIps,
        network: { ...result.network, addressIntel },
        impact: next.impact.map((q) =>
          q.number === 6 ? replaceAddressFacts(q, result.sourceIps, sourceIps) : q,
        ),
      },
      'sourceIps',
      'ipIntelligence',
      intelligenceRecord(enrichment.intel),
    );
  }
  if (enrichment.related && result.found) {
    const related = enrichment.related;
    next = placed(
      {
        ...next,
        impact: next.impact.map((q) =>
          q.number === 1 ? replaceRelatedAlerts(q, result.relatedFindings, related) : q,
        ),
      },
      'awsActions',
      'relatedFindings',
      related,
    );
  }
  return next;
}
