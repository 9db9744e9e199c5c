import { parseString } from 'fast-csv';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { startSeededTestApp } from '../support/demo-borough';
import { type Client, asAdmin, asProgrammeManager, signedInAs } from '../support/signed-in';

function readCsv(text: string): Promise<Record<string, string>[]> {
  return new Promise((resolve, reject) => {
    const rows: Record<string, string>[] = [];
    parseString(text, { headers: true })
      .on('data', (row: Record<string, string>) => rows.push(row))
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

/**
 * Issue 19.4: `?format=csv` on every list endpoint gives the rows of the JSON answer, as a
 * formula-safe attachment no cache keeps; any other format is a 400 naming `format`.
 */
describe.each(storeKinds)('CSV on the list endpoints on %s', (kind) => {
  let t: TestApp;
  let fo: Client;
  let aud: Client;
  beforeAll(async () => {
    t = await startSeededTestApp(kind, { LEDGER_DEMO_FAMILIES: '15', LEDGER_DEMO_SEED: '7' }, { clock: { now: () => new Date('2019-04-20T10:00:00Z') } });
    fo = await signedInAs(t, 'finance-officer');
    aud = await signedInAs(t, 'auditor');
    await fo.post('/api/claims').send({ asOf: '2019-01-31', windowId: '2018-19-w2' }).expect(201);
    // A refusal, so the access log has an entry.
    await aud.get('/api/families/00000000-0000-4000-8000-000000000000').expect(403);
  }, 240_000);
  afterAll(async () => {
    await t.close();
  });

  const routes: {
    name: string;
    who: () => Client;
    path: string;
    query?: Record<string, string>;
    list: (body: Record<'families' | 'claims' | 'entries' | 'users', unknown[]>) => unknown[];
    columns: string[];
    idColumn?: string;
    rowsPerItem?: (item: { lines: unknown[] }) => number;
  }[] = [
    {
      name: 'families',
      who: () => asProgrammeManager(t),
      path: '/api/families',
      query: { limit: '1000' },
      list: (b) => b.families,
      columns: ['family_id', 'reference', 'status', 'identified_on', 'attached_on', 'keyworker', 'problems_at_entry', 'closed_on'],
    },
    {
      name: 'results',
      who: () => asProgrammeManager(t),
      path: '/api/results',
      query: { asOf: '2019-03-31' },
      list: (b) => b.families,
      idColumn: 'family_id',
      columns: ['as_of', 'known_at', 'family_id', 'reference', 'routes', 'plan_version'],
    },
    {
      name: 'claims',
      who: () => fo,
      path: '/api/claims',
      list: (b) => b.claims,
      columns: ['claim_id', 'status', 'window_id', 'as_of', 'framework_id', 'plan_versions', 'total_pence', 'submitted_on', 'submitted_pence', 'paid_on', 'paid_pence'],
    },
    {
      name: 'ledger-entries',
      who: () => fo,
      path: '/api/ledger/entries',
      query: { from: '2015-01-01', to: '2019-04-20' },
      list: (b) => b.entries,
      columns: ['event_id', 'on', 'financial_year', 'description', 'claim_id', 'family_id', 'account', 'amount_pence'],
      rowsPerItem: (entry) => entry.lines.length,
    },
    { name: 'users', who: () => asAdmin(t), path: '/api/users', list: (b) => b.users, columns: ['username', 'role', 'organisation', 'locked_until'] },
    {
      name: 'access-log',
      who: () => aud,
      path: '/api/audit/access-log',
      query: { limit: '1000' },
      list: (b) => b.entries,
      columns: ['id', 'at', 'user_id', 'role', 'organisation', 'route', 'outcome', 'family_id', 'member_ids', 'purpose'],
    },
  ];

  it.each(routes.map((r) => [r.name, r] as const))('GET %s?format=csv answers the JSON list as a CSV attachment', async (_name, route) => {
    const json = await route
      .who()
      .get(route.path)
      .query(route.query ?? {})
      .expect(200);
    const items = route.list(json.body) as { lines: unknown[] }[];
    const csv = await route
      .who()
      .get(route.path)
      .query({ ...route.query, format: 'csv' })
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="${route.name}.csv"`);
    expect(csv.headers['cache-control']).toBe('no-store');
    const text = csv.text;
    expect(text.split('\r\n')[0]).toBe(route.columns.join(','));
    const rows = await readCsv(text);
    const expected = route.rowsPerItem ? items.reduce((n, item) => n + (route.rowsPerItem as (i: { lines: unknown[] }) => number)(item), 0) : items.length;
    expect(rows.length).toBe(expected);
    expect(rows.length).toBeGreaterThan(0);
    // The same answer as JSON, row for row (the item's id: its first field).
    const firstIds = items.map((item) => Object.values(item)[0]).map(String);
    if (!route.rowsPerItem) expect(rows.map((r) => r[route.idColumn ?? route.columns[0] ?? ''])).toEqual(firstIds);
    expect(
      await route
        .who()
        .get(route.path)
        .query({ ...route.query, format: 'json' })
        .expect(200),
    ).toHaveProperty('body');
  });

  it('refuses any other format with a 400 naming it', async () => {
    const res = await asProgrammeManager(t).get('/api/families').query({ format: 'xlsx' }).expect(400);
    expect(res.body.details).toEqual([{ field: 'format', message: 'must be json or csv' }]);
  });

  it('writes a value that a spreadsheet would run as a formula as text', async () => {
    const pm = asProgrammeManager(t);
    await pm
      .post('/api/families')
      .send({ reference: '=HYPERLINK("http://x")', identifiedOn: '2016-05-01', members: [{ relationship: 'child', givenName: 'A', familyName: 'B', dateOfBirth: '2008-02-02' }] })
      .expect(201);
    const csv = await pm.get('/api/families').query({ limit: '1000', format: 'csv' }).expect(200);
    expect(csv.text).toContain(`"'=HYPERLINK(""http://x"")"`);
  });
});
