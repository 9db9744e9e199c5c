import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { LogPosition } from '@ledger/event-store';
import type { TestApp } from './app';
import { type Client, asProgrammeManager, keyworkerOnRecord } from './signed-in';

// Fixtures for the HTTP suites: a configured programme and families built through the API
// itself (never by appending to the store), with business dates in 2015–2019 so that they are
// always in the past of the day the tests run.

/** Requests on the app's real HTTP server, signed in as the test app's programme manager. */
export function api(t: TestApp): Client {
  return asProgrammeManager(t);
}

/** Requests with no bearer token. */
export function anonymous(t: TestApp): ReturnType<typeof request> {
  return request(t.app.getHttpServer());
}

/**
 * How many events the whole log holds: a refused request must leave it unchanged. Counted by
 * the store where it can (PostgreSQL's `readAll` stops at the safe end of the log, which other
 * suites' open transactions on the same server can hold back for a moment).
 */
export async function countEvents(t: TestApp): Promise<number> {
  const store = t.stores.eventStore;
  if (store.countEvents) return store.countEvents();
  let count = 0;
  let after: LogPosition | null = null;
  for (;;) {
    const read = await store.readAll({ after, limit: 10_000 });
    count += read.events.length;
    after = read.next;
    if (read.endOfLog || read.events.length === 0) return count;
  }
}

/** The API's error body (API.md "Conventions"). */
export function expectErrorShape(body: unknown, status: number): void {
  expect(body).toEqual(expect.objectContaining({ statusCode: status, error: expect.any(String), message: expect.any(String) }));
}

/** The fields a 400 names in its details. */
export function fieldsNamed(body: { details?: { field: string }[] }): string[] {
  return (body.details ?? []).map((d) => d.field);
}

let sequence = 0;
/** A family reference no other test of the run uses. */
export function uniqueReference(prefix = 'E2E'): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${sequence}-${randomUUID().slice(0, 8)}`;
}

export const dates = {
  identifiedOn: '2016-04-01',
  problemsOn: '2016-04-10',
  attachedOn: '2016-05-03',
  parentBornOn: '1984-02-11',
  childBornOn: '2008-06-15',
} as const;

export async function configureProgramme(t: TestApp, allocation = 10_000): Promise<void> {
  await api(t).put('/api/programme').send({ councilName: 'Synthetic Borough (e2e)', framework: 'troubled-families-2015', allocation }).expect(200);
}

export interface FamilyFixture {
  familyId: string;
  reference: string;
  parentId: string;
  childId: string;
  /** The family stream's version (its ETag) after the fixture was built. */
  version: number;
}

export function identifyBody(reference = uniqueReference(), members: Record<string, unknown>[] = defaultMembers()): Record<string, unknown> {
  return { reference, identifiedOn: dates.identifiedOn, members };
}

export function defaultMembers(): Record<string, unknown>[] {
  return [
    { relationship: 'parent', givenName: 'Sam', familyName: 'Example', dateOfBirth: dates.parentBornOn, postcode: 'ZZ1 2AB' },
    { relationship: 'child', givenName: 'Alex', familyName: 'Example', dateOfBirth: dates.childBornOn, uniquePupilNumber: 'A12345678901B' },
  ];
}

/** A family of a parent and a dependent child, identified and with no problems yet. */
export async function identifiedFamily(t: TestApp, members = defaultMembers()): Promise<FamilyFixture> {
  const reference = uniqueReference();
  const res = await api(t).post('/api/families').send(identifyBody(reference, members)).expect(201);
  const [parent, child] = res.body.members as { memberId: string }[];
  return { familyId: res.body.familyId, reference, parentId: parent?.memberId ?? '', childId: child?.memberId ?? '', version: res.body.version };
}

export async function recordProblem(t: TestApp, family: FamilyFixture, problem: string, memberId?: string): Promise<FamilyFixture> {
  const res = await api(t)
    .post(`/api/families/${family.familyId}/problems`)
    .send({ problem, indicator: `${problem} indicator`, ...(memberId ? { memberId } : {}), identifiedOn: dates.problemsOn, source: 'e2e' })
    .expect(201);
  return { ...family, version: res.body.version };
}

/** Eligible for attachment: a dependent child (born 2008) and `education` and `crime-asb` identified. */
export async function eligibleFamily(t: TestApp): Promise<FamilyFixture> {
  let family = await identifiedFamily(t);
  family = await recordProblem(t, family, 'education', family.childId);
  return recordProblem(t, family, 'crime-asb', family.parentId);
}

export async function attachedFamily(t: TestApp, keyworker = 'kw.e2e'): Promise<FamilyFixture> {
  const family = await eligibleFamily(t);
  await keyworkerOnRecord(t, keyworker);
  const res = await api(t).post(`/api/families/${family.familyId}/attachment`).send({ attachedOn: dates.attachedOn, keyworker }).expect(201);
  return { ...family, version: res.body.version };
}

/**
 * Family summaries once they include `familyIds`: the list folds the log through `readAll`, whose
 * safe end can trail the latest commits for a moment while other transactions are open.
 */
export async function listedFamilies(t: TestApp, familyIds: string[], query: Record<string, string | number> = {}): Promise<{ familyId: string }[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await api(t)
      .get('/api/families')
      .query({ limit: 1000, ...query })
      .expect(200);
    const families = res.body.families as { familyId: string }[];
    const listed = new Set(families.map((f) => f.familyId));
    if (familyIds.every((id) => listed.has(id)) || Date.now() > deadline) return families;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
