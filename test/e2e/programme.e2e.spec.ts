import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { api, countEvents, expectErrorShape, fieldsNamed } from '../support/families-fixture';

// API.md "Programme set-up" through the real app: the programme, Outcome Plan versions and claim
// windows, with their refusals and idempotent retries.

const programme = { councilName: 'Synthetic Borough (e2e)', framework: 'troubled-families-2015', allocation: 1990 };
const window = { windowId: '2016-17-w1', opensOn: '2016-10-01', closesOn: '2016-10-31', expectedPaymentOn: '2016-12-15' };

describe.each(storeKinds)('programme set-up over HTTP on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('the programme', () => {
    it('answers 404 ProgrammeNotConfigured before it is set up', async () => {
      const res = await api(t).get('/api/programme').expect(404);
      expectErrorShape(res.body, 404);
      expect(res.body.reason).toBe('ProgrammeNotConfigured');
    });

    it('sets up the programme and answers it, defaulting the fee basis to actual', async () => {
      const res = await api(t).put('/api/programme').send(programme).expect(200);
      expect(res.body).toMatchObject({ ...programme, configured: true, attachmentFeeBasis: 'actual', familiesAttached: 0, placesLeft: 1990 });
      expect(res.headers.etag).toBe(`"${res.body.version}"`);
      const got = await api(t).get('/api/programme').expect(200);
      expect(got.body).toEqual(res.body);
      expect(got.headers.etag).toBe(`"${res.body.version}"`);
    });

    it('records nothing when the same programme is PUT again', async () => {
      const before = await countEvents(t);
      const first = await api(t).get('/api/programme').expect(200);
      const res = await api(t).put('/api/programme').send(programme).expect(200);
      expect(res.body).toEqual(first.body);
      expect(await countEvents(t)).toBe(before);
    });

    it('records a change of allocation or fee basis', async () => {
      const before = await countEvents(t);
      const res = await api(t)
        .put('/api/programme')
        .send({ ...programme, allocation: 2000, attachmentFeeBasis: 'profile' })
        .expect(200);
      expect(res.body).toMatchObject({ allocation: 2000, attachmentFeeBasis: 'profile', placesLeft: 2000 });
      expect(await countEvents(t)).toBe(before + 1);
      await api(t)
        .put('/api/programme')
        .send({ ...programme, attachmentFeeBasis: 'actual' })
        .expect(200);
    });

    it.each([
      ['a negative allocation', { ...programme, allocation: -1 }, 'allocation'],
      ['a fractional allocation', { ...programme, allocation: 2.5 }, 'allocation'],
      ['an allocation given as text', { ...programme, allocation: '1990' }, 'allocation'],
      ['an unknown framework', { ...programme, framework: 'supporting-families-2030' }, 'framework'],
      ['an unknown fee basis', { ...programme, attachmentFeeBasis: 'quarterly' }, 'attachmentFeeBasis'],
      ['a missing council name', { framework: programme.framework, allocation: 10 }, 'councilName'],
      ['an unknown field', { ...programme, allocations: 3 }, 'allocations'],
    ])('refuses %s with 400 naming the field, recording nothing', async (_what, body, field) => {
      const before = await countEvents(t);
      const res = await api(t).put('/api/programme').send(body).expect(400);
      expectErrorShape(res.body, 400);
      expect(fieldsNamed(res.body)).toContain(field);
      expect(await countEvents(t)).toBe(before);
    });

    it('names every bad field of one body', async () => {
      const res = await api(t).put('/api/programme').send({ councilName: '', framework: 'x', allocation: -1, extra: true }).expect(400);
      expect(fieldsNamed(res.body)).toEqual(expect.arrayContaining(['councilName', 'framework', 'allocation', 'extra']));
    });

    it('refuses a body that is not a JSON object', async () => {
      const res = await api(t).put('/api/programme').set('Content-Type', 'application/json').send('[1,2]').expect(400);
      expectErrorShape(res.body, 400);
    });
  });

  describe('Outcome Plan versions', () => {
    it('lists version 1, the default plan of DOMAIN.md 4.1', async () => {
      const res = await api(t).get('/api/outcome-plans').expect(200);
      expect(res.body.versions[0]).toMatchObject({
        version: 1,
        effectiveFrom: '2015-04-01',
        scope: 'at-entry',
        parameters: { education: { attendanceThresholdPercent: 90, termsRequired: 3, maxFixedTermExclusions: 2 }, worklessness: { employedWeeks: 13 } },
      });
    });

    it('records version 2 from a later date, keeping version 1 unchanged', async () => {
      const res = await api(t)
        .post('/api/outcome-plans')
        .send({ effectiveFrom: '2017-04-01', scope: 'at-entry-plus-later', parameters: { education: { attendanceThresholdPercent: 92 } } })
        .expect(201);
      expect(res.body).toMatchObject({ version: 2 });
      const list = await api(t).get('/api/outcome-plans').expect(200);
      expect(list.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
      expect(list.body.versions[0].parameters.education.attendanceThresholdPercent).toBe(90);
      expect(list.body.versions[1]).toMatchObject({
        effectiveFrom: '2017-04-01',
        scope: 'at-entry-plus-later',
        parameters: { education: { attendanceThresholdPercent: 92, termsRequired: 3 } },
      });
    });

    it('refuses a version that does not take effect after the previous one (422 EffectiveFromNotAfterPrevious)', async () => {
      const before = await countEvents(t);
      const res = await api(t).post('/api/outcome-plans').send({ effectiveFrom: '2017-04-01', scope: 'at-entry', parameters: {} }).expect(422);
      expectErrorShape(res.body, 422);
      expect(res.body.reason).toBe('EffectiveFromNotAfterPrevious');
      expect(await countEvents(t)).toBe(before);
    });

    it('refuses a parameter out of its range (422 InvalidOutcomePlanParameter)', async () => {
      const before = await countEvents(t);
      const res = await api(t)
        .post('/api/outcome-plans')
        .send({ effectiveFrom: '2018-04-01', scope: 'at-entry', parameters: { education: { attendanceThresholdPercent: 140 } } })
        .expect(422);
      expect(res.body.reason).toBe('InvalidOutcomePlanParameter');
      expect(await countEvents(t)).toBe(before);
    });

    it.each([
      ['an invalid date', { effectiveFrom: '2018-02-30', scope: 'at-entry', parameters: {} }, 'effectiveFrom'],
      ['an unknown scope', { effectiveFrom: '2018-04-01', scope: 'everything', parameters: {} }, 'scope'],
      ['parameters that are not an object', { effectiveFrom: '2018-04-01', scope: 'at-entry', parameters: 'none' }, 'parameters'],
      ['an unknown field', { effectiveFrom: '2018-04-01', scope: 'at-entry', parameters: {}, version: 9 }, 'version'],
    ])('refuses %s with 400 naming the field', async (_what, body, field) => {
      const before = await countEvents(t);
      const res = await api(t).post('/api/outcome-plans').send(body).expect(400);
      expectErrorShape(res.body, 400);
      expect(fieldsNamed(res.body)).toContain(field);
      expect(await countEvents(t)).toBe(before);
    });

    it('answers a retry with the same Idempotency-Key with the first answer and records one version', async () => {
      const body = { effectiveFrom: '2018-09-01', scope: 'at-entry', parameters: { health: { windowMonths: 9 } } };
      const first = await api(t).post('/api/outcome-plans').set('Idempotency-Key', 'plan-2018-09').send(body).expect(201);
      const after = await countEvents(t);
      const retry = await api(t).post('/api/outcome-plans').set('Idempotency-Key', 'plan-2018-09').send(body).expect(201);
      expect(retry.body).toEqual(first.body);
      expect(await countEvents(t)).toBe(after);
      const list = await api(t).get('/api/outcome-plans').expect(200);
      expect(list.body.versions.filter((v: { effectiveFrom: string }) => v.effectiveFrom === '2018-09-01')).toHaveLength(1);
    });

    it.each([
      ['an unknown parameter group (a typo)', '2019-06-01', { educaton: { attendanceThresholdPercent: 92 } }],
      ['an unknown parameter', '2019-07-01', { education: { attendanceThresholdPercnt: 92 } }],
      ['a group that is not an object', '2019-08-01', { childrenInNeed: [6] }],
    ])('refuses %s in the parameters with 400 or 422, recording nothing', async (_what, effectiveFrom, parameters) => {
      // Each takes effect after the one before, so a version wrongly recorded does not mask the next.
      const before = await countEvents(t);
      const res = await api(t).post('/api/outcome-plans').send({ effectiveFrom, scope: 'at-entry', parameters });
      expect([400, 422]).toContain(res.status);
      expectErrorShape(res.body, res.status);
      expect(await countEvents(t)).toBe(before);
    });
  });

  describe('claim windows', () => {
    it('defines a window and lists it', async () => {
      const res = await api(t).post('/api/claim-windows').send(window).expect(201);
      expect(res.body).toMatchObject(window);
      expect(res.headers.etag).toBe(`"${res.body.version}"`);
      const list = await api(t).get('/api/claim-windows').expect(200);
      expect(list.body.windows).toEqual([window]);
    });

    it('refuses a second window with the same id (409 ClaimWindowExists)', async () => {
      const before = await countEvents(t);
      const res = await api(t)
        .post('/api/claim-windows')
        .send({ ...window, closesOn: '2016-11-30' })
        .expect(409);
      expectErrorShape(res.body, 409);
      expect(res.body.reason).toBe('ClaimWindowExists');
      expect(await countEvents(t)).toBe(before);
    });

    it('refuses a window that closes before it opens (422 EndBeforeStart)', async () => {
      const before = await countEvents(t);
      const res = await api(t)
        .post('/api/claim-windows')
        .send({ ...window, windowId: '2016-17-w2', opensOn: '2017-01-10', closesOn: '2017-01-01' })
        .expect(422);
      expect(res.body.reason).toBe('EndBeforeStart');
      expect(await countEvents(t)).toBe(before);
    });

    it('refuses payment expected before the window closes (422 PaymentBeforeClose)', async () => {
      const res = await api(t)
        .post('/api/claim-windows')
        .send({ ...window, windowId: '2016-17-w3', expectedPaymentOn: '2016-10-15' })
        .expect(422);
      expect(res.body.reason).toBe('PaymentBeforeClose');
    });

    it.each([
      ['an invalid date', { ...window, windowId: 'w-bad-date', opensOn: '2016-02-30' }, 'opensOn'],
      ['a window id with spaces', { ...window, windowId: 'window one' }, 'windowId'],
      ['a missing expected payment date', { windowId: 'w-missing', opensOn: window.opensOn, closesOn: window.closesOn }, 'expectedPaymentOn'],
      ['an unknown field', { ...window, windowId: 'w-extra', amountPence: 80000 }, 'amountPence'],
    ])('refuses %s with 400 naming the field', async (_what, body, field) => {
      const res = await api(t).post('/api/claim-windows').send(body).expect(400);
      expectErrorShape(res.body, 400);
      expect(fieldsNamed(res.body)).toContain(field);
    });

    it('answers a retry with the same Idempotency-Key with the first answer and records one event', async () => {
      const body = { ...window, windowId: '2017-18-w1', opensOn: '2017-10-01', closesOn: '2017-10-31', expectedPaymentOn: '2017-12-15' };
      const first = await api(t).post('/api/claim-windows').set('Idempotency-Key', 'window-2017-18-w1').send(body).expect(201);
      const after = await countEvents(t);
      const retry = await api(t).post('/api/claim-windows').set('Idempotency-Key', 'window-2017-18-w1').send(body).expect(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.etag).toBe(first.headers.etag);
      expect(await countEvents(t)).toBe(after);
      const list = await api(t).get('/api/claim-windows').expect(200);
      expect(list.body.windows.map((w: { windowId: string }) => w.windowId)).toEqual(['2016-17-w1', '2017-18-w1']);
    });

    it('refuses an Idempotency-Key longer than 200 characters with 400 naming the header', async () => {
      const res = await api(t)
        .post('/api/claim-windows')
        .set('Idempotency-Key', 'k'.repeat(201))
        .send({ ...window, windowId: 'w-long-key' })
        .expect(400);
      expect(fieldsNamed(res.body)).toContain('Idempotency-Key');
    });
  });
});
