import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eraseImportRowsDue, retentionPeriods } from '@ledger/application';
import { IMPORT_SOURCES, ImportService, type ImportSource, SOURCE_ORGANISATION } from '@ledger/imports';
import { KeyVault } from '@ledger/privacy';
import { streams, atIndex, must } from '@ledger/domain';
import { startTestApp, storeKinds, type TestApp, TEST_MASTER_KEY } from '../support/app';
import { countEvents } from '../support/families-fixture';
import { type Client, asAdmin, asProgrammeManager, signedInAs, signedInPartner } from '../support/signed-in';
import { testEnv } from '../support/test-env';

const root = join(__dirname, '..', '..');
const sample = (source: ImportSource) => join(root, 'docs', 'samples', `${source}.csv`);

/** The family the sample files in docs/samples are about (docs/imports.md). */
const FLETCHERS = {
  reference: 'IMP-FLETCHER',
  identifiedOn: '2016-01-15',
  members: [
    { relationship: 'parent', givenName: 'Dana', familyName: 'Fletcher', dateOfBirth: '1985-03-14', postcode: 'BN1 1AA', nationalInsuranceNumber: 'QQ123456A', nhsNumber: '9434765919' },
    { relationship: 'parent', givenName: 'Lee', familyName: 'Fletcher', dateOfBirth: '1983-11-02', postcode: 'BN1 1AA', nationalInsuranceNumber: 'QQ654321B' },
    { relationship: 'child', givenName: 'Kai', familyName: 'Fletcher', dateOfBirth: '2006-09-21', postcode: 'BN1 1AA', uniquePupilNumber: 'A123456789012' },
    { relationship: 'child', givenName: 'Mia', familyName: 'Fletcher', dateOfBirth: '2009-05-07', postcode: 'BN1 1AA' },
  ],
};

/** What each sample records (docs/samples): rows, recorded, held for review, and matches by method. */
const EXPECTED: Record<ImportSource, { rows: number; recorded: number; review: number; matched: Record<string, number> }> = {
  'school-attendance': { rows: 4, recorded: 4, review: 0, matched: { identifier: 2, deterministic: 1, probabilistic: 1 } },
  'school-exclusions': { rows: 1, recorded: 1, review: 0, matched: { identifier: 1, deterministic: 0, probabilistic: 0 } },
  'police-offences': { rows: 2, recorded: 2, review: 0, matched: { identifier: 0, deterministic: 2, probabilistic: 0 } },
  'police-asb': { rows: 2, recorded: 1, review: 1, matched: { identifier: 0, deterministic: 1, probabilistic: 0 } },
  'dwp-benefits': { rows: 3, recorded: 3, review: 0, matched: { identifier: 3, deterministic: 0, probabilistic: 0 } },
  'dwp-employment': { rows: 1, recorded: 1, review: 0, matched: { identifier: 1, deterministic: 0, probabilistic: 0 } },
  health: { rows: 2, recorded: 2, review: 0, matched: { identifier: 2, deterministic: 0, probabilistic: 0 } },
  'social-care': { rows: 1, recorded: 1, review: 0, matched: { identifier: 0, deterministic: 1, probabilistic: 0 } },
  housing: { rows: 1, recorded: 1, review: 0, matched: { identifier: 0, deterministic: 1, probabilistic: 0 } },
};

