import { randomUUID } from 'node:crypto';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { keyworkerOnRecord, signedInAs, signedInPartner } from '../support/signed-in';
import {
  type FamilyFixture,
  api,
  attachedFamily,
  configureProgramme,
  countEvents,
  dates,
  defaultMembers,
  eligibleFamily,
  expectErrorShape,
  fieldsNamed,
  identifiedFamily,
  identifyBody,
  listedFamilies,
  recordProblem,
  uniqueReference,
} from '../support/families-fixture';
import { atIndex, must } from '@ledger/domain';

// API.md "Families: commands" and "Families: queries" through the real app on a real store:
// every command endpoint answers 201 / 400 / 404 / 409 / 422 as the contract says, retries with
// an Idempotency-Key record nothing new, and a refused request records nothing.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FUTURE = '2999-01-01';

/** What a command endpoint needs: a family prepared for it, a valid body, and a body with one bad field. */
interface CommandCase {
  name: string;
  /** The path after `/api/families/:familyId` (`''` for identification itself). */
  path: string;
  prepare(t: TestApp): Promise<Prepared>;
  valid(p: Prepared): Record<string, unknown>;
  invalid(p: Prepared): { body: Record<string, unknown>; field: string };
}

interface Prepared extends FamilyFixture {
  /** An event a correction can supersede (an offence), for the corrections endpoint. */
  offenceEventId?: string;
}

const none = async (): Promise<Prepared> => ({ familyId: '', reference: '', parentId: '', childId: '', version: 0 });

async function withOffence(t: TestApp): Promise<Prepared> {
  const family = await eligibleFamily(t);
  const res = await api(t).post(`/api/families/${family.familyId}/offences`).send({ memberId: family.parentId, committedOn: '2016-02-01', proven: true }).expect(201);
  return { ...family, version: res.body.version, offenceEventId: res.body.eventId };
}

