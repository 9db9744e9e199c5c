import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, randomUUID } from 'node:crypto';
import { type CommandEnvelope, type CommandOutcome, uuidV5 } from '@ledger/event-store';
import type { Rejection } from '@ledger/domain';
import { actorOf } from '../auth/actor';
import { ApiError } from './api-error';

/** The edge's clock: the only place the api reads the time. Tests provide a fixed one. */
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol('CLOCK');
export const systemClock: Clock = { now: () => new Date() };

const COMMAND_NAMESPACE = '0f7c4d2e-9a61-4f0b-b8f3-2d5e7a9c1b44';
const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day in England at an instant. */
export function londonToday(now: Date): string {
  return londonDate.format(now);
}

export interface Recording {
  envelope: CommandEnvelope;
  /** The calendar day (Europe/London) of recording: business dates after it are refused. */
  recordedOn: string;
  /** Whether the caller sent an Idempotency-Key (ids derived from the request are then stable). */
  keyed: boolean;
}

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
    if (legalBasis !== undefined && (legalBasis.length < 3 || legalBasis.length > 300)) {
      throw ApiError.badRequest('invalid X-Legal-Basis', [{ field: 'X-Legal-Basis', message: 'must be 3 to 300 characters naming the legal basis, e.g. "Crime and Disorder Act 1998 s115"' }]);
    }
    const commandId = key !== undefined ? uuidV5(`${request.method} ${request.path}\n${key}`, COMMAND_NAMESPACE) : randomUUID();
    const correlation = header(request, 'x-correlation-id');
    const now = this.clock.now();
    const actor = actorOf(request);
    return {
      keyed: key !== undefined,
      recordedOn: londonDate.format(now),
      envelope: {
        commandId,
        correlationId: correlation && correlation.length <= 200 ? correlation : commandId,
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
  return createHash('sha256').update(`${commandId}\n${userId}\n${canonicalJson(body ?? null)}`).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function header(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Derives a stable id (a family's, a member's, a concern's) from the command id. */
export function derivedId(commandId: string, what: string): string {
  return uuidV5(`${what}\n${commandId}`, COMMAND_NAMESPACE);
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
