/**
 * A hostile payload appended to every string of a result (names, user agents, request
 * parameters, error messages, policies, reasons, warnings): what an attacker controls.
 */
export const PAYLOAD =
  ' ![x](https://attacker.example/b.png) [click](https://attacker.example/login) <img src=x onerror="window.pwned=1">' +
  ' </script><script>window.pwned=1</script> "><svg onload="window.pwned=1"> www.attacker.example evil@attacker.example' +
  ' https://attacker.example/x `tick`` a | b \u001b[2J\u0007\r\u202eevil\u2066 **bold** _em_\n# heading\n- item';

/** Fields the renderers branch on (enumerations), kept as they are so the document keeps its shape. */
const SHAPE = new Set(['kind', 'how', 'origin', 'type', 'action', 'formatVersion', 'engine', 'target']);

export function poisoned<T>(value: T, key = ''): T {
  if (typeof value === 'string') return (SHAPE.has(key) ? value : `${value}${PAYLOAD}`) as T;
  if (Array.isArray(value)) return value.map((v) => poisoned(v, key)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poisoned(v, k)])) as T;
  }
  return value;
}
