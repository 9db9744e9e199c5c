/**
 * The app's only way to the ledger: the public HTTP API (ARCHITECTURE.md "The web app"). The access
 * token lives in this module's memory only (never localStorage or sessionStorage); the session
 * survives reloads and 15-minute token lifetimes through the httpOnly refresh cookie, renewed
 * before the token runs out and again whenever the API says it has.
 */
export interface User {
  username: string;
  role: string;
  /** A partner's organisation (police, school, dwp, health, …), read from the access token's claims. */
  organisation?: string;
}

interface TokenAnswer extends User {
  accessToken: string;
  expiresIn: number;
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: { field: string; message: string }[] = [],
    readonly reason?: string,
  ) {
    super(message);
  }
}

const CSRF = { 'X-Requested-With': 'ledger-web' };
let accessToken: string | null = null;
let refreshTimer: number | undefined;
let refreshing: Promise<User | null> | null = null;
let onSignedOut: () => void = () => undefined;

/** Called when the session ends without the user asking (the refresh cookie expired or was refused). */
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

function hold(answer: TokenAnswer): User {
  accessToken = answer.accessToken;
  window.clearTimeout(refreshTimer);
  // Renewed a minute before it runs out (or at half its life, if shorter).
  const inMs = Math.max(5_000, Math.min(answer.expiresIn * 1000 - 60_000, (answer.expiresIn * 1000) / 2));
  refreshTimer = window.setTimeout(() => void refresh(), inMs);
  return { username: answer.username, role: answer.role, ...organisationOf(answer.accessToken) };
}

/** The `org` claim of a signed token (its payload is readable; the API checks the signature). */
function organisationOf(token: string): { organisation?: string } {
  try {
    const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { org?: unknown };
    return typeof payload.org === 'string' ? { organisation: payload.org } : {};
  } catch {
    return {};
  }
}

async function problemOf(res: Response): Promise<ApiProblem> {
  const body = (await res.json().catch(() => ({}))) as { message?: string; details?: { field: string; message: string }[]; reason?: string };
  return new ApiProblem(res.status, body.message ?? res.statusText, body.details ?? [], body.reason);
}

export async function signIn(username: string, password: string): Promise<User> {
  const res = await fetch('/api/auth/session', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) throw await problemOf(res);
  return hold((await res.json()) as TokenAnswer);
}

/** A new access token from the refresh cookie; null when there is no session. One at a time. */
export function refresh(): Promise<User | null> {
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin', headers: CSRF });
      if (!res.ok) {
        if (accessToken !== null) {
          accessToken = null;
          onSignedOut();
        }
        return null;
      }
      return hold((await res.json()) as TokenAnswer);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export async function signOut(): Promise<void> {
  accessToken = null;
  window.clearTimeout(refreshTimer);
  await fetch('/api/auth/sign-out', { method: 'POST', credentials: 'same-origin', headers: CSRF });
}

export function bearer(): string | null {
  return accessToken;
}

/** A request with the bearer token; an expired token is renewed once and the request sent again. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const send = () => fetch(path, { ...init, headers: { ...(init.headers ?? {}), ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}) } });
  let res = await send();
  if (res.status === 401 && (await refresh()) !== null) res = await send();
  if (!res.ok) throw await problemOf(res);
  return res;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await apiFetch(path, { signal })).json()) as T;
}

/** Downloads a file the API serves only with a bearer token (a plain link cannot carry it). */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await apiFetch(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A fresh Idempotency-Key: one per form load and successful submission, so a double click or a retry records once. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/**
 * A command: JSON body, the Idempotency-Key of this submission, and If-Match (the ETag the page
 * was read at) where there is one. Answers the body and the stream's new ETag.
 */
export async function sendCommand<T = Record<string, unknown>>(path: string, body: unknown, options: { idempotencyKey: string; ifMatch?: string | null }): Promise<{ body: T; etag: string | null }> {
  const res = await apiFetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': options.idempotencyKey, ...(options.ifMatch ? { 'If-Match': options.ifMatch } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { body: (text ? JSON.parse(text) : {}) as T, etag: res.headers.get('ETag') };
}

/** A read with its ETag (the version a later If-Match names). */
export async function getWithEtag<T>(path: string, signal?: AbortSignal): Promise<{ body: T; etag: string | null }> {
  const res = await apiFetch(path, { signal });
  return { body: (await res.json()) as T, etag: res.headers.get('ETag') };
}