const cases: CommandCase[] = [
  {
    name: 'identify a family',
    path: '',
    prepare: none,
    valid: () => identifyBody(uniqueReference()),
    invalid: () => ({ body: identifyBody(uniqueReference(), [{ ...defaultMembers()[0], dateOfBirth: '2016-02-30' }]), field: 'members[0].dateOfBirth' }),
  },
  {
    name: 'add a member',
    path: '/members',
    prepare: eligibleFamily,
    valid: () => ({ relationship: 'child', givenName: 'Jo', familyName: 'Example', dateOfBirth: '2011-09-30' }),
    invalid: () => ({ body: { relationship: 'cousin', givenName: 'Jo', familyName: 'Example', dateOfBirth: '2011-09-30' }, field: 'relationship' }),
  },
  {
    name: 'record a headline problem',
    path: '/problems',
    prepare: eligibleFamily,
    valid: (p) => ({ problem: 'health', indicator: 'mental health concern', memberId: p.parentId, identifiedOn: '2016-04-12', source: 'gp' }),
    invalid: (p) => ({ body: { problem: 'Poverty!', indicator: 'x', memberId: p.parentId, identifiedOn: '2016-04-12', source: 'gp' }, field: 'problem' }),
  },
  {
    name: 'attach the family',
    path: '/attachment',
    prepare: eligibleFamily,
    valid: () => ({ attachedOn: dates.attachedOn, keyworker: 'kw.attach' }),
    invalid: () => ({ body: { attachedOn: '2016-13-01', keyworker: 'kw.attach' }, field: 'attachedOn' }),
  },
  {
    name: 'record school attendance',
    path: '/school-attendance',
    prepare: eligibleFamily,
    valid: (p) => ({ memberId: p.childId, academicYear: '2016/17', term: 'autumn', possibleSessions: 140, attendedSessions: 120, unauthorisedAbsenceSessions: 10 }),
    invalid: (p) => ({
      body: { memberId: p.childId, academicYear: '2016/17', term: 'autumn', possibleSessions: -1, attendedSessions: 120, unauthorisedAbsenceSessions: 10 },
      field: 'possibleSessions',
    }),
  },
  {
    name: 'record an exclusion',
    path: '/exclusions',
    prepare: eligibleFamily,
    valid: (p) => ({ memberId: p.childId, kind: 'fixed-term', startedOn: '2016-10-03', days: 3 }),
    invalid: (p) => ({ body: { memberId: p.childId, kind: 'expelled', startedOn: '2016-10-03' }, field: 'kind' }),
  },
  {
    name: 'record an offence',
    path: '/offences',
    prepare: eligibleFamily,
    valid: (p) => ({ memberId: p.parentId, committedOn: '2016-02-01', proven: true, category: 'theft' }),
    invalid: (p) => ({ body: { memberId: p.parentId, committedOn: '2016-02-01', proven: 'yes' }, field: 'proven' }),
  },
  {
    name: 'record an ASB incident',
    path: '/asb-incidents',
    prepare: eligibleFamily,
    valid: (p) => ({ memberId: p.childId, occurredOn: '2016-03-01', kind: 'noise' }),
    invalid: (p) => ({ body: { memberId: p.childId, occurredOn: 'yesterday' }, field: 'occurredOn' }),
  },
  {
    name: 'record a benefit change',
    path: '/benefits',
    prepare: eligibleFamily,
    valid: (p) => ({ memberId: p.parentId, benefit: 'JSA', change: 'started', on: '2016-01-04' }),
    invalid: (p) => ({ body: { memberId: p.parentId, benefit: 'XYZ', change: 'started', on: '2016-01-04' }, field: 'benefit' }),
  },
  {
    name: 'record an employment change',
    path: '/employment',
    prepare: eligibleFamily,
    valid: (p) => ({ memberId: p.parentId, change: 'started', on: '2016-06-01', hoursPerWeek: 16 }),
    invalid: (p) => ({ body: { memberId: p.parentId, change: 'started', on: '2016-06-01', hoursPerWeek: 0 }, field: 'hoursPerWeek' }),
  },
  {
    name: 'record a domestic abuse incident',
    path: '/domestic-abuse-incidents',
    prepare: eligibleFamily,
    valid: () => ({ occurredOn: '2016-02-14' }),
    invalid: () => ({ body: { occurredOn: '2016-02-14', memberId: 'not-a-uuid' }, field: 'memberId' }),
  },
  {
    name: 'record a health concern',
    path: '/health',
    prepare: eligibleFamily,
    valid: (p) => ({ memberId: p.parentId, change: 'identified', on: '2016-03-01', description: 'anxiety' }),
    invalid: (p) => ({ body: { memberId: p.parentId, change: 'worse', on: '2016-03-01' }, field: 'change' }),
  },
  {
    name: 'record a social care status',
    path: '/social-care',
    prepare: eligibleFamily,
    valid: (p) => ({ memberId: p.childId, status: 'child-in-need', on: '2016-03-01' }),
    invalid: (p) => ({ body: { memberId: p.childId, status: 'in-care', on: '2016-03-01' }, field: 'status' }),
  },
  {
    name: 'record consent',
    path: '/consents',
    prepare: eligibleFamily,
    valid: (p) => ({ memberId: p.parentId, purpose: 'evaluation', given: true, on: '2016-04-01' }),
    invalid: (p) => ({ body: { memberId: p.parentId, purpose: 'evaluation', given: 'maybe', on: '2016-04-01' }, field: 'given' }),
  },
  {
    name: 'record an outcome override',
    path: '/overrides',
    prepare: (t) => attachedFamily(t, 'kw.override'),
    valid: () => ({ problem: 'education', reason: 'attendance met under the alternative provision agreement', on: '2017-01-10' }),
    invalid: () => ({ body: { problem: 'education', reason: 'x', on: '2017-01-10', evidence: 42 }, field: 'evidence' }),
  },
  {
    name: 'close the case',
    path: '/closure',
    prepare: (t) => attachedFamily(t, 'kw.closure'),
    valid: () => ({ closedOn: '2017-06-30', reason: 'family plan completed' }),
    invalid: () => ({ body: { closedOn: 20170630, reason: 'family plan completed' }, field: 'closedOn' }),
  },
  {
    name: 'correct a recorded fact',
    path: '/corrections',
    prepare: withOffence,
    valid: (p) => ({
      supersedesEventId: p.offenceEventId,
      replacement: { path: 'offences', body: { memberId: p.parentId, committedOn: '2016-02-02', proven: false } },
      reason: 'police data re-issued',
    }),
    invalid: (p) => ({
      body: { supersedesEventId: p.offenceEventId, replacement: { path: 'offences', body: { memberId: p.parentId, committedOn: '2016-02-30', proven: false } } },
      field: 'replacement.body.committedOn',
    }),
  },
];

function commandPath(c: CommandCase, familyId: string): string {
  return c.path === '' ? '/api/families' : `/api/families/${familyId}${c.path}`;
}

