'use strict';
// The bench's limit for reading the log: the whole global log in keyset pages of 1,000 as raw SQL
// (the same order and index as readAll, without its snapshot guard and text casts). Used by the
// scan task (bench/worker.cjs) and by bench/rebuild-trace.cjs.

/**
 * Reads every event once; resolves with how many.
 * @param {{ query(sql: string, params?: unknown[]): Promise<any[]> }} sql the store's SQL client
 * @returns {Promise<number>}
 */
async function rawScan(sql) {
  let commit = '0';
  let prepare = '0';
  let n = 0;
  for (;;) {
    const rows = await sql.query(
      // ORDER BY names the table's columns (e.x): the text alias would sort every row per page.
      `select e.global_position, e.transaction_id::text as transaction_id, e.stream_id, e.version, e.event_id, e.type, e.data, e.metadata
         from ledger.events e where (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
        order by e.transaction_id, e.global_position limit 1000`,
      [commit, prepare],
    );
    n += rows.length;
    if (rows.length < 1000) return n;
    const last = rows[rows.length - 1];
    commit = String(last.transaction_id);
    prepare = String(last.global_position);
  }
}

module.exports = { rawScan };
