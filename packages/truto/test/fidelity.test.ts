import { CapabilityError, InputValidationError } from '@engagekit/core';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseTrutoEngagement } from '../src/index';
import { ACCOUNT, adapter, BASE, PATH, setupNock, trutoRecord } from './fixtures';

beforeAll(setupNock);
afterEach(() => nock.cleanAll());

/** Captures the JSON body of one write and answers with `reply`. */
function captureWrite(method: 'post' | 'patch', path: string, reply: Record<string, unknown>) {
  const sent: Record<string, unknown>[] = [];
  const scope = nock(BASE)
    [method](path, (body) => {
      sent.push(body);
      return true;
    })
    .query({ integrated_account_id: ACCOUNT })
    .reply(method === 'post' ? 201 : 200, reply);
  return { sent, scope };
}

describe('Truto link contacts are written under `contact`', () => {
  // Reference: https://truto.one/docs/api-reference/unified-crm-api/engagements — the unified
  // Engagements object has `contact` (array<object> of `{ id }`), the field the `contact[id]`
  // list filter reads; there is no `contacts`.
  it('create sends contact: [{ id }] and no contacts', async () => {
    const { sent, scope } = captureWrite('post', PATH, trutoRecord({ id: '2002' }));
    await adapter().engagements.create({ kind: 'call', participantIds: ['c-1', 'c-2'] });
    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual([{ engagement_type: 'call', contact: [{ id: 'c-1' }, { id: 'c-2' }] }]);
  });

  // Reference: https://truto.one/docs/api-reference/unified-crm-api/engagements/update (PATCH
  // body = the unified object's fields).
  it('update sends contact: [{ id }] and no contacts', async () => {
    const { sent, scope } = captureWrite('patch', `${PATH}/1001`, trutoRecord());
    await adapter().engagements.update('1001', { participantIds: ['c-9'] });
    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual([{ contact: [{ id: 'c-9' }] }]);
  });
});

describe('Truto call direction is inbound | outbound | missed', () => {
  // Reference: Truto unified engagement `direction` (calls: inbound, outbound, missed); a missed
  // call is read as an inbound call whose status says `missed` (docs/unified-model.md).
  it('reads missed as inbound with status missed, keeping the original value', () => {
    const e = parseTrutoEngagement(trutoRecord({ direction: 'missed', status: null }));
    expect(e.direction).toBe('inbound');
    expect(e.status).toBe('missed');
    expect(e.customFields?.nativeDirection).toBe('missed');
  });

  it("keeps the CRM's own status on a missed call", () => {
    const e = parseTrutoEngagement(trutoRecord({ direction: 'MISSED', status: 'no_answer' }));
    expect(e.direction).toBe('inbound');
    expect(e.status).toBe('no_answer');
    expect(e.customFields?.nativeDirection).toBe('MISSED');
  });

  it('writes inbound and outbound as given', async () => {
    const { sent } = captureWrite('post', PATH, trutoRecord());
    await adapter().engagements.create({ kind: 'call', direction: 'outbound' });
    expect(sent[0]?.direction).toBe('outbound');
  });

  it('rejects an internal direction with CapabilityError before any request', async () => {
    const a = adapter();
    const created = await a.engagements
      .create({ kind: 'call', direction: 'internal' })
      .catch((e: unknown) => e);
    expect(created).toBeInstanceOf(CapabilityError);
    expect(created).toMatchObject({ capability: 'direction:internal', provider: 'truto' });
    const updated = await a.engagements
      .update('1001', { direction: 'internal' })
      .catch((e: unknown) => e);
    expect(updated).toBeInstanceOf(CapabilityError);
    // No interceptor is installed: a request would have failed with a nock error instead.
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('durationUnit', () => {
  // Reference: https://truto.one/docs/api-reference/unified-crm-api/engagements — `duration` is a
  // string with no unit; HubSpot behind Truto counts milliseconds (`hs_call_duration`).
  it('reads a bare duration as seconds by default and as milliseconds when told', async () => {
    nock(BASE)
      .get(`${PATH}/1001`)
      .query(true)
      .times(2)
      .reply(200, trutoRecord({ duration: '1800000' }));
    expect((await adapter().engagements.get('1001')).durationSeconds).toBe(1_800_000);
    const ms = adapter({ durationUnit: 'milliseconds' });
    expect((await ms.engagements.get('1001')).durationSeconds).toBe(1800);
  });

  it('reads clock and ISO 8601 durations as they say whatever the unit', () => {
    for (const duration of ['00:30:00', 'PT30M']) {
      const e = parseTrutoEngagement(trutoRecord({ duration }), { durationUnit: 'milliseconds' });
      expect(e.durationSeconds, duration).toBe(1800);
    }
    const n = parseTrutoEngagement(trutoRecord({ duration: 90_500 }), {
      durationUnit: 'milliseconds',
    });
    expect(n.durationSeconds).toBe(90.5);
  });

  it('lists with the unit too', async () => {
    nock(BASE)
      .get(PATH)
      .query(true)
      .reply(200, {
        result: [trutoRecord({ duration: '61000' })],
        next_cursor: null,
        prev_cursor: null,
        result_count: 1,
      });
    const items = await adapter({ durationUnit: 'milliseconds' }).engagements.list().toArray();
    expect(items.map((e) => e.durationSeconds)).toEqual([61]);
  });

  it('writes durationSeconds in the unit: "90" by default, "90000" in milliseconds', async () => {
    const seconds = captureWrite('post', PATH, trutoRecord());
    await adapter().engagements.create({ kind: 'call', durationSeconds: 90 });
    expect(seconds.sent[0]?.duration).toBe('90');
    const ms = captureWrite('patch', `${PATH}/1001`, trutoRecord());
    await adapter({ durationUnit: 'milliseconds' }).engagements.update('1001', {
      durationSeconds: 90.25,
    });
    expect(ms.sent[0]?.duration).toBe('90250');
  });

  it('rejects an unknown unit', () => {
    expect(() => adapter({ durationUnit: 'minutes' as never })).toThrow(InputValidationError);
  });
});

describe('directions filter', () => {
  // Reference: https://truto.one/docs/api-reference/unified-crm-api/engagements/list — no
  // `direction` query parameter, so engagekit filters client-side and sends nothing for it.
  it('is declared client-side and keeps only the asked directions (missed counts as inbound)', async () => {
    const { TRUTO_CAPABILITIES } = await import('../src/index');
    expect(TRUTO_CAPABILITIES.filters.directions).toBe('client');
    const queries: Record<string, string>[] = [];
    nock(BASE)
      .get(PATH)
      .query((q) => {
        queries.push(q as Record<string, string>);
        return true;
      })
      .reply(200, {
        result: [
          trutoRecord({ id: '1', direction: 'INCOMING' }),
          trutoRecord({ id: '2', direction: 'outbound' }),
          trutoRecord({ id: '3', direction: 'missed' }),
          trutoRecord({ id: '4', direction: null }),
        ],
        next_cursor: null,
        prev_cursor: null,
        result_count: 4,
      });
    const items = await adapter()
      .engagements.list({ directions: ['inbound'] })
      .toArray();
    expect(items.map((e) => e.remoteId)).toEqual(['1', '3']);
    expect(Object.keys(queries[0] ?? {}).some((k) => k.includes('direction'))).toBe(false);
  });
});
