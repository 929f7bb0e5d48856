/**
 * Run by generate.test.ts in a child Node with a small heap: writes more plain JSON than the
 * heap could hold, which only a streaming generator survives. Prints the summary's counts.
 */
import { generateIncident } from '../../../simulation/synthetic';

void generateIncident({
  outDir: process.argv[2],
  backgroundEvents: Number(process.argv[3]),
  days: 1,
  regions: ['us-east-1'],
  flowLogs: false,
  compress: false,
  fileWindowMinutes: 5,
  maxRecordsPerFile: 250,
}).then((s) =>
  process.stdout.write(JSON.stringify({ bytesWritten: s.bytesWritten, events: s.events.total })),
);
