import { IntelSources, classifySourceIps, intelligenceRecord } from '../intel/classify';
import { replaceAddressFacts, replaceRelatedAlerts } from './impact';
import { InvestigationResult, RelatedFindings } from './types';

/**
 * What irkit adds to an investigation beyond the logs, for `irkit investigate` and again for
 * `irkit report` on a saved result: each source address classified (playbook step 6) and
 * AWS's own findings on the actor's credentials (Part 3 Q1). The impact answers that use
 * them are updated in place of what an earlier enrichment wrote; everything else is kept.
 */
export interface Enrichment {
  /** Classify the source addresses with these sources (an empty object: special ranges only). */
  readonly intel?: IntelSources;
  /** GuardDuty and AWS Health, read by fetchRelatedFindings. */
  readonly related?: RelatedFindings;
}

export function enrichResult(result: InvestigationResult, enrichment: Enrichment): InvestigationResult {
  let next: InvestigationResult = result;
  if (enrichment.intel) {
    const sourceIps = classifySourceIps(result.sourceIps, enrichment.intel, result.window.to);
    next = {
      ...next,
      sourceIps,
      ipIntelligence: intelligenceRecord(enrichment.intel),
      impact: next.impact.map((q) =>
        q.number === 6 ? replaceAddressFacts(q, result.sourceIps, sourceIps) : q,
      ),
    };
  }
  if (enrichment.related && result.found) {
    const related = enrichment.related;
    next = {
      ...next,
      relatedFindings: related,
      impact: next.impact.map((q) =>
        q.number === 1 ? replaceRelatedAlerts(q, result.relatedFindings, related) : q,
      ),
    };
  }
  return next;
}
