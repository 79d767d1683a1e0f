import { describe, expect, it } from 'vitest';
import { compact, parentType, participantOf, relatedOf, tagOf } from '../src/map/common';
import { mapEngagement } from '../src/map/engagement';
import { EngagementWireSchema } from '../src/wire/engagement';

// Issue 17: the shared DevRev mapping helpers, each branch with the value it must produce.
describe('compact', () => {
  it('drops undefined and null, keeps every other falsy value', () => {
    expect(compact({ a: undefined, b: null, c: 0, d: '', e: false, f: 'x' })).toEqual({
      c: 0,
      d: '',
      e: false,
      f: 'x',
    });
    expect(Object.keys(compact({ a: undefined, b: null }))).toEqual([]);
  });
});

describe('participantOf', () => {
  it('prefers display_name over full_name and copies the email', () => {
    expect(
      participantOf(
        { id: 'u1', type: 'dev_user', display_name: 'ada', full_name: 'Ada L', email: 'a@x.io' },
        'owner',
      ),
    ).toEqual({ id: 'u1', role: 'owner', displayName: 'ada', email: 'a@x.io' });
  });

  it('falls back to full_name when display_name is null or absent', () => {
    expect(
      participantOf(
        { id: 'u2', type: 'rev_user', display_name: null, full_name: 'Grace' },
        'member',
      ),
    ).toEqual({ id: 'u2', role: 'member', displayName: 'Grace' });
    expect(participantOf({ id: 'u3', type: 'rev_user', full_name: 'Hopper' }, 'member')).toEqual({
      id: 'u3',
      role: 'member',
      displayName: 'Hopper',
    });
  });

  it('leaves out a name and email that are null or absent', () => {
    const p = participantOf(
      { id: 'u4', type: 'sys_user', display_name: null, full_name: null, email: null },
      'creator',
    );
    expect(p).toEqual({ id: 'u4', role: 'creator' });
    expect(Object.keys(p)).toEqual(['id', 'role']);
  });
});

describe('parentType', () => {
  it.each([
    [['don:core:dvrv-us-1:devo/1:account/12'], 'account'],
    [['ACC-12'], 'account'],
    [['acc-12'], 'account'],
    [['don:core:dvrv-us-1:devo/1:opportunity/3'], 'opportunity'],
    [['OPP-3'], 'opportunity'],
    [['opp-3'], 'opportunity'],
    [['don:core:dvrv-us-1:devo/1:issue/9'], 'parent'],
    [['XACC-1'], 'parent'],
    [['my:accounts/1'], 'parent'],
    [[], 'parent'],
    [[undefined, null, ''], 'parent'],
    [['', 'ACC-1'], 'account'],
    [[null, 'OPP-1'], 'opportunity'],
    [['ISS-1', 'ACC-2'], 'account'],
  ])('%j → %s', (ids, expected) => {
    expect(parentType(...(ids as (string | null | undefined)[]))).toBe(expected);
  });
});

describe('relatedOf', () => {
  it('maps a bare id by its own shape', () => {
    expect(relatedOf('ACC-7')).toEqual({ type: 'account', id: 'ACC-7' });
    expect(relatedOf('weird-id')).toEqual({ type: 'parent', id: 'weird-id' });
  });

  it('reads the type from the id, else the display id, and names it by display_name', () => {
    expect(
      relatedOf({ id: 'don:x:opportunity/5', display_id: 'ACC-1', display_name: 'Deal' }),
    ).toEqual({ type: 'opportunity', id: 'don:x:opportunity/5', name: 'Deal' });
    expect(relatedOf({ id: 'don:x:thing/5', display_id: 'ACC-5' })).toEqual({
      type: 'account',
      id: 'don:x:thing/5',
    });
    expect(relatedOf({ id: 'don:x:thing/6', display_name: null })).toEqual({
      type: 'parent',
      id: 'don:x:thing/6',
    });
  });
});

describe('tagOf', () => {
  it('a tag-with-value: the summary id and name, and the value', () => {
    expect(tagOf({ tag: { id: 'tag/1', name: 'vip' }, value: 'high' })).toEqual({
      id: 'tag/1',
      name: 'vip',
      value: 'high',
    });
  });

  it('leaves out a null name and value; takes the id of the {id, value} form', () => {
    expect(tagOf({ tag: { id: 'tag/2', name: null }, value: null })).toEqual({ id: 'tag/2' });
    expect(tagOf({ id: 'tag/3', value: 'v' } as never)).toEqual({ id: 'tag/3', value: 'v' });
    expect(tagOf({ id: 'tag/4' } as never)).toEqual({ id: 'tag/4' });
  });
});

describe('mapping survivors (issue 17)', () => {
  it('absent names, emails and values leave no key behind (toEqual would not tell)', () => {
    expect(Object.keys(participantOf({ id: 'u5', type: 'dev_user' }, 'member'))).toEqual([
      'id',
      'role',
    ]);
    expect(Object.keys(relatedOf({ id: 'ACC-9' }))).toEqual(['type', 'id']);
    expect(Object.keys(tagOf({ tag: { id: 'tag/5' } }))).toEqual(['id']);
  });

  it('OPP- counts only at the start of a display id', () => {
    expect(parentType('XOPP-1')).toBe('parent');
  });

  it('an engagement with a single parent and null or absent fields: no null or undefined keys', () => {
    const e = mapEngagement(
      EngagementWireSchema.parse({
        id: 'ENG-P',
        created_date: '2026-01-01T00:00:00Z',
        parent: { id: 'ACC-3', display_name: 'Three' },
        title: null,
        description: null,
        custom_fields: { tier: 'gold' },
      }),
      { includeRaw: false },
    );
    expect(e.related).toEqual([{ type: 'account', id: 'ACC-3', name: 'Three' }]);
    expect(e.customFields).toEqual({ tier: 'gold' });
    expect(Object.keys(e)).not.toContain('subject');
    expect(Object.keys(e)).not.toContain('body');
    expect(Object.keys(e)).not.toContain('displayId');
  });
});
