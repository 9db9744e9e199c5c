import { StoreFaultError } from '../event-store.port';
import { quoteIdent } from '@ledger/sql';
import { corruptionAdvice } from '@ledger/sql';
import type { SqlClient } from '@ledger/sql';
import { oneRow } from '@ledger/sql';

/**
 * The embedded store's check at start (issue 15.5): every page of the log read once, so that
 * PostgreSQL verifies its checksum (PGlite's data directories have data checksums on), and the log
 * counted against the streams' own record of it. Throws a StoreFaultError (`StoreCorrupted`)
 * saying what to do, so a damaged directory is refused rather than served as ready.
 *
 * - the events table, scanned whole (a damaged heap page fails its checksum: XX001);
 * - the two indexes every read goes through, walked whole: log order (subscriptions, projections)
 *   and stream/version (commands, history);
 * - the count of events against the sum of the streams' versions: each stream's version is the
 *   number of its events, kept in another table, so a page lost whole (a zeroed page passes its
 *   checksum) or a table file swapped for an older copy shows as a difference;
 * - person_keys scanned whole (a damaged key page would lose people's data).
 *
 * PGlite ships amcheck as an extension; it is not loaded, since reading every page already
 * checks what it would find first, and loading it at every start costs time.
 */
export async function checkEmbeddedStore(sql: SqlClient, schema: string, dir: string): Promise<void> {
  const s = quoteIdent(schema);
  const damaged = (what: string) => new StoreFaultError('StoreCorrupted', 503, `the embedded store in ${dir} is damaged (${what}): ${corruptionAdvice(dir)}`);
  await sql.transaction(async (tx) => {
    await tx.query('set transaction read only');
    await tx.query('set local enable_indexscan = off');
    await tx.query('set local enable_indexonlyscan = off');
    await tx.query('set local enable_bitmapscan = off');
    const heap = oneRow(await tx.query<{ n: string }>(`select count(*)::text as n from ${s}.events`), 'count of events');
    const streams = oneRow(await tx.query<{ v: string }>(`select coalesce(sum(version), 0)::text as v from ${s}.streams`), 'sum of stream versions');
    if (heap.n !== streams.v) throw damaged(`the events table holds ${heap.n} events where its streams record ${streams.v}`);
    const keys = oneRow(await tx.query<{ present: boolean }>(`select to_regclass($1) is not null as present`, [`${s}.person_keys`]), 'person keys table');
    if (keys.present) await tx.query(`select count(*) from ${s}.person_keys`);
    await tx.query('set local enable_seqscan = off');
    await tx.query('set local enable_indexscan = on');
    for (const order of ['transaction_id, global_position', 'stream_id, version']) {
      const walked = oneRow(await tx.query<{ n: string }>(`select count(*)::text as n from (select 1 from ${s}.events order by ${order}) as x`), 'count of indexed events');
      if (walked.n !== heap.n) throw damaged(`the index of the events in order of ${order} holds ${walked.n} where the table holds ${heap.n}`);
    }
  });
}
