import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PgliteSqlClient } from '@ledger/event-store';
import { TEST_MASTER_KEY, startTestApp, type TestApp } from '../support/app';
import { configureProgramme } from '../support/families-fixture';
import { asProgrammeManager, keyworkerOnRecord } from '../support/signed-in';

const root = join(__dirname, '..', '..');

/**
 * Issue 6.1 and 6.5 from the command line: the retention job erases everyone in families closed
 * long enough ago (a dry run only lists them), and the IT team manages users without the API.
 */
describe('the retention job and user management in the cli (embedded store)', () => {
  let t: TestApp;
  let dataDir: string;
  const due: string[] = [];
  const kept: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' });
    t = await startTestApp('pglite', {}, { clock: { now: () => new Date('2019-06-01T10:00:00Z') } });
    dataDir = t.stores.description.where;
    await configureProgramme(t);
    const pm = asProgrammeManager(t);
    for (const [reference, closedOn, into] of [
      ['RET-OLD', '2016-03-31', due],
      ['RET-RECENT', '2019-01-31', kept],
    ] as const) {
      const family = await pm
        .post('/api/families')
        .send({
          reference,
          identifiedOn: '2015-06-01',
          members: [
            { relationship: 'parent', givenName: 'Ada', familyName: reference, dateOfBirth: '1980-01-01' },
            { relationship: 'child', givenName: 'Bo', familyName: reference, dateOfBirth: '2008-01-01' },
          ],
        })
        .expect(201);
      const familyId = family.body.familyId as string;
      into.push(...family.body.members.map((m: { memberId: string }) => m.memberId));
      for (const problem of ['education', 'crime-asb'])
        await pm.post(`/api/families/${familyId}/problems`).send({ problem, indicator: 'at entry', identifiedOn: '2015-06-02', source: 'school' }).expect(201);
      await keyworkerOnRecord(t, 'kw.ret');
      await pm.post(`/api/families/${familyId}/attachment`).send({ attachedOn: '2015-06-10', keyworker: 'kw.ret' }).expect(201);
      await pm.post(`/api/families/${familyId}/closure`).send({ closedOn, reason: 'step down' }).expect(201);
    }
    await t.stop();
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  const cli = (args: string[], input?: string) =>
    spawnSync(process.execPath, [join(root, 'dist/apps/cli/src/main.js'), ...args], {
      env: { PATH: process.env.PATH, LEDGER_DATA_DIR: dataDir, LEDGER_MASTER_KEY: TEST_MASTER_KEY },
      encoding: 'utf8',
      input,
    });

  async function keys(): Promise<Map<string, boolean>> {
    const sql = await PgliteSqlClient.open(dataDir);
    try {
      const rows = await sql.query<{ person_id: string; live: boolean }>('select person_id, wrapped_key is not null as live from ledger.person_keys');
      return new Map(rows.map((r) => [r.person_id, r.live]));
    } finally {
      await sql.close();
    }
  }

  it('lists in a dry run, changing nothing; then erases exactly the people due', async () => {
    const dry = cli(['retention', '--as-of', '2022-06-01', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/cases closed on or before 2016-06-01/);
    expect(dry.stdout).toMatch(/dry run: 2 people in 1 families would be erased; nothing was changed/);
    const before = await keys();
    expect([...due, ...kept].every((id) => before.get(id) === true)).toBe(true);

    const run = cli(['retention', '--as-of', '2022-06-01']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/erased 2 people in 1 families/);
    const after = await keys();
    expect(due.map((id) => after.get(id))).toEqual([false, false]);
    expect(kept.map((id) => after.get(id))).toEqual([true, true]);
    expect(cli(['retention', '--as-of', '2022-06-01']).stdout).toMatch(/erased 0 people in 0 families/);
    expect(cli(['retention', '--as-of', 'soon']).status).toBe(2);
  }, 120_000);

  it('adds and lists users, reading the password from standard input', () => {
    const add = cli(['users', 'add', 'kw.cli', '--role', 'keyworker', '--password-stdin'], 'a-long-cli-password\n');
    expect(add.stderr).toBe('');
    expect(add.stdout).toMatch(/added kw.cli \(keyworker\)/);
    expect(cli(['users', 'add', 'kw.short', '--role', 'keyworker', '--password-stdin'], 'short\n').status).toBe(2);
    expect(cli(['users', 'add', 'kw.bad', '--role', 'wizard', '--password-stdin'], 'a-long-cli-password\n').status).toBe(2);
    const list = cli(['users', 'list']);
    expect(list.stdout).toMatch(/^kw\.cli\tkeyworker\t-\tactive$/m);
    expect(list.stdout).toMatch(/^pm\.test\tprogramme-manager/m);
  });
});
