import { createHash } from 'node:crypto';
import { parseString } from 'fast-csv';
import { PDFParse } from 'pdf-parse';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { startSeededTestApp } from '../support/demo-borough';
import { type Client, asAdmin, asProgrammeManager, signedInAs } from '../support/signed-in';
import { atIndex, must } from '@ledger/domain';

/**
 * Issue 23.2 and 23.4: a subject access export of a demo person holds their personal data, the
 * reads of their records and the ONS transfers that included them, and nothing about anyone else
 * (another member of their family, another family); it is itself logged. ONS exports are
 * transfers on record (agreement, people, file hash, opt-outs applied, destruction), and a person
 * who opts out after a transfer is listed for the evaluator. An erased person's export is a
 * statement of the erasure.
 */
describe.each(storeKinds)('subject access and ONS transfers on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let pm: Client;
  let analyst: Client;
  let rows: Record<string, string>[];
  let person: Record<string, string>;
  let sibling: Record<string, string>;
  let stranger: Record<string, string>;
  let transferId: string;

  beforeAll(async () => {
    t = await startSeededTestApp(kind, { LEDGER_DEMO_FAMILIES: '40', LEDGER_DEMO_SEED: '7', LEDGER_ONS_AGREEMENT: 'ONS-DSA-2015-017' }, { clock: { now: () => new Date('2019-04-20T10:00:00Z') } });
    admin = asAdmin(t);
    pm = asProgrammeManager(t);
    analyst = await signedInAs(t, 'analyst');
  }, 480_000);
  afterAll(async () => {
    await t.close();
  });

  it('records each ONS export as a transfer under the data agreement, with its hash, and its destruction later', async () => {
    const res = await analyst.post('/api/exports/ons-evaluation').send({ from: '2015-01-01', to: '2019-03-31' }).buffer(true).expect(201);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    transferId = must(res.headers['x-transfer-id'], 'X-Transfer-Id');
    expect(res.headers['x-file-sha256']).toBe(createHash('sha256').update(res.text, 'utf8').digest('hex'));
    rows = await readCsv(res.text);
    expect(rows.length).toBeGreaterThan(10);
    // A person with a differently named member of the same family in the file, and someone of another family.
    const byFamily = new Map<string, Record<string, string>[]>();
    for (const r of rows) {
      const familyId = must(r.family_id, 'family_id');
      byFamily.set(familyId, [...(byFamily.get(familyId) ?? []), r]);
    }
    const family = [...byFamily.values()].find(
      (members) => members.length >= 2 && members[0]?.given_name !== members[1]?.given_name && members[0]?.date_of_birth !== members[1]?.date_of_birth,
    ) as Record<string, string>[];
    [person, sibling] = [atIndex(family, 0), atIndex(family, 1)];
    stranger = rows.find((r) => r.family_id !== person.family_id && r.given_name !== person.given_name && r.family_name !== person.family_name) as Record<string, string>;

    const transfers = (await admin.get('/api/ons-transfers').expect(200)).body.transfers;
    expect(transfers).toEqual([
      expect.objectContaining({
        transferId,
        agreementReference: 'ONS-DSA-2015-017',
        from: '2015-01-01',
        to: '2019-03-31',
        transferredOn: '2019-04-20',
        transferredBy: analyst.username,
        people: rows.length,
        families: byFamily.size,
        fileSha256: res.headers['x-file-sha256'],
        optOutsApplied: expect.any(Number),
        destruction: null,
      }),
    ]);
    expect(transfers[0].terms).toContain('no re-identification of any person');
    expect(transfers[0]).not.toHaveProperty('memberIds');

    // The GET kept for existing callers is a transfer too.
    const again = await analyst.get('/api/exports/ons-evaluation.csv').query({ from: '2015-01-01', to: '2019-03-31' }).buffer(true).expect(200);
    expect((await admin.get('/api/ons-transfers').expect(200)).body.transfers.map((x: { transferId: string }) => x.transferId)).toEqual([transferId, again.headers['x-transfer-id']]);
    expect((await analyst.post('/api/exports/ons-evaluation').send({ from: '2019-13-01', to: '2019-03-31' }).expect(400)).body.details[0].field).toBe('from');
    await pm.post('/api/exports/ons-evaluation').send({ from: '2015-01-01', to: '2019-03-31' }).expect(403);

    const bad = await analyst.post(`/api/ons-transfers/${transferId}/destruction`).send({ confirmedOn: '2019-04-21', reference: 'ONS-DC-1' }).expect(400);
    expect(bad.body.details[0].field).toBe('confirmedOn');
    expect((await analyst.post(`/api/ons-transfers/${transferId}/destruction`).send({ confirmedOn: '2019-04-20', reference: 'ONS-DC-1' }).expect(200)).body.destruction).toEqual({
      confirmedOn: '2019-04-20',
      reference: 'ONS-DC-1',
      recordedBy: analyst.username,
    });
    await analyst.post('/api/ons-transfers/00000000-0000-4000-8000-000000000000/destruction').send({ confirmedOn: '2019-04-20', reference: 'ONS-DC-1' }).expect(404);
  }, 120_000);

  it('lists a person who opts out after a transfer that included them, for notification to the evaluator', async () => {
    expect((await admin.get('/api/ons-transfers/opt-outs').expect(200)).body.notifications).toEqual([]);
    await pm.post(`/api/families/${sibling.family_id}/consents`).send({ memberId: sibling.member_id, purpose: 'evaluation', given: false, on: '2019-04-20' }).expect(201);
    const notifications = (await analyst.get('/api/ons-transfers/opt-outs').expect(200)).body.notifications as { transferId: string; memberId: string }[];
    expect(notifications.filter((n) => n.transferId === transferId)).toEqual([
      expect.objectContaining({ transferId, agreementReference: 'ONS-DSA-2015-017', memberId: sibling.member_id, familyId: sibling.family_id, optedOutOn: '2019-04-20', fileDestroyed: true }),
    ]);
    // The next file leaves them out, and counts the opt-out applied.
    const next = await analyst.post('/api/exports/ons-evaluation').send({ from: '2015-01-01', to: '2019-03-31' }).buffer(true).expect(201);
    expect(next.text).not.toContain(sibling.member_id);
    const transfers = (await admin.get('/api/ons-transfers').expect(200)).body.transfers as { transferId: string; optOutsApplied: number; people: number }[];
    const [first, , last] = transfers;
    expect(last).toMatchObject({
      transferId: next.headers['x-transfer-id'],
      optOutsApplied: must(first, 'the first transfer').optOutsApplied + 1,
      people: must(first, 'the first transfer').people - 1,
    });
  }, 120_000);

  it("exports a demo person's data, the reads of it and the transfers that included them, and nothing about anyone else; the export is logged", async () => {
    await pm.get(`/api/families/${person.family_id}`).set('X-Access-Purpose', 'home visit planning').expect(200);
    const bad = await admin.post('/api/data-subject-requests').send({ memberId: person.member_id, kind: 'access', reference: 'DSR 2019/1 Mrs X', receivedOn: '2019-04-21' }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['reference']);
    await admin.post('/api/data-subject-requests').send({ memberId: '00000000-0000-4000-8000-000000000000', kind: 'access', reference: 'DSR-2019-000', receivedOn: '2019-04-15' }).expect(404);
    await pm.post('/api/data-subject-requests').send({ memberId: person.member_id, kind: 'access', reference: 'DSR-2019-001', receivedOn: '2019-04-15' }).expect(403);
    const request = (await admin.post('/api/data-subject-requests').send({ memberId: person.member_id, kind: 'access', reference: 'DSR-2019-001', receivedOn: '2019-03-15' }).expect(201)).body;
    expect(request).toMatchObject({ memberId: person.member_id, familyId: person.family_id, kind: 'access', receivedOn: '2019-03-15', dueOn: '2019-04-15', status: 'overdue', respondedOn: null });

    const x = (await admin.get(`/api/data-subject-requests/${request.requestId}/export.json`).expect(200)).body;
    expect(x.person).toMatchObject({ memberId: person.member_id, status: 'held', familyReference: person.family_reference });
    expect(x.personalData[0].fields).toMatchObject({ givenName: person.given_name, familyName: person.family_name, dateOfBirth: person.date_of_birth });
    expect(x.reads).toContainEqual(
      expect.objectContaining({ userId: pm.username, role: 'programme-manager', route: 'GET /api/families/:familyId', purpose: 'home visit planning', outcome: 'served' }),
    );
    expect(x.reads).toContainEqual(expect.objectContaining({ userId: analyst.username, route: 'POST /api/exports/ons-evaluation', purpose: 'ONS evaluation linkage' }));
    expect(x.onsTransfers.map((o: { transferId: string }) => o.transferId)).toContain(transferId);
    expect(x.onsTransfers.find((o: { transferId: string }) => o.transferId === transferId)).toMatchObject({
      agreementReference: 'ONS-DSA-2015-017',
      transferredOn: '2019-04-20',
      destroyedOn: '2019-04-20',
    });
    expect(x.facts.every((f: { data: Record<string, unknown> }) => f.data.memberId === person.member_id)).toBe(true);
    const json = JSON.stringify(x);
    expect(leaks(json, person)).toEqual([]);

    const pdf = await pdfText((await admin.get(`/api/data-subject-requests/${request.requestId}/export.pdf`).buffer(true).parse(binary).expect(200)).body as Buffer);
    expect(pdf).toContain(person.given_name);
    expect(pdf).toContain(person.family_name);
    expect(pdf).toContain(transferId);
    expect(pdf).toContain('DSR-2019-001');
    expect(pdf).toContain('home visit planning');
    expect(leaks(pdf, person)).toEqual([]);

    const log = (await admin.get('/api/audit/access-log').query({ memberId: person.member_id, limit: 10 }).expect(200)).body.entries as { route: string; purpose: string; userId: string }[];
    expect(log[0]).toMatchObject({ route: 'GET /api/data-subject-requests/:requestId/export.pdf', purpose: 'subject access request', userId: 'admin.root' });
    expect(log[1]).toMatchObject({ route: 'GET /api/data-subject-requests/:requestId/export.json', purpose: 'subject access request' });
    await pm.get(`/api/data-subject-requests/${request.requestId}/export.json`).expect(403);
    await admin.get('/api/data-subject-requests/00000000-0000-4000-8000-000000000000/export.json').expect(404);

    expect((await admin.post(`/api/data-subject-requests/${request.requestId}/response`).send({ respondedOn: '2019-04-20' }).expect(200)).body).toMatchObject({
      respondedOn: '2019-04-20',
      status: 'answered',
    });
  }, 120_000);

  it('answers for an erased person with a statement that their data was erased, and when', async () => {
    await admin.post(`/api/people/${stranger.member_id}/erasure`).send({ reason: 'request from the data subject (ref DSR-2019-002)' }).expect(202);
    const request = (await admin.post('/api/data-subject-requests').send({ memberId: stranger.member_id, kind: 'access', reference: 'DSR-2019-003', receivedOn: '2019-04-20' }).expect(201)).body;
    expect(request).toMatchObject({ dueOn: '2019-05-20', status: 'open' });
    const x = (await admin.get(`/api/data-subject-requests/${request.requestId}/export.json`).expect(200)).body;
    expect(x.person).toMatchObject({ memberId: stranger.member_id, status: 'erased', erasedAt: '2019-04-20T10:00:00.000Z' });
    expect(x.statement).toMatch(/erased on 2019-04-20/);
    expect(x.personalData).toEqual([]);
    expect(JSON.stringify(x)).not.toContain(stranger.given_name);
    const pdf = await pdfText((await admin.get(`/api/data-subject-requests/${request.requestId}/export.pdf`).buffer(true).parse(binary).expect(200)).body as Buffer);
    expect(pdf).toMatch(/Personal data erased/);
    expect(pdf).toMatch(/erased on 2019-04-20/);
    const listed = (await admin.get('/api/data-subject-requests').expect(200)).body.requests as { requestId: string; status: string }[];
    expect(listed.map((r) => r.status).sort()).toEqual(['answered', 'open']);
  }, 120_000);

  it("applies an objection as consent withdrawn and a rectification as a correction, each linked to the person's request", async () => {
    const objection = (await admin.post('/api/data-subject-requests').send({ memberId: person.member_id, kind: 'objection', reference: 'DSR-2019-010', receivedOn: '2019-04-18' }).expect(201)).body;
    const access = (await admin.get('/api/data-subject-requests').expect(200)).body.requests.find((r: { kind: string; memberId: string }) => r.kind === 'access' && r.memberId === person.member_id);
    expect((await pm.post(`/api/data-subject-requests/${access.requestId}/objection`).send({ purpose: 'sharing', on: '2019-04-18' }).expect(422)).body.reason).toBe('WrongRequestKind');
    expect((await pm.post(`/api/data-subject-requests/${objection.requestId}/objection`).send({ purpose: 'gossip', on: '2019-04-18' }).expect(400)).body.details[0].field).toBe('purpose');
    const objected = (await pm.post(`/api/data-subject-requests/${objection.requestId}/objection`).send({ purpose: 'sharing', on: '2019-04-18' }).expect(201)).body;
    expect(objected.actions).toEqual([{ eventIds: [expect.any(String)], what: 'consent to sharing withdrawn from 2019-04-18 (request DSR-2019-010)', on: '2019-04-20' }]);

    const activity = (await pm.post(`/api/families/${person.family_id}/activities`).send({ memberId: person.member_id, activity: 'neet', on: '2019-04-01' }).expect(201)).body;
    const siblingActivity = (await pm.post(`/api/families/${person.family_id}/activities`).send({ memberId: sibling.member_id, activity: 'neet', on: '2019-04-01' }).expect(201)).body;
    const rectification = (await admin.post('/api/data-subject-requests').send({ memberId: person.member_id, kind: 'rectification', reference: 'DSR-2019-011', receivedOn: '2019-04-19' }).expect(201))
      .body;
    const replacement = { path: 'activities', body: { memberId: person.member_id, activity: 'education', on: '2019-04-01' } };
    expect((await pm.post(`/api/data-subject-requests/${rectification.requestId}/corrections`).send({ supersedesEventId: siblingActivity.eventId, replacement }).expect(422)).body.reason).toBe(
      'NotThisPersonsFact',
    );
    await pm
      .post(`/api/data-subject-requests/${rectification.requestId}/corrections`)
      .send({ supersedesEventId: activity.eventId, replacement: { ...replacement, body: { ...replacement.body, memberId: sibling.member_id } } })
      .expect(400);
    const corrected = (
      await pm.post(`/api/data-subject-requests/${rectification.requestId}/corrections`).send({ supersedesEventId: activity.eventId, replacement, reason: 'was in college' }).expect(201)
    ).body;
    expect(corrected.actions).toEqual([{ eventIds: expect.any(Array), what: 'ActivityChanged corrected (request DSR-2019-011)', on: '2019-04-20' }]);

    // The person's subject access export shows both.
    const x = (await admin.get(`/api/data-subject-requests/${access.requestId}/export.json`).expect(200)).body;
    expect(x.facts).toContainEqual(expect.objectContaining({ eventId: objected.actions[0].eventIds[0], type: 'ConsentRecorded', data: expect.objectContaining({ purpose: 'sharing', given: false }) }));
    expect(x.corrections).toContainEqual(expect.objectContaining({ supersededEventId: activity.eventId, supersededType: 'ActivityChanged', reason: 'was in college' }));
    expect(x.facts.find((f: { eventId: string }) => f.eventId === activity.eventId).supersededBy).toEqual(expect.any(String));
    expect(leaks(JSON.stringify(x), person)).toEqual([]);
  }, 120_000);

  /** Anything of the sibling's or the stranger's in a text about `who`. */
  function leaks(text: string, who: Record<string, string>): string[] {
    const found: string[] = [];
    for (const other of [sibling, stranger]) {
      if (text.includes(must(other.member_id, 'member_id'))) found.push(`member id of ${other.member_id}`);
      if (other.given_name !== who.given_name && new RegExp(`\\b${other.given_name}\\b`).test(text)) found.push(`given name ${other.given_name}`);
      if (other.date_of_birth !== who.date_of_birth && text.includes(must(other.date_of_birth, 'date_of_birth'))) found.push(`date of birth ${other.date_of_birth}`);
    }
    if (text.includes(must(stranger.family_id, 'family_id'))) found.push('the stranger family id');
    return found;
  }
});

function readCsv(text: string): Promise<Record<string, string>[]> {
  return new Promise((resolve, reject) => {
    const rows: Record<string, string>[] = [];
    parseString(text, { headers: true })
      .on('data', (row: Record<string, string>) => rows.push(row))
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

function binary(res: import('supertest').Response, done: (error: Error | null, body: unknown) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

async function pdfText(pdf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}
