import request from 'supertest';
import { type TestApp } from '../support/app';
import { startSeededTestApp } from '../support/demo-borough';
import { countEvents } from '../support/families-fixture';
import { type Client, asAdmin, asProgrammeManager, signedInAs, signedInPartner } from '../support/signed-in';
import { parseString } from 'fast-csv';
import { outcomesReportCsv } from '@ledger/reporting';
import { atIndex, must } from '@ledger/domain';

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
 * Issue 6.2, need-to-know: the whole role × endpoint matrix, walked over real HTTP. The expected
 * table below is the specification written out by hand (not read from the code's decorators), and
 * every route the OpenAPI document lists must be in it, so a new route cannot ship without a
 * decision. Allowed means "not refused for who you are" (an empty body may still be a 400); denied
 * is 403, and anonymous is 401 everywhere but the public routes.
 */
type Who = 'admin' | 'pm' | 'kw' | 'fo' | 'aud' | 'analyst' | 'police' | 'school' | 'dwp' | 'health';
const EVERYONE: Who[] = ['admin', 'pm', 'kw', 'fo', 'aud', 'analyst', 'police', 'school', 'dwp', 'health'];
const STAFF: Who[] = ['admin', 'pm', 'kw', 'fo', 'aud', 'analyst'];
const CASEWORK: Who[] = ['pm', 'kw'];
const CLAIM_READERS: Who[] = ['fo', 'aud', 'pm', 'admin'];

const MATRIX: Record<string, Who[] | 'public'> = {
  'GET /health': 'public',
  'GET /health/ready': 'public',
  'POST /api/auth/token': 'public',
  'POST /api/auth/session': 'public',
  'POST /api/auth/refresh': 'public',
  'POST /api/auth/sign-out': 'public',
  'GET /api/dashboards/programme': ['pm', 'fo', 'aud', 'analyst'],
  'GET /api/live': STAFF,
  'POST /api/users': ['admin'],
  'GET /api/users': ['admin'],
  'GET /api/keyworkers': ['admin', 'pm'],
  'POST /api/users/{username}/deactivation': ['admin'],
  'POST /api/users/{username}/reactivation': ['admin'],
  'PUT /api/users/{username}/role': ['admin'],
  'POST /api/service-accounts': ['admin'],
  'GET /api/service-accounts': ['admin'],
  'POST /api/service-accounts/{name}/revocation': ['admin'],
  'PUT /api/programme': ['admin', 'pm'],
  'GET /api/programme': STAFF,
  'GET /api/outcome-plans': STAFF,
  'POST /api/outcome-plans': ['pm'],
  'GET /api/claim-windows': ['admin', 'pm', 'fo', 'aud'],
  'POST /api/claim-windows': ['pm', 'fo'],
  'POST /api/families': ['pm'],
  'POST /api/families/{familyId}/members': CASEWORK,
  'POST /api/families/{familyId}/problems': CASEWORK,
  'POST /api/families/{familyId}/attachment': ['pm'],
  'POST /api/families/{familyId}/school-attendance': [...CASEWORK, 'school'],
  'POST /api/families/{familyId}/exclusions': [...CASEWORK, 'school'],
  'POST /api/families/{familyId}/offences': [...CASEWORK, 'police'],
  'POST /api/families/{familyId}/asb-incidents': [...CASEWORK, 'police'],
  'POST /api/families/{familyId}/benefits': [...CASEWORK, 'dwp'],
  'POST /api/families/{familyId}/employment': [...CASEWORK, 'dwp'],
  'POST /api/families/{familyId}/domestic-abuse-incidents': CASEWORK,
  'POST /api/families/{familyId}/health': [...CASEWORK, 'health'],
  'POST /api/families/{familyId}/social-care': CASEWORK,
  'POST /api/families/{familyId}/consents': CASEWORK,
  'POST /api/families/{familyId}/activities': CASEWORK,
  'POST /api/families/{familyId}/milestones': CASEWORK,
  'POST /api/families/{familyId}/uc-conditionality': [...CASEWORK, 'dwp'],
  'POST /api/families/{familyId}/overrides': ['pm'],
  'POST /api/families/{familyId}/closure': CASEWORK,
  'POST /api/families/{familyId}/corrections': CASEWORK,
  'GET /api/families': ['pm', 'kw', 'fo'],
  'GET /api/families/{familyId}': ['pm', 'kw', 'fo', 'aud'],
  'GET /api/families/{familyId}/progress': ['pm', 'kw', 'aud'],
  'GET /api/families/{familyId}/history': ['pm', 'kw', 'aud'],
  'GET /api/families/{familyId}/timeline': ['pm', 'kw', 'aud'],
  'GET /api/work-lists/no-result': ['pm'],
  'GET /api/results': ['pm', 'fo', 'aud'],
  'GET /api/dashboards/families': ['pm', 'fo', 'aud', 'analyst'],
  'GET /api/dashboards/results': ['pm', 'fo', 'aud', 'analyst'],
  'POST /api/claims': ['fo', 'admin'],
  'GET /api/claims': CLAIM_READERS,
  'GET /api/claims/{claimId}': CLAIM_READERS,
  'GET /api/claims/preview': ['fo', 'admin'],
  'POST /api/claims/{claimId}/audit-sample': ['aud'],
  'POST /api/claims/{claimId}/audit-findings': ['aud'],
  'POST /api/claims/{claimId}/sign-offs': ['pm', 'aud'],
  'POST /api/claims/{claimId}/submission': ['fo'],
  'POST /api/claims/{claimId}/payments': ['fo'],
  'POST /api/claims/{claimId}/recoveries': ['fo'],
  'POST /api/claims/{claimId}/recheck': ['fo', 'admin'],
  'POST /api/claims/{claimId}/withdrawal': ['fo', 'admin'],
  'POST /api/spot-checks': ['fo'],
  'GET /api/spot-checks': CLAIM_READERS,
  'GET /api/spot-checks/{spotCheckId}': CLAIM_READERS,
  'GET /api/claims/{claimId}/report.csv': CLAIM_READERS,
  'GET /api/claims/{claimId}/report.xlsx': CLAIM_READERS,
  'GET /api/claims/{claimId}/report.pdf': CLAIM_READERS,
  'GET /api/claims/{claimId}/position.csv': CLAIM_READERS,
  'GET /api/claims/{claimId}/position.xlsx': CLAIM_READERS,
  'GET /api/claims/{claimId}/position.pdf': CLAIM_READERS,
  'POST /api/attachment-fees/receipts': ['fo'],
  'POST /api/attachment-fees/profile': ['fo'],
  'GET /api/reports/attachment-fees': CLAIM_READERS,
  'GET /api/reports/attachment-fees.csv': CLAIM_READERS,
  'GET /api/reports/attachment-fees.xlsx': CLAIM_READERS,
  'GET /api/reports/reconciliation': CLAIM_READERS,
  'GET /api/reports/reconciliation.csv': CLAIM_READERS,
  'GET /api/reports/reconciliation.xlsx': CLAIM_READERS,
  'GET /api/ledger/balances': ['fo', 'aud', 'admin'],
  'GET /api/ledger/entries': ['fo', 'aud', 'admin'],
  'POST /api/people/{memberId}/erasure': ['admin'],
  'GET /api/audit/access-log': ['admin', 'aud'],
  'GET /api/exports/ons-evaluation.csv': ['analyst'],
  'GET /api/privacy/retention': ['admin'],
  'POST /api/privacy/retention/run': ['admin'],
  'POST /api/families/{familyId}/legal-holds': ['admin', 'fo'],
  'POST /api/legal-holds/{holdId}/release': ['admin', 'fo'],
  'GET /api/legal-holds': ['admin', 'fo', 'aud'],
  'POST /api/exports/ons-evaluation': ['analyst'],
  'GET /api/privacy-notice': 'public',
  'GET /api/legal-gateways': STAFF,
  'GET /api/partners': ['admin'],
  'POST /api/partners': ['admin'],
  'POST /api/partners/{organisation}/agreements': ['admin'],
  'POST /api/partners/{organisation}/agreements/{agreementId}/revocation': ['admin'],
  'GET /api/ons-transfers': ['admin', 'analyst'],
  'GET /api/ons-transfers/opt-outs': ['admin', 'analyst'],
  'POST /api/ons-transfers/{transferId}/destruction': ['admin', 'analyst'],
  'POST /api/data-subject-requests': ['admin'],
  'GET /api/data-subject-requests': ['admin'],
  'POST /api/data-subject-requests/{requestId}/response': ['admin'],
  'POST /api/data-subject-requests/{requestId}/objection': ['admin', 'pm'],
  'POST /api/data-subject-requests/{requestId}/corrections': ['admin', 'pm'],
  'GET /api/data-subject-requests/{requestId}/export.json': ['admin'],
  'GET /api/data-subject-requests/{requestId}/export.pdf': ['admin'],
  'GET /api/reports/outcomes.csv': ['analyst', 'pm'],
  // Issue 21: partners import their own kinds of file (a school's attendance file is refused to the
  // police in the route, 403 NotThisPartnersData) and read back their own imports' reports; the
  // review queue shows rows' personal values, to programme managers only.
  'GET /api/imports': ['pm', 'police', 'school', 'dwp', 'health'],
  'POST /api/imports/{source}': ['pm', 'police', 'school', 'dwp', 'health'],
  'GET /api/imports/{importId}': ['pm', 'police', 'school', 'dwp', 'health'],
  'GET /api/imports/{importId}/report.csv': ['pm', 'police', 'school', 'dwp', 'health'],
  'GET /api/imports/{importId}/review': ['pm'],
  'GET /api/imports/candidate-families': ['pm'],
  'POST /api/imports/{importId}/review/{reviewId}': ['pm'],
  // Prometheus scrapes without credentials; counts by command type and route pattern, nothing personal.
  'GET /metrics': 'public',
};

/** Query strings that let an allowed request through its validation, so "allowed" is seen as a 2xx where it can be. */
const QUERIES: Record<string, Record<string, string>> = {
  'GET /api/dashboards/results': { from: '2016-04-01', to: '2019-03-31' },
  'GET /api/ledger/entries': { from: '2016-04-01', to: '2019-03-31' },
  'GET /api/exports/ons-evaluation.csv': { from: '2015-01-01', to: '2019-03-31' },
};
/** Routes that answer with a stream that never ends (server-sent events): the walk reads the status and hangs up. */
const STREAMS = new Set(['GET /api/live']);
/** A server-sent events stream never ends: read its status and first chunk, then hang up. */
function hangUpAfterFirstChunk(req: request.Test) {
  return req.buffer(false).parse((res, done) => {
    res.once('data', () => {
      done(null, null);
      (res as unknown as { destroy(): void }).destroy();
    });
    res.once('end', () => done(null, null));
  });
}
/** Bodies where `{}` would change what the walk relies on. */
const BODIES: Record<string, object> = { 'POST /api/claims/{claimId}/audit-sample': { seed: 42 } };

// Who may call what is decided in front of the store: one store is enough. The embedded one, whose
// seeded borough is copied from the run's cache (the other suites' at this date), not seeded again.
describe.each(['pglite'] as const)('the role × endpoint matrix on %s', (kind) => {
  let t: TestApp;
  const as = {} as Record<Who, Client>;
  let otherKeyworker: Client;
  let claimId: string;
  let familyId: string; // sampled, and assigned to `kw`
  let unsampledFamilyId: string; // assigned to another keyworker, not sampled
  let memberId: string;

  beforeAll(async () => {
    t = await startSeededTestApp(kind, { LEDGER_DEMO_FAMILIES: '40', LEDGER_DEMO_SEED: '7' }, { clock: { now: () => new Date('2019-04-20T10:00:00Z') } });
    as.admin = asAdmin(t);
    as.pm = asProgrammeManager(t);
    as.fo = await signedInAs(t, 'finance-officer');
    as.aud = await signedInAs(t, 'auditor');
    as.analyst = await signedInAs(t, 'analyst');
    for (const organisation of ['police', 'school', 'dwp', 'health'] as const) as[organisation] = await signedInPartner(t, organisation);

    const draft = await as.fo.post('/api/claims').send({ asOf: '2019-01-31', windowId: '2018-19-w2' }).expect(201);
    claimId = draft.body.claimId;
    const sampled: string[] = (await as.aud.post(`/api/claims/${claimId}/audit-sample`).send({ seed: 42 }).expect(201)).body.familyIds;
    familyId = atIndex(sampled, 0, 'sampled family');
    const family = await as.pm.get(`/api/families/${familyId}`).expect(200);
    memberId = family.body.members[0].memberId;
    as.kw = await signedInAs(t, 'keyworker', { username: family.body.keyworker });
    const all = (await as.pm.get('/api/families').query({ status: 'attached', limit: 1000 }).expect(200)).body.families as { familyId: string; keyworker: string }[];
    const other = all.find((f) => !sampled.includes(f.familyId) && f.keyworker !== family.body.keyworker);
    if (!other) throw new Error('the demo borough has no unsampled family of another keyworker');
    unsampledFamilyId = other.familyId;
    otherKeyworker = await signedInAs(t, 'keyworker', { username: other.keyworker });
  }, 240_000);
  afterAll(async () => {
    await t.close();
  });

  it('lists every route of the OpenAPI document, and only those', async () => {
    const doc = (await request(t.app.getHttpServer()).get('/api/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(Object.keys(MATRIX).sort());
  });

  it('refuses exactly the roles the table refuses, with 403 (401 when not signed in), and records nothing when it refuses', async () => {
    const wrong: string[] = [];
    for (const [route, allowed] of Object.entries(MATRIX)) {
      const [method, pattern] = route.split(' ') as [string, string];
      // Users and service accounts that do not exist: an allowed admin gets 404, and nobody's sign-in is touched.
      const path = pattern
        .replace('{familyId}', familyId)
        .replace('{claimId}', claimId)
        .replace('{memberId}', memberId)
        .replace('{spotCheckId}', claimId)
        .replace('{username}', 'nobody.here')
        .replace('{name}', 'nobody-here');
      const send = (client: Client | null) => {
        const m = method.toLowerCase() as 'get' | 'post' | 'put';
        const req = client ? client[m](path) : request(t.app.getHttpServer())[m](path);
        req.query(QUERIES[route] ?? {});
        if (STREAMS.has(route)) return hangUpAfterFirstChunk(req);
        return method === 'GET' ? req : req.send(BODIES[route] ?? {});
      };
      const anonymous = await send(null);
      if (allowed === 'public' ? [401, 403].includes(anonymous.status) : anonymous.status !== 401) wrong.push(`${route} anonymous → ${anonymous.status}`);
      if (allowed === 'public') continue;
      for (const who of EVERYONE) {
        const before = method === 'GET' ? 0 : await countEvents(t);
        const res = await send(as[who]);
        const isAllowed = allowed.includes(who);
        if (isAllowed && [401, 403].includes(res.status)) wrong.push(`${route} ${who} → ${res.status} ${res.body?.reason ?? ''} (should be allowed)`);
        if (!isAllowed && res.status !== 403) wrong.push(`${route} ${who} → ${res.status} (should be 403)`);
        if (!isAllowed && method !== 'GET' && (await countEvents(t)) !== before) wrong.push(`${route} ${who}: a refused request recorded events`);
      }
    }
    expect(wrong).toEqual([]);
  }, 300_000);

  it("gives a service account its role's GET routes and nothing else, and a deactivated user nothing at all", async () => {
    const issued = await as.admin.post('/api/service-accounts').send({ name: 'matrix-bi', role: 'finance-officer' }).expect(201);
    const bearer = { Authorization: `Bearer ${issued.body.accessToken}` };
    const wrong: string[] = [];
    for (const [route, allowed] of Object.entries(MATRIX)) {
      if (allowed === 'public') continue;
      const [method, pattern] = route.split(' ') as [string, string];
      const path = pattern
        .replace('{familyId}', familyId)
        .replace('{claimId}', claimId)
        .replace('{memberId}', memberId)
        .replace('{spotCheckId}', claimId)
        .replace('{username}', 'nobody.here')
        .replace('{name}', 'nobody-here');
      const m = method.toLowerCase() as 'get' | 'post' | 'put';
      const req = request(t.app.getHttpServer())
        [m](path)
        .set(bearer)
        .query(QUERIES[route] ?? {});
      const res = STREAMS.has(route) ? await hangUpAfterFirstChunk(req) : method === 'GET' ? await req : await req.send(BODIES[route] ?? {});
      if (method !== 'GET') {
        if (res.status !== 403 || res.body.reason !== 'ServiceAccountReadOnly') wrong.push(`${route} → ${res.status} ${res.body?.reason ?? ''} (should be 403 ServiceAccountReadOnly)`);
      } else if (allowed.includes('fo') ? [401, 403].includes(res.status) : res.status !== 403) wrong.push(`${route} → ${res.status} (finance-officer ${allowed.includes('fo') ? 'may' : 'may not'})`);
    }
    expect(wrong).toEqual([]);

    const leaver = await signedInAs(t, 'analyst', { username: 'analyst.leaver' });
    await leaver.get('/api/dashboards/families').expect(200);
    await as.admin.post('/api/users/analyst.leaver/deactivation').send({}).expect(200);
    expect((await leaver.get('/api/dashboards/families').expect(401)).body.reason).toBe('InvalidToken');
  }, 300_000);

  it('scopes keyworkers to their own families, auditors to sampled ones, and partners to their own kinds of data', async () => {
    expect((await otherKeyworker.get(`/api/families/${familyId}`).expect(403)).body.reason).toBe('NotAssignedFamily');
    expect((await otherKeyworker.get(`/api/families/${familyId}/history`).expect(403)).body.reason).toBe('NotAssignedFamily');
    await otherKeyworker.get(`/api/families/${unsampledFamilyId}`).expect(200);
    const own = (await as.kw.get('/api/families').query({ limit: 1000 }).expect(200)).body.families as { keyworker: string }[];
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((f) => f.keyworker === as.kw.username)).toBe(true);
    await as.kw.get('/api/families').query({ keyworker: otherKeyworker.username }).expect(403);

    expect((await as.aud.get(`/api/families/${unsampledFamilyId}`).expect(403)).body.reason).toBe('NotSampledFamily');
    await as.aud.get(`/api/families/${familyId}/history`).expect(200);

    const offence = { memberId, committedOn: '2018-01-01', proven: true };
    expect((await as.school.post(`/api/families/${familyId}/offences`).send(offence).expect(403)).body.reason).toBe('NotThisPartnersData');
    await as.police.post(`/api/families/${familyId}/offences`).send(offence).expect(201);
  });

  it('shows finance officers family references without personal detail, and shows it to the family’s keyworker', async () => {
    const finance = (await as.fo.get(`/api/families/${familyId}`).expect(200)).body;
    expect(finance.reference).toEqual(expect.any(String));
    expect(finance.members.every((m: object) => Object.keys(m).sort().join() === 'memberId,relationship')).toBe(true);
    const keyworker = (await as.kw.get(`/api/families/${familyId}`).expect(200)).body;
    expect(keyworker.members[0]).toEqual(expect.objectContaining({ givenName: expect.any(String), dateOfBirth: expect.any(String) }));
  });

  it('logs every read of personal data and every refusal in the append-only access log, for admins and auditors', async () => {
    await as.kw.get(`/api/families/${familyId}`).set('X-Access-Purpose', 'home visit planning').expect(200);
    await otherKeyworker.get(`/api/families/${familyId}`).expect(403);
    const log = (await as.aud.get('/api/audit/access-log').query({ memberId, limit: 1000 }).expect(200)).body.entries as { userId: string; route: string; outcome: string; purpose: string }[];
    expect(log).toContainEqual(expect.objectContaining({ userId: as.kw.username, route: 'GET /api/families/:familyId', outcome: 'served', purpose: 'home visit planning' }));
    const byFamily = (await as.admin.get('/api/audit/access-log').query({ familyId, limit: 1000 }).expect(200)).body.entries as { userId: string; outcome: string; purpose: string }[];
    expect(byFamily).toContainEqual(expect.objectContaining({ userId: otherKeyworker.username, outcome: 'denied', purpose: 'NotAssignedFamily' }));
    await as.pm.get('/api/audit/access-log').expect(403);
    await expect(t.stores.sql.query(`delete from ${t.stores.schema}.access_log`)).rejects.toThrow(/append-only/);
    await expect(t.stores.sql.query(`update ${t.stores.schema}.access_log set user_id = 'someone-else'`)).rejects.toThrow(/append-only/);
  });

  it('refuses partner evidence about a person who withdrew sharing consent, unless a legal basis is recorded', async () => {
    await as.kw.post(`/api/families/${familyId}/consents`).send({ memberId, purpose: 'sharing', given: false, on: '2019-01-10' }).expect(201);
    const before = await countEvents(t);
    const body = { memberId, committedOn: '2019-02-01', proven: false };
    expect((await as.police.post(`/api/families/${familyId}/offences`).send(body).expect(422)).body.reason).toBe('SharingConsentWithdrawn');
    expect(await countEvents(t)).toBe(before);
    const recorded = await as.police.post(`/api/families/${familyId}/offences`).set('X-Legal-Basis', 'cda-1998-s115').send(body).expect(201);
    const history = (await as.pm.get(`/api/families/${familyId}/history`).expect(200)).body.events as { eventId: string; recordedBy: { userId: string } }[];
    expect(history.find((e) => e.eventId === recorded.body.eventId)?.recordedBy.userId).toBe(as.police.username);
    const raw = await t.stores.eventStore.readStream(`family-${familyId}`);
    // Kept with the event, sealed with the family's key (DOMAIN.md 6: free text is personal data).
    const stored = raw.events.find((e) => e.metadata.eventId === recorded.body.eventId)?.metadata;
    expect(stored).toHaveProperty('$sealed');
    expect(JSON.stringify(stored)).not.toContain('Crime and Disorder Act');
    // The keyworker, not a partner, is not held to it.
    await as.kw.post(`/api/families/${familyId}/offences`).send(body).expect(201);
  });

  it('publishes the outcomes report with small numbers suppressed, as the pure report computes it from the results', async () => {
    const res = await as.analyst.get('/api/reports/outcomes.csv').query({ asOf: '2019-03-31' }).buffer(true).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows = await readCsv(res.text);
    const counts = rows.filter((r) => r.section !== 'about').flatMap((r) => ['sustained_progress_only', 'continuous_employment_only', 'both_routes', 'no_result_yet', 'families'].map((c) => r[c]));
    expect(counts.length).toBeGreaterThan(0);
    for (const text of counts) expect(text === '[c]' || Number(text) === 0 || Number(text) >= 5).toBe(true);
    // No published row holds exactly one withheld count (its total would give it away).
    for (const r of rows.filter((row) => row.section === 'by-problem-count')) {
      expect(['sustained_progress_only', 'continuous_employment_only', 'both_routes', 'no_result_yet', 'families'].filter((c) => r[c] === '[c]').length).not.toBe(1);
    }
    // The same bytes as the pure report over what the programme manager sees.
    const results = new Map(
      ((await as.pm.get('/api/results').query({ asOf: '2019-03-31' }).expect(200)).body.families as { familyId: string; routes: ('sustained-progress' | 'continuous-employment')[] }[]).map((f) => [
        f.familyId,
        f.routes,
      ]),
    );
    const families = ((await as.pm.get('/api/families').query({ limit: 1000 }).expect(200)).body.families as { familyId: string; attachedOn: string | null; problemsAtEntry: string[] }[])
      .filter((f) => f.attachedOn !== null && f.attachedOn <= '2019-03-31')
      .map((f) => ({ problemsAtEntry: f.problemsAtEntry, routes: results.get(f.familyId) ?? [], attached: true }));
    const programme = (await as.pm.get('/api/programme').expect(200)).body;
    expect(res.text).toBe(outcomesReportCsv(families, { asOf: '2019-03-31', councilName: programme.councilName, threshold: 5 }));
  });

  it('exports identifiers for ONS linkage to analysts, leaving out people who opted out of evaluation, and logs each person exported', async () => {
    const family = (await as.pm.get(`/api/families/${unsampledFamilyId}`).expect(200)).body;
    const [optedOut, ...others] = family.members as [{ memberId: string; givenName: string }, ...{ memberId: string; givenName: string }[]];
    await as.pm.post(`/api/families/${unsampledFamilyId}/consents`).send({ memberId: optedOut.memberId, purpose: 'evaluation', given: false, on: '2019-04-01' }).expect(201);
    const res = await as.analyst.get('/api/exports/ons-evaluation.csv').query({ from: '2015-01-01', to: '2019-03-31' }).buffer(true).expect(200);
    const rows = await readCsv(res.text);
    expect(rows.length).toBeGreaterThan(10);
    expect(Object.keys(must(rows[0], 'a row'))).toEqual(
      expect.arrayContaining(['member_id', 'given_name', 'family_name', 'date_of_birth', 'gender', 'postcode', 'national_insurance_number', 'participated']),
    );
    const exported = new Set(rows.map((r) => r.member_id));
    expect(exported.has(optedOut.memberId)).toBe(false);
    for (const m of others) expect(exported.has(m.memberId)).toBe(true);
    const log = (
      await as.aud
        .get('/api/audit/access-log')
        .query({ memberId: atIndex(others, 0).memberId, limit: 100 })
        .expect(200)
    ).body.entries as { userId: string; route: string }[];
    expect(log).toContainEqual(expect.objectContaining({ userId: as.analyst.username, route: 'GET /api/exports/ons-evaluation.csv' }));
    const bad = await as.analyst.get('/api/exports/ons-evaluation.csv').query({ from: '2019-13-01' }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['from', 'to']);
  });
});
