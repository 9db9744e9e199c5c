import { Writable } from 'node:stream';
import request from 'supertest';
import { ledgerProjections, ProjectionRunner } from '@ledger/projections';
import { storeKinds, startTestApp, TEST_PM, type TestApp } from '../support/app';
import { attachedFamily, configureProgramme, identifiedFamily, identifyBody } from '../support/families-fixture';
import { asProgrammeManager } from '../support/signed-in';
import { must } from '@ledger/domain';

/** The value of one sample of the Prometheus text, or undefined when it is not there. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

/** A stream the JSON logs are written to, kept as parsed lines. */
class JsonLines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }

  async lineOf(requestId: string): Promise<Record<string, unknown> | undefined> {
    for (let waited = 0; waited < 2_000; waited += 20) {
      const line = this.lines.find((l) => (l.req as { id?: string } | undefined)?.id === requestId);
      if (line) return line;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return undefined;
  }
}

/** Issue 14.7: /metrics in Prometheus format, JSON request logs, readiness that knows about projection lag. */
// One stream for the file: nestjs-pino keeps one root logger per process, made by the first app.
const logs = new JsonLines();

describe.each(storeKinds)('observability on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, {}, { log: { level: 'info', destination: logs } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves /metrics without a token: commands by type and outcome, latency, version conflicts, projection lag, store errors', async () => {
    const pm = asProgrammeManager(t);
    await pm.post('/api/families').send(identifyBody()).expect(201);
    const family = await identifiedFamily(t);
    // Refused by a rule (no programme yet), then by a stale If-Match.
    await pm.post(`/api/families/${family.familyId}/attachment`).send({ attachedOn: '2016-06-01', keyworker: 'kw.metrics' }).expect(422);
    await pm.post(`/api/families/${family.familyId}/problems`).set('If-Match', '"99"').send({ problem: 'education', indicator: 'x', identifiedOn: '2016-05-02', source: 'school' }).expect(409);
    await configureProgramme(t);
    await attachedFamily(t);
    // A read settles the family read models in this process, so its runner has applied events
    // (without one, whether it had depended on the runner following the log in the background).
    await pm.get('/api/families').expect(200);

    const res = await request(t.app.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(sample(text, 'ledger_commands_total', { command: 'IdentifyFamily', outcome: 'recorded' })).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'ledger_commands_total', { command: 'AttachFamily', outcome: 'rejected' })).toBe(1);
    expect(sample(text, 'ledger_commands_total', { command: 'AttachFamily', outcome: 'recorded' })).toBe(1);
    expect(sample(text, 'ledger_commands_total', { command: 'IdentifyHeadlineProblem', outcome: 'conflict' })).toBe(1);
    expect(sample(text, 'ledger_version_conflicts_total', { command: 'IdentifyHeadlineProblem' })).toBe(1);
    expect(sample(text, 'ledger_command_duration_seconds_count', { command: 'IdentifyFamily' })).toBeGreaterThanOrEqual(3);
    for (const projection of ['family-read-models', 'ledger']) {
      expect(sample(text, 'ledger_projection_lag_events', { projection })).toEqual(expect.any(Number));
      expect(sample(text, 'ledger_projection_lag_seconds', { projection })).toEqual(expect.any(Number));
    }
    expect(sample(text, 'ledger_projection_events_applied_total', { projection: 'family-read-models' })).toBeGreaterThan(0);
    expect(text).toContain('# TYPE ledger_store_errors_total counter');
    expect(sample(text, 'ledger_http_request_duration_seconds_count', { method: 'POST', route: '/api/families', status: '201' })).toBeGreaterThanOrEqual(3);
    // Route patterns only: no family id appears in a label.
    expect(text).not.toContain(family.familyId);
  });

  it('answers readiness with each projection’s lag', async () => {
    const res = await request(t.app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body).toMatchObject({ status: 'ready', maxLagEvents: 10_000 });
    expect(res.body.projections.map((p: { name: string }) => p.name).sort()).toEqual(['claims', 'family-read-models', 'ledger', 'users']);
  });

  it('writes one JSON line per request with its id, user, route, status and duration, and the id in X-Request-Id', async () => {
    const res = await asProgrammeManager(t).get('/api/families').set('X-Access-Purpose', 'planning a visit to Ms Example').expect(200);
    const id = must(res.headers['x-request-id'], 'X-Request-Id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // The line is written when the response has finished, which the client may see first.
    const line = await logs.lineOf(id);
    expect(line).toMatchObject({
      level: 'info',
      userId: TEST_PM.username,
      role: 'programme-manager',
      route: '/api/families',
      status: 200,
      durationMs: expect.any(Number),
      req: { method: 'GET', path: '/api/families' },
    });
    expect((line?.req as { headers: Record<string, string> }).headers).toMatchObject({ authorization: '[redacted]', 'x-access-purpose': '[redacted]' });
    expect(logs.raw.join('\n')).not.toContain('Ms Example');
    expect(logs.raw.join('\n')).not.toContain(t.tokens.get(TEST_PM.username));
  });
});

