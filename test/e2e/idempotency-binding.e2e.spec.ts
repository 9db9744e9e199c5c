import { randomUUID } from 'node:crypto';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { countEvents, defaultMembers, identifiedFamily, identifyBody, uniqueReference } from '../support/families-fixture';
import { type Client, asProgrammeManager, signedInAs } from '../support/signed-in';
import { atIndex } from '@ledger/domain';

/**
 * Issue 16.7: an Idempotency-Key is bound to the user who sent it and to the body it came with,
 * so the same key from someone else or with another body is 422 `IdempotencyKeyReused`, never the
 * first command's answer. Issue 16.8: a member id chosen by a client cannot attach a person of
 * another family (409), so one person never has two families' keys.
 */
describe.each(storeKinds)('Idempotency-Key bound to user and body, and member ids, on %s', (kind) => {
  let t: TestApp;
  let pm: Client;
  let otherPm: Client;
  beforeAll(async () => {
    t = await startTestApp(kind);
    pm = asProgrammeManager(t);
    otherPm = await signedInAs(t, 'programme-manager', { username: 'pm.other' });
  });
  afterAll(async () => {
    await t.close();
  });

  it("answers a retry of the same user and body as the first time, and refuses the key with another user's request or another body", async () => {
    const key = `key-${randomUUID()}`;
    const body = identifyBody(uniqueReference());
    const first = await pm.post('/api/families').set('Idempotency-Key', key).send(body).expect(201);
    const retry = await pm.post('/api/families').set('Idempotency-Key', key).send(body).expect(201);
    expect(retry.body).toEqual(first.body);
    const before = await countEvents(t);

    const stranger = await otherPm.post('/api/families').set('Idempotency-Key', key).send(body).expect(422);
    expect(stranger.body).toMatchObject({ statusCode: 422, reason: 'IdempotencyKeyReused' });
    expect(JSON.stringify(stranger.body)).not.toContain(first.body.familyId);

    const changed = await pm
      .post('/api/families')
      .set('Idempotency-Key', key)
      .send({ ...body, identifiedOn: '2016-04-02' })
      .expect(422);
    expect(changed.body.reason).toBe('IdempotencyKeyReused');
    expect(await countEvents(t)).toBe(before);
  });

  it('binds the key on family commands too', async () => {
    const family = await identifiedFamily(t);
    const key = `key-${randomUUID()}`;
    const problem = { problem: 'education', indicator: 'persistent absence', memberId: family.childId, identifiedOn: '2016-04-10', source: 'school' };
    await pm.post(`/api/families/${family.familyId}/problems`).set('Idempotency-Key', key).send(problem).expect(201);
    await pm.post(`/api/families/${family.familyId}/problems`).set('Idempotency-Key', key).send(problem).expect(201);
    expect((await otherPm.post(`/api/families/${family.familyId}/problems`).set('Idempotency-Key', key).send(problem).expect(422)).body.reason).toBe('IdempotencyKeyReused');
    expect(
      (
        await pm
          .post(`/api/families/${family.familyId}/problems`)
          .set('Idempotency-Key', key)
          .send({ ...problem, problem: 'crime-asb' })
          .expect(422)
      ).body.reason,
    ).toBe('IdempotencyKeyReused');
  });

  it('refuses a member id of a person in another family, when identifying a family and when adding a member (409)', async () => {
    const chosen = randomUUID();
    const [parent, child] = [atIndex(defaultMembers(), 0, 'member'), atIndex(defaultMembers(), 1, 'member')];
    const first = await pm
      .post('/api/families')
      .send(identifyBody(uniqueReference(), [{ ...parent, memberId: chosen }, child]))
      .expect(201);
    expect(first.body.members[0].memberId).toBe(chosen);
    const derivedChild = first.body.members[1].memberId as string;
    const before = await countEvents(t);

    for (const taken of [chosen, derivedChild]) {
      const again = await pm
        .post('/api/families')
        .send(identifyBody(uniqueReference(), [{ ...parent, memberId: taken }, child]))
        .expect(409);
      expect(again.body).toMatchObject({ statusCode: 409, reason: 'MemberOfAnotherFamily' });
    }
    const other = await identifiedFamily(t);
    const afterOther = await countEvents(t);
    const added = await pm
      .post(`/api/families/${other.familyId}/members`)
      .send({ ...child, memberId: chosen })
      .expect(409);
    expect(added.body.reason).toBe('MemberOfAnotherFamily');
    expect(await countEvents(t)).toBe(afterOther);
    expect(afterOther).toBeGreaterThan(before);
  });

  it('lets two families race for one new member id: exactly one gets the person', async () => {
    const chosen = randomUUID();
    const [parent, child] = [atIndex(defaultMembers(), 0, 'member'), atIndex(defaultMembers(), 1, 'member')];
    const answers = await Promise.all([0, 1, 2].map(() => pm.post('/api/families').send(identifyBody(uniqueReference(), [{ ...parent, memberId: chosen }, child]))));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
  });
});
