import { describe, expect, it } from 'vitest';
import { defineAdapter } from '../src/adapter-kit';
import {
  type AdapterCapabilities,
  CapabilityError,
  type Engagement,
  PageIterator,
} from '../src/index';

const capabilities: AdapterCapabilities = {
  operations: { list: true, get: false, create: true, update: false, delete: false, count: false },
  filters: {},
  maxPageSize: 10,
  defaultPageSize: 10,
  backwardsPaging: false,
  ordering: 'unordered',
};

describe('defineAdapter and capabilities.operations', () => {
  it('refuses an operation the capabilities deny, even when a method exists', async () => {
    let called = 0;
    const adapter = defineAdapter({
      id: 'x',
      capabilities,
      engagements: {
        list: () => new PageIterator<Engagement>(async function* () {}),
        get: async () => {
          called++;
          throw new Error('must not be called');
        },
      },
    });
    const error = await adapter.engagements.get('x:1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CapabilityError);
    expect((error as CapabilityError).capability).toBe('get');
    expect(called).toBe(0);
  });
});