describe.each(storeKinds)('partner files imported in bulk on %s', (kind) => {
  let t: TestApp;
  let pm: Client;
  const partner = {} as Record<string, Client>;
  const partnerOf = (organisation: string): Client => must(partner[organisation], `the ${organisation} partner`);
  let familyId: string;
  let memberIds: string[];
  const importIds = {} as Record<ImportSource, string>;

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock: { now: () => new Date('2019-04-20T10:00:00Z') } });
    pm = asProgrammeManager(t);
    const identified = await pm.post('/api/families').send(FLETCHERS).expect(201);
    familyId = identified.body.familyId;
    memberIds = identified.body.members.map((m: { memberId: string }) => m.memberId);
    for (const organisation of new Set(Object.values(SOURCE_ORGANISATION))) partner[organisation] = await signedInPartner(t, organisation);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  const rawFamily = async () => (await t.stores.eventStore.readStream(streams.family(familyId))).events;

  it("imports each source's sample file through the API, by its own partner, with its report", async () => {
    for (const source of IMPORT_SOURCES) {
      const res = await partnerOf(SOURCE_ORGANISATION[source]).post(`/api/imports/${source}`).attach('file', sample(source)).expect(201);
      const expected = EXPECTED[source];
      expect({ source, rows: res.body.rows, recorded: res.body.recorded, review: res.body.queuedForReview, rejected: res.body.rejected, matched: res.body.matched }).toEqual({
        source,
        rows: expected.rows,
        recorded: expected.recorded,
        review: expected.review,
        rejected: 0,
        matched: expected.matched,
      });
      importIds[source] = res.body.importId;
    }
    // Every imported event names its file, row, match method and confidence.
    const imported = (await rawFamily()).filter((e) => e.metadata.import !== undefined);
    expect(imported).toHaveLength(Object.values(EXPECTED).reduce((n, e) => n + e.recorded, 0));
    for (const e of imported)
      expect(e.metadata.import).toEqual(
        expect.objectContaining({
          importId: expect.any(String),
          file: expect.stringMatching(/^[0-9a-f]{64}$/),
          line: expect.any(Number),
          matchMethod: expect.any(String),
          matchConfidence: expect.any(Number),
        }),
      );
    const attendance = imported.filter((e) => e.type === 'SchoolAttendanceRecorded');
    expect(attendance.map((e) => [e.data.memberId, (e.metadata.import as { line: number }).line, (e.metadata.import as { matchMethod: string }).matchMethod])).toEqual([
      [memberIds[2], 2, 'identifier'],
      [memberIds[2], 3, 'identifier'],
      [memberIds[3], 4, 'deterministic'],
      [memberIds[3], 5, 'probabilistic'],
    ]);
  }, 120_000);

  it('keeps every name, identifier and free text sealed in the store, the review queue included', async () => {
    const everything: unknown[] = [];
    for (let after = null as Awaited<ReturnType<typeof t.stores.eventStore.readAll>>['next']; ;) {
      const read = await t.stores.eventStore.readAll({ after, limit: 1_000 });
      everything.push(...read.events.map((e) => [e.data, e.metadata]));
      after = read.next;
      if (read.endOfLog) break;
    }
    const stored = JSON.stringify(everything);
    for (const clear of ['Fletcher', 'Smith', 'QQ123456A', 'A123456789012', '9434765919', 'anxiety', 'noise nuisance', 'theft'])
      expect({ clear, found: stored.includes(clear) }).toEqual({ clear, found: false });
  });

  it('records nothing when the same files come again', async () => {
    const before = await countEvents(t);
    for (const source of IMPORT_SOURCES) {
      const again = await partnerOf(SOURCE_ORGANISATION[source]).post(`/api/imports/${source}`).attach('file', sample(source)).expect(200);
      expect(again.body).toMatchObject({ importId: importIds[source], alreadyImported: true });
    }
    expect(await countEvents(t)).toBe(before);
  }, 120_000);

  it("answers the report and its CSV to the importer's organisation, and refuses another partner's kind of file", async () => {
    const report = await partnerOf('police').get(`/api/imports/${importIds['police-asb']}`).expect(200);
    expect(report.body.lines).toEqual([{ line: 3, outcome: 'review', reason: 'BelowMatchThreshold', confidence: expect.any(Number), reviewId: expect.any(String) }]);
    const csv = await pm.get(`/api/imports/${importIds['police-asb']}/report.csv`).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text).toContain('3,review,BelowMatchThreshold');
    expect(csv.text).toContain(',queued for review,1,');
    expect((await partnerOf('school').get(`/api/imports/${importIds['police-asb']}`).expect(404)).body.reason).toBe('UnknownImport');
    const before = await countEvents(t);
    expect((await partnerOf('police').post('/api/imports/school-attendance').attach('file', sample('school-attendance')).expect(403)).body.reason).toBe('NotThisPartnersData');
    expect((await pm.post('/api/imports/parish-council').attach('file', sample('housing')).expect(400)).body.details).toEqual([
      { field: 'source', message: expect.stringContaining('school-attendance') },
    ]);
    expect(await countEvents(t)).toBe(before);
  });

  it("lists past imports newest first, a page at a time, and a partner only its own organisation's", async () => {
    const newestFirst = [...IMPORT_SOURCES].reverse().map((source) => importIds[source]);
    const first = await pm.get('/api/imports').query({ limit: 4 }).expect(200);
    expect(first.body.imports.map((i: { importId: string }) => i.importId)).toEqual(newestFirst.slice(0, 4));
    expect(first.body.imports[0]).toEqual({
      importId: importIds.housing,
      source: 'housing',
      organisation: 'housing',
      fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      recordedOn: '2019-04-20',
      recordedAt: '2019-04-20T10:00:00.000Z',
      importedBy: expect.any(String),
      legalBasisRecorded: false,
      rows: 1,
      recorded: 1,
      corrected: 0,
      alreadyRecorded: 0,
      matched: { identifier: 0, deterministic: 1, probabilistic: 0 },
      queuedForReview: 0,
      held: 0,
      rejected: 0,
      unmatched: 0,
    });
    const second = await pm.get('/api/imports').query({ limit: 4, after: first.body.next }).expect(200);
    const third = await pm.get('/api/imports').query({ limit: 4, after: second.body.next }).expect(200);
    expect([...second.body.imports, ...third.body.imports].map((i: { importId: string }) => i.importId)).toEqual(newestFirst.slice(4));
    expect(third.body.next).toBeNull();
    const police = await partnerOf('police').get('/api/imports').expect(200);
    expect(police.body).toEqual({ imports: [expect.objectContaining({ importId: importIds['police-asb'] }), expect.objectContaining({ importId: importIds['police-offences'] })], next: null });
    expect((await pm.get('/api/imports').query({ limit: 0 }).expect(400)).body.details).toEqual([{ field: 'limit', message: expect.any(String) }]);
    expect((await pm.get('/api/imports').query({ after: 'someone' }).expect(400)).body.details).toEqual([{ field: 'after', message: expect.any(String) }]);
    expect((await pm.get('/api/imports').query({ after: '00000000-0000-4000-8000-000000000000' }).expect(400)).body.details).toEqual([{ field: 'after', message: expect.any(String) }]);
  });

  it('refuses a file missing required columns as a whole, naming them, and records nothing', async () => {
    const before = await countEvents(t);
    const file = Buffer.from('reference,given_name,family_name,committed_on\r\nPO-1,Lee,Fletcher,01/01/2017\r\n');
    const res = await partnerOf('police').post('/api/imports/police-offences').attach('file', file, 'offences.csv').expect(400);
    expect(res.body).toMatchObject({ reason: 'MissingColumns', details: [{ field: 'date_of_birth' }, { field: 'proven' }] });
    expect(await countEvents(t)).toBe(before);
  });

  it('lets a programme manager confirm a held row, which records its fact for the candidate', async () => {
    const queue = await pm.get(`/api/imports/${importIds['police-asb']}/review`).expect(200);
    expect(queue.body.items).toEqual([
      expect.objectContaining({
        line: 3,
        status: 'pending',
        candidate: { memberId: memberIds[0], familyId },
        person: expect.objectContaining({ givenName: 'Dana', familyName: 'Smith' }),
        fact: expect.objectContaining({ type: 'RecordAsbIncident', occurredOn: '2016-04-20' }),
      }),
    ]);
    expect((await partnerOf('police').get(`/api/imports/${importIds['police-asb']}/review`).expect(403)).body.reason).toBe('Forbidden');
    const reviewId = queue.body.items[0].reviewId;
    const confirmed = await pm.post(`/api/imports/${importIds['police-asb']}/review/${reviewId}`).send({ decision: 'confirm' }).expect(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', familyId, eventIds: [expect.any(String)] });
    const recorded = (await rawFamily()).find((e) => e.metadata.eventId === confirmed.body.eventIds[0]);
    expect(recorded).toMatchObject({
      type: 'AsbIncidentRecorded',
      data: { memberId: memberIds[0], occurredOn: '2016-04-20' },
      metadata: { import: { matchMethod: 'review', line: 3, confirmedBy: 'pm.test' } },
    });
    expect((await pm.post(`/api/imports/${importIds['police-asb']}/review/${reviewId}`).send({ decision: 'reject' }).expect(409)).body.reason).toBe('AlreadyDecided');
    expect((await pm.post(`/api/imports/${importIds['police-asb']}/review/${reviewId}`).send({ decision: 'maybe' }).expect(400)).body.details[0].field).toBe('decision');
  });

  it('records a correction, not a duplicate, when a later file changes a row', async () => {
    const file = Buffer.from(
      [
        'reference,given_name,family_name,date_of_birth,postcode,committed_on,proven,category',
        'PO-2016-0042,Lee,Fletcher,02/11/1983,BN1 1AA,12/02/2016,yes,theft',
        'PO-2016-0077,Kai,Fletcher,21/09/2006,BN1 1AA,03/03/2016,yes,criminal damage',
      ].join('\n'),
    );
    const res = await partnerOf('police').post('/api/imports/police-offences').attach('file', file, 'reissued.csv').expect(201);
    expect(res.body).toMatchObject({ rows: 2, recorded: 0, corrected: 1, alreadyRecorded: 1 });
    const events = await rawFamily();
    const correction = events.find((e) => e.type === 'FactCorrected');
    expect(correction?.data).toMatchObject({ supersededType: 'OffenceRecorded' });
    const offences = events.filter((e) => e.type === 'OffenceRecorded' && e.data.memberId === memberIds[2]);
    expect(offences.map((e) => e.data.proven)).toEqual([false, true]);
    expect(correction?.data.supersededEventId).toBe(atIndex(offences, 0).metadata.eventId);
  });

  it('holds a row about a person who withdrew sharing consent, and records it under a legal basis', async () => {
    await pm.post(`/api/families/${familyId}/consents`).send({ memberId: memberIds[2], purpose: 'sharing', given: false, on: '2017-01-01' }).expect(201);
    const file = Buffer.from('reference,upn,given_name,family_name,date_of_birth,kind,started_on,days\nEX-1002,A123456789012,Kai,Fletcher,21/09/2006,fixed-term,06/02/2017,2\n');
    const held = await partnerOf('school').post('/api/imports/school-exclusions').attach('file', file, 'exclusions.csv').expect(201);
    expect(held.body).toMatchObject({ recorded: 0, held: 1, lines: [{ line: 2, outcome: 'held', reason: 'SharingConsentWithdrawn' }] });
    const underBasis = await partnerOf('school').post('/api/imports/school-exclusions').set('X-Legal-Basis', 'children-act-1989').attach('file', file, 'exclusions.csv').expect(201);
    expect(underBasis.body).toMatchObject({ recorded: 1, held: 0, legalBasisRecorded: true });
    const sealedBasis = (await rawFamily()).filter((e) => e.type === 'ExclusionRecorded').pop();
    expect(JSON.stringify(sealedBasis?.metadata)).not.toContain('Children Act');
  });

  it('lists people matched to no family who show two or more headline problems at one address as a candidate family', async () => {
    const offences = [
      'reference,given_name,family_name,date_of_birth,postcode,committed_on,proven',
      'PO-9001,Robin,Questley,12/06/1988,ZZ9 9ZZ,01/05/2018,yes',
      'PO-9002,Sky,Otherby,01/01/1990,YY1 1YY,01/05/2018,yes',
      'PO-9003,Jo,Unproven,01/01/1991,XX1 1XX,01/05/2018,no',
    ].join('\n');
    const police = await partnerOf('police').post('/api/imports/police-offences').attach('file', Buffer.from(offences), 'offences.csv').expect(201);
    expect(police.body).toMatchObject({ recorded: 0, unmatched: 3, lines: [{ line: 2, outcome: 'unmatched', reason: 'NoMatchingPerson' }, { line: 3 }, { line: 4 }] });
    const benefits = 'reference,given_name,family_name,date_of_birth,postcode,benefit,change,on\nJSA-9001,Ash,QUESTLEY,03/03/1986,zz99zz,JSA,started,01/06/2018\n';
    await partnerOf('dwp').post('/api/imports/dwp-benefits').attach('file', Buffer.from(benefits), 'benefits.csv').expect(201);
    // Read from the log: on PostgreSQL it shows a commit once no earlier transaction is still open
    // (other sessions' included), so the listing may trail the import by moments.
    const listed = await eventually(
      () => pm.get('/api/imports/candidate-families').expect(200),
      (res) => res.body.families.length > 0,
    );
    expect(listed.body.families).toEqual([
      {
        postcode: 'ZZ9 9ZZ',
        familyName: 'Questley',
        problems: ['crime-asb', 'worklessness'],
        people: [
          { givenName: 'Robin', familyName: 'Questley', dateOfBirth: '1988-06-12' },
          { givenName: 'Ash', familyName: 'QUESTLEY', dateOfBirth: '1986-03-03' },
        ],
        evidence: [
          { importId: police.body.importId, line: 2, source: 'police-offences', problem: 'crime-asb', shownOn: '2018-05-01' },
          { importId: expect.any(String), line: 2, source: 'dwp-benefits', problem: 'worklessness', shownOn: '2018-06-01' },
        ],
      },
    ]);
    expect((await partnerOf('police').get('/api/imports/candidate-families').expect(403)).body.reason).toBe('Forbidden');
    const stored = JSON.stringify((await t.stores.eventStore.readStream(`import-${police.body.importId}`)).events.map((e) => e.data));
    expect(stored).not.toContain('Questley');
    // Once a person identifies the family, its people match and the candidate is gone.
    await pm
      .post('/api/families')
      .send({
        reference: 'IMP-QUESTLEY',
        identifiedOn: '2018-07-01',
        members: [
          { relationship: 'parent', givenName: 'Robin', familyName: 'Questley', dateOfBirth: '1988-06-12', postcode: 'ZZ9 9ZZ' },
          { relationship: 'parent', givenName: 'Ash', familyName: 'Questley', dateOfBirth: '1986-03-03', postcode: 'ZZ9 9ZZ' },
        ],
      })
      .expect(201);
    expect(
      (
        await eventually(
          () => pm.get('/api/imports/candidate-families').expect(200),
          (res) => res.body.families.length === 0,
        )
      ).body.families,
    ).toEqual([]);
  });

  it('erasing a person reaches their rows held for review and kept for candidate families, which no longer list them', async () => {
    // Pat Erasely shows two problems in two files while on no family's record, then is identified.
    const offences = 'reference,given_name,family_name,date_of_birth,postcode,committed_on,proven\nPO-8001,Pat,Erasely,02/02/1980,QQ1 1QQ,01/05/2018,yes\n';
    const offence = await partnerOf('police').post('/api/imports/police-offences').attach('file', Buffer.from(offences), 'offences.csv').expect(201);
    const benefits = 'reference,given_name,family_name,date_of_birth,postcode,benefit,change,on\nJSA-8001,Pat,Erasely,02/02/1980,QQ1 1QQ,JSA,started,01/06/2018\n';
    const benefit = await partnerOf('dwp').post('/api/imports/dwp-benefits').attach('file', Buffer.from(benefits), 'benefits.csv').expect(201);
    expect([offence.body.unmatched, benefit.body.unmatched]).toEqual([1, 1]);
    const identified = await pm
      .post('/api/families')
      .send({ reference: 'IMP-ERASELY', identifiedOn: '2018-07-01', members: [{ relationship: 'parent', givenName: 'Pat', familyName: 'Erasely', dateOfBirth: '1980-02-02', postcode: 'QQ1 1QQ' }] })
      .expect(201);
    const pat = identified.body.members[0].memberId as string;
    // A later row about Pat under another surname is held for review, Pat its candidate.
    const asb = 'reference,given_name,family_name,date_of_birth,postcode,occurred_on,kind\nASB-8001,Pat,Smith,02/02/1980,QQ1 1QQ,01/09/2018,noise\n';
    const held = await partnerOf('police').post('/api/imports/police-asb').attach('file', Buffer.from(asb), 'asb.csv').expect(201);
    expect(held.body).toMatchObject({ queuedForReview: 1 });
    expect((await pm.get(`/api/imports/${held.body.importId}/review`).expect(200)).body.items[0]).toMatchObject({
      candidate: { memberId: pat },
      person: expect.objectContaining({ familyName: 'Smith' }),
    });
    expect(
      (
        await eventually(
          () => pm.get('/api/imports/candidate-families').expect(200),
          (res) => res.body.families.length === 0,
        )
      ).body.families,
    ).toEqual([]);

    await asAdmin(t).post(`/api/people/${pat}/erasure`).send({ reason: 'request from the data subject (ref DSR-8001)' }).expect(202);
    // The held row's person and fact are unreadable, and it can no longer be confirmed.
    const queue = await pm.get(`/api/imports/${held.body.importId}/review`).expect(200);
    expect(queue.body.items[0]).toMatchObject({ person: '[erased]', fact: '[erased]' });
    expect((await pm.post(`/api/imports/${held.body.importId}/review/${queue.body.items[0].reviewId}`).send({ decision: 'confirm' }).expect(422)).body.reason).toBe('RowErased');
    // Pat is on no record now, but the rows kept for candidate families went with Pat's key.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const listed = await pm.get('/api/imports/candidate-families').expect(200);
    expect(JSON.stringify(listed.body)).not.toContain('Erasely');
    for (const importId of [offence.body.importId, benefit.body.importId]) {
      const rows = (await pm.get(`/api/imports/${importId}`).expect(200)).body;
      expect(rows.unmatched).toBe(1);
    }
  });

  it('the retention schedule erases the rows kept from imports once their period is over', async () => {
    const asb = 'reference,given_name,family_name,date_of_birth,postcode,occurred_on\nASB-7001,Robin,Keptlong,12/06/1978,KL1 1KL,01/03/2019\n';
    const asbImport = await partnerOf('police').post('/api/imports/police-asb').attach('file', Buffer.from(asb), 'asb.csv').expect(201);
    const offences = 'reference,given_name,family_name,date_of_birth,postcode,committed_on,proven\nPO-7001,Robin,Keptlong,12/06/1978,KL1 1KL,01/04/2019,yes\n';
    await partnerOf('police').post('/api/imports/police-offences').attach('file', Buffer.from(offences), 'offences.csv').expect(201);
    const benefits = 'reference,given_name,family_name,date_of_birth,postcode,benefit,change,on\nJSA-7001,Robin,Keptlong,12/06/1978,KL1 1KL,JSA,started,01/04/2019\n';
    await partnerOf('dwp').post('/api/imports/dwp-benefits').attach('file', Buffer.from(benefits), 'benefits.csv').expect(201);
    expect(
      JSON.stringify(
        (
          await eventually(
            () => pm.get('/api/imports/candidate-families').expect(200),
            (res) => JSON.stringify(res.body).includes('Keptlong'),
          )
        ).body,
      ),
    ).toContain('Keptlong');
    const admin = asAdmin(t);
    // Rows are kept LEDGER_RETENTION_NOT_ATTACHED_YEARS (2) after their import: not yet on the day, due two years on.
    expect((await admin.get('/api/privacy/retention?asOf=2019-04-20').expect(200)).body.importRows).toMatchObject({ recordedOnOrBefore: '2017-04-20', rows: expect.any(Number) });
    const dueLater = (await admin.get('/api/privacy/retention?asOf=2021-04-20').expect(200)).body.importRows;
    expect(dueLater.recordedOnOrBefore).toBe('2019-04-20');
    expect(dueLater.rows).toBeGreaterThanOrEqual(3);
    // The run is never for a future day: the schedule's own step, as the run calls it, two years on.
    const erased = await eraseImportRowsDue(t.app.get(ImportService), t.app.get(KeyVault), '2021-04-20', retentionPeriods(t.config));
    expect(erased.rows).toBe(dueLater.rows);
    expect(JSON.stringify((await pm.get('/api/imports/candidate-families').expect(200)).body)).not.toContain('Keptlong');
    expect((await admin.get('/api/privacy/retention?asOf=2021-04-20').expect(200)).body.importRows.rows).toBe(0);
    // The report stays (counts and reasons, no personal values).
    expect((await pm.get(`/api/imports/${asbImport.body.importId}`).expect(200)).body).toMatchObject({ unmatched: 1 });
  });

  it('imports through the cli with progress and a summary, and records nothing the second time', async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
    await t.stop();
    const dir = mkdtempSync(join(tmpdir(), 'ledger-import-'));
    const file = join(dir, 'employment.csv');
    writeFileSync(file, 'Reference,NI Number,Given Name,Family Name,Date of Birth,Change,On,Hours per week\r\nRTI-772,qq654321b,LEE,FLETCHER,1983-11-02,started,01/03/2017,37\r\n');
    const where = t.stores.description.where;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      LEDGER_MASTER_KEY: TEST_MASTER_KEY,
      ...(kind === 'pglite' ? { LEDGER_DATA_DIR: where } : { LEDGER_POSTGRES_URL: testEnv.postgresUrl ?? '', LEDGER_POSTGRES_SCHEMA: where }),
    };
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'dist/apps/cli/src/main.js'), ...args], { env, encoding: 'utf8', timeout: 120_000 });
    const first = cli('import', 'dwp-employment', file);
    expect({ status: first.status, stderr: first.stderr.slice(-300) }).toMatchObject({ status: 0 });
    expect(first.stderr).toMatch(/rows\/s/);
    expect(first.stdout).toMatch(/recorded 1, corrected 0, already recorded 0/);
    expect(first.stdout).toMatch(/matched: identifier 1/);
    const second = cli('import', 'dwp-employment', file);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/imported before/);
    const refused = cli('import', 'dwp-employment', sample('housing'));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/refused: the dwp-employment layout needs the columns change, on/);
  }, 240_000);
});

/** Asks again (every 250 ms, for up to 10 s) until the answer holds, and gives the last answer: for reads of the log that trail a commit by moments. */
async function eventually<T>(ask: () => Promise<T>, holds: (answer: T) => boolean): Promise<T> {
  let answer = await ask();
  for (let i = 0; i < 40 && !holds(answer); i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    answer = await ask();
  }
  return answer;
}