describe.each(storeKinds)('family commands over HTTP on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
    await configureProgramme(t);
    for (const keyworker of ['kw.attach', 'kw.x', 'kw.y']) await keyworkerOnRecord(t, keyworker);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Sends a request that must be refused, and checks it left the log as it was. */
  async function refused(send: () => Promise<{ status: number; body: Record<string, unknown> }>, status: number, reason?: string) {
    const before = await countEvents(t);
    const res = await send();
    expect({ status: res.status, reason: res.body.reason }).toEqual({ status, reason: reason ?? res.body.reason });
    expectErrorShape(res.body, status);
    expect(await countEvents(t)).toBe(before);
    return res;
  }

  describe.each(cases)('$name', (c) => {
    it('answers 201 with eventId and version, and the version as ETag', async () => {
      const p = await c.prepare(t);
      const req = api(t).post(commandPath(c, p.familyId));
      if (c.path !== '') req.set('If-Match', `"${p.version}"`);
      const res = await req.send(c.valid(p));
      expect(res.status).toBe(201);
      expect(res.body.eventId).toMatch(UUID);
      expect(res.body.version).toBe(p.version + (c.path === '/corrections' ? 2 : 1));
      expect(res.headers.etag).toBe(`"${res.body.version}"`);
    });

    it('refuses one bad field with 400 naming it in details, recording nothing', async () => {
      const p = await c.prepare(t);
      const { body, field } = c.invalid(p);
      const res = await refused(() => api(t).post(commandPath(c, p.familyId)).send(body), 400);
      expect(fieldsNamed(res.body)).toContain(field);
    });

    it('refuses a stale If-Match with 409, recording nothing', async () => {
      const p = await c.prepare(t);
      const stale = p.version > 1 ? p.version - 1 : 3;
      await refused(() => api(t).post(commandPath(c, p.familyId)).set('If-Match', `"${stale}"`).send(c.valid(p)), 409, 'VersionConflict');
    });

    it('answers a retry with the same Idempotency-Key with the first answer, recording nothing new', async () => {
      const p = await c.prepare(t);
      const body = c.valid(p);
      const key = `retry-${randomUUID()}`;
      const first = await api(t).post(commandPath(c, p.familyId)).set('Idempotency-Key', key).send(body);
      expect(first.status).toBe(201);
      const after = await countEvents(t);
      const retry = await api(t).post(commandPath(c, p.familyId)).set('Idempotency-Key', key).send(body);
      expect({ status: retry.status, body: retry.body, etag: retry.headers.etag }).toEqual({ status: first.status, body: first.body, etag: first.headers.etag });
      expect(await countEvents(t)).toBe(after);
    });

    if (c.path !== '') {
      it('answers 404 for an unknown family id', async () => {
        const p = await c.prepare(t);
        await refused(() => api(t).post(commandPath(c, randomUUID())).send(c.valid(p)), 404, 'FamilyNotFound');
      });
    }
  });

  describe('business rules answer 422 with the rule as reason, recording nothing', () => {
    const post = (familyId: string, path: string, body: object) => () => api(t).post(`/api/families/${familyId}${path}`).send(body);

    it('identification: BusinessDateInFuture for an identification date after today', async () => {
      await refused(
        () =>
          api(t)
            .post('/api/families')
            .send({ ...identifyBody(uniqueReference()), identifiedOn: FUTURE }),
        422,
        'BusinessDateInFuture',
      );
    });

    it('identification: a refused identification leaves its reference free for the corrected request', async () => {
      const reference = uniqueReference();
      await api(t)
        .post('/api/families')
        .send({ ...identifyBody(reference), identifiedOn: FUTURE })
        .expect(422);
      const res = await api(t).post('/api/families').send(identifyBody(reference));
      expect(res.status).toBe(201);
    });

    it('identification: DuplicateMember when two members share an id', async () => {
      const memberId = randomUUID();
      const [parent, child] = defaultMembers();
      await refused(
        () =>
          api(t)
            .post('/api/families')
            .send(
              identifyBody(uniqueReference(), [
                { ...parent, memberId },
                { ...child, memberId },
              ]),
            ),
        422,
        'DuplicateMember',
      );
    });

    it('identification: a member that is not an object (members: [[]]) is a 400 naming members[0]', async () => {
      const res = await refused(
        () =>
          api(t)
            .post('/api/families')
            .send({ ...identifyBody(uniqueReference()), members: [[]] }),
        400,
      );
      expect(fieldsNamed(res.body).some((f) => f.startsWith('members[0]'))).toBe(true);
    });

    it('identification: 409 DuplicateReference for a reference another family holds', async () => {
      const family = await identifiedFamily(t);
      await refused(() => api(t).post('/api/families').send(identifyBody(family.reference)), 409, 'DuplicateReference');
    });

    it('members: BusinessDateInFuture for a date of birth after today, 409 MemberAlreadyInFamily for a known member id', async () => {
      const f = await identifiedFamily(t);
      const member = { relationship: 'child', givenName: 'Jo', familyName: 'Example' };
      await refused(post(f.familyId, '/members', { ...member, dateOfBirth: FUTURE }), 422, 'BusinessDateInFuture');
      await refused(post(f.familyId, '/members', { ...member, memberId: f.childId, dateOfBirth: '2010-01-01' }), 409, 'MemberAlreadyInFamily');
    });

    it('evidence about someone who is not a member: UnknownMember', async () => {
      const f = await identifiedFamily(t);
      const stranger = randomUUID();
      await refused(post(f.familyId, '/problems', { problem: 'health', indicator: 'x', memberId: stranger, identifiedOn: '2016-04-12', source: 'gp' }), 422, 'UnknownMember');
      await refused(post(f.familyId, '/offences', { memberId: stranger, committedOn: '2016-02-01', proven: true }), 422, 'UnknownMember');
      await refused(post(f.familyId, '/asb-incidents', { memberId: stranger, occurredOn: '2016-02-01' }), 422, 'UnknownMember');
      await refused(post(f.familyId, '/consents', { memberId: stranger, purpose: 'sharing', given: true, on: '2016-02-01' }), 422, 'UnknownMember');
      await refused(post(f.familyId, '/domestic-abuse-incidents', { memberId: stranger, occurredOn: '2016-02-01' }), 422, 'UnknownMember');
    });

    it('evidence dated after today: BusinessDateInFuture', async () => {
      const f = await identifiedFamily(t);
      await refused(post(f.familyId, '/domestic-abuse-incidents', { occurredOn: FUTURE }), 422, 'BusinessDateInFuture');
      await refused(post(f.familyId, '/offences', { memberId: f.parentId, committedOn: FUTURE, proven: true }), 422, 'BusinessDateInFuture');
    });

    it('child-only evidence about a parent: NotAChild', async () => {
      const f = await identifiedFamily(t);
      await refused(post(f.familyId, '/exclusions', { memberId: f.parentId, kind: 'permanent', startedOn: '2016-10-03' }), 422, 'NotAChild');
      await refused(post(f.familyId, '/social-care', { memberId: f.parentId, status: 'child-in-need', on: '2016-03-01' }), 422, 'NotAChild');
    });

    it('attachment: NoDependentChild for a family of adults', async () => {
      const parent = atIndex(defaultMembers(), 0, 'member');
      let f = await identifiedFamily(t, [parent, { ...parent, givenName: 'Kim', relationship: 'carer' }]);
      f = await recordProblem(t, f, 'crime-asb');
      f = await recordProblem(t, f, 'worklessness');
      await refused(post(f.familyId, '/attachment', { attachedOn: dates.attachedOn, keyworker: 'kw.x' }), 422, 'NoDependentChild');
    });

    it('attachment: FewerThanTwoHeadlineProblems with one problem identified', async () => {
      const f = await recordProblem(t, await identifiedFamily(t), 'education');
      await refused(post(f.familyId, '/attachment', { attachedOn: dates.attachedOn, keyworker: 'kw.x' }), 422, 'FewerThanTwoHeadlineProblems');
    });

    it('attachment: AlreadyAttached for a second attachment', async () => {
      const f = await attachedFamily(t);
      await refused(post(f.familyId, '/attachment', { attachedOn: '2016-06-01', keyworker: 'kw.y' }), 422, 'AlreadyAttached');
    });

    it('attachment: BusinessDateInFuture for an attachment date after today', async () => {
      const f = await eligibleFamily(t);
      await refused(post(f.familyId, '/attachment', { attachedOn: FUTURE, keyworker: 'kw.x' }), 422, 'BusinessDateInFuture');
    });

    it('school attendance: AttendedExceedsPossible', async () => {
      const f = await identifiedFamily(t);
      const body = { memberId: f.childId, academicYear: '2016/17', term: 'spring', possibleSessions: 100, attendedSessions: 101, unauthorisedAbsenceSessions: 0 };
      await refused(post(f.familyId, '/school-attendance', body), 422, 'AttendedExceedsPossible');
    });

    it('benefits: NoOpenBenefitSpell when ending a spell never started, BenefitSpellAlreadyOpen when starting one twice', async () => {
      const f = await identifiedFamily(t);
      await refused(post(f.familyId, '/benefits', { memberId: f.parentId, benefit: 'ESA', change: 'ended', on: '2016-05-01' }), 422, 'NoOpenBenefitSpell');
      await api(t).post(`/api/families/${f.familyId}/benefits`).send({ memberId: f.parentId, benefit: 'ESA', change: 'started', on: '2016-01-01' }).expect(201);
      await refused(post(f.familyId, '/benefits', { memberId: f.parentId, benefit: 'ESA', change: 'started', on: '2016-02-01' }), 422, 'BenefitSpellAlreadyOpen');
      await api(t).post(`/api/families/${f.familyId}/benefits`).send({ memberId: f.parentId, benefit: 'ESA', change: 'ended', on: '2016-05-01' }).expect(201);
    });

    it('employment: NoOpenEmployment when ending employment never started', async () => {
      const f = await identifiedFamily(t);
      await refused(post(f.familyId, '/employment', { memberId: f.parentId, change: 'ended', on: '2016-05-01' }), 422, 'NoOpenEmployment');
    });

    it('health: UnknownHealthConcern when resolving a concern never identified; resolving a known one succeeds', async () => {
      const f = await identifiedFamily(t);
      await refused(post(f.familyId, '/health', { memberId: f.parentId, change: 'resolved', on: '2016-05-01', concernId: randomUUID() }), 422, 'UnknownHealthConcern');
      const identified = await api(t).post(`/api/families/${f.familyId}/health`).send({ memberId: f.parentId, change: 'identified', on: '2016-03-01' }).expect(201);
      expect(identified.body.concernId).toMatch(UUID);
      await api(t).post(`/api/families/${f.familyId}/health`).send({ memberId: f.parentId, change: 'resolved', on: '2016-09-01', concernId: identified.body.concernId }).expect(201);
    });

    it('health: resolving without a concernId is a 400 naming concernId (API.md: required to resolve)', async () => {
      const f = await identifiedFamily(t);
      const res = await refused(post(f.familyId, '/health', { memberId: f.parentId, change: 'resolved', on: '2016-05-01' }), 400);
      expect(fieldsNamed(res.body)).toContain('concernId');
    });

    it('overrides: NotAttached before attachment, ProblemNotIdentified for a problem the family does not have', async () => {
      const f = await eligibleFamily(t);
      await refused(post(f.familyId, '/overrides', { problem: 'education', reason: 'r', on: '2017-01-10' }), 422, 'NotAttached');
      await api(t).post(`/api/families/${f.familyId}/attachment`).send({ attachedOn: dates.attachedOn, keyworker: 'kw.x' }).expect(201);
      await refused(post(f.familyId, '/overrides', { problem: 'health', reason: 'r', on: '2017-01-10' }), 422, 'ProblemNotIdentified');
    });

    it('closure: AlreadyClosed for a closed case, EndBeforeStart for a closure before attachment', async () => {
      const f = await attachedFamily(t);
      await refused(post(f.familyId, '/closure', { closedOn: '2016-01-01', reason: 'r' }), 422, 'EndBeforeStart');
      await api(t).post(`/api/families/${f.familyId}/closure`).send({ closedOn: '2017-06-30', reason: 'done' }).expect(201);
      await refused(post(f.familyId, '/closure', { closedOn: '2017-07-30', reason: 'again' }), 422, 'AlreadyClosed');
    });

    it('corrections: AlreadySuperseded, ReplacementOfDifferentKind, NotCorrectable, and 404 UnknownEvent', async () => {
      const f = await withOffence(t);
      const replacement = { path: 'offences', body: { memberId: f.parentId, committedOn: '2016-02-02', proven: false } };
      await refused(
        post(f.familyId, '/corrections', { supersedesEventId: f.offenceEventId, replacement: { path: 'asb-incidents', body: { occurredOn: '2016-02-02' } } }),
        422,
        'ReplacementOfDifferentKind',
      );
      await api(t).post(`/api/families/${f.familyId}/corrections`).send({ supersedesEventId: f.offenceEventId, replacement }).expect(201);
      await refused(post(f.familyId, '/corrections', { supersedesEventId: f.offenceEventId, replacement }), 422, 'AlreadySuperseded');
      const history = await api(t).get(`/api/families/${f.familyId}/history`).expect(200);
      const identification = history.body.events.find((e: { type: string }) => e.type === 'FamilyIdentified');
      await refused(post(f.familyId, '/corrections', { supersedesEventId: identification.eventId, replacement }), 422, 'NotCorrectable');
      await refused(post(f.familyId, '/corrections', { supersedesEventId: randomUUID(), replacement }), 404, 'UnknownEvent');
    });
  });

  describe('queries', () => {
    it('lists the family, filtered by status, keyworker and problem', async () => {
      const keyworker = `kw.list.${randomUUID().slice(0, 8)}`;
      const attached = await attachedFamily(t, keyworker);
      const identified = await identifiedFamily(t);
      const all = await listedFamilies(t, [attached.familyId, identified.familyId]);
      expect(all.map((f) => f.familyId)).toEqual(expect.arrayContaining([attached.familyId, identified.familyId]));
      expect(all.find((f: { familyId: string }) => f.familyId === attached.familyId)).toMatchObject({
        familyId: attached.familyId,
        reference: attached.reference,
        status: 'attached',
        attachedOn: dates.attachedOn,
        keyworker,
        problemsAtEntry: ['crime-asb', 'education'],
      });

      const byKeyworker = await api(t).get('/api/families').query({ keyworker }).expect(200);
      expect(byKeyworker.body.families.map((f: { familyId: string }) => f.familyId)).toEqual([attached.familyId]);

      const byStatus = await api(t).get('/api/families').query({ status: 'identified', limit: 1000 }).expect(200);
      const statusIds = byStatus.body.families.map((f: { familyId: string }) => f.familyId);
      expect(statusIds).toContain(identified.familyId);
      expect(statusIds).not.toContain(attached.familyId);
      expect(byStatus.body.families.every((f: { status: string }) => f.status === 'identified')).toBe(true);

      const byProblem = await api(t).get('/api/families').query({ problem: 'education', limit: 1000 }).expect(200);
      const problemIds = byProblem.body.families.map((f: { familyId: string }) => f.familyId);
      expect(problemIds).toContain(attached.familyId);
      expect(problemIds).not.toContain(identified.familyId);
    });

    it('refuses an unknown filter value with 400 naming it', async () => {
      const res = await api(t).get('/api/families').query({ status: 'lost', problem: 'poverty' }).expect(400);
      expect(fieldsNamed(res.body)).toEqual(expect.arrayContaining(['status', 'problem']));
    });

    it('returns a family with its members and the version as ETag', async () => {
      const f = await eligibleFamily(t);
      const res = await api(t).get(`/api/families/${f.familyId}`).expect(200);
      expect(res.headers.etag).toBe(`"${f.version}"`);
      expect(res.body).toMatchObject({ familyId: f.familyId, reference: f.reference, status: 'identified', identifiedOn: dates.identifiedOn });
      expect(res.body.members).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ memberId: f.parentId, relationship: 'parent', givenName: 'Sam', dateOfBirth: dates.parentBornOn, livesInHousehold: true }),
          expect.objectContaining({ memberId: f.childId, relationship: 'child', givenName: 'Alex', dateOfBirth: dates.childBornOn }),
        ]),
      );
      expect(res.body.members).toHaveLength(2);
    });

    it('answers 404 for an unknown family and for an id that is not a UUID', async () => {
      for (const id of [randomUUID(), 'not-a-uuid']) {
        for (const suffix of ['', '/history']) {
          const res = await api(t).get(`/api/families/${id}${suffix}`).expect(404);
          expectErrorShape(res.body, 404);
        }
      }
    });

    it('lists the history in order and marks a corrected event with supersededBy; both events stay', async () => {
      const f = await withOffence(t);
      const correction = await api(t)
        .post(`/api/families/${f.familyId}/corrections`)
        .send({ supersedesEventId: f.offenceEventId, replacement: { path: '/offences', body: { memberId: f.parentId, committedOn: '2016-02-03', proven: true } }, reason: 're-issued' })
        .expect(201);
      const res = await api(t).get(`/api/families/${f.familyId}/history`).expect(200);
      const events = res.body.events as { eventId: string; version: number; type: string; data: Record<string, unknown>; supersededBy?: string }[];
      expect(events.map((e) => e.version)).toEqual(events.map((_e, i) => i + 1));
      expect(events.map((e) => e.type)).toEqual(['FamilyIdentified', 'HeadlineProblemIdentified', 'HeadlineProblemIdentified', 'OffenceRecorded', 'FactCorrected', 'OffenceRecorded']);
      expect(res.headers.etag).toBe(`"${events.length}"`);
      const [original, replacement] = events.filter((e) => e.type === 'OffenceRecorded');
      const corrected = events.find((e) => e.type === 'FactCorrected');
      expect(original?.eventId).toBe(f.offenceEventId);
      expect(original?.data).toMatchObject({ committedOn: '2016-02-01', proven: true });
      expect(original?.supersededBy).toBe(corrected?.eventId);
      expect(corrected?.data).toMatchObject({ supersededEventId: f.offenceEventId, supersededType: 'OffenceRecorded', reason: 're-issued' });
      expect(replacement?.eventId).toBe(correction.body.eventId);
      expect(replacement?.data).toMatchObject({ committedOn: '2016-02-03' });
      expect(replacement?.supersededBy).toBeUndefined();
    });
  });
});

