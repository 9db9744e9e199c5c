import { randomUUID } from 'node:crypto';
import { quoteIdent, type SqlClient } from '@ledger/event-store';
import { dates } from './families-fixture';

// A stream of real HTTP commands against a running api (a child process or an in-process app on
// a port), for tests that take the database or the api away while it runs. Every command carries
// an Idempotency-Key (the command id), so what was acknowledged can be found in the log, and a
// command whose answer was lost can be sent again without being recorded twice.

export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** One HTTP request with a JSON body; a refused or broken connection is status 0. */
export async function http(baseUrl: string, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { text };
    }
    return { status: res.status, body };
  } catch {
    return { status: 0, body: {} };
  }
}

/** Signs in (retrying while the api or its store is not yet there) and returns the bearer token. */
export async function signIn(baseUrl: string, username: string, password: string, withinMs = 30_000): Promise<string> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const res = await http(baseUrl, 'POST', '/api/auth/token', { body: { username, password } });
    if (res.status === 200) return String(res.body.accessToken);
    if (Date.now() > deadline) throw new Error(`sign-in of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The settings a test api needs to start on PostgreSQL with a bootstrap admin. */
export const SERVICE_ENV = {
  LEDGER_DEMO: 'off',
  LEDGER_BOOTSTRAP_ADMIN: 'admin.faults:correct-horse-battery',
  LEDGER_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
  LEDGER_JWT_SECRET: 'f'.repeat(40),
};
export const SERVICE_ADMIN = { username: 'admin.faults', password: 'correct-horse-battery' };

/** One command of the stream: identifying a family, or recording one of its headline problems. */
interface Command {
  key: string;
  path: string;
  body: Record<string, unknown>;
  /** The family the command was for, once known (an identification's answer names it). */
  familyId?: string;
  /** The members' ids an identification's answer gave (parent, child). */
  members?: string[];
}

export interface StreamResult {
  /** The event id each command answered 2xx names (its first event): the acknowledgement to find in the log. */
  acknowledged: Set<string>;
  /** Families whose identification was acknowledged. */
  families: Set<string>;
  /** Answers by status (0: no answer: the connection was refused or broke). */
  statuses: Map<number, number>;
  /** Answers that are neither 2xx nor 503 StoreUnavailable nor 0, with their bodies. */
  unexpected: HttpAnswer[];
  /** Times (ms since the epoch) of each 2xx answer. */
  successesAt: number[];
  /** Commands sent whose answer never came (the api died under them): resend with `resend`. */
  inFlight: Command[];
}

export function emptyResult(): StreamResult {
  return { acknowledged: new Set(), families: new Set(), statuses: new Map(), unexpected: [], successesAt: [], inFlight: [] };
}

/**
 * Sends commands from `clients` concurrent clients until `stop()` is called or the api stops
 * answering (every client gets status 0 for `giveUpMs`). A 503 is retried with the same key
 * after a short pause, as a client following the API's advice would.
 */
function acknowledgeIn(result: StreamResult, command: Command, res: HttpAnswer): void {
  if (typeof res.body.eventId === 'string') result.acknowledged.add(res.body.eventId);
  else result.unexpected.push({ status: res.status, body: { ...res.body, problem: 'no eventId in the answer' } });
  if (typeof res.body.familyId === 'string' && command.path === '/api/families') {
    command.familyId = res.body.familyId;
    command.members = ((res.body.members ?? []) as { memberId: string }[]).map((m) => m.memberId);
    result.families.add(res.body.familyId);
  }
}

export function commandStream(baseUrl: string, token: string, options: { clients: number; result?: StreamResult; giveUpMs?: number; reads?: boolean }) {
  const result = options.result ?? emptyResult();
  let stopped = false;
  const count = (status: number): void => {
    result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
  };
  const acknowledge = (command: Command, res: HttpAnswer): void => acknowledgeIn(result, command, res);
  const send = async (command: Command): Promise<'ok' | 'dead' | 'stopped'> => {
    let deadSince: number | null = null;
    for (;;) {
      const res = await http(baseUrl, 'POST', command.path, { token, body: command.body, headers: { 'Idempotency-Key': command.key } });
      count(res.status);
      if (res.status >= 200 && res.status < 300) {
        acknowledge(command, res);
        result.successesAt.push(Date.now());
        return 'ok';
      }
      if (res.status === 0) {
        deadSince ??= Date.now();
        if (Date.now() - deadSince > (options.giveUpMs ?? 3_000)) return 'dead';
      } else if (!(res.status === 503 && res.body.reason === 'StoreUnavailable')) {
        result.unexpected.push(res);
        return 'ok';
      }
      if (stopped) return 'stopped';
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const client = async (): Promise<void> => {
    while (!stopped) {
      const identify: Command = { key: randomUUID(), path: '/api/families', body: familyBody() };
      const sent = await send(identify);
      if (sent !== 'ok') {
        result.inFlight.push(identify);
        return;
      }
      if (!identify.familyId) continue;
      for (const [problem, memberIndex] of [
        ['education', 1],
        ['crime-asb', 0],
      ] as const) {
        if (stopped) return;
        const members = identify.members;
        const command: Command = {
          key: randomUUID(),
          path: `/api/families/${identify.familyId}/problems`,
          body: { problem, indicator: `${problem} indicator`, identifiedOn: dates.problemsOn, source: 'fault-suite', ...(members?.[memberIndex] ? { memberId: members[memberIndex] } : {}) },
          familyId: identify.familyId,
        };
        const recorded = await send(command);
        if (recorded !== 'ok') {
          result.inFlight.push(command);
          return;
        }
      }
      if (options.reads) {
        const res = await http(baseUrl, 'GET', `/api/families/${identify.familyId}`, { token });
        count(res.status);
        if (res.status !== 200 && res.status !== 0 && !(res.status === 503 && res.body.reason === 'StoreUnavailable')) result.unexpected.push(res);
      }
    }
  };
  const running = Promise.all(Array.from({ length: options.clients }, () => client()));
  return {
    result,
    done: running,
    async stop(): Promise<StreamResult> {
      stopped = true;
      await running;
      return result;
    },
  };
}

/** Sends again the commands whose answers were lost, with their keys; each must be acknowledged. */
export async function resend(baseUrl: string, token: string, result: StreamResult): Promise<void> {
  const commands = result.inFlight.splice(0);
  for (const command of commands) {
    for (let attempt = 0; ; attempt += 1) {
      const res = await http(baseUrl, 'POST', command.path, { token, body: command.body, headers: { 'Idempotency-Key': command.key } });
      if (res.status >= 200 && res.status < 300) {
        acknowledgeIn(result, command, res);
        break;
      }
      if (attempt > 100) throw new Error(`a resent command was not acknowledged: ${res.status} ${JSON.stringify(res.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function familyBody(): Record<string, unknown> {
  const reference = `FAULT-${randomUUID().slice(0, 13)}`;
  return {
    reference,
    identifiedOn: dates.identifiedOn,
    members: [
      { relationship: 'parent', givenName: 'Sam', familyName: 'Example', dateOfBirth: dates.parentBornOn, postcode: 'ZZ1 2AB' },
      { relationship: 'child', givenName: 'Alex', familyName: 'Example', dateOfBirth: dates.childBornOn },
    ],
  };
}

/**
 * What the log says of the acknowledged commands: the acknowledged events missing from it, and
 * the commands recorded more than once (an event id twice, or a family identified, or one of its
 * problems recorded, more than once: every command of the stream is the only one of its kind).
 */
export async function checkLog(sql: SqlClient, schema: string, acknowledged: Set<string>): Promise<{ missing: string[]; repeated: number; events: number }> {
  const s = quoteIdent(schema);
  const rows = await sql.query<{ event_id: string }>(`select event_id::text as event_id from ${s}.events where category = 'family'`);
  const recorded = new Set(rows.map((r) => r.event_id));
  const [repeats] = await sql.query<{ n: string }>(`select (count(*) - count(distinct event_id))::text as n from ${s}.events`);
  const [kinds] = await sql.query<{ n: string }>(
    `select count(*)::text as n from (
       select stream_id, type, coalesce(data->>'problem', metadata->>'commandId') from ${s}.events
        where type in ('FamilyIdentified', 'HeadlineProblemIdentified')
        group by 1, 2, 3 having count(*) > 1) twice`,
  );
  return {
    missing: [...acknowledged].filter((id) => !recorded.has(id)),
    repeated: Number(repeats?.n ?? 0) + Number(kinds?.n ?? 0),
    events: rows.length,
  };
}

export const SERVICE_PM = { username: 'pm.faults', password: 'a-long-password-7' };

/**
 * On a fresh service: signs the bootstrap admin in, adds the programme manager who sends the
 * commands and configures the programme (each step idempotent, so a restarted service can be
 * prepared again). Returns the programme manager's token.
 */
export async function prepareService(baseUrl: string): Promise<string> {
  const admin = await signIn(baseUrl, SERVICE_ADMIN.username, SERVICE_ADMIN.password);
  const user = await http(baseUrl, 'POST', '/api/users', { token: admin, body: { ...SERVICE_PM, role: 'programme-manager' } });
  if (user.status !== 201 && user.status !== 409) throw new Error(`adding the programme manager: ${user.status} ${JSON.stringify(user.body)}`);
  const pm = await signIn(baseUrl, SERVICE_PM.username, SERVICE_PM.password);
  const programme = await http(baseUrl, 'PUT', '/api/programme', { token: pm, body: { councilName: 'Synthetic Borough (faults)', framework: 'troubled-families-2015', allocation: 100_000 } });
  if (programme.status !== 200) throw new Error(`configuring the programme: ${programme.status} ${JSON.stringify(programme.body)}`);
  return pm;
}

/** The families the api lists (up to 1,000 a page, every page). */
export async function listedFamilyIds(baseUrl: string, token: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const res = await http(baseUrl, 'GET', `/api/families?limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`, { token });
    if (res.status !== 200) throw new Error(`listing families: ${res.status} ${JSON.stringify(res.body)}`);
    for (const f of res.body.families as { familyId: string }[]) ids.add(f.familyId);
    after = (res.body.next as string | null) ?? null;
    if (!after) return ids;
  }
}

/** Waits until the api lists every one of `familyIds` (its read models have caught up); returns those still missing. */
export async function untilListed(baseUrl: string, token: string, familyIds: Set<string>, withinMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const listed = await listedFamilyIds(baseUrl, token).catch(() => new Set<string>());
    const missing = [...familyIds].filter((id) => !listed.has(id));
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
