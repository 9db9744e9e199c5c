import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { PgSqlClient, type SqlClient, quoteIdent } from '@ledger/event-store';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { configureProgramme } from '../support/families-fixture';
import { testEnv } from '../support/test-env';
import { type Client, asAdmin, asProgrammeManager, keyworkerOnRecord } from '../support/signed-in';

/**
 * Issue 16.4, DOMAIN.md 6: free text is personal data. Reasons and indicators typed by people,
 * each naming a person here, are sealed with the person's or the family's key:
 * never in plain text at rest, and gone from the whole database (pg_dump on PostgreSQL, every row
 * of every table on PGlite) once the family's members are erased. Correlation ids and access
 * purposes take no free text at all, nor does a legal basis (a gateway code: issue 23.1).
 */
const TEXT = {
  indicator: 'Vexlington truanting since Easter',
  memberIndicator: 'Vexlington mother out of work since 2014',
  asbKind: 'Vexlington household noise nuisance',
  override: 'approved: Vexlington moved to Leeds, evidence by phone',
  correction: 'typo reported by Vexlington at the door',
  closure: 'Vexlington family moved away',
};
const ALL = Object.values(TEXT);

describe.each(storeKinds)('free text and erasure on %s', (kind) => {
  let t: TestApp;
  let database: string | null = null;
  let pm: Client;
  let familyId: string;
  let memberIds: string[];

  beforeAll(async () => {
    let postgresUrl: string | undefined;
    if (kind === 'postgres') {
      database = `ledger_freetext_${randomUUID().slice(0, 8)}`;
      const admin = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 1 });
      await admin.query(`create database ${quoteIdent(database)}`);
      await admin.close();
      const url = new URL(testEnv.postgresUrl as string);
      url.pathname = `/${database}`;
      postgresUrl = url.toString();
    }
    t = await startTestApp(kind, {}, { clock: { now: () => new Date('2019-04-20T10:00:00Z') }, postgresUrl });
    pm = asProgrammeManager(t);
    await configureProgramme(t);
    const family = await pm
      .post('/api/families')
      .send({
        reference: 'FREETEXT-1',
        identifiedOn: '2016-05-01',
        members: [
          { relationship: 'parent', givenName: 'Ada', familyName: 'Brown', dateOfBirth: '1980-01-02' },
          { relationship: 'child', givenName: 'Ben', familyName: 'Brown', dateOfBirth: '2008-03-04' },
        ],
      })
      .expect(201);
    familyId = family.body.familyId;
    memberIds = family.body.members.map((m: { memberId: string }) => m.memberId);
    const problem = await pm.post(`/api/families/${familyId}/problems`).send({ problem: 'education', indicator: TEXT.indicator, identifiedOn: '2016-05-02', source: 'school' }).expect(201);
    await pm
      .post(`/api/families/${familyId}/problems`)
      .send({ problem: 'worklessness', indicator: TEXT.memberIndicator, memberId: memberIds[0], identifiedOn: '2016-05-02', source: 'dwp' })
      .expect(201);
    await pm.post(`/api/families/${familyId}/asb-incidents`).send({ occurredOn: '2016-05-03', kind: TEXT.asbKind }).expect(201);
    await keyworkerOnRecord(t, 'kw.freetext');
    await pm.post(`/api/families/${familyId}/attachment`).send({ attachedOn: '2016-05-10', keyworker: 'kw.freetext' }).expect(201);
    await pm.post(`/api/families/${familyId}/offences`).set('X-Legal-Basis', 'children-act-1989').send({ memberId: memberIds[1], committedOn: '2016-06-01', proven: false }).expect(201);
    await pm.post(`/api/families/${familyId}/overrides`).send({ problem: 'education', reason: TEXT.override, on: '2017-01-05' }).expect(201);
    await pm
      .post(`/api/families/${familyId}/corrections`)
      .send({
        supersedesEventId: problem.body.eventId,
        replacement: { path: 'problems', body: { problem: 'education', indicator: 'attendance below 90%', identifiedOn: '2016-05-03', source: 'school' } },
        reason: TEXT.correction,
      })
      .expect(201);
    await pm.post(`/api/families/${familyId}/closure`).send({ closedOn: '2018-01-10', reason: TEXT.closure }).expect(201);
  }, 240_000);
  afterAll(async () => {
    await t?.close();
    if (database) {
      const admin = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 1 });
      await admin.query(`drop database if exists ${quoteIdent(database)} with (force)`);
      await admin.close();
    }
  });

  it('reads every free text back through the API, and the database holds none of it in plain text', async () => {
    const history = JSON.stringify((await pm.get(`/api/families/${familyId}/history`).expect(200)).body);
    for (const text of [TEXT.indicator, TEXT.memberIndicator, TEXT.asbKind, TEXT.override, TEXT.correction, TEXT.closure]) expect(history).toContain(text);
    expect(findIn(await dumpDatabase(t, database), ALL)).toEqual([]);
  });

  it('refuses a correlation id that is not a UUID and an access purpose off the code list, recording nothing', async () => {
    const before = (await pm.get(`/api/families/${familyId}/history`).expect(200)).body.events.length;
    const refused = await pm.post(`/api/families/${familyId}/asb-incidents`).set('X-Correlation-Id', 'Vexlington call 12').send({ occurredOn: '2016-05-04' }).expect(400);
    expect(JSON.stringify(refused.body)).toContain('X-Correlation-Id');
    await pm.post(`/api/families/${familyId}/asb-incidents`).set('X-Correlation-Id', randomUUID()).send({ occurredOn: '2016-05-04' }).expect(201);
    const purpose = await pm.get(`/api/families/${familyId}`).set('X-Access-Purpose', 'checking on Vexlington for a friend').expect(400);
    expect(JSON.stringify(purpose.body)).toContain('X-Access-Purpose');
    await pm.get(`/api/families/${familyId}`).set('X-Access-Purpose', 'safeguarding').expect(200);
    expect((await pm.get(`/api/families/${familyId}/history`).expect(200)).body.events.length).toBe(before + 1);
    expect(findIn(await dumpDatabase(t, database), ['Vexlington call 12', 'checking on Vexlington'])).toEqual([]);
  });

  it('after the last member is erased, no free text about the family is readable or anywhere in the database', async () => {
    const admin = asAdmin(t);
    await admin.post(`/api/people/${memberIds[0]}/erasure`).send({ reason: 'request from the data subject' }).expect(202);
    // One member left: the family's own text still reads (only the erased person's is gone).
    const halfway = JSON.stringify((await pm.get(`/api/families/${familyId}/history`).expect(200)).body);
    expect(halfway).toContain(TEXT.override);
    expect(halfway).not.toContain(TEXT.memberIndicator);
    await admin.post(`/api/people/${memberIds[1]}/erasure`).send({ reason: 'request from the data subject' }).expect(202);
    const history = JSON.stringify((await pm.get(`/api/families/${familyId}/history`).expect(200)).body);
    expect(findIn(history, ALL)).toEqual([]);
    expect(history).toContain('[erased]');
    expect(findIn(await dumpDatabase(t, database), ALL)).toEqual([]);
  });
});

function findIn(text: string, values: readonly string[]): string[] {
  return values.filter((v) => text.includes(v));
}

/** The whole database as text (as in `erasure.e2e.spec.ts`): pg_dump on PostgreSQL, every row on PGlite. */
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
  return parts.join('\n');
}
