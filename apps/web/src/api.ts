/**
 * The app's only way to the ledger: the public HTTP API (ARCHITECTURE.md "The web app"). The access
 * token lives in this module's memory only (never localStorage or sessionStorage); the session
 * survives reloads and 15-minute token lifetimes through the httpOnly refresh cookie, renewed
 * before the token runs out and again whenever the API says it has.
 */
export interface User {
  username: string;
  role: string;
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
  return { username: answer.username, role: answer.role };
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
