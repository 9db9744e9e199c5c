import request from 'supertest';
import { DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { storeKinds, startTestApp, TEST_PM, type TestApp } from '../support/app';
import { attachedFamily, configureProgramme, countEvents } from '../support/families-fixture';
import { asProgrammeManager, signedInAs } from '../support/signed-in';
import { signedInTeam, TEAM_ENV } from '../support/team';
import { atIndex } from '@ledger/domain';

/**
 * Issues 18 and 16.1: claims as a finance officer works them, over real HTTP on the demo borough,
 * recorded in December 2026 with each step's own business date (DOMAIN.md 5): a back-filled
 * 2016/17 claim, drafts re-checked and withdrawn, results without claimed families, receipts never
 * counted twice, government spot checks and their recoveries, the override approver kept from the
 * programme lead's sign-off, and internal audit's sample and access.
 */
describe.each(storeKinds)('claims as finance officers work them, on %s', (kind) => {
  let t: TestApp;
  let api: Awaited<ReturnType<typeof signedInTeam>>['api'];
  let as: Awaited<ReturnType<typeof signedInTeam>>['as'];
  const post = (who: string, path: string, body: object = {}) =>
    api()
      .post(path)
      .set(who === 'pm.test' ? { Authorization: `Bearer ${t.tokens.get(TEST_PM.username)}` } : as(who))
      .send(body);
  const get = (who: string, path: string, query: Record<string, string> = {}) => api().get(path).set(as(who)).query(query);
  const ids = (families: { familyId: string }[]) => families.map((f) => f.familyId).sort();
  // Shared by the scenarios below, in order.
  let claimX = '';
  let submittedX: string[] = [];
  let invalidFamily = '';

  beforeAll(async () => {
    t = await startTestApp(kind, { ...TEAM_ENV, LEDGER_JWT_SECRET: 'w'.repeat(40), LEDGER_DEMO_FAMILIES: '40', LEDGER_DEMO_SEED: '7' }, { clock: { now: () => new Date('2026-12-05T10:00:00Z') } });
    await t.app.get(DemoSeeder).seedIfEmpty();
    ({ api, as } = await signedInTeam(t));
  }, 300_000);
  afterAll(async () => {
    await t.close();
  });

  it('records a 2016/17 claim in 2026 with its real dates, refuses steps out of order or in the future, and books it in 2016/17', async () => {
    const draft = await post('finance.fo', '/api/claims', { windowId: '2016-17-w1', asOf: '2016-07-31', draftedOn: '2016-08-01' }).expect(201);
    const claimId: string = draft.body.claimId;
    expect(draft.body.draftedOn).toBe('2016-08-01');
    const familyIds = ids(draft.body.families);
    expect(familyIds.length).toBeGreaterThan(0);
    const sample = await post('audit.au', `/api/claims/${claimId}/audit-sample`, { sampledOn: '2016-08-10' }).expect(201);
    expect(sample.body.sampledOn).toBe('2016-08-10');
    const before = await countEvents(t);
    const refused = async (path: string, who: string, body: object, reason: string) => expect((await post(who, `/api/claims/${claimId}${path}`, body).expect(422)).body.reason).toBe(reason);
    await refused('/audit-findings', 'audit.au', { familyId: sample.body.familyIds[0], valid: true, note: 'checked', foundOn: '2016-08-05' }, 'FoundBeforeSample');
    for (const familyId of sample.body.familyIds as string[])
      await post('audit.au', `/api/claims/${claimId}/audit-findings`, { familyId, valid: true, note: 'evidence checked', foundOn: '2016-08-15' }).expect(201);
    const afterFindings = await countEvents(t);
    expect(afterFindings).toBe(before + sample.body.familyIds.length);
    await refused('/sign-offs', 'pm.lead', { role: 'programme-lead', signedOn: '2016-08-12' }, 'SignedOffBeforeAudit');
    await post('pm.lead', `/api/claims/${claimId}/sign-offs`, { role: 'programme-lead', signedOn: '2016-09-20' }).expect(201);
    await post('audit.au', `/api/claims/${claimId}/sign-offs`, { role: 'head-of-audit', signedOn: '2016-09-21' }).expect(201);
    const signed = await countEvents(t);
    await refused('/submission', 'finance.fo', { submittedOn: '2016-09-19' }, 'SubmittedBeforeSignOff');
    await refused('/submission', 'finance.fo', { submittedOn: '2026-12-06' }, 'BusinessDateInFuture');
    expect(await countEvents(t)).toBe(signed);
    await post('finance.fo', `/api/claims/${claimId}/submission`, { submittedOn: '2016-09-28' }).expect(201);
    const totalPence = familyIds.length * 80_000;
    await refused('/payments', 'finance.fo', { receivedOn: '2016-09-27', amountPence: totalPence }, 'PaymentBeforeSubmission');
    await refused('/payments', 'finance.fo', { receivedOn: '2026-12-06', amountPence: totalPence }, 'BusinessDateInFuture');
    await post('finance.fo', `/api/claims/${claimId}/payments`, { receivedOn: '2016-11-30', amountPence: totalPence }).expect(201);

    const claim = (await get('finance.fo', `/api/claims/${claimId}`).expect(200)).body;
    expect(claim).toMatchObject({ status: 'paid', draftedOn: '2016-08-01', submission: { submittedOn: '2016-09-28' }, payment: { receivedOn: '2016-11-30' } });
    expect(claim.signOffs).toEqual(
      expect.arrayContaining([
        { role: 'programme-lead', by: 'pm.lead', signedOn: '2016-09-20' },
        { role: 'head-of-audit', by: 'audit.au', signedOn: '2016-09-21' },
      ]),
    );

    // The ledger and the reconciliation put it in 2016/17, not the year it was recorded.
    const entries = (await get('finance.fo', '/api/ledger/entries', { from: '2016-04-01', to: '2027-03-31' }).expect(200)).body.entries as {
      claimId: string | null;
      on: string;
      financialYear: string;
    }[];
    const ofClaim = entries.filter((e) => e.claimId === claimId);
    expect(ofClaim.length).toBe(familyIds.length + 1);
    expect(new Set(ofClaim.map((e) => e.financialYear))).toEqual(new Set(['2016/17']));
    expect(ofClaim.map((e) => e.on).sort()).toEqual([...familyIds.map(() => '2016-09-28'), '2016-11-30']);
    const results = async (asOf: string) =>
      ((await get('finance.fo', '/api/ledger/balances', { asOf }).expect(200)).body.accounts as { account: string; balancePence: number }[]).find((a) => a.account === 'income:results')?.balancePence;
    expect(await results('2016-09-27')).toBe(0);
    expect(await results('2017-03-31')).toBe(-totalPence);
    const reconciliation = (await get('finance.fo', '/api/reports/reconciliation').expect(200)).body;
    expect(reconciliation.claims).toContainEqual(expect.objectContaining({ claimId, financialYear: '2016/17', windowId: '2016-17-w1' }));
  });

  it("keeps drafting, sampling and auditors' access to the rules: windows, internal audit's sample, the override approver, re-checks and withdrawals", async () => {
    expect((await post('finance.fo', '/api/claims', { asOf: '2019-01-31' }).expect(422)).body.reason).toBe('ClaimWindowRequired');
    expect((await post('finance.fo', '/api/claims', { windowId: '2018-19-w2', asOf: '2019-03-31' }).expect(422)).body.reason).toBe('AsOfOutsideWindow');
    const draft = { windowId: '2018-19-w2', asOf: '2019-01-31', draftedOn: '2019-02-01' };
    const x = (await post('finance.fo', '/api/claims', draft).expect(201)).body;
    const y = (await post('finance.fo', '/api/claims', draft).expect(201)).body;
    claimX = x.claimId;
    expect(ids(y.families)).toEqual(ids(x.families));
    const family = x.families[0].familyId as string;

    // Issue 16.1: only internal audit draws the sample, never below the framework's 10%.
    expect((await get('audit.au', `/api/families/${family}`).expect(403)).body.reason).toBe('NotSampledFamily');
    await post('finance.fo', `/api/claims/${claimX}/audit-sample`, { sampledOn: '2019-02-01' }).expect(403);
    expect((await post('audit.au', `/api/claims/${claimX}/audit-sample`, { percent: 5, sampledOn: '2019-02-01' }).expect(422)).body.reason).toBe('SampleBelowMinimum');
    expect((await post('audit.au', `/api/claims/${claimX}/audit-sample`, { percent: 50, sampledOn: '2019-02-01' }).expect(422)).body.reason).toBe('ReasonRequired');
    const sample = (await post('audit.au', `/api/claims/${claimX}/audit-sample`, { percent: 50, reason: 'new-team-or-process', sampledOn: '2019-02-01' }).expect(201)).body;
    expect(sample).toMatchObject({ percent: 50, reason: 'new-team-or-process' });
    const sampled: string[] = sample.familyIds;
    expect(sampled.length).toBe(Math.ceil(x.families.length / 2));
    const unsampled = ids(x.families).find((id) => !sampled.includes(id));
    await get('audit.au', `/api/families/${sampled[0]}/history`).expect(200);
    if (unsampled) expect((await get('audit.au', `/api/families/${unsampled}`).expect(403)).body.reason).toBe('NotSampledFamily');

    invalidFamily = atIndex(sampled, 0, 'sampled family');
    for (const familyId of sampled) {
      const valid = familyId !== invalidFamily;
      await post('audit.au', `/api/claims/${claimX}/audit-findings`, { familyId, valid, note: valid ? 'evidence checked' : 'attendance evidence missing', foundOn: '2019-02-05' }).expect(201);
    }

    // Issue 18.9: an override records its approver; who approved one on a family in the claim does not sign it off as programme lead.
    const overridden = sampled[1] ?? ids(x.families).find((id) => id !== invalidFamily) ?? '';
    const summary = (await get('pm.lead', `/api/families/${overridden}`).expect(200)).body;
    const override = { problem: summary.problemsAtEntry[0], reason: 'progress the partners do not hold', on: '2019-01-31', evidence: 'keyworker case notes of January 2019' };
    expect((await post('pm.lead', `/api/families/${overridden}/overrides`, { ...override, approvedBy: 'finance.fo' }).expect(422)).body.reason).toBe('ApproverNotProgrammeManager');
    await post('pm.lead', `/api/families/${overridden}/overrides`, override).expect(201);
    expect((await post('pm.lead', `/api/claims/${claimX}/sign-offs`, { role: 'programme-lead', signedOn: '2019-02-15' }).expect(422)).body.reason).toBe('ApprovedAnOverride');
    await post('pm.test', `/api/claims/${claimX}/sign-offs`, { role: 'programme-lead', signedOn: '2019-02-15' }).expect(201);
    await post('audit.au', `/api/claims/${claimX}/sign-offs`, { role: 'head-of-audit', signedOn: '2019-02-15' }).expect(201);
    await post('finance.fo', `/api/claims/${claimX}/submission`, { submittedOn: '2019-02-20' }).expect(201);
    submittedX = ids(x.families).filter((id) => id !== invalidFamily);
    // The audit is over: the auditor reads nothing of the sample any more.
    expect((await get('audit.au', `/api/families/${sampled[1] ?? sampled[0]}/history`).expect(403)).body.reason).toBe('NotSampledFamily');

    // Issue 18.10: the list filters by status, and refuses what it does not know.
    expect(((await get('finance.fo', '/api/claims', { status: 'submitted' }).expect(200)).body.claims as { claimId: string }[]).map((c) => c.claimId)).toEqual([claimX]);
    expect(((await get('finance.fo', '/api/claims', { status: 'draft' }).expect(200)).body.claims as { claimId: string }[]).map((c) => c.claimId)).toEqual([y.claimId]);
    expect((await get('finance.fo', '/api/claims', { status: 'approved' }).expect(400)).body.details).toEqual([expect.objectContaining({ field: 'status' })]);
    expect((await get('finance.fo', '/api/claims', { stauts: 'paid' }).expect(400)).body.details).toEqual([expect.objectContaining({ field: 'stauts' })]);

    // Issue 18.3: results leave claimed families out; claimed=include shows them with the claim.
    const open = (await get('pm.lead', '/api/results', { asOf: '2019-01-31' }).expect(200)).body.families as { familyId: string; claimedIn?: string }[];
    expect(open.some((f) => submittedX.includes(f.familyId))).toBe(false);
    expect(open.map((f) => f.familyId)).toContain(invalidFamily);
    const all = (await get('pm.lead', '/api/results', { asOf: '2019-01-31', claimed: 'include' }).expect(200)).body.families as { familyId: string; claimedIn?: string }[];
    expect(
      all
        .filter((f) => f.claimedIn === claimX)
        .map((f) => f.familyId)
        .sort(),
    ).toEqual(submittedX);
    await get('pm.lead', '/api/results', { claimed: 'yes' }).expect(400);
    expect((await get('pm.lead', `/api/families/${submittedX[0]}/progress`, { asOf: '2019-01-31' }).expect(200)).body.claimedIn).toBe(claimX);
    expect((await get('pm.lead', `/api/families/${invalidFamily}/progress`, { asOf: '2019-01-31' }).expect(200)).body.claimedIn).toBeUndefined();

    // Issue 18.2: the other draft is stale: the re-check flags its families, its sample is refused, it is withdrawn.
    const recheck = (await post('finance.fo', `/api/claims/${y.claimId}/recheck`).expect(200)).body;
    expect(recheck.stale).toBe(true);
    const flags = new Map((recheck.flagged as { familyId: string; flags: { reason: string; claimId: string }[] }[]).map((f) => [f.familyId, f.flags.map((g) => `${g.reason}:${g.claimId}`)]));
    for (const id of submittedX) expect(flags.get(id)).toEqual([`claimed-elsewhere:${claimX}`]);
    expect(flags.get(invalidFamily)).toEqual([`found-invalid:${claimX}`]);
    expect(recheck.totals).toEqual({ families: y.families.length, familiesPence: y.totalPence, familiesWithoutFlagged: 0, withoutFlaggedPence: 0 });
    expect((await post('audit.au', `/api/claims/${y.claimId}/audit-sample`, { sampledOn: '2019-02-21' }).expect(422)).body.reason).toBe('AlreadyClaimed');
    expect(((await post('finance.fo', `/api/claims/${y.claimId}/withdrawal`, { withdrawnOn: '2019-02-22' }).expect(400)).body.details as { field: string }[]).map((d) => d.field)).toContain('reason');
    await post('finance.fo', `/api/claims/${y.claimId}/withdrawal`, { reason: 'families-claimed-elsewhere', withdrawnOn: '2019-02-22' }).expect(201);
    expect((await get('finance.fo', `/api/claims/${y.claimId}`).expect(200)).body).toMatchObject({ status: 'withdrawn', withdrawal: { withdrawnOn: '2019-02-22', by: 'finance.fo' } });
    expect((await post('finance.fo', `/api/claims/${y.claimId}/withdrawal`, { reason: 'drafted-in-error', withdrawnOn: '2019-02-22' }).expect(409)).body.reason).toBe('ClaimWithdrawn');

    // The family internal audit found invalid comes back only with evidence recorded after the finding.
    const later = { windowId: '2018-19-w2', asOf: '2019-01-31', draftedOn: '2019-02-25' };
    expect((await post('finance.fo', '/api/claims', later).expect(422)).body.reason).toBe('NothingToClaim');
    const child = ((await get('pm.lead', `/api/families/${invalidFamily}`).expect(200)).body.members as { memberId: string; relationship: string }[]).find((m) => m.relationship === 'child');
    const evidence = (await post('pm.lead', `/api/families/${invalidFamily}/social-care`, { memberId: child?.memberId, status: 'none', on: '2019-01-10' }).expect(201)).body;
    const back = (await post('finance.fo', '/api/claims', later).expect(201)).body;
    expect(back.families).toEqual([expect.objectContaining({ familyId: invalidFamily, afterInvalidFinding: { claimId: claimX, foundOn: '2019-02-05', newEvidenceEventIds: [evidence.eventId] } })]);
  });

  it('records a government spot check, recovers only what it found invalid, and reports it', async () => {
    const [kept, failed] = submittedX;
    const check = {
      checkedOn: '2019-06-01',
      families: [
        { familyId: kept, eligible: true, wholeFamilyWorking: true, resultEvidenced: true },
        { familyId: failed, eligible: true, wholeFamilyWorking: true, resultEvidenced: false },
      ],
    };
    await post('audit.au', '/api/spot-checks', check).expect(403);
    expect((await post('finance.fo', '/api/spot-checks', { ...check, checkedOn: '2026-12-06' }).expect(422)).body.reason).toBe('BusinessDateInFuture');
    expect((await post('finance.fo', '/api/spot-checks', { ...check, families: [{ ...check.families[0], familyId: invalidFamily }] }).expect(422)).body.reason).toBe('FamilyNotClaimed');
    const recorded = (await post('finance.fo', '/api/spot-checks', check).expect(201)).body;
    expect(recorded).toMatchObject({ checkedOn: '2019-06-01', familiesChecked: 2, foundInvalid: 1, recovered: 0, toRecover: 1 });
    const spotCheckId: string = recorded.spotCheckId;

    const recover = (body: object) => post('finance.fo', `/api/claims/${claimX}/recoveries`, { reason: 'spot check: no evidence of the result', on: '2019-07-01', ...body });
    expect((await recover({ familyId: failed }).expect(400)).body.details).toEqual([expect.objectContaining({ field: 'spotCheckId' })]);
    expect((await recover({ familyId: kept, spotCheckId }).expect(422)).body.reason).toBe('NotFoundInvalidBySpotCheck');
    expect((await recover({ familyId: failed, spotCheckId, on: '2019-05-01' }).expect(422)).body.reason).toBe('RecoveryBeforeSpotCheck');
    await recover({ familyId: failed, spotCheckId }).expect(201);

    const report = (await get('audit.au', '/api/spot-checks').expect(200)).body;
    expect(report.spotChecks).toEqual([{ spotCheckId, checkedOn: '2019-06-01', recordedBy: 'finance.fo', familiesChecked: 2, foundInvalid: 1, recovered: 1, recoveredPence: 80_000, toRecover: 0 }]);
    const one = (await get('pm.lead', `/api/spot-checks/${spotCheckId}`).expect(200)).body;
    expect(one.families.find((f: { familyId: string }) => f.familyId === failed)).toMatchObject({
      claimId: claimX,
      valid: false,
      recovery: { claimId: claimX, on: '2019-07-01', amountPence: 80_000 },
    });
  });

  it('records attachment-fee receipts with real dates, never counts one twice silently, and flags overpayment', async () => {
    const receipt = { receivedOn: '2016-10-03', amountPence: 6_000_000, financialYear: '2016/17' };
    const receipts = '/api/attachment-fees/receipts';
    expect((await post('finance.fo', receipts, { ...receipt, receivedOn: '2026-12-06' }).expect(422)).body.reason).toBe('BusinessDateInFuture');
    await post('finance.fo', receipts, receipt).expect(201);
    expect((await post('finance.fo', receipts, receipt).expect(409)).body.reason).toBe('PossibleDuplicateReceipt');
    await post('finance.fo', receipts, { ...receipt, allowDuplicate: true }).expect(201);
    await post('finance.fo', receipts, { receivedOn: '2020-05-01', amountPence: 10_000_000_000, financialYear: '2020/21' }).expect(201);
    const report = (await get('finance.fo', '/api/reports/attachment-fees').expect(200)).body;
    expect(report.years.find((y: { financialYear: string }) => y.financialYear === '2016/17').receivedPence).toBe(12_000_000);
    const over = report.years.find((y: { financialYear: string }) => y.financialYear === '2020/21');
    expect(over).toMatchObject({ overpaid: true, overpaidPence: 10_000_000_000 - over.duePence });
    expect(report.overpaidYears).toContain('2020/21');
  });
});

describe.each(storeKinds)('an override approved by a second programme manager (LEDGER_OVERRIDE_APPROVER=separate) on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { LEDGER_OVERRIDE_APPROVER: 'separate' });
    await configureProgramme(t);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('refuses an override approved by the person recording it and records the approver, the recorder and the evidence', async () => {
    const family = await attachedFamily(t);
    await signedInAs(t, 'programme-manager', { username: 'pm.second' });
    const pm = asProgrammeManager(t);
    const override = { problem: 'education', reason: 'attendance met after a managed move', on: '2017-01-10', evidence: 'head teacher letter' };
    const path = `/api/families/${family.familyId}/overrides`;
    expect((await pm.post(path).send(override).expect(422)).body.reason).toBe('ApproverIsRecorder');
    expect(
      (
        await pm
          .post(path)
          .send({ ...override, approvedBy: TEST_PM.username })
          .expect(422)
      ).body.reason,
    ).toBe('ApproverIsRecorder');
    expect(
      (
        await pm
          .post(path)
          .send({ ...override, approvedBy: 'nobody.here' })
          .expect(422)
      ).body.reason,
    ).toBe('ApproverNotProgrammeManager');
    const recorded = (
      await pm
        .post(path)
        .send({ ...override, approvedBy: 'pm.second' })
        .expect(201)
    ).body;
    const history = (await pm.get(`/api/families/${family.familyId}/history`).expect(200)).body.events as { eventId: string; data: Record<string, unknown> }[];
    expect(history.find((e) => e.eventId === recorded.eventId)?.data).toMatchObject({ approvedBy: 'pm.second', recordedBy: TEST_PM.username, evidence: 'head teacher letter' });
    await request(t.app.getHttpServer())
      .post(path)
      .send({ ...override, approvedBy: 'pm.second' })
      .expect(401);
  });
});
