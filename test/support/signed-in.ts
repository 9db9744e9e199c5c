import request from 'supertest';
import type { UserRole } from '@ledger/domain';
import { DEMO_PASSWORD } from '../../apps/api/src/demo/demo-seeder';
import { DATA_KIND_OF_GRANT } from '../../apps/api/src/privacy/partner-agreements';
import { TEST_ADMIN, TEST_PM, type TestApp } from './app';

/** A supertest client whose every request carries one user's bearer token. */
export interface Client {
  get(url: string): request.Test;
  post(url: string): request.Test;
  put(url: string): request.Test;
  patch(url: string): request.Test;
  delete(url: string): request.Test;
  readonly username: string;
}

export function clientWith(t: TestApp, username: string): Client {
  const token = t.tokens.get(username);
  if (token === undefined) throw new Error(`${username} has not signed in to this test app`);
  const server = t.app.getHttpServer();
  const auth = { Authorization: `Bearer ${token}` };
  return {
    username,
    get: (url) => request(server).get(url).set(auth),
    post: (url) => request(server).post(url).set(auth),
    put: (url) => request(server).put(url).set(auth),
    patch: (url) => request(server).patch(url).set(auth),
    delete: (url) => request(server).delete(url).set(auth),
  };
}

/** The programme manager every test app signs in at start: sees and records everything about families. */
export function asProgrammeManager(t: TestApp): Client {
  return clientWith(t, TEST_PM.username);
}

export function asAdmin(t: TestApp): Client {
  return clientWith(t, TEST_ADMIN.username);
}

/** Registers a user (through the admin, over HTTP) and signs them in; reuses one already signed in. */
export async function signedInAs(t: TestApp, role: UserRole, options: { username?: string; organisation?: string } = {}): Promise<Client> {
  const username = options.username ?? `${role.replace(/[^a-z]/g, '')}${options.organisation ? `.${options.organisation}` : ''}.user`;
  if (t.tokens.has(username)) return clientWith(t, username);
  const password = 'a-long-password-for-tests';
  const server = t.app.getHttpServer();
  const registered = await asAdmin(t)
    .post('/api/users')
    .send({ username, password, role, ...(options.organisation ? { organisation: options.organisation } : {}) });
  // The demo borough's keyworkers are on record already (issue 17.5), with the demo password.
  const demoKeyworker = registered.status === 409 && role === 'keyworker';
  if (registered.status !== 201 && !demoKeyworker) throw new Error(`registering ${username}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const signIn = { username, password: demoKeyworker ? DEMO_PASSWORD : password };
  const token = (await request(server).post('/api/auth/token').send(signIn).expect(200)).body.accessToken as string;
  t.tokens.set(username, token);
  return clientWith(t, username);
}

const keyworkersOnRecord = new WeakMap<TestApp, Set<string>>();

/**
 * Registers a keyworker user (through the admin, over HTTP) without signing them in, once per app:
 * a family is attached to a keyworker on record (issue 17.5, 422 `UnknownKeyworker`).
 */
export async function keyworkerOnRecord(t: TestApp, username: string): Promise<void> {
  const known = keyworkersOnRecord.get(t) ?? new Set<string>();
  keyworkersOnRecord.set(t, known);
  if (known.has(username)) return;
  const res = await asAdmin(t).post('/api/users').send({ username, password: 'a-long-password-for-tests', role: 'keyworker' });
  if (res.status !== 201 && res.status !== 409) throw new Error(`registering keyworker ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  known.add(username);
}

const PARTNER_KIND_OF: Record<string, string> = { police: 'police', school: 'school', dwp: 'dwp-jobcentre-plus', health: 'health' };

/**
 * Issue 23.1: a partner's users share only within an information-sharing agreement in force, so a
 * test's partner organisation is registered (through the admin, over HTTP) with one covering its
 * kind of data, from 2000 to 2099 and relying on every gateway of the register. Once per app; an
 * organisation already registered (the demo borough's) is kept as it is.
 */
export async function registeredPartner(t: TestApp, organisation: string): Promise<void> {
  const admin = asAdmin(t);
  const registered = await admin.post('/api/partners').send({ organisation, name: `Test partner ${organisation}`, kind: PARTNER_KIND_OF[organisation] ?? 'private-or-voluntary-sector' });
  if (registered.status === 409) return;
  if (registered.status !== 201) throw new Error(`registering partner ${organisation}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const shares = DATA_KIND_OF_GRANT[organisation] ? [DATA_KIND_OF_GRANT[organisation]] : [];
  const gateways = (await admin.get('/api/legal-gateways').expect(200)).body.gateways.map((g: { code: string }) => g.code);
  await admin
    .post(`/api/partners/${organisation}/agreements`)
    .send({ reference: `ISA-TEST-${organisation.toUpperCase()}`, startsOn: '2000-01-01', endsOn: '2099-12-31', gateways, shares, receives: [] })
    .expect(201);
}

/** A partner user of `organisation`, signed in, their organisation registered under an agreement in force (`registeredPartner`). */
export async function signedInPartner(t: TestApp, organisation: string, options: { username?: string } = {}): Promise<Client> {
  await registeredPartner(t, organisation);
  return signedInAs(t, 'partner', { ...options, organisation });
}
