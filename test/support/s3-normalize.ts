/**
 * S3 stores a policy in its own normal form: no whitespace, one-element lists inside a
 * statement written as scalars (the playbook's get-bucket-policy output shows it), so a
 * policy read back differs from the one put. Applying it twice changes nothing.
 */
export function s3Normalize(policy: string): string {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.length === 1 ? walk(value[0]) : value.map(walk);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, walk(v)]),
      );
    }
    return value;
  };
  const doc = JSON.parse(policy) as { Statement?: unknown };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return JSON.stringify({ ...doc, Statement: statements.map(walk) });
}
