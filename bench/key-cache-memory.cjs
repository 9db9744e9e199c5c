'use strict';
// Issue 15.3's measurement in isolation: the key vault on in-memory PGlite, two person keys made
// per "family" with the small Buffer traffic an HTTP request brings between them, and the
// process's ArrayBuffers (Buffers outside the JS heap) after a full GC every 2,000 families.
// Run after `node scripts/build.mjs`: node --expose-gc bench/key-cache-memory.cjs [families]
const { join } = require('node:path');
const { randomUUID, randomBytes } = require('node:crypto');
const es = require(join(__dirname, '..', 'dist/libs/event-store/src'));
const privacy = require(join(__dirname, '..', 'dist/libs/privacy/src'));

(async () => {
  const { gc } = global;
  if (!gc) throw new Error('run with node --expose-gc');
  const families = Number(process.argv[2] ?? 10_000);
  const sql = await es.PgliteSqlClient.open('memory://');
  const vault = await privacy.KeyVault.open(sql, { schema: 'ledger', masterKey: randomBytes(32) });
  const mib = (b) => (b / 2 ** 20).toFixed(1);
  const measure = () => {
    gc();
    return process.memoryUsage();
  };
  const start = measure();
  console.log(`start: rss ${mib(start.rss)} MiB, heap ${mib(start.heapUsed)} MiB, arrayBuffers ${mib(start.arrayBuffers)} MiB`);
  for (let i = 1; i <= families; i += 1) {
    await vault.keysFor([randomUUID(), randomUUID()], { create: true });
    for (let j = 0; j < 20; j += 1) Buffer.from(`a request body ${j} ${i}`.repeat(10));
    if (i % 2_000 === 0) {
      const m = measure();
      console.log(
        `${i} families: rss ${mib(m.rss)} MiB, heap ${mib(m.heapUsed)} MiB, arrayBuffers ${mib(m.arrayBuffers)} MiB (${((m.arrayBuffers - start.arrayBuffers) / i / 1024).toFixed(2)} KiB a family)`,
      );
    }
  }
  await sql.close();
})();
