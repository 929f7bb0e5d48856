import { decodeState, encodeState } from '../../../../../lib/constructs/containment/handler';

describe('containment state in physical ids', () => {
  const state = {
    r: 'user-deny',
    stack: '11111111-2222-4333-8444-555555555555',
    incident: 'IR-1',
    user: 'JaneDoe',
    deny: 'managed',
    revoke: 'written',
  } as const;

  it('round-trips as readable JSON behind a versioned prefix', () => {
    const id = encodeState(state);
    expect(id).toBe(`irkit:2:${JSON.stringify(state)}`);
    expect(decodeState(id)).toEqual(state);
  });

  it.each([
    ['the old |-joined form', 'irkit|user-deny|IR-1|JaneDoe|managed'],
    ['an unknown field', encodeState(state).replace('}', ',"extra":1}')],
    ['a missing field', encodeState(state).replace(',"revoke":"written"', '')],
    ['an unknown deny mode', encodeState(state).replace('"managed"', '"everything"')],
    ['a name IAM would refuse', encodeState(state).replace('"JaneDoe"', '"Jane|Doe"')],
    ['an unknown kind', encodeState(state).replace('"user-deny"', '"admin"')],
    ['not JSON', 'irkit:2:{'],
    ['nothing', undefined],
  ])('reads %s as nothing the handler wrote', (_what, id) => {
    expect(decodeState(id)).toBeUndefined();
  });
});
