import { EvidenceItem, EvidenceKind, incidentPrefix } from './manifest';
import { EvidenceStore, sha256Hex } from './store';

/** An item this run found already there with other bytes than it would write: kept, reported. */
export interface EvidenceConflict {
  readonly path: string;
  readonly detail: string;
}

/** An item AWS refused to copy (AccessDenied, a version gone meanwhile): not preserved; the run went on. */
export type EvidenceFailure = EvidenceConflict;

/**
 * Writes one run's items: what an earlier run listed is never written again; what is in the
 * store but unlisted (an interrupted run) is adopted when its bytes are the ones this run
 * would write, and reported as a conflict, untouched, when they are not.
 */
export class EvidenceWriter {
  public readonly added: EvidenceItem[] = [];
  public readonly kept: string[] = [];
  public readonly conflicts: EvidenceConflict[] = [];
  public readonly failed: EvidenceFailure[] = [];
  private readonly prefix: string;

  constructor(
    public readonly store: EvidenceStore,
    incidentId: string,
    private readonly listed: ReadonlySet<string>,
    private readonly operator: string,
    private readonly now: () => Date,
  ) {
    this.prefix = incidentPrefix(incidentId);
  }

  /** The store key of a path relative to the incident's folder. */
  public keyOf(path: string): string {
    return `${this.prefix}${path}`;
  }

  /** True when an earlier run (or this one) already holds the path: nothing to fetch. */
  public has(path: string): boolean {
    return this.listed.has(path) || this.added.some((i) => i.path === path);
  }

  public item(
    path: string,
    kind: EvidenceKind,
    source: string,
    digest: { sha256: string; size: number; versionId?: string },
    sourceVersion?: string,
  ): EvidenceItem {
    return {
      path,
      kind,
      sha256: digest.sha256,
      size: digest.size,
      source,
      collectedBy: this.operator,
      collectedAt: this.now().toISOString(),
      ...(digest.versionId ? { storeVersionId: digest.versionId } : {}),
      ...(sourceVersion ? { sourceVersion } : {}),
    };
  }

  /** Records an item written by other means (a server-side copy). */
  public record(item: EvidenceItem): void {
    this.added.push(item);
  }

  /** Writes bytes at a path unless it is preserved already. */
  public async put(
    path: string,
    kind: EvidenceKind,
    source: string,
    body: Uint8Array,
    sourceVersion?: string,
    contentType = 'application/json',
  ): Promise<void> {
    if (this.has(path)) {
      this.kept.push(path);
      return;
    }
    const sha256 = sha256Hex(body);
    const out = await this.store.write(this.keyOf(path), body, sha256, contentType);
    if (out.written) {
      this.added.push(
        this.item(path, kind, source, { sha256, size: body.length, versionId: out.versionId }, sourceVersion),
      );
      return;
    }
    const there = await this.store.digest(this.keyOf(path));
    if (there && there.sha256 === sha256) {
      this.added.push(this.item(path, kind, source, there, sourceVersion));
    } else {
      this.conflicts.push({
        path,
        detail: `already in the store, unlisted, with other bytes (SHA-256 ${there?.sha256 ?? 'unreadable'}); left as it is`,
      });
    }
  }
}

/** JSON as preserved: sorted as given, two-space indented, a final newline. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}
