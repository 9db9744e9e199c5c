import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, ThrottlerStorage } from '@nestjs/throttler';
import type { Request, Response } from '../http/http';
import type { LedgerConfig } from '@ledger/config';
import { LEDGER_CONFIG } from '@ledger/event-store';
import { LOCKOUT, ApiError } from '@ledger/application';

/** The window failed sign-ins are counted in per client address (the user lock-out's window too). */
export const SIGN_IN_WINDOW_MS = LOCKOUT.minutes * 60_000;
/** The ThrottlerModule throttler of every sign-in attempt per client address. */
export const SIGN_IN_ATTEMPTS = 'sign-in-attempts';
const SIGN_IN_FAILURES = 'sign-in-failures';

function tooMany(res: Response, seconds: number): ApiError {
  res.header('Retry-After', String(Math.max(1, Math.ceil(seconds))));
  return new ApiError(429, 'too many sign-in attempts from this address; wait and try again', { reason: 'TooManySignInAttempts' });
}

/**
 * Every sign-in attempt from one client address, right or wrong, counted by @nestjs/throttler
 * (`LEDGER_SIGN_IN_ATTEMPTS_PER_MINUTE`): a flood from one address is refused with 429 before a
 * password is hashed. Applied to the sign-in routes only.
 */
@Injectable()
export class SignInAttemptsGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw tooMany(context.switchToHttp().getResponse<Response>(), detail.timeToBlockExpire || detail.timeToExpire);
  }
}

/**
 * Failed sign-ins per client address (issue 16.2): after `LEDGER_SIGN_IN_FAILURES_PER_ADDRESS`
 * failures (default 5) in 15 minutes the address is refused (429) until the window has passed.
 * That is half the failures that lock a user out in the same window (`LOCKOUT`), so nobody can
 * lock another user out from one address; it takes several, each throttled. Counted in
 * @nestjs/throttler's storage, in this process (several api instances each count their own).
 */
@Injectable()
export class SignInThrottle {
  private readonly refusedUntil = new Map<string, number>();

  constructor(
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /** Throws 429 while the request's address is refused. */
  check(req: Request, res: Response): void {
    const address = addressOf(req);
    const until = this.refusedUntil.get(address);
    if (until === undefined) return;
    const left = until - Date.now();
    if (left <= 0) {
      this.refusedUntil.delete(address);
      return;
    }
    throw tooMany(res, left / 1000);
  }

  /** Counts a failed sign-in from the request's address; refuses the address once it reaches the limit. */
  async failed(req: Request): Promise<void> {
    const address = addressOf(req);
    const limit = this.config.signInFailuresPerAddress;
    const record = await this.storage.increment(`${SIGN_IN_FAILURES}:${address}`, SIGN_IN_WINDOW_MS, limit, SIGN_IN_WINDOW_MS, SIGN_IN_FAILURES);
    if (record.totalHits >= limit || record.isBlocked) {
      this.refusedUntil.set(address, Date.now() + Math.max(record.timeToBlockExpire, record.timeToExpire) * 1000);
      while (this.refusedUntil.size > 100_000) this.refusedUntil.delete(this.refusedUntil.keys().next().value as string);
    }
  }
}

/** The client's address as Fastify sees it (set `LEDGER_TRUST_PROXY` behind a reverse proxy). */
function addressOf(req: Request): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}
