import { randomBytes, randomUUID } from 'node:crypto';
import { PgliteSqlClient } from '@ledger/event-store';
import { KeyVault } from '@ledger/privacy';

// Issue 15.3: RSS grew by about 8 KB for every family recorded. Each cached person key was a
// 32-byte slice of Node's shared 8 KB Buffer pool, and a slice keeps its whole slab alive.
describe('the key vault holds its keys in memory of their own', () => {
  it('gives keys that are not slices of a shared Buffer pool, read fresh or from the cache', async () => {
    const sql = await PgliteSqlClient.open('memory://');
    try {
      const vault = await KeyVault.open(sql, { schema: 'ledger', masterKey: randomBytes(32) });
      const people = [randomUUID(), randomUUID(), randomUUID()];
      const made = await vault.keysFor(people, { create: true });
      const again = await vault.keysFor(people, { create: false });
      for (const id of people) {
        for (const key of [made.get(id), again.get(id)]) {
          expect(Buffer.isBuffer(key)).toBe(true);
          const buffer = key as Buffer;
          expect(buffer).toHaveLength(32);
          // A pooled slice shares an ArrayBuffer of 8,192 bytes with whatever was allocated near it.
          expect(buffer.buffer.byteLength).toBe(32);
        }
        expect(again.get(id)).toEqual(made.get(id));
      }
    } finally {
      await sql.close();
    }
  });
});
