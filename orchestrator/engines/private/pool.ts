/**
 * Maps over items with at most `limit` calls in flight, keeping the order of the results.
 * Used for the many small file reads around DuckDB's bulk parsing (stat, gzip trailers,
 * flow log headers), which are latency-bound one by one.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