describe.each(storeKinds)('attachment and the allocation on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
    await keyworkerOnRecord(t, 'kw.alloc');
  });
  afterAll(async () => {
    await t.close();
  });

  const attach = (f: FamilyFixture, keyworker = 'kw.alloc') => api(t).post(`/api/families/${f.familyId}/attachment`).send({ attachedOn: dates.attachedOn, keyworker });

  it('refuses attachment until the programme is set up (422 ProgrammeNotConfigured), recording nothing', async () => {
    const f = await eligibleFamily(t);
    const before = await countEvents(t);
    const res = await attach(f).expect(422);
    expect(res.body.reason).toBe('ProgrammeNotConfigured');
    expect(await countEvents(t)).toBe(before);
  });

  it('refuses an attachment beyond the allocation (422 AllocationExhausted), recording nothing', async () => {
    await configureProgramme(t, 1);
    const [first, second] = [await eligibleFamily(t), await eligibleFamily(t)];
    await attach(first).expect(201);
    const before = await countEvents(t);
    const res = await attach(second).expect(422);
    expect(res.body.reason).toBe('AllocationExhausted');
    expect(await countEvents(t)).toBe(before);
    const programme = await api(t).get('/api/programme').expect(200);
    expect(programme.body).toMatchObject({ allocation: 1, familiesAttached: 1, placesLeft: 0 });
  });

  it('a stale If-Match on attachment takes no place of the allocation', async () => {
    const attached = (await api(t).get('/api/programme').expect(200)).body.familiesAttached as number;
    await configureProgramme(t, attached + 1);
    const f = await eligibleFamily(t);
    const before = await countEvents(t);
    await api(t)
      .post(`/api/families/${f.familyId}/attachment`)
      .set('If-Match', `"${f.version - 1}"`)
      .send({ attachedOn: dates.attachedOn, keyworker: 'kw.alloc' })
      .expect(409);
    expect((await api(t).get('/api/programme').expect(200)).body.placesLeft).toBe(1);
    expect(await countEvents(t)).toBe(before);
  });

  it('takes no place when the family moves on between its read and the attachment (409), so the family can still be attached', async () => {
    const attached = (await api(t).get('/api/programme').expect(200)).body.familiesAttached as number;
    await configureProgramme(t, attached + 1);
    const f = await eligibleFamily(t);
    // Issue 22.3: the place and the attachment are appended at once. A real concurrent request
    // records on the family after the attachment was decided, before that append, so the
    // If-Match sent (right when sent) is stale by then: neither the place nor the attachment is
    // recorded. The store itself is the real one.
    const store = t.app.get<EventStore>(EVENT_STORE);
    const appendAtomically = must(store.appendAtomically, 'appendAtomically').bind(store);
    let interposed = false;
    const between = jest.spyOn(store as Required<EventStore>, 'appendAtomically').mockImplementation(async (items) => {
      if (!interposed && items.some((item) => item.streamId === `family-${f.familyId}`)) {
        interposed = true;
        await recordProblem(t, f, 'worklessness', f.parentId);
      }
      return appendAtomically(items);
    });
    try {
      const res = await api(t).post(`/api/families/${f.familyId}/attachment`).set('If-Match', `"${f.version}"`).send({ attachedOn: dates.attachedOn, keyworker: 'kw.alloc' }).expect(409);
      expect(res.body.reason).toBe('VersionConflict');
    } finally {
      between.mockRestore();
    }
    expect(interposed).toBe(true);
    expect((await api(t).get('/api/programme').expect(200)).body).toMatchObject({ familiesAttached: attached, placesLeft: 1 });
    const current = await api(t).get(`/api/families/${f.familyId}`).expect(200);
    expect(current.body.status).toBe('identified');
    // Read again and retried: the place is taken, and the family attached.
    await api(t).post(`/api/families/${f.familyId}/attachment`).set('If-Match', must(current.headers.etag, 'the ETag')).send({ attachedOn: dates.attachedOn, keyworker: 'kw.alloc' }).expect(201);
    expect((await api(t).get('/api/programme').expect(200)).body).toMatchObject({ familiesAttached: attached + 1, placesLeft: 0 });
  });

  it('without appends to several streams at once (EventStoreDB), releases the place it took when the family then refuses the attachment, so the family can still be attached', async () => {
    const attached = (await api(t).get('/api/programme').expect(200)).body.familiesAttached as number;
    await configureProgramme(t, attached + 1);
    const f = await eligibleFamily(t);
    // Issue 14.4: a real concurrent request records on the family between the place being taken
    // (programme stream) and the attachment's append (family stream), so the If-Match sent
    // (right when sent) is stale by the time of that append. The store itself is the real one,
    // without its appendAtomically, as EventStoreDB's adapter is.
    const store = t.app.get<EventStore>(EVENT_STORE) as { appendAtomically?: EventStore['appendAtomically'] } & EventStore;
    const appendAtomically = store.appendAtomically;
    store.appendAtomically = undefined;
    const append = store.append.bind(store);
    let interposed = false;
    const between = jest.spyOn(store, 'append').mockImplementation(async (streamId, events, options) => {
      const appended = await append(streamId, events, options);
      if (!interposed && streamId.startsWith('programme-') && events.some((e) => e.type === 'AllocationPlaceTaken')) {
        interposed = true;
        await recordProblem(t, f, 'worklessness', f.parentId);
      }
      return appended;
    });
    try {
      const res = await api(t).post(`/api/families/${f.familyId}/attachment`).set('If-Match', `"${f.version}"`).send({ attachedOn: dates.attachedOn, keyworker: 'kw.alloc' }).expect(409);
      expect(res.body.reason).toBe('VersionConflict');
      expect(interposed).toBe(true);
      expect((await api(t).get('/api/programme').expect(200)).body).toMatchObject({ familiesAttached: attached, placesLeft: 1 });
      // Read again and retried: the place is taken again, and kept.
      const current = await api(t).get(`/api/families/${f.familyId}`).expect(200);
      await api(t).post(`/api/families/${f.familyId}/attachment`).set('If-Match', must(current.headers.etag, 'the ETag')).send({ attachedOn: dates.attachedOn, keyworker: 'kw.alloc' }).expect(201);
      expect((await api(t).get('/api/programme').expect(200)).body).toMatchObject({ familiesAttached: attached + 1, placesLeft: 0 });
    } finally {
      between.mockRestore();
      store.appendAtomically = appendAtomically;
    }
  });

  it("refuses a partner's evidence about a person whose withdrawal of consent to sharing was recorded while the evidence was being decided", async () => {
    const f = await identifiedFamily(t);
    const school = await signedInPartner(t, 'school');
    // Issue 14.4: the withdrawal is recorded by a real concurrent request right after the partner's
    // command read the family, before it appends: the rule is decided on the stream it appends to.
    const store = t.app.get<EventStore>(EVENT_STORE);
    const read = store.readStream.bind(store);
    let interposed = false;
    const between = jest.spyOn(store, 'readStream').mockImplementation(async (streamId, options) => {
      const stream = await read(streamId, options);
      if (!interposed && streamId === `family-${f.familyId}`) {
        interposed = true;
        await api(t).post(`/api/families/${f.familyId}/consents`).send({ memberId: f.childId, purpose: 'sharing', given: false, on: '2016-03-01' }).expect(201);
      }
      return stream;
    });
    try {
      const res = await school.post(`/api/families/${f.familyId}/exclusions`).send({ memberId: f.childId, kind: 'fixed-term', startedOn: '2016-03-02', days: 2 });
      expect({ status: res.status, reason: res.body.reason }).toEqual({ status: 422, reason: 'SharingConsentWithdrawn' });
    } finally {
      between.mockRestore();
    }
    expect(interposed).toBe(true);
    const history = (await api(t).get(`/api/families/${f.familyId}/history`).expect(200)).body as { events: { type: string }[] };
    expect(history.events.map((e) => e.type)).not.toContain('ExclusionRecorded');
  });

  it('takes one place for concurrent tries of one attachment (one Idempotency-Key), and answers every try as the first', async () => {
    const programme = await api(t).get('/api/programme');
    const attached = programme.status === 200 ? (programme.body.familiesAttached as number) : 0;
    await configureProgramme(t, attached + 2);
    const f = await eligibleFamily(t);
    const key = randomUUID();
    const tries = await Promise.all(
      Array.from({ length: 3 }, () => api(t).post(`/api/families/${f.familyId}/attachment`).set('Idempotency-Key', key).send({ attachedOn: dates.attachedOn, keyworker: 'kw.alloc' })),
    );
    expect(tries.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(tries.map((r) => JSON.stringify({ eventId: r.body.eventId, version: r.body.version }))).size).toBe(1);
    const again = await api(t).post(`/api/families/${f.familyId}/attachment`).set('Idempotency-Key', key).send({ attachedOn: dates.attachedOn, keyworker: 'kw.alloc' }).expect(201);
    expect({ eventId: again.body.eventId, version: again.body.version }).toEqual({ eventId: atIndex(tries, 0).body.eventId, version: atIndex(tries, 0).body.version });
    expect((await api(t).get('/api/programme').expect(200)).body).toMatchObject({ familiesAttached: attached + 1, placesLeft: 1 });
  });

  it('gives the last place to exactly one of two concurrent attachments', async () => {
    for (let round = 0; round < 3; round += 1) {
      const programme = (await api(t).get('/api/programme').expect(200)).body as { familiesAttached: number };
      await configureProgramme(t, programme.familiesAttached + 1);
      const [a, b] = await Promise.all([eligibleFamily(t), eligibleFamily(t)]);
      const answers = await Promise.all([attach(a), attach(b)]);
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 422]);
      expect(answers.find((r) => r.status === 422)?.body.reason).toBe('AllocationExhausted');
      const after = (await api(t).get('/api/programme').expect(200)).body;
      expect(after).toMatchObject({ familiesAttached: programme.familiesAttached + 1, placesLeft: 0 });
      const winner = answers[0].status === 201 ? a : b;
      const loser = winner === a ? b : a;
      expect((await api(t).get(`/api/families/${winner.familyId}`).expect(200)).body.status).toBe('attached');
      expect((await api(t).get(`/api/families/${loser.familyId}`).expect(200)).body.status).toBe('identified');
    }
  });
});