/**
 * With LEDGER_PROJECTIONS=external nothing in the api applies events: readiness fails once a
 * projection is more than LEDGER_READY_MAX_LAG_EVENTS behind, and recovers when a projector
 * (here a runner on the same database) catches up.
 */
describe.each(storeKinds)('readiness and projection lag on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { LEDGER_PROJECTIONS: 'external', LEDGER_READY_MAX_LAG_EVENTS: '2' }, { log: { level: 'info', destination: logs } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('fails /health/ready (503 ProjectionsBehind) while a projection lags beyond the bound, and recovers when it catches up', async () => {
    const server = t.app.getHttpServer();
    // A projector has applied what the test app recorded at start (its users sign in: the users read model).
    const projector = new ProjectionRunner(t.stores.eventStore, t.stores.sql, ledgerProjections(), { schema: t.stores.readModelSchema });
    await projector.catchUp();
    await request(server).get('/health/ready').expect(200);
    for (let i = 0; i < 3; i += 1) await asProgrammeManager(t).post('/api/families').send(identifyBody()).expect(201);

    const behind = await request(server).get('/health/ready').expect(503);
    expect(behind.body).toMatchObject({ statusCode: 503, reason: 'ProjectionsBehind' });
    expect(behind.body.message).toContain('family-read-models (3)');
    const metrics = (await request(server).get('/metrics').expect(200)).text;
    expect(sample(metrics, 'ledger_projection_lag_events', { projection: 'family-read-models' })).toBe(3);
    expect(sample(metrics, 'ledger_projection_lag_seconds', { projection: 'family-read-models' })).toBeGreaterThanOrEqual(0);

    await projector.catchUp();
    const ready = await request(server).get('/health/ready').expect(200);
    expect(ready.body.projections).toEqual(expect.arrayContaining([{ name: 'family-read-models', behindEvents: 0 }]));
    expect(sample((await request(server).get('/metrics').expect(200)).text, 'ledger_projection_lag_events', { projection: 'family-read-models' })).toBe(0);
  });
});

describe('store errors in /metrics', () => {
  it('counts a store that cannot be reached, by where it was met, and the commands it refused', async () => {
    const t = await startTestApp('pglite', {}, { log: { level: 'info', destination: logs } });
    try {
      await t.stores.eventStore.close();
      const server = t.app.getHttpServer();
      await request(server).get('/health/ready').expect(503);
      await asProgrammeManager(t).post('/api/families').send(identifyBody()).expect(503);
      const text = (await request(server).get('/metrics').expect(200)).text;
      expect(sample(text, 'ledger_store_errors_total', { where: 'readiness' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'ledger_store_errors_total', { where: 'command' })).toBe(1);
      expect(sample(text, 'ledger_store_errors_total', { where: 'request' })).toBeGreaterThanOrEqual(2);
      expect(sample(text, 'ledger_commands_total', { command: 'IdentifyFamily', outcome: 'store-unavailable' })).toBe(1);
    } finally {
      await t.close();
    }
  });
});
