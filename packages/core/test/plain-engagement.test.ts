import { describe, expect, it } from 'vitest';
import { plainEngagementConstructor } from '../src/adapter-kit';

describe('plainEngagementConstructor', () => {
  const Zoom = plainEngagementConstructor('zoom-contact-center');
  const participants = [{ role: 'agent' as const, id: 'a1' }];
  const related = [{ type: 'queue', id: 'q1' }];
  const notes = [{ text: 'n' }];
  const dispositions = [{ name: 'Resolved' }];

  it('builds a plain object with the required fields in the order a literal would', () => {
    const e = new Zoom(
      'r1',
      'call',
      '2026-01-01T00:00:00.000Z',
      participants,
      related,
      notes,
      dispositions,
    );
    expect(Object.getPrototypeOf(e)).toBe(Object.prototype);
    expect(Object.keys(e)).toEqual([
      'id',
      'provider',
      'remoteId',
      'kind',
      'occurredAt',
      'participants',
      'related',
      'notes',
      'dispositions',
      'tags',
    ]);
    expect(e).toStrictEqual({
      id: 'zoom-contact-center:r1',
      provider: 'zoom-contact-center',
      remoteId: 'r1',
      kind: 'call',
      occurredAt: '2026-01-01T00:00:00.000Z',
      participants,
      related,
      notes,
      dispositions,
      tags: [],
    });
    expect(e.participants).toBe(participants);
    expect(e.dispositions).toBe(dispositions);
    expect(JSON.stringify(e)).toBe(
      '{"id":"zoom-contact-center:r1","provider":"zoom-contact-center","remoteId":"r1","kind":"call","occurredAt":"2026-01-01T00:00:00.000Z","participants":[{"role":"agent","id":"a1"}],"related":[{"type":"queue","id":"q1"}],"notes":[{"text":"n"}],"dispositions":[{"name":"Resolved"}],"tags":[]}',
    );
  });

  it('gives each engagement its own tags array, and each provider its own constructor', () => {
    const a = new Zoom('a', 'chat', 't', [], [], [], []);
    const b = new Zoom('b', 'chat', 't', [], [], [], []);
    expect(a.tags).not.toBe(b.tags);
    const Truto = plainEngagementConstructor('truto');
    expect(Truto).not.toBe(Zoom);
    const t = new Truto('10', 'note', 't', [], [], [], []);
    expect([t.id, t.provider, t.remoteId]).toEqual(['truto:10', 'truto', '10']);
  });
});
