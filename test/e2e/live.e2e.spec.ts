import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PgSqlClient, PostgresEventStore, parsePosition } from '@ledger/event-store';
import { ledgerProjections, ProjectionRunner } from '@ledger/projections';
import { storeKinds, startTestApp, TEST_PM, type TestApp } from '../support/app';
import { identifyBody } from '../support/families-fixture';
import { asProgrammeManager, signedInPartner } from '../support/signed-in';
import { testEnv } from '../support/test-env';

interface Checkpoint {
  position: string;
  behindEvents: number;
  at: string;
}

/** A client of `GET /api/live` over a real socket, reading events as they arrive (as the web app's fetch() does). */
class LiveFeed {
  readonly checkpoints: Checkpoint[] = [];
  readonly comments: string[] = [];
  status = 0;
  contentType = '';
  private buffer = '';
  private waiters: (() => void)[] = [];
  private request: http.ClientRequest | null = null;

  static open(t: TestApp, token: string | undefined): Promise<LiveFeed> {
    const feed = new LiveFeed();
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    return new Promise((resolve, reject) => {
      feed.request = http.get({ host: '127.0.0.1', port, path: '/api/live', headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
        feed.status = res.statusCode ?? 0;
        feed.contentType = String(res.headers['content-type'] ?? '');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => feed.receive(chunk));
        res.on('error', () => undefined);
        resolve(feed);
      });
      feed.request.on('error', reject);
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const lines = block.split('\n');
      if (lines[0]?.startsWith(':')) this.comments.push(lines[0]);
      const event = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length);
      const data = lines.find((l) => l.startsWith('data: '))?.slice('data: '.length);
      if (event === 'checkpoint' && data !== undefined) this.checkpoints.push(JSON.parse(data) as Checkpoint);
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves with the first checkpoint that passes `test`, or rejects after `ms`. */
  async until(test: (c: Checkpoint) => boolean, ms: number): Promise<Checkpoint> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.checkpoints.find(test);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such checkpoint within ${ms} ms; seen ${JSON.stringify(this.checkpoints)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.request?.destroy();
  }
}

/** `commit/prepare` positions compare commit first. */
function after(a: string, b: string): boolean {
  const { commit: ac, prepare: ap } = parsePosition(a);
  const { commit: bc, prepare: bp } = parsePosition(b);
  return ac !== bc ? ac > bc : ap > bp;
}

/**
 * Issue 19.3: a command recorded anywhere shows on an open dashboard within 2 seconds. The feed is
 * read over a real socket; the command is recorded through the API.
 */
describe.each(storeKinds)('the live feed GET /api/live on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends the checkpoint on connecting, then a newer one within 2 s of a command recorded through the API', async () => {
    const feed = await LiveFeed.open(t, t.tokens.get(TEST_PM.username));
    try {
      expect(feed.status).toBe(200);
      expect(feed.contentType).toMatch(/^text\/event-stream/);
      const first = await feed.until(() => true, 2_000);
      expect(first).toEqual({ position: expect.stringMatching(/^\d+\/\d+$/), behindEvents: expect.any(Number), at: expect.any(String) });
      expect(Number.isNaN(Date.parse(first.at))).toBe(false);

      const recordedAt = Date.now();
      await asProgrammeManager(t).post('/api/families').send(identifyBody()).expect(201);
      const moved = await feed.until((c) => after(c.position, first.position) && c.behindEvents === 0, 2_000);
      expect(Date.now() - recordedAt).toBeLessThan(2_000);
      expect(moved.behindEvents).toBe(0);
    } finally {
      feed.close();
    }
  });

  it('refuses a request without a token (401) and a partner (403)', async () => {
    const anonymous = await LiveFeed.open(t, undefined);
    anonymous.close();
    expect(anonymous.status).toBe(401);
    const police = await signedInPartner(t, 'police');
    const partner = await LiveFeed.open(t, t.tokens.get(police.username));
    partner.close();
    expect(partner.status).toBe(403);
  });
});

/**
 * With LEDGER_PROJECTIONS=external the api runs no projection: a projector in another process
 * moves the checkpoints. Here that projector is a runner on connections of its own (PostgreSQL
 * only: the embedded store admits one process).
 */
const onPostgres = testEnv.postgresUrl ? describe : describe.skip;
onPostgres('the live feed with an external projector (PostgreSQL; skipped without LEDGER_TEST_POSTGRES_URL)', () => {
  let t: TestApp;
  let projectorSql: PgSqlClient;
  let runner: ProjectionRunner;
  beforeAll(async () => {
    t = await startTestApp('postgres', { LEDGER_PROJECTIONS: 'external' });
    projectorSql = new PgSqlClient({ connectionString: testEnv.postgresUrl, max: 4 });
    const store = await PostgresEventStore.open(projectorSql, { schema: t.stores.schema });
    runner = new ProjectionRunner(store, projectorSql, ledgerProjections(), { schema: t.stores.readModelSchema });
    await runner.start();
  });
  afterAll(async () => {
    await runner.stop();
    await projectorSql.close();
    await t.close();
  });

  it('sees a checkpoint written by the other process within 2 s of a command', async () => {
    const feed = await LiveFeed.open(t, t.tokens.get(TEST_PM.username));
    try {
      const first = await feed.until(() => true, 2_000);
      await asProgrammeManager(t).post('/api/families').send(identifyBody()).expect(201);
      const moved = await feed.until((c) => after(c.position, first.position) && c.behindEvents === 0, 2_000);
      expect(moved.behindEvents).toBe(0);
    } finally {
      feed.close();
    }
  });
});
