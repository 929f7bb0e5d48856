/**
 * Test support: the parts of EventBridge's event matching and input transformation the alert
 * rules use (exact values, prefix, suffix, wildcard; JSON paths with array indices), so tests
 * can feed real-shaped events to the synthesized rules and read the message a person gets.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function wildcardToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      source += pattern[i + 1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    } else if (c === '*') {
      source += '[\\s\\S]*';
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function valueMatches(rule: Json, value: Json): boolean {
  if (rule !== null && typeof rule === 'object' && !Array.isArray(rule)) {
    if (typeof value !== 'string') {
      return false;
    }
    if ('prefix' in rule) return value.startsWith(String(rule.prefix));
    if ('suffix' in rule) return value.endsWith(String(rule.suffix));
    if ('wildcard' in rule) return wildcardToRegExp(String(rule.wildcard)).test(value);
    throw new Error(`matcher not supported by this test helper: ${JSON.stringify(rule)}`);
  }
  return rule === value;
}

/** Whether an event matches an EventBridge pattern. */
export function matches(pattern: Json, event: Json): boolean {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) {
    throw new Error('a pattern is an object');
  }
  return Object.entries(pattern).every(([key, rule]) => {
    const value =
      event !== null && typeof event === 'object' && !Array.isArray(event) ? event[key] : undefined;
    if (value === undefined) {
      return false;
    }
    if (Array.isArray(rule)) {
      const values = Array.isArray(value) ? value : [value];
      return rule.some((r) => values.some((v) => valueMatches(r, v)));
    }
    return matches(rule, value);
  });
}

function at(event: Json, path: string): Json | undefined {
  const steps = path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .flatMap((step) => {
      const m = /^([^[]+)((\[\d+\])*)$/.exec(step);
      const indices = m?.[2] ? [...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1])) : [];
      return [m ? m[1] : step, ...indices];
    });
  let current: Json | undefined = event;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') {
      return undefined;
    }
    current = (current as Record<string, Json> & Json[])[step as never];
  }
  return current;
}

/** The text an SNS target receives from an input transformer whose template is a JSON string. */
export function render(
  transformer: { InputPathsMap: Record<string, string>; InputTemplate: string },
  event: Json,
) {
  let template = transformer.InputTemplate;
  for (const [name, path] of Object.entries(transformer.InputPathsMap)) {
    const value = at(event, path);
    const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    template = template.split(`<${name}>`).join(JSON.stringify(text).slice(1, -1));
  }
  return JSON.parse(template) as string;
}
