import { describe, expect, it } from 'vitest';
import { defineAdapter, paginate } from '../src/adapter-kit';
import {
  createEngagementsClient,
  type Engagement,
  type EngagementAdapter,
  InputValidationError,
} from '../src/index';
import { DAY, engagement, expectedIds, fakeProvider, T0 } from './client-fakes';

/** A fake `zoom-contact-center` with aliases, whose `get` records the ids it is asked for. */
function aliased(aliases: readonly string[]) {
  const asked: string[] = [];
  const id = 'zoom-contact-center';
  const records = [engagement(id, 'r-1', T0 + DAY), engagement(id, 'r-2', T0 + 2 * DAY)];
  const adapter = defineAdapter({
    id,
    aliases,
    capabilities: {
      operations: {
        list: true,
        get: true,
        create: true,
        update: false,
        delete: false,
        count: false,
      },
      filters: { from: 'server', to: 'server' },
      maxPageSize: 10,
      defaultPageSize: 10,
      backwardsPaging: false,
      ordering: 'asc',
    },
    engagements: {
      list: (params) =>
        paginate<Engagement>({
          provider: id,
          fingerprint: params.fingerprint,
          cursor: params.cursor,
          fetchPage: async () => ({ items: records }),
        }),
      get: async (remoteId) => {
        asked.push(remoteId);
        const found = records.find((e) => e.remoteId === remoteId);
        if (!found) throw new Error(`${remoteId} not found`);
        return found;
      },
      create: async () => engagement(id, 'new', T0),
    },
  });
  return { adapter, asked, records };
}

describe('provider aliases', () => {
  it('defineAdapter keeps the aliases an adapter declares', () => {
    expect(aliased(['zoom', 'zcc']).adapter.aliases).toEqual(['zoom', 'zcc']);
  });

  it('get() takes a unified id with an alias as well as with the provider id', async () => {
    const zoom = aliased(['zoom', 'zcc']);
    const other = fakeProvider('truto', [T0], { ordering: 'asc' });
    const client = createEngagementsClient({ adapters: [other.adapter, zoom.adapter] });
    expect((await client.engagements.get('zoom:r-1')).id).toBe('zoom-contact-center:r-1');
    expect((await client.engagements.get('zcc:r-2')).id).toBe('zoom-contact-center:r-2');
    expect((await client.engagements.get('zoom-contact-center:r-1')).id).toBe(
      'zoom-contact-center:r-1',
    );
    expect(zoom.asked).toEqual(['r-1', 'r-2', 'r-1']);
    expect((await client.engagements.get('truto:truto-0')).id).toBe('truto:truto-0');
    await expect(client.engagements.get('zoomx:r-1')).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'id', rule: 'unified_id' })],
    });
  });

  it('create() and list({ providers }) take aliases; cursors fit either name', async () => {
    const zoom = aliased(['zoom']);
    const other = fakeProvider('truto', [T0 + DAY / 2], { ordering: 'asc', serverTime: true });
    const client = createEngagementsClient({ adapters: [other.adapter, zoom.adapter] });
    expect((await client.engagements.create('zoom', { subject: 'x' })).provider).toBe(
      'zoom-contact-center',
    );
    const range = { from: new Date(T0), to: new Date(T0 + 3 * DAY) };
    const byAlias = client.engagements.list({ ...range, providers: ['zoom'] });
    expect((await byAlias.toArray({ max: 1 })).map((e) => e.id)).toEqual([
      'zoom-contact-center:r-1',
    ]);
    const rest = await client.engagements
      .list({ ...range, providers: ['zoom-contact-center'], cursor: byAlias.cursor })
      .toArray();
    expect(rest.map((e) => e.id)).toEqual(['zoom-contact-center:r-2']);
    const both = await client.engagements
      .list({ ...range, providers: ['zoom', 'zoom-contact-center', 'truto'] })
      .toArray();
    expect(both.map((e) => e.id)).toEqual(expectedIds([...zoom.records, ...other.records]));
  });

  it('refuses a name that would mean two adapters', () => {
    const zoom = aliased(['truto']);
    const other = fakeProvider('truto', [], { ordering: 'asc' });
    const adapters: EngagementAdapter[] = [other.adapter, zoom.adapter];
    expect(() => createEngagementsClient({ adapters })).toThrow(InputValidationError);
    expect(() => createEngagementsClient({ adapters })).toThrow(/"truto" names two adapters/);
  });
});
