import request from 'supertest';
import type { TestApp } from './app';

/** Bootstrap settings for an app whose tests sign in. */
export const TEAM_ENV = { LEDGER_BOOTSTRAP_ADMIN: 'admin.root:correct-horse-battery' };

/**
 * Signs in the bootstrap admin, adds a finance officer, an auditor and a programme manager, and
 * returns a request maker plus the `Authorization` header of each.
 */
export async function signedInTeam(t: TestApp) {
  const api = () => request(t.app.getHttpServer());
  const tokens: Record<string, string> = {};
  const signIn = async (username: string, password: string) => (await api().post('/api/auth/token').send({ username, password }).expect(200)).body.accessToken as string;
  tokens.admin = await signIn('admin.root', 'correct-horse-battery');
  const as = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  for (const [username, role] of [
    ['finance.fo', 'finance-officer'],
    ['audit.au', 'auditor'],
    ['pm.lead', 'programme-manager'],
  ] as const) {
    await api().post('/api/users').set(as('admin')).send({ username, password: 'a-long-password-9', role }).expect(201);
    tokens[username] = await signIn(username, 'a-long-password-9');
  }
  return { api, as };
}
