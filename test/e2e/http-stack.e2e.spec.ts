import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { asProgrammeManager } from '../support/signed-in';

/**
 * Issue 22.1: what the api kept of Express's behaviour when it moved to Fastify: a number of
 * trusted proxy hops (Fastify alone trusts none given a number), the body parser's refusals as the
 * API's 4xx, and a partner file that is not where the import route reads it.
 */
describe('the HTTP stack (Fastify)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', { LEDGER_TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('takes the client address from X-Forwarded-For behind LEDGER_TRUST_PROXY hops, so one guessing client is refused, not everyone', async () => {
    const from = (address: string) => request(t.app.getHttpServer()).post('/api/auth/token').set('X-Forwarded-For', address);
    for (let i = 0; i < 5; i += 1) await from('203.0.113.9').send({ username: 'admin.root', password: 'guess' }).expect(401);
    await from('203.0.113.9').send({ username: 'admin.root', password: 'correct-horse-battery' }).expect(429);
    await from('198.51.100.21').send({ username: 'admin.root', password: 'correct-horse-battery' }).expect(200);
  });

  it('answers a body it cannot read with the API’s 4xx: malformed JSON 400, over 100 KiB 413', async () => {
    const malformed = await asProgrammeManager(t).post('/api/families').set('Content-Type', 'application/json').send('{"reference": ');
    expect([malformed.status, malformed.body]).toEqual([400, { statusCode: 400, error: 'Bad Request', message: 'the request body is not valid JSON' }]);
    const large = await asProgrammeManager(t)
      .post('/api/families')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ reference: 'x'.repeat(101 * 1024) }));
    expect([large.status, large.body.statusCode, large.body.message]).toEqual([413, 413, 'the request body is too large']);
  });

  it('refuses an import with no file, or the file in another field, with 400 naming the field', async () => {
    const none = await asProgrammeManager(t).post('/api/imports/police-offences').send({});
    expect([none.status, none.body.details]).toEqual([400, [{ field: 'file', message: 'send the CSV file as multipart/form-data in the field "file"' }]]);
    const elsewhere = await asProgrammeManager(t).post('/api/imports/police-offences').attach('upload', Buffer.from('a,b\n1,2\n'), 'offences.csv');
    expect([elsewhere.status, elsewhere.body.details?.[0]?.field]).toEqual([400, 'upload']);
  });
});

describe('the HTTP stack (Fastify) when the store goes away under the bearer-token check', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
  });

  it('answers 503 StoreUnavailable, not 500, when checking the token needs the store and it cannot be reached', async () => {
    await asProgrammeManager(t).get('/api/families').expect(200);
    await t.stores.sql.close();
    // The user behind a token is checked again after a second (USER_CHECK_MS): that read fails.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const answer = await asProgrammeManager(t).get('/api/families');
    expect([answer.status, answer.body.reason]).toEqual([503, 'StoreUnavailable']);
  });
});

describe('the HTTP stack (Fastify) stopping while a client is slow', () => {
  it('stops after its grace even when a request never finishes arriving: the connection is cut, the stop is not held up', async () => {
    const t = await startTestApp('pglite', {}, { shutdownGraceMs: 300 });
    const address = t.app.getHttpServer().address() as AddressInfo;
    // A client that announces a body and never sends it: its request stays in flight.
    const socket = connect(address.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /api/families HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    const cut = new Promise((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await t.close();
    await cut;
  }, 20_000);
});
