import { Inject, Injectable } from '@nestjs/common';
import { type Request, pathOf } from './http';
import { createHash, randomUUID } from 'node:crypto';
import { type CommandOutcome, uuidV5 } from '@ledger/event-store';
import type { Rejection } from '@ledger/domain';
import { ApiError, CLOCK, COMMAND_NAMESPACE, type Clock, LEGAL_GATEWAY_RULE, type Recording, isLegalGatewayCode, londonToday } from '@ledger/application';
import { actorOf } from '../auth/actor';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Turns a request into a command envelope: `Idempotency-Key` → a command id stable for that
 * key and path (so a retry gets the same event ids), `If-Match` → expected version, the clock →
 * recorded instant and day, and who is acting.
 */
@Injectable()
export class RecordingFactory {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  from(request: Request): Recording {
    const key = header(request, 'idempotency-key');
    if (key !== undefined && (key.length === 0 || key.length > 200)) {
      throw ApiError.badRequest('invalid Idempotency-Key', [{ field: 'Idempotency-Key', message: 'must be 1 to 200 characters' }]);
    }
    const ifMatch = header(request, 'if-match');
    let expectedVersion: number | undefined;
    if (ifMatch !== undefined) {
      const match = /^(?:W\/)?"?(\d{1,12})"?$/.exec(ifMatch.trim());
      if (!match) throw ApiError.badRequest('invalid If-Match', [{ field: 'If-Match', message: 'must be an ETag given by this API, e.g. "3"' }]);
      expectedVersion = Number(match[1]);
    }
    const legalBasis = header(request, 'x-legal-basis')?.trim();
    // Issue 23.1: a share without consent names a gateway from the register, by its code, never free text.
    if (legalBasis !== undefined && !isLegalGatewayCode(legalBasis)) {
      throw ApiError.badRequest('invalid X-Legal-Basis', [{ field: 'X-Legal-Basis', message: LEGAL_GATEWAY_RULE }]);
    }
    const commandId = key !== undefined ? uuidV5(`${request.method} ${pathOf(request)}\n${key}`, COMMAND_NAMESPACE) : randomUUID();
    // DOMAIN.md 6: free text is personal data, and a correlation id needs none: a UUID or nothing
    // (it is kept in every event's metadata, where no erasure could reach a name typed into it).
    const correlation = header(request, 'x-correlation-id')?.trim();
    if (correlation !== undefined && !UUID.test(correlation)) {
      throw ApiError.badRequest('invalid X-Correlation-Id', [{ field: 'X-Correlation-Id', message: 'must be a UUID, e.g. 3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f38' }]);
    }
    const now = this.clock.now();
    const actor = actorOf(request);
    return {
      keyed: key !== undefined,
      recordedOn: londonToday(now),
      envelope: {
        commandId,
        correlationId: correlation !== undefined ? correlation.toLowerCase() : commandId,
        actor,
        recordedAt: now.toISOString(),
        expectedVersion,
        ...(legalBasis !== undefined ? { legalBasis } : {}),
        ...(key !== undefined ? { requestHash: requestDigest(commandId, actor.userId, request.body) } : {}),
      },
    };
  }
}

/**
 * Issue 16.7: what binds an Idempotency-Key to its request: a digest of the user and the body
 * (keys in a canonical order, so a retry that serialises the same body differently still matches),
 * salted with the command id so equal bodies under different keys give unrelated digests. Only a
 * digest is kept, never the body, whose personal fields are sealed elsewhere.
 */
export function requestDigest(commandId: string, userId: string, body: unknown): string {
  return createHash('sha256')
    .update(`${commandId}\n${userId}\n${canonicalJson(body ?? null)}`)
    .digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function header(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Maps a command's outcome to HTTP: rejections by kind (422 / 404 / 409), conflicts to 409, a reused Idempotency-Key to 422. */
export function recordedOrThrow<T extends CommandOutcome<Rejection>>(outcome: T, what = 'stream'): Extract<T, { kind: 'recorded' }> {
  if (outcome.kind === 'recorded') return outcome as Extract<T, { kind: 'recorded' }>;
  if (outcome.kind === 'reused') {
    throw new ApiError(422, 'this Idempotency-Key was used before by another user or with another body; send a new key for a new request', { reason: 'IdempotencyKeyReused' });
  }
  if (outcome.kind === 'conflict') {
    throw new ApiError(409, `the ${what} has changed: you sent If-Match "${outcome.expected}" but it is at "${outcome.actual}"; read it again and retry`, { reason: 'VersionConflict' });
  }
  const { rejection } = outcome;
  const status = rejection.kind === 'not-found' ? 404 : rejection.kind === 'duplicate' ? 409 : 422;
  throw new ApiError(status, rejection.message, { reason: rejection.reason });
}
