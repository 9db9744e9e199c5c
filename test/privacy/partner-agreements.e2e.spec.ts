import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { configureProgramme } from '../support/families-fixture';
import { type Client, asAdmin, asProgrammeManager, signedInAs } from '../support/signed-in';

/**
 * Issue 23.1: partner organisations registered with information-sharing agreements. A partner's
 * users record only within an agreement in force that covers the kind of data; an organisation
 * not registered has none, and when an agreement expires, or is revoked, their access ends at once. Agreements name legal gateways from the
 * register, never free text.
 */
describe.each(storeKinds)('partner organisations and sharing agreements on %s', (kind) => {
  let t: TestApp;
  let now = new Date('2019-04-20T10:00:00Z');
  let admin: Client;
  let police: Client;
  let familyId: string;
  let memberId: string;
  let day = 1;

  const offence = () => police.post(`/api/families/${familyId}/offences`).send({ memberId, committedOn: `2019-04-${String(day++).padStart(2, '0')}`, proven: true, category: 'theft' });

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock: { now: () => now } });
    await configureProgramme(t);
    admin = asAdmin(t);
    const pm = asProgrammeManager(t);
    const family = await pm
      .post('/api/families')
      .send({ reference: 'ISA-1', identifiedOn: '2019-01-10', members: [{ relationship: 'parent', givenName: 'Rowena', familyName: 'Isa', dateOfBirth: '1985-02-03' }] })
      .expect(201);
    familyId = family.body.familyId;
    memberId = family.body.members[0].memberId;
    police = await signedInAs(t, 'partner', { organisation: 'police' });
  }, 240_000);
  afterAll(async () => {
    await t.close();
  });

  it("ends a registered partner's access when its agreement expires or is revoked", async () => {
    // Not registered: no agreement, so no access (DOMAIN.md 6), refused and logged.
    const unregistered = await offence().expect(403);
    expect(unregistered.body).toMatchObject({ reason: 'NoSharingAgreement', message: expect.stringContaining('not a registered partner organisation') });
    expect((await admin.get('/api/audit/access-log').query({ userId: police.username, limit: 1 }).expect(200)).body.entries[0]).toMatchObject({ outcome: 'denied', purpose: 'NoSharingAgreement' });
    await asProgrammeManager(t).post('/api/partners').send({ organisation: 'police', name: 'Synthetic Borough Police', kind: 'police' }).expect(403);
    expect((await admin.post('/api/partners').send({ organisation: 'police', name: 'Synthetic Borough Police', kind: 'police' }).expect(201)).body).toMatchObject({
      organisation: 'police',
      kind: 'police',
      agreements: [],
    });
    await admin.post('/api/partners').send({ organisation: 'police', name: 'Again', kind: 'police' }).expect(409);
    expect((await offence().expect(403)).body.reason).toBe('NoSharingAgreement');

    const bad = await admin
      .post('/api/partners/police/agreements')
      .send({ reference: 'ISA-POLICE-2019', startsOn: '2019-04-01', endsOn: '2019-03-31', gateways: ['Crime and Disorder Act, as the officer said'], shares: ['crime'], receives: [] })
      .expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toContain('gateways');
    await admin
      .post('/api/partners/nobody/agreements')
      .send({ reference: 'ISA-X', startsOn: '2019-04-01', endsOn: '2019-04-30', gateways: ['dpa-2018'], shares: ['crime'], receives: [] })
      .expect(404);
    const agreement = (
      await admin
        .post('/api/partners/police/agreements')
        .send({ reference: 'ISA-POLICE-2019', startsOn: '2019-04-01', endsOn: '2019-04-30', gateways: ['cda-1998-s115', 'dpa-2018'], shares: ['crime'], receives: [] })
        .expect(201)
    ).body;
    expect(agreement).toMatchObject({ reference: 'ISA-POLICE-2019', gateways: ['cda-1998-s115', 'dpa-2018'], revokedOn: null });
    await offence().expect(201);

    // The day after it ends, the partner's users can no longer record, and the refusal is logged.
    now = new Date('2019-05-01T08:00:00Z');
    expect((await offence().expect(403)).body.reason).toBe('NoSharingAgreement');
    const denied = (await admin.get('/api/audit/access-log').query({ userId: police.username, limit: 5 }).expect(200)).body.entries;
    expect(denied[0]).toMatchObject({ outcome: 'denied', purpose: 'NoSharingAgreement', organisation: 'police' });

    // An agreement for other kinds of data does not open crime data; one for crime does, until revoked.
    await admin
      .post('/api/partners/police/agreements')
      .send({ reference: 'ISA-POLICE-EDU', startsOn: '2019-05-01', endsOn: '2020-03-31', gateways: ['children-act-2004'], shares: ['education'], receives: [] })
      .expect(201);
    expect((await offence().expect(403)).body.reason).toBe('NoSharingAgreement');
    const renewed = (
      await admin
        .post('/api/partners/police/agreements')
        .send({ reference: 'ISA-POLICE-2019-20', startsOn: '2019-05-01', endsOn: '2020-03-31', gateways: ['cda-1998-s115'], shares: ['crime'], receives: ['family-details'] })
        .expect(201)
    ).body;
    await offence().expect(201);
    await admin.post(`/api/partners/police/agreements/${renewed.agreementId}/revocation`).send({ revokedOn: '2019-05-01' }).expect(200);
    expect((await offence().expect(403)).body.reason).toBe('NoSharingAgreement');

    const partners = (await admin.get('/api/partners').expect(200)).body.partners;
    expect(partners).toEqual([
      expect.objectContaining({
        organisation: 'police',
        agreements: [
          expect.objectContaining({ reference: 'ISA-POLICE-2019', inForce: false }),
          expect.objectContaining({ reference: 'ISA-POLICE-EDU', inForce: true }),
          expect.objectContaining({ reference: 'ISA-POLICE-2019-20', revokedOn: '2019-05-01', inForce: false }),
        ],
      }),
    ]);
    expect((await admin.get('/api/legal-gateways').expect(200)).body.gateways).toContainEqual({ code: 'cda-1998-s115', name: 'Crime and Disorder Act 1998, section 115' });
    // Another partner, never registered, has no access at all: its evidence is refused, nothing recorded.
    const school = await signedInAs(t, 'partner', { organisation: 'school' });
    const before = JSON.stringify((await asProgrammeManager(t).get(`/api/families/${familyId}/history`).expect(200)).body);
    const exclusion = await school.post(`/api/families/${familyId}/exclusions`).send({ memberId, kind: 'fixed-term', startedOn: '2019-04-02', days: 2 }).expect(403);
    expect(exclusion.body).toMatchObject({ reason: 'NoSharingAgreement', message: expect.stringContaining('school') });
    expect(JSON.stringify((await asProgrammeManager(t).get(`/api/families/${familyId}/history`).expect(200)).body)).toBe(before);
  }, 120_000);
  it('takes a share without consent only under a gateway code from the register: free text or an unknown code is 400 naming the header and the codes', async () => {
    const pm = asProgrammeManager(t);
    const other = await pm
      .post('/api/families')
      .send({ reference: 'ISA-2', identifiedOn: '2019-01-10', members: [{ relationship: 'child', givenName: 'Tamsin', familyName: 'Gate', dateOfBirth: '2008-03-04' }] })
      .expect(201);
    const otherFamily = other.body.familyId as string;
    const otherMember = other.body.members[0].memberId as string;
    await pm.post(`/api/families/${otherFamily}/consents`).send({ memberId: otherMember, purpose: 'sharing', given: false, on: '2019-02-01' }).expect(201);
    // Registered, under an agreement in force for education that relies on the Children Act 2004.
    await admin.post('/api/partners').send({ organisation: 'school', name: 'Synthetic Borough Schools', kind: 'school' }).expect(201);
    await admin
      .post('/api/partners/school/agreements')
      .send({ reference: 'ISA-SCHOOL-2019', startsOn: '2019-04-01', endsOn: '2020-03-31', gateways: ['children-act-2004'], shares: ['education'], receives: [] })
      .expect(201);
    const school = await signedInAs(t, 'partner', { organisation: 'school' });
    const exclusion = () => school.post(`/api/families/${otherFamily}/exclusions`).send({ memberId: otherMember, kind: 'fixed-term', startedOn: '2019-03-01', days: 2 });
    const history = async () => (await pm.get(`/api/families/${otherFamily}/history`).expect(200)).body;
    const before = JSON.stringify(await history());
    for (const text of ['Crime and Disorder Act 1998 s115', 'CDA-1998-S115', 'section 115', 'dpa-2019']) {
      const refused = await exclusion().set('X-Legal-Basis', text).expect(400);
      expect(refused.body.details).toEqual([{ field: 'X-Legal-Basis', message: expect.stringContaining('cda-1998-s115') }]);
      for (const code of ['dpa-2018', 'children-act-1989', 'wra-2012', 'lga-1972']) expect(refused.body.details[0].message).toContain(code);
    }
    expect(JSON.stringify(await history())).toBe(before); // nothing recorded
    expect((await exclusion().expect(422)).body.reason).toBe('SharingConsentWithdrawn');

    // A partner names a gateway its agreement in force relies on, not any law of the register.
    const outside = await exclusion().set('X-Legal-Basis', 'children-act-1989').expect(403);
    expect(outside.body).toMatchObject({ reason: 'GatewayNotInAgreement', message: expect.stringContaining('children-act-2004') });
    expect((await exclusion().set('X-Legal-Basis', 'free text').expect(400)).body.details[0].field).toBe('X-Legal-Basis');
    await exclusion().set('X-Legal-Basis', 'children-act-2004').expect(201);
    expect((await exclusion().expect(422)).body.reason).toBe('SharingConsentWithdrawn');
  }, 120_000);
});
