import { promises as fs } from 'node:fs';

import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

import { deliveryWindow, discoverLogFiles } from '../../engines/discovery';
import { InvestigationWindow } from '../../investigate/types';
import { ActorRecords } from '../raw-records';
import { PreserveTargets } from '../targets';

/** The actor's records from exported log files (`--logs DIR`), in the investigation's window. */
export async function recordsFromFolder(
  logs: string,
  window: InvestigationWindow,
  wanted: ReadonlySet<string>,
): Promise<{ records: ActorRecords; files: number }> {
  const records = new ActorRecords(wanted);
  const found = await discoverLogFiles(logs, deliveryWindow(window), ['cloudtrail']);
  for (const file of found.files) {
    if (records.count === wanted.size) break;
    records.add(await fs.readFile(file.path), file.path);
  }
  return { records, files: found.files.length };
}

export interface TrailLocation {
  readonly bucket: string;
  /** Before `AWSLogs/`, without slashes at either end. */
  readonly prefix?: string;
  readonly organizationId?: string;
}

/** CloudTrail delivers a file within about 15 minutes of its events; an hour is a wide margin. */
const DELIVERY_MARGIN_MS = 60 * 60 * 1000;
const DELIVERY = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/;

function dayFolders(first: string, last: string): string[] {
  const days: string[] = [];
  const end = Date.parse(last) + DELIVERY_MARGIN_MS;
  for (let t = Date.parse(first.slice(0, 10)); t <= end; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10).replace(/-/g, '/'));
  }
  return days;
}

/**
 * The actor's records read from the trail's bucket: only the Region and day folders of the
 * actor's events, only files delivered between its first event and an hour after its last.
 * Returns the S3 keys of the files that held any (they are copied whole into the evidence).
 */
export async function recordsFromTrail(
  s3: S3Client,
  trail: TrailLocation,
  targets: PreserveTargets,
  defaultAccount: string,
): Promise<{ records: ActorRecords; files: number; sourceFiles: { key: string; records: number }[] }> {
  const records = new ActorRecords(targets.eventIds);
  const sourceFiles: { key: string; records: number }[] = [];
  let files = 0;
  const base = `${trail.prefix ? `${trail.prefix}/` : ''}AWSLogs/${trail.organizationId ? `${trail.organizationId}/` : ''}`;
  for (const [region, spans] of targets.regions) {
    for (const span of spans) {
      const from = Date.parse(span.first) - 5 * 60 * 1000;
      const to = Date.parse(span.last) + DELIVERY_MARGIN_MS;
      for (const day of dayFolders(span.first, span.last)) {
        const prefix = `${base}${span.account ?? defaultAccount}/CloudTrail/${region}/${day}/`;
        let token: string | undefined;
        do {
          const page = await s3.send(
            new ListObjectsV2Command({ Bucket: trail.bucket, Prefix: prefix, ContinuationToken: token }),
          );
          for (const o of page.Contents ?? []) {
            const m = o.Key ? DELIVERY.exec(o.Key) : null;
            if (!o.Key || !m) continue;
            const delivered = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
            if (delivered < from || delivered > to) continue;
            const body = await s3.send(new GetObjectCommand({ Bucket: trail.bucket, Key: o.Key }));
            files += 1;
            const taken = records.add(
              await body.Body!.transformToByteArray(),
              `arn:aws:s3:::${trail.bucket}/${o.Key}`,
            );
            if (taken > 0) sourceFiles.push({ key: o.Key, records: taken });
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      }
    }
  }
  return { records, files, sourceFiles };
}
