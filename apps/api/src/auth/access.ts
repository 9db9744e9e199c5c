import { applyDecorators, type CanActivate, type ExecutionContext, Inject, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import { type Request, pathOf } from '../http/http';
import { type UserRole, streams } from '@ledger/domain';
import { type EventStore, RAW_EVENT_STORE } from '@ledger/event-store';
import { ClaimQueries } from '@ledger/projections';
import { AccessLog, isLegalGatewayCode, ApiError, CLOCK, type Clock, londonToday, type Actor } from '@ledger/application';
import { DATA_KIND_OF_GRANT, PartnerAgreements } from '../privacy/partner-agreements';
import { actorOf } from './actor';

/**
 * Need-to-know access (DOMAIN.md 6, issue "Privacy"): every route declares who may call it, and
 * for some roles on what:
 * - `true`: any request of the route;
 * - `'assigned'`: only a family whose keyworker is the caller (keyworkers);
 * - `'sampled'`: only a family in the audit sample of a claim whose audit is open: sampled, not
 *   yet submitted nor withdrawn (auditors, for evidence; DOMAIN.md 5, issue 16.1);
 * - `{ organisations }`: partners of those organisations only (police, school, dwp, health).
 * A route with no declaration is refused to everyone: new routes are closed until someone decides.
 */
export type Grant = true | 'assigned' | 'sampled' | { organisations: readonly string[] };
export type AccessRule = 'public' | Partial<Record<UserRole, Grant>>;

const ACCESS_RULE = 'ledger:access-rule';

/**
 * Declares who may call a route (see `AccessRule`). Every route but a public one also declares
 * bearer auth in the OpenAPI document, here once, so Swagger's Authorize sends the token to every
 * route that needs it, new ones included (issue 19.5).
 */
export const Access = (rule: AccessRule) => (rule === 'public' ? SetMetadata(ACCESS_RULE, rule) : applyDecorators(SetMetadata(ACCESS_RULE, rule), ApiBearerAuth()));

/** A rule granting each of `list` every request of the route. */
export function roles(list: readonly UserRole[]): Partial<Record<UserRole, Grant>> {
  return Object.fromEntries(list.map((role) => [role, true]));
}

/** Everyone on the council's staff (not partners, who read nothing back). */
export const STAFF = roles(['admin', 'programme-manager', 'keyworker', 'finance-officer', 'auditor', 'analyst']);
/** Recording what happened with a family: programme managers, and the family's own keyworker. */
export const CASEWORK = { 'programme-manager': true, keyworker: 'assigned' } as const satisfies Partial<Record<UserRole, Grant>>;
/** Aggregate figures without any person in them. */
export const AGGREGATES = roles(['programme-manager', 'finance-officer', 'auditor', 'analyst']);

/** Partners record evidence of their own kinds only, and read nothing back (issue 6.2). */
export const PARTNER_KINDS = {
  police: { organisations: ['police'] },
  school: { organisations: ['school'] },
  dwp: { organisations: ['dwp'] },
  health: { organisations: ['health'] },
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who may read what of a family: the family's keyworker and whether an auditor's sample holds it.
 * The keyworker is read from the family's stream; the samples from the claims read model (settled
 * first in inline mode), each candidate claim then confirmed from its own stream, so a claim
 * submitted or withdrawn since the model last moved opens nothing. With an external projector a
 * sample drawn moments ago opens nothing until the projector has applied it: the check fails
 * closed. Read from the raw store: the checks need no personal field.
 */
@Injectable()
export class FamilyAccess {
  constructor(
    @Inject(RAW_EVENT_STORE) private readonly store: EventStore,
    private readonly claims: ClaimQueries,
  ) {}

  async keyworkerOf(familyId: string): Promise<string | null> {
    let keyworker: string | null = null;
    for (const e of (await this.store.readStream(streams.family(familyId))).events) {
      if (e.type === 'FamilyAttached') keyworker = String(e.data.keyworker);
    }
    return keyworker;
  }

  /**
   * Whether the audit sample of a claim whose audit is open holds the family: DOMAIN.md 5, an
   * auditor's access lasts from the sample to the claim's submission (or withdrawal), nothing after,
   * and a draft never sampled opens nothing.
   */
  async sampled(familyId: string): Promise<boolean> {
    for (const claimId of await this.claims.openSamplesHolding(familyId)) {
      let open = false;
      for (const e of (await this.store.readStream(streams.claim(claimId))).events) {
        if (e.type === 'AuditSampleDrawn' && (e.data.familyIds as string[]).includes(familyId)) open = true;
        else if (e.type === 'ClaimSubmitted' || e.type === 'ClaimWithdrawn') open = false;
      }
      if (open) return true;
    }
    return false;
  }
}

/**
 * The global guard enforcing each route's `@Access` rule. Denials are 403 (401 when not signed in),
 * written to the application log without any personal data, and recorded in the access log.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('Access');

  constructor(
    private readonly reflector: Reflector,
    private readonly families: FamilyAccess,
    private readonly accessLog: AccessLog,
    private readonly partners: PartnerAgreements,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    if (rule === 'public') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const actor = actorOf(req);
    if (actor.role === 'unauthenticated') throw new ApiError(401, 'sign in first: POST /api/auth/token, then Authorization: Bearer …', { reason: 'NotSignedIn' });
    const route = routeOf(req);
    // Service accounts read (issue 19.4): whatever their role may do, they never record.
    const refusal =
      actor.kind === 'service' && req.method !== 'GET' && req.method !== 'HEAD'
        ? { reason: 'ServiceAccountReadOnly', message: 'a service account may only read (GET); sign in as a person to record' }
        : await this.refusal(rule, actor, req);
    if (refusal === null) return true;
    this.logger.warn(`denied: ${actor.role} ${actor.userId} ${route}: ${refusal.reason}`);
    await this.accessLog.record({ actor, route, familyId: familyParam(req), memberIds: [], outcome: 'denied', purpose: refusal.reason });
    throw new ApiError(403, refusal.message, { reason: refusal.reason });
  }

  private async refusal(rule: AccessRule | undefined, actor: Actor, req: Request): Promise<{ reason: string; message: string } | null> {
    if (rule === undefined || rule === 'public') return rule === 'public' ? null : { reason: 'Forbidden', message: 'no role may call this route' };
    const grant = rule[actor.role as UserRole];
    if (grant === undefined) return { reason: 'Forbidden', message: `a ${actor.role} may not call this route` };
    if (grant === true) return null;
    if (typeof grant === 'object') {
      if (actor.organisation !== undefined && grant.organisations.includes(actor.organisation)) {
        // Issue 23.1: a registered partner works only within an information-sharing agreement in force.
        // A legal basis that is a register code must be one its agreement relies on (anything else is the route's 400).
        const basis = typeof req.headers['x-legal-basis'] === 'string' ? req.headers['x-legal-basis'].trim() : undefined;
        return this.partners.refusal(actor.organisation, DATA_KIND_OF_GRANT[actor.organisation], londonToday(this.clock.now()), basis !== undefined && isLegalGatewayCode(basis) ? basis : undefined);
      }
      return { reason: 'NotThisPartnersData', message: `partners of ${grant.organisations.join(' or ')} record this; you are signed in for ${actor.organisation ?? 'no organisation'}` };
    }
    const familyId = familyParam(req);
    // A malformed id is left to the route's own validation (a 400 naming the field).
    if (familyId === undefined || !UUID.test(familyId)) return null;
    if (grant === 'assigned') {
      return (await this.families.keyworkerOf(familyId)) === actor.userId ? null : { reason: 'NotAssignedFamily', message: 'keyworkers see only the families assigned to them' };
    }
    return (await this.families.sampled(familyId))
      ? null
      : { reason: 'NotSampledFamily', message: 'auditors see the evidence of families in the sample of a claim under audit only, while that audit is open' };
  }
}

function familyParam(req: Request): string | undefined {
  const value = (req.params as Record<string, string | undefined>).familyId;
  return value;
}

/** The route pattern (`GET /api/families/:familyId`), never the ids or query of the request. */
export function routeOf(req: Request): string {
  const path = (req.is404 ? undefined : req.routeOptions.url) ?? pathOf(req);
  return `${req.method} ${path}`;
}
