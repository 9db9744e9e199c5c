import { listServiceAccounts, listUsers } from '@ledger/application';
import { type SqlClient, quoteIdent } from '@ledger/event-store';
import { ClaimQueries, ClaimsProjection, type Projection, ProjectionRunner, UserQueries, UsersProjection } from '@ledger/projections';
import { FamilyAccess } from '../../apps/api/src/auth/access';
import { DemoSeeder } from '../../apps/api/src/demo/demo-seeder';
import { collectAll } from '../contract/event-store.contract';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { uniqueSchema } from '../support/stores';
import { signedInTeam, TEAM_ENV } from '../support/team';

/**
 * Issue 14.5: the claims and users read models. They answer what the log scans they replace
 * answered (the claim's own view, the log's user streams), a rebuild and any batch size give the
 * same rows, and re-applying a batch changes nothing.
 */
describe.each(storeKinds)('the claims and users read models on %s', (kind) => {
  let t: TestApp;
  let api: Awaited<ReturnType<typeof signedInTeam>>['api'];
  let as: Awaited<ReturnType<typeof signedInTeam>>['as'];
  let withdrawnId = '';
  let claimId = '';
  let invalidFamily = '';
  let spotCheckId = '';
  const schemas: string[] = [];
  const schemaFor = (): string => {
    const schema = uniqueSchema('rm');
    schemas.push(schema);
    return schema;
  };
  const projections = (): Projection[] => [new ClaimsProjection(), new UsersProjection()];

  beforeAll(async () => {
    t = await startTestApp(kind, { ...TEAM_ENV, LEDGER_JWT_SECRET: 'k'.repeat(40), LEDGER_DEMO_FAMILIES: '40', LEDGER_DEMO_SEED: '7' }, { clock: { now: () => new Date('2019-12-20T10:00:00Z') } });
    await t.app.get(DemoSeeder).seedIfEmpty();
    ({ api, as } = await signedInTeam(t));
    // Users: a deactivation, a role change, a partner with an organisation, a service account issued and one revoked.
    await api().post('/api/users').set(as('admin')).send({ username: 'kw.gone', password: 'a-long-password-9', role: 'keyworker' }).expect(201);
    await api().post('/api/users/kw.gone/deactivation').set(as('admin')).expect(200);
    await api().post('/api/users').set(as('admin')).send({ username: 'police.pc', password: 'a-long-password-9', role: 'partner', organisation: 'police' }).expect(201);
    await api().put('/api/users/pm.lead/role').set(as('admin')).send({ role: 'programme-manager' }).expect(200);
    await api().post('/api/service-accounts').set(as('admin')).send({ name: 'powerbi', role: 'analyst', description: 'the BI team' }).expect(201);
    await api().post('/api/service-accounts').set(as('admin')).send({ name: 'tableau', role: 'finance-officer' }).expect(201);
    await api().post('/api/service-accounts/tableau/revocation').set(as('admin')).expect(200);

    // Claims: one drafted and withdrawn, one taken through the whole cycle with a spot check and a recovery.
    const withdrawn = await api().post('/api/claims').set(as('finance.fo')).send({ asOf: '2019-01-31', windowId: '2018-19-w2', draftedOn: '2019-02-01' }).expect(201);
    withdrawnId = withdrawn.body.claimId;
    await api().post(`/api/claims/${withdrawnId}/withdrawal`).set(as('finance.fo')).send({ reason: 'drafted-in-error', withdrawnOn: '2019-02-02' }).expect(201);
    const draft = await api().post('/api/claims').set(as('finance.fo')).send({ asOf: '2019-01-31', windowId: '2018-19-w2', draftedOn: '2019-02-03' }).expect(201);
    claimId = draft.body.claimId;
    const sampled: string[] = (await api().post(`/api/claims/${claimId}/audit-sample`).set(as('audit.au')).send({ seed: 42, sampledOn: '2019-02-10' }).expect(201)).body.familyIds;
    invalidFamily = sampled[0] ?? '';
    expect(invalidFamily).not.toBe('');
    for (const [i, familyId] of sampled.entries()) {
      await api()
        .post(`/api/claims/${claimId}/audit-findings`)
        .set(as('audit.au'))
        .send({ familyId, valid: i !== 0, note: 'checked', foundOn: '2019-03-01' })
        .expect(201);
    }
    await api().post(`/api/claims/${claimId}/sign-offs`).set(as('pm.lead')).send({ role: 'programme-lead', signedOn: '2019-04-15' }).expect(201);
    await api().post(`/api/claims/${claimId}/sign-offs`).set(as('audit.au')).send({ role: 'head-of-audit', signedOn: '2019-04-16' }).expect(201);
    await api().post(`/api/claims/${claimId}/submission`).set(as('finance.fo')).send({ submittedOn: '2019-04-20' }).expect(201);
    const submitted = (await api().get(`/api/claims/${claimId}`).set(as('finance.fo')).expect(200)).body;
    await api()
      .post(`/api/claims/${claimId}/payments`)
      .set(as('finance.fo'))
      .send({ receivedOn: '2019-06-14', amountPence: submitted.totalPence - 80_000 })
      .expect(201);
    const kept = sampled[1];
    spotCheckId = (
      await api()
        .post('/api/spot-checks')
        .set(as('finance.fo'))
        .send({ checkedOn: '2019-08-15', families: [{ familyId: kept, eligible: true, wholeFamilyWorking: true, resultEvidenced: false }] })
        .expect(201)
    ).body.spotCheckId;
    await api().post(`/api/claims/${claimId}/recoveries`).set(as('finance.fo')).send({ familyId: kept, reason: 'no result', on: '2019-09-01', spotCheckId }).expect(201);
  }, 240_000);
  afterAll(async () => {
    for (const schema of schemas) await t.stores.sql.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
    await t.close();
  });

  it('lists each claim as its own view shows it (without families and declarations), in drafting order, of one status or all', async () => {
    const views = [];
    for (const id of [withdrawnId, claimId]) {
      const { families: _families, declarations: _declarations, ...view } = (await api().get(`/api/claims/${id}`).set(as('finance.fo')).expect(200)).body;
      views.push(view);
    }
    expect(views.map((v) => v.status)).toEqual(['withdrawn', 'paid']);
    const listed = (await api().get('/api/claims').set(as('finance.fo')).expect(200)).body;
    expect(listed).toEqual({ claims: views });
    // The same keys in the same order as the view.
    expect(listed.claims.map((c: object) => Object.keys(c))).toEqual(views.map((v) => Object.keys(v)));
    expect((await api().get('/api/claims').query({ status: 'paid' }).set(as('finance.fo')).expect(200)).body).toEqual({ claims: [views[1]] });
    expect((await api().get('/api/claims').query({ status: 'draft' }).set(as('finance.fo')).expect(200)).body).toEqual({ claims: [] });
  });

  it('answers the findings, samples, spot checks and money the requests read', async () => {
    const runner = new ProjectionRunner(t.stores.eventStore, t.stores.sql, projections(), { schema: schemaFor() });
    const claims = new ClaimQueries(t.stores.sql, runner, { settle: true });
    const invalid = await claims.invalidFindings();
    expect([...invalid.keys()]).toEqual([invalidFamily]);
    expect(invalid.get(invalidFamily)).toMatchObject({ claimId, foundOn: '2019-03-01' });
    expect((await claims.invalidFindings(claimId)).size).toBe(0);
    // The claim is submitted: its sample opens nothing any more.
    expect(await claims.openSamplesHolding(invalidFamily)).toEqual([]);
    expect(await claims.spotCheckIds()).toEqual([spotCheckId]);
    const recoveries = await claims.recoveriesBySpotCheck();
    expect([...(recoveries.get(spotCheckId)?.values() ?? [])]).toEqual([{ claimId, on: '2019-09-01', amountPence: 80_000 }]);
    const money = await claims.submittedClaimsMoney();
    expect(money.map((m) => ({ claimId: m.claimId, windowId: m.windowId, payments: m.payments.length, recoveries: m.recoveries }))).toEqual([
      { claimId, windowId: '2018-19-w2', payments: 1, recoveries: [{ on: '2019-09-01', amountPence: 80_000 }] },
    ]);
  });

  it("confirms an open sample from the claim's stream: a model that has not seen the submission opens nothing (external projector)", async () => {
    const projection = new ClaimsProjection();
    const runner = new ProjectionRunner(t.stores.eventStore, t.stores.sql, [projection], { schema: schemaFor() });
    await runner.prepare();
    // The model as a lagging projector left it: every claim event up to the submission, not after.
    const events = (await collectAll(t.stores.eventStore, 1_000)).filter((e) => e.streamId.startsWith('claim-'));
    const submittedAt = events.findIndex((e) => e.type === 'ClaimSubmitted');
    await t.stores.sql.transaction(async (tx) =>
      projection.apply(tx, events.slice(0, submittedAt), (base) => `${quoteIdent((runner as unknown as { schema: string }).schema)}.${quoteIdent(`${base}_v1`)}`),
    );
    const stale = new ClaimQueries(t.stores.sql, runner, { settle: false });
    expect(await stale.openSamplesHolding(invalidFamily)).toEqual([claimId]);
    expect(await new FamilyAccess(t.stores.eventStore, stale).sampled(invalidFamily)).toBe(false);
    // Settled, the model itself has closed it.
    expect(await new ClaimQueries(t.stores.sql, runner, { settle: true }).openSamplesHolding(invalidFamily)).toEqual([]);
  });

  it('lists users and service accounts as the log folds them, never a password hash', async () => {
    const runner = new ProjectionRunner(t.stores.eventStore, t.stores.sql, projections(), { schema: schemaFor() });
    const users = new UserQueries(t.stores.sql, runner, { settle: true });
    const fromLog = await listUsers(t.stores.eventStore);
    expect(fromLog.find((u) => u.username === 'kw.gone')).toMatchObject({ active: false });
    expect(fromLog.find((u) => u.username === 'police.pc')).toMatchObject({ organisation: 'police' });
    expect(await users.users()).toEqual(fromLog);
    expect(await users.serviceAccounts()).toEqual(await listServiceAccounts(t.stores.eventStore));
    expect((await users.serviceAccounts()).map((a) => [a.name, a.revokedAt !== null])).toEqual([
      ['powerbi', false],
      ['tableau', true],
    ]);
    // The api's own lists answer the same.
    expect((await api().get('/api/users').set(as('admin')).expect(200)).body).toEqual({ users: fromLog });
    const rows = JSON.stringify(await t.stores.sql.query(`select * from ${await runner.liveTable('users', 'users')}`));
    expect(rows).not.toMatch(/\$2[aby]\$/);
  });

  it('gives the same rows whatever the batch size, and a rebuild equals the incremental result', async () => {
    const small = new ProjectionRunner(t.stores.eventStore, t.stores.sql, projections(), { schema: schemaFor(), batchSize: 7 });
    const large = new ProjectionRunner(t.stores.eventStore, t.stores.sql, projections(), { schema: schemaFor(), batchSize: 5_000 });
    await small.catchUp();
    await large.catchUp();
    const incremental = await snapshot(t.stores.sql, small);
    expect(incremental['claims/claims']).toHaveLength(2);
    expect(incremental['claims/claim_money']).toHaveLength(2);
    expect(incremental['claims/spot_checks']).toHaveLength(1);
    expect(incremental['users/service_accounts']).toHaveLength(2);
    expect(await snapshot(t.stores.sql, large)).toEqual(incremental);
    expect(await small.rebuild('claims')).toBeGreaterThan(0);
    expect(await small.rebuild('users')).toBeGreaterThan(0);
    expect(await snapshot(t.stores.sql, small)).toEqual(incremental);
  });

  it('changes nothing when the same batch is applied twice', async () => {
    const runner = new ProjectionRunner(t.stores.eventStore, t.stores.sql, projections(), { schema: schemaFor() });
    await runner.catchUp();
    const before = await snapshot(t.stores.sql, runner);
    const all = await collectAll(t.stores.eventStore, 1_000);
    for (const projection of projections()) {
      const events = all.filter((e) => (projection.categories as readonly string[]).includes(e.streamId.split('-')[0] ?? ''));
      const table = (base: string) => `${quoteIdent((runner as unknown as { schema: string }).schema)}.${quoteIdent(`${base}_v${projection.version}`)}`;
      await t.stores.sql.transaction((tx) => projection.apply(tx, events.slice(0, 20), table));
      await t.stores.sql.transaction((tx) => projection.apply(tx, events, table));
    }
    expect(await snapshot(t.stores.sql, runner)).toEqual(before);
  });
});

async function snapshot(sql: SqlClient, runner: ProjectionRunner): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const projection of [new ClaimsProjection(), new UsersProjection()]) {
    for (const base of projection.tables) {
      const table = await runner.liveTable(projection.name, base);
      // json has no equality operator: rows compared as text.
      out[`${projection.name}/${base}`] = (await sql.query<{ row: string }>(`select t::text as row from ${table} t order by 1`)).map((r) => r.row);
    }
  }
  return out;
}
