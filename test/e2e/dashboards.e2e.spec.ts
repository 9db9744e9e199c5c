import request from 'supertest';
import { financialYearOf, must } from '@ledger/domain';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { startSeededTestApp } from '../support/demo-borough';
import { type Client, asProgrammeManager, signedInAs } from '../support/signed-in';

const ASOF = '2018-09-30';

interface Summary {
  familyId: string;
  reference: string;
  status: string;
  identifiedOn: string;
  attachedOn: string | null;
  keyworker: string | null;
  problemsAtEntry: string[];
  closedOn: string | null;
}
type Row = Record<string, string | number | null>;
interface Dashboard {
  asOf: string;
  position: string | null;
  suppressed: boolean;
  figures: { name: string; columns: { key: string; kind: string }[]; rows: Row[] }[];
}

/**
 * Issue 19.2: the dashboards' figures over real HTTP on the demo borough, each checked against
 * what the rest of the API says of the same families (the family list, each family's progress).
 */
describe.each(storeKinds)('dashboards on %s', (kind) => {
  let t: TestApp;
  let pm: Client;
  let families: Summary[];

  beforeAll(async () => {
    t = await startSeededTestApp(kind, { LEDGER_DEMO_FAMILIES: '40', LEDGER_DEMO_SEED: '7', LEDGER_DEMO: 'on', LEDGER_DEMO_USERS: 'on' }, { clock: { now: () => new Date('2019-04-20T10:00:00Z') } });
    pm = asProgrammeManager(t);
    families = (await pm.get('/api/families').query({ limit: 1000 }).expect(200)).body.families;
  }, 240_000);
  afterAll(async () => {
    await t.close();
  });

  it('counts families by status, problem at entry and month of attachment as of the date asked, not as of today', async () => {
    const body = (await pm.get('/api/dashboards/families').query({ asOf: ASOF }).expect(200)).body;
    const known = families.filter((f) => f.identifiedOn <= ASOF);
    const statusAt = (f: Summary) => (f.closedOn && f.closedOn <= ASOF ? 'closed' : f.attachedOn && f.attachedOn <= ASOF ? 'attached' : 'identified');
    const expected: Record<string, number> = {};
    for (const f of known) expected[statusAt(f)] = (expected[statusAt(f)] ?? 0) + 1;
    expect(body.byStatus).toEqual(expected);
    const months: Record<string, number> = {};
    for (const f of known) if (f.attachedOn && f.attachedOn <= ASOF) months[f.attachedOn.slice(0, 7)] = (months[f.attachedOn.slice(0, 7)] ?? 0) + 1;
    expect(body.attachmentsByMonth).toEqual(months);
    const problems: Record<string, number> = {};
    for (const f of known) if (f.attachedOn && f.attachedOn <= ASOF) for (const p of f.problemsAtEntry) problems[p] = (problems[p] ?? 0) + 1;
    expect(body.byProblemAtEntry).toEqual(problems);
    // Something happened after the date, or the test would not tell the two apart.
    expect(families.some((f) => f.identifiedOn > ASOF || (f.attachedOn ?? '') > ASOF || (f.closedOn ?? '') > ASOF)).toBe(true);
  });

  it('gives the programme figures as of a date, each agreeing with the family list and each family’s progress', async () => {
    const body = (await pm.get('/api/dashboards/programme').query({ asOf: ASOF }).expect(200)).body as Dashboard;
    const figure = (name: string) => body.figures.find((f) => f.name === name) as Dashboard['figures'][number];
    expect(body.figures.map((f) => f.name)).toEqual(['funnel', 'results-by-month', 'problems', 'time-to-result', 'caseloads', 'no-result', 'money']);
    expect(body.position).toMatch(/^\d+\/\d+$/);

    const progress = new Map<string, { claimable: boolean; problems: { problem: string; met: boolean }[] }>();
    for (const f of families.filter((x) => x.attachedOn !== null && x.attachedOn <= ASOF)) {
      progress.set(f.familyId, (await pm.get(`/api/families/${f.familyId}/progress`).query({ asOf: ASOF }).expect(200)).body);
    }
    const known = families.filter((f) => f.identifiedOn <= ASOF);
    const attached = known.filter((f) => f.attachedOn !== null && f.attachedOn <= ASOF);

    const funnel = figure('funnel').rows;
    expect(funnel.map((r) => r.financialYear)).toEqual([...new Set(known.map((f) => financialYearOf(f.identifiedOn)))].sort());
    for (const row of funnel) {
      const cohort = known.filter((f) => financialYearOf(f.identifiedOn) === row.financialYear);
      expect(row.identified).toBe(cohort.length);
      expect(row.attached).toBe(cohort.filter((f) => f.attachedOn !== null && f.attachedOn <= ASOF).length);
      // A result held at the date counts; one that came and went before it counts too.
      expect(row.result as number).toBeGreaterThanOrEqual(cohort.filter((f) => progress.get(f.familyId)?.claimable).length);
    }
    const withResult = attached.filter((f) => progress.get(f.familyId)?.claimable).length;
    expect(withResult).toBeGreaterThan(0);

    const problems = figure('problems').rows;
    for (const row of problems) {
      const atEntry = attached.filter((f) => f.problemsAtEntry.includes(String(row.problem)));
      expect(row.atEntry).toBe(atEntry.length);
      expect(row.resolved).toBe(atEntry.filter((f) => progress.get(f.familyId)?.problems.some((p) => p.problem === row.problem && p.met)).length);
    }

    const resultsByMonth = figure('results-by-month').rows;
    const timeToResult = figure('time-to-result').rows;
    const resultTotal = funnel.reduce((s, r) => s + (r.result as number), 0);
    expect(resultsByMonth.reduce((s, r) => s + (r.families as number), 0)).toBe(resultTotal);
    expect(timeToResult.reduce((s, r) => s + (r.families as number), 0)).toBe(resultTotal);
    expect(resultsByMonth.every((r) => String(r.month) <= ASOF.slice(0, 7))).toBe(true);

    const open = attached.filter((f) => !(f.closedOn && f.closedOn <= ASOF));
    const caseloads = figure('caseloads').rows;
    expect(caseloads.reduce((s, r) => s + (r.open as number), 0)).toBe(open.length);
    for (const row of caseloads) expect(row.open).toBe(open.filter((f) => f.keyworker === row.keyworker).length);

    // DOMAIN.md 4.3: attached 6 months or more, open, no result: each listed family has none at the date.
    const noResult = figure('no-result').rows;
    expect(noResult.length).toBeGreaterThan(0);
    for (const row of noResult) {
      const f = families.find((x) => x.reference === row.reference) as Summary;
      expect(progress.get(f.familyId)?.claimable).toBe(false);
      expect(f.attachedOn).toBe(row.attachedOn);
      expect(row.band).toBe((row.monthsAttached as number) >= 12 ? 'more than 12 months' : '6 to 12 months');
      expect(row.monthsAttached as number).toBeGreaterThanOrEqual(6);
    }

    const money = figure('money').rows;
    expect(money.reduce((s, r) => s + (r.familiesAttached as number), 0)).toBe(attached.length);
    const balances = (await pm.get('/api/programme').expect(200)).body;
    const lastYear = money[money.length - 1];
    expect(lastYear?.allocationRemaining).toBe(balances.allocation - attached.length);
  }, 120_000);

  it('applies the filters: a financial year keeps its cohort, a keyworker and a problem keep their families', async () => {
    const keyworker = families.find((f) => f.keyworker !== null && f.attachedOn !== null && f.attachedOn <= ASOF)?.keyworker as string;
    const body = (await pm.get('/api/dashboards/programme').query({ asOf: ASOF, keyworker, problem: 'education', financialYear: '2016/17' }).expect(200)).body as Dashboard;
    const expected = families.filter(
      (f) => financialYearOf(f.identifiedOn) === '2016/17' && f.keyworker === keyworker && f.attachedOn !== null && f.attachedOn <= ASOF && f.problemsAtEntry.includes('education'),
    );
    const funnel = body.figures.find((f) => f.name === 'funnel')?.rows ?? [];
    expect(funnel.reduce((s, r) => s + (r.attached as number), 0)).toBe(expected.length);
    expect(funnel.every((r) => r.financialYear === '2016/17')).toBe(true);
    const bad = await pm.get('/api/dashboards/programme').query({ financialYear: '2016', problem: 'gambling', asOf: '2018-02-30' }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['financialYear', 'problem']);
    await pm.get('/api/dashboards/programme').query({ asOf: '2018-02-30' }).expect(400);
  });

  it('downloads each figure as formula-safe CSV, and withholds small numbers and the family list from analysts', async () => {
    const csv = await pm.get('/api/dashboards/programme').query({ asOf: ASOF, format: 'csv', figure: 'funnel' }).buffer(true).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.split('\r\n');
    expect(lines[2]).toBe('Identified in,Identified,Attached,Result achieved,Claimed,Paid');
    const json = (await pm.get('/api/dashboards/programme').query({ asOf: ASOF }).expect(200)).body as Dashboard;
    const funnel = json.figures.find((f) => f.name === 'funnel') as Dashboard['figures'][number];
    expect(lines.slice(3, 3 + funnel.rows.length)).toEqual(funnel.rows.map((r) => [r.financialYear, r.identified, r.attached, r.result, r.claimed, r.paid].join(',')));
    await pm.get('/api/dashboards/programme').query({ format: 'csv' }).expect(400);

    const analyst = await signedInAs(t, 'analyst');
    const suppressed = (await analyst.get('/api/dashboards/programme').query({ asOf: ASOF }).expect(200)).body as Dashboard;
    expect(suppressed.suppressed).toBe(true);
    expect(suppressed.figures.map((f) => f.name)).not.toContain('no-result');
    for (const f of suppressed.figures) {
      for (const c of f.columns.filter((col) => col.kind === 'count')) {
        for (const r of f.rows) expect(r[c.key] === '[c]' || r[c.key] === 0 || (r[c.key] as number) >= 5 || r[c.key] === null).toBe(true);
      }
    }
    expect(JSON.stringify(suppressed.figures)).toContain('[c]');
    await analyst.get('/api/dashboards/programme').query({ format: 'csv', figure: 'no-result' }).expect(403);
    await (await signedInAs(t, 'keyworker')).get('/api/dashboards/programme').expect(403);
  });

  it('streams the read models’ checkpoint to any signed-in staff member, and a new one when a command is recorded', async () => {
    const address = t.app.getHttpServer().address() as { port: number };
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${address.port}/api/live`, { headers: { Authorization: `Bearer ${t.tokens.get('pm.test')}` }, signal: controller.signal });
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8']);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const nextCheckpoint = async (): Promise<{ position: string; behindEvents: number; at: string }> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith('event: checkpoint')) return JSON.parse(must(block.split('\ndata: ')[1], 'the checkpoint data'));
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const first = await nextCheckpoint();
    expect(first).toEqual({ position: expect.stringMatching(/^\d+\/\d+$/), behindEvents: expect.any(Number), at: expect.any(String) });
    await pm
      .post('/api/families')
      .send({ reference: 'LIVE-E2E-1', identifiedOn: '2019-04-01', members: [{ relationship: 'parent', givenName: 'Sam', familyName: 'Example', dateOfBirth: '1980-01-01' }] })
      .expect(201);
    let next = await nextCheckpoint();
    while (next.position === first.position || next.behindEvents > 0) next = await nextCheckpoint();
    expect(next.position).not.toBe(first.position);
    controller.abort();
    await request(t.app.getHttpServer()).get('/api/live').expect(401);
  });

  it('keeps a web session with an httpOnly SameSite=Strict cookie: refresh needs the CSRF header, sign-out ends it', async () => {
    const server = t.app.getHttpServer();
    const signIn = await request(server).post('/api/auth/session').send({ username: 'demo.pm', password: 'demo-borough-only' }).expect(200);
    expect(signIn.body).toEqual(expect.objectContaining({ accessToken: expect.any(String), role: 'programme-manager', username: 'demo.pm' }));
    const setCookie = String(signIn.headers['set-cookie']);
    expect(setCookie).toMatch(/ledger_session=[^;]+;.*HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/api\/auth/);
    const cookie = must(setCookie.split(';')[0], 'the cookie');

    const noHeader = await request(server).post('/api/auth/refresh').set('Cookie', cookie).expect(400);
    expect(noHeader.body.details[0].field).toBe('X-Requested-With');
    const refreshed = await request(server).post('/api/auth/refresh').set('Cookie', cookie).set('X-Requested-With', 'ledger-web').expect(200);
    await request(server).get('/api/dashboards/families').set('Authorization', `Bearer ${refreshed.body.accessToken}`).expect(200);
    // The refresh token is no bearer token, and a bearer token is no refresh token.
    await request(server)
      .get('/api/dashboards/families')
      .set('Authorization', `Bearer ${cookie.split('=')[1]}`)
      .expect(401);
    await request(server).post('/api/auth/refresh').set('Cookie', `ledger_session=${refreshed.body.accessToken}`).set('X-Requested-With', 'x').expect(401);
    await request(server).post('/api/auth/refresh').set('X-Requested-With', 'x').expect(401);

    const out = await request(server).post('/api/auth/sign-out').set('Cookie', cookie).set('X-Requested-With', 'ledger-web').expect(204);
    expect(String(out.headers['set-cookie'])).toMatch(/ledger_session=;/);
    await request(server).post('/api/auth/session').send({ username: 'demo.pm', password: 'wrong-password' }).expect(401);
  });
});
