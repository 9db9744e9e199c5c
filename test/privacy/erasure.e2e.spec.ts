import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { PgSqlClient, type SqlClient, quoteIdent } from '@ledger/event-store';
import { streams } from '@ledger/domain';
import { FAMILY_STATES, type FamilyStates } from '../../apps/api/src/families/family-commands';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { startSeededTestApp } from '../support/demo-borough';
import { testEnv } from '../support/test-env';
import { type Client, asAdmin, asProgrammeManager, keyworkerOnRecord, signedInAs } from '../support/signed-in';

/**
 * Issue 6.5 and 6.7: erasure by crypto-shredding. A person with distinctive values is recorded
 * through the API; after their erasure the whole database is dumped (pg_dump of a database of the
 * test's own on PostgreSQL; every row of every table as text on PGlite) and none of their values
 * is anywhere, while reads show the placeholder and the claim, its totals and the ledger are
 * exactly as before.
 */
const PERSON = {
  relationship: 'parent',
  givenName: 'Quillondra',
  familyName: 'Zebrafeatherby',
  dateOfBirth: '1979-02-13',
  gender: 'female',
  postcode: 'ZX9 7QJ',
  nationalInsuranceNumber: 'QJ918273C',
};
const CHILD = { relationship: 'child', givenName: 'Ottolinea', familyName: 'Marrowstepton', dateOfBirth: '2009-07-23', uniquePupilNumber: 'Z820199919001', nhsNumber: '9434765919' };
const HEALTH_NOTE = 'Zebrafeatherby migraine clinic referral';
const VALUES = [PERSON.givenName, PERSON.familyName, PERSON.dateOfBirth, PERSON.postcode, PERSON.nationalInsuranceNumber, HEALTH_NOTE];

