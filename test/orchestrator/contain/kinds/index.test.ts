import { containmentTemplates } from '../../../../lib/stacks/containment/templates';
import {
  CONTAINMENT_KINDS,
  isContainmentKind,
  KIND_WORDS,
  kindModule,
} from '../../../../orchestrator/contain/kinds';

/** The registry is what a new kind plugs into: these hold for every kind, present and future. */
describe('containment kind registry', () => {
  it('lists each kind once, and kindModule finds it', () => {
    expect(new Set(KIND_WORDS).size).toBe(CONTAINMENT_KINDS.length);
    for (const kind of KIND_WORDS) {
      expect(kindModule(kind).kind).toBe(kind);
      expect(isContainmentKind(kind)).toBe(true);
    }
    expect(isContainmentKind('instance-of-nothing')).toBe(false);
  });

  it('has a template per kind, declaring the parameter that names the target', () => {
    const templates = containmentTemplates();
    expect(Object.keys(templates).sort()).toEqual([...KIND_WORDS].sort());
    for (const m of CONTAINMENT_KINDS) expect(templates[m.kind].parameters).toContain(m.nameParameter);
  });

  it('gives every kind distinct CLI options, status parameters and plan fields apart from the common ones', () => {
    const options = CONTAINMENT_KINDS.flatMap((m) => m.options);
    expect(new Set(options.map((o) => o.flag.split(' ')[0])).size).toBe(options.length);
    expect(new Set(options.map((o) => o.key)).size).toBe(options.length);
    expect(new Set(CONTAINMENT_KINDS.map((m) => m.nameParameter)).size).toBe(CONTAINMENT_KINDS.length);
    for (const m of CONTAINMENT_KINDS) {
      expect(m.stepFields).not.toContain('kind');
      expect(m.stepFields).not.toContain('name');
      expect(m.stepFields).not.toContain('evidence');
      expect(m.validateName(m.example)).toBe(m.example);
    }
  });

  it('compares IAM names without case and bucket names exactly', () => {
    expect(kindModule('user').nameKey('JaneDoe')).toBe(kindModule('user').nameKey('janedoe'));
    expect(kindModule('role').nameKey('AppRole')).toBe(kindModule('role').nameKey('approle'));
    expect(kindModule('bucket').nameKey('Bucket')).not.toBe(kindModule('bucket').nameKey('bucket'));
  });
});
