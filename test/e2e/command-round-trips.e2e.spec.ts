import pg from 'pg';
import { TEST_PM, startTestApp, type TestApp } from '../support/app';
import { describeWhen, testEnv } from '../support/test-env';
import { api, configureProgramme, dates, eligibleFamily } from '../support/families-fixture';
import { keyworkerOnRecord } from '../support/signed-in';

/**
 * Issue 22.3, one round trip per command where possible: the statements the api sends to
 * PostgreSQL while it answers a family command over HTTP, counted where `pg` sends them (every
 * `Client.query` of the pool's connections, BEGIN and COMMIT included), nothing stubbed. The
 * NOTIFY sent after an append has committed is left out: the request does not wait for it.
 *
 * Before issue 22.3: a second offence on a family took two (its stream's tail read, the append);
 * an attachment five (the family, the keyworker, the programme read; the place of the allocation
 * appended, then the attachment).
 */
const sent: string[] = [];
let counting = false;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;

/** A statement as `read <category>`, `append`, `append at once` (several streams), `notify`, or its first words. */
function statementOf(args: unknown[]): string {
  const [first, values] = args;
  const text = (typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '')).replace(/\s+/g, ' ').trim();
  const param = Array.isArray(values) && typeof values[0] === 'string' ? values[0] : '';
  // The signed-in user's own stream is read by the token check, at most once a second
  // (USER_CHECK_MS), not by the command: a slow machine can take a second between two requests.
  if (/^select s\.version::text as stream_version/.test(text)) return param === `user-${TEST_PM.username}` ? 'check token' : `read ${param.split('-')[0]}`;
  if (text.includes('.append_events_atomic(')) return 'append at once';
  if (text.includes('.append_events(') || text.includes('.append_events_group(')) return `append ${param.split('-')[0]}`;
  if (text.includes('pg_notify')) return 'notify';
  return text.slice(0, 60);
}

describeWhen(testEnv.postgresUrl !== undefined, 'LEDGER_TEST_POSTGRES_URL is not set')('the round trips of a family command to PostgreSQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      if (counting) sent.push(statementOf(args));
      return query.apply(this, args);
    } as typeof pg.Client.prototype.query;
    t = await startTestApp('postgres', { LEDGER_PROJECTIONS: 'external' });
    await configureProgramme(t);
    await keyworkerOnRecord(t, 'kw.trips');
  });
  afterAll(async () => {
    pg.Client.prototype.query = query as typeof pg.Client.prototype.query;
    await t?.close();
  });

  /** The statements sent while `request` is answered, without the NOTIFYs and the token checks. */
  async function statementsOf(request: () => Promise<unknown>): Promise<string[]> {
    sent.length = 0;
    counting = true;
    try {
      await request();
    } finally {
      counting = false;
    }
    return sent.filter((statement) => statement !== 'notify' && statement !== 'check token');
  }

  it('records a second offence on a family in one: the append, at the version remembered', async () => {
    const f = await eligibleFamily(t);
    const offence = { memberId: f.parentId, committedOn: '2016-05-01', proven: true, category: 'trips' };
    await api(t).post(`/api/families/${f.familyId}/offences`).send(offence).expect(201);
    const second = await statementsOf(() => api(t).post(`/api/families/${f.familyId}/offences`).send(offence).expect(201));
    expect(second).toEqual(['append family']);
  });

  it('records a problem (checked against the framework and the Outcome Plan in force) in three, two of them at once: the programme and the plans read, the append', async () => {
    const f = await eligibleFamily(t);
    const problem = { problem: 'worklessness', indicator: 'out of work', memberId: f.parentId, identifiedOn: dates.problemsOn, source: 'trips' };
    const statements = await statementsOf(() => api(t).post(`/api/families/${f.familyId}/problems`).send(problem).expect(201));
    expect(statements.slice(0, 2).sort()).toEqual(['read outcomePlan', 'read programme']);
    expect(statements.slice(2)).toEqual(['append family']);
  });

  it('attaches a family in three: the family and the keyworker read, the place and the attachment appended at once', async () => {
    const [first, second] = [await eligibleFamily(t), await eligibleFamily(t)];
    const attach = (familyId: string) => api(t).post(`/api/families/${familyId}/attachment`).send({ attachedOn: dates.attachedOn, keyworker: 'kw.trips' }).expect(201);
    // The first attachment also reads the programme; the next decides on the programme as that one left it.
    expect(await statementsOf(() => attach(first.familyId))).toEqual(['read family', 'read user', 'read programme', 'append at once']);
    expect(await statementsOf(() => attach(second.familyId))).toEqual(['read family', 'read user', 'append at once']);
    const programme = (await api(t).get('/api/programme').expect(200)).body as { familiesAttached: number };
    expect(programme.familiesAttached).toBe(2);
  });
});