describe.each(storeKinds)('erasing a person on %s', (kind) => {
  let t: TestApp;
  let database: string | null = null;
  let pm: Client;
  let fo: Client;
  let familyId: string;
  let parentId: string;
  let childId: string;

  beforeAll(async () => {
    let postgresUrl: string | undefined;
    if (kind === 'postgres') {
      // A database of its own, so the dump is of a whole database and holds nothing of other suites.
      database = `ledger_erasure_${randomUUID().slice(0, 8)}`;
      const admin = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 1 });
      await admin.query(`create database ${quoteIdent(database)}`);
      await admin.close();
      const url = new URL(testEnv.postgresUrl as string);
      url.pathname = `/${database}`;
      postgresUrl = url.toString();
    }
    t = await startSeededTestApp(kind, { LEDGER_DEMO_FAMILIES: '40', LEDGER_DEMO_SEED: '7' }, { clock: { now: () => new Date('2019-04-20T10:00:00Z') }, postgresUrl });
    pm = asProgrammeManager(t);
    fo = await signedInAs(t, 'finance-officer');

    const family = await pm
      .post('/api/families')
      .send({ reference: 'ERASE-1', identifiedOn: '2016-05-01', members: [PERSON, CHILD] })
      .expect(201);
    familyId = family.body.familyId;
    [parentId, childId] = family.body.members.map((m: { memberId: string }) => m.memberId);
    await pm.post(`/api/families/${familyId}/health`).send({ memberId: parentId, change: 'identified', on: '2016-05-02', description: HEALTH_NOTE }).expect(201);
    await pm.post(`/api/families/${familyId}/problems`).send({ problem: 'health', indicator: 'mental health', memberId: parentId, identifiedOn: '2016-05-02', source: 'health' }).expect(201);
    await pm.post(`/api/families/${familyId}/problems`).send({ problem: 'worklessness', indicator: 'out of work benefits', memberId: parentId, identifiedOn: '2016-05-02', source: 'dwp' }).expect(201);
    await keyworkerOnRecord(t, 'kw.erasure');
    await pm.post(`/api/families/${familyId}/attachment`).send({ attachedOn: '2016-05-10', keyworker: 'kw.erasure' }).expect(201);
  }, 240_000);
  afterAll(async () => {
    await t.close();
    if (database) {
      const admin = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 1 });
      await admin.query(`drop database if exists ${quoteIdent(database)} with (force)`);
      await admin.close();
    }
  });

  it('before erasure the values are readable through the API, and the stores hold none of them in plain text', async () => {
    const family = (await pm.get(`/api/families/${familyId}`).expect(200)).body;
    expect(family.members[0]).toMatchObject(PERSON);
    expect(findIn(await dumpDatabase(t, database), VALUES)).toEqual([]);
  });

  it('after erasure: placeholders in every read, none of the values anywhere in the database, claims and the ledger unchanged', async () => {
    // A command folds the family (their opened fields included) and remembers it; an erasure forgets it.
    await pm.post(`/api/families/${familyId}/offences`).send({ memberId: childId, committedOn: '2016-06-01', proven: false, category: 'theft' }).expect(201);
    await pm.post(`/api/families/${familyId}/offences`).send({ memberId: childId, committedOn: '2016-06-02', proven: false, category: 'theft' }).expect(201);
    const claim = (await fo.post('/api/claims').send({ asOf: '2019-01-31', windowId: '2018-19-w2' }).expect(201)).body;
    const claimedFamily: string = claim.families[0].familyId;
    const claimedMembers = ((await pm.get(`/api/families/${claimedFamily}`).expect(200)).body.members as { memberId: string }[]).map((m) => m.memberId);
    const balancesBefore = (await fo.get('/api/ledger/balances').query({ asOf: '2019-12-31' }).expect(200)).body;
    const results = (await pm.get('/api/results').query({ asOf: '2019-03-31' }).expect(200)).body;

    const familyStates = t.app.get<FamilyStates>(FAMILY_STATES);
    expect(familyStates.holds(streams.family(familyId))).toBe(true);
    const admin = asAdmin(t);
    await pm.post(`/api/people/${parentId}/erasure`).send({ reason: 'request from the data subject' }).expect(403);
    expect(familyStates.holds(streams.family(familyId))).toBe(true);
    expect((await admin.post(`/api/people/${parentId}/erasure`).send({ reason: 'request from the data subject' }).expect(202)).body).toMatchObject({ memberId: parentId, familyId, status: 'erased' });
    expect(familyStates.holds(streams.family(familyId))).toBe(false);
    expect((await admin.post(`/api/people/${parentId}/erasure`).send({ reason: 'request from the data subject' }).expect(202)).body.status).toBe('already-erased');
    await admin.post(`/api/people/${randomUUID()}/erasure`).send({ reason: 'nobody' }).expect(404);
    for (const memberId of claimedMembers) await admin.post(`/api/people/${memberId}/erasure`).send({ reason: 'retention test' }).expect(202);

    const family = (await pm.get(`/api/families/${familyId}`).expect(200)).body;
    const parent = family.members.find((m: { memberId: string }) => m.memberId === parentId);
    expect(parent).toMatchObject({ memberId: parentId, relationship: 'parent', givenName: '[erased]', familyName: '[erased]', dateOfBirth: '[erased]', postcode: '[erased]' });
    expect(family.members.find((m: { memberId: string }) => m.memberId === childId)).toMatchObject({ givenName: CHILD.givenName, dateOfBirth: CHILD.dateOfBirth });
    const history = JSON.stringify((await pm.get(`/api/families/${familyId}/history`).expect(200)).body);
    expect(findIn(history, VALUES)).toEqual([]);
    await pm.get(`/api/families/${familyId}/progress`).query({ asOf: '2017-06-01' }).expect(200);

    // Nothing personal can be recorded for them again.
    expect((await pm.post(`/api/families/${familyId}/health`).send({ memberId: parentId, change: 'identified', on: '2016-06-01', description: 'again' }).expect(422)).body.reason).toBe('PersonErased');

    // Claims, totals and the ledger are exactly as before.
    expect((await fo.get(`/api/claims/${claim.claimId}`).expect(200)).body).toMatchObject({ totalPence: claim.totalPence, families: claim.families });
    expect((await fo.get('/api/ledger/balances').query({ asOf: '2019-12-31' }).expect(200)).body).toEqual(balancesBefore);
    expect((await pm.get('/api/results').query({ asOf: '2019-03-31' }).expect(200)).body.families.length).toBe(results.families.length);

    expect(findIn(await dumpDatabase(t, database), VALUES)).toEqual([]);
  });
});

/** The values of `values` that occur in `text`. */
function findIn(text: string, values: readonly string[]): string[] {
  return values.filter((v) => text.includes(v));
}

/**
 * The whole database as text: `pg_dump` of the test's own database on PostgreSQL; on PGlite (no
 * pg_dump for an in-process database) every row of every table of every non-system schema.
 */
async function dumpDatabase(t: TestApp, database: string | null): Promise<string> {
  if (database) {
    const url = new URL(testEnv.postgresUrl as string);
    url.pathname = `/${database}`;
    return execFileSync('pg_dump', ['--dbname', url.toString()], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  }
  const sql: SqlClient = t.stores.sql;
  const tables = await sql.query<{ s: string; n: string }>(
    `select table_schema as s, table_name as n from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1, 2`,
  );
  const parts: string[] = [];
  for (const { s, n } of tables) {
    const rows = await sql.query<{ row: string }>(`select t::text as row from ${quoteIdent(s)}.${quoteIdent(n)} t`);
    parts.push(`-- ${s}.${n}\n${rows.map((r) => r.row).join('\n')}`);
  }
  expect(parts.length).toBeGreaterThan(5);
  return parts.join('\n');
}
