import { defaultDeclarations, loadConfig, redactUrl } from './ledger-config';

describe('configuration', () => {
  it('defaults to the embedded store in ./data on port 3000 with the demo borough', () => {
    expect(loadConfig({})).toEqual({
      ok: true,
      config: {
        port: 3000,
        eventStore: 'postgres',
        postgresUrl: undefined,
        dataDir: './data',
        esdbUrl: undefined,
        demo: true,
        demoUsers: true,
        postgresPoolSize: 20,
        groupCommit: true,
        postgresSchema: 'ledger',
        councilId: 'council',
        demoFamilies: 300,
        demoSeed: 2015,
        projections: 'inline',
        jwtSecret: undefined,
        bootstrapAdmin: undefined,
        tokenMinutes: 15,
        signInFailuresPerAddress: 5,
        signInAttemptsPerMinute: 30,
        passwordHashCost: 10,
        trustProxy: undefined,
        masterKey: undefined,
        retentionYears: 6,
        retentionNotAttachedYears: 2,
        retentionInactiveYears: 6,
        onsAgreementReference: 'ONS-EVALUATION-AGREEMENT',
        privacyContact: "the council's data protection officer",
        suppressionThreshold: 5,
        importMatchThreshold: 0.93,
        storeWaitSeconds: 60,
        separateOverrideApprover: false,
        declarations: defaultDeclarations,
        apiUrl: 'http://127.0.0.1:3000',
        apiToken: undefined,
        readyMaxLagEvents: 10_000,
        reportingRefreshSeconds: 0,
        logLevel: 'info',
        apiDocs: true,
      },
    });
  });

  it("takes the claim report declarations and the cli's service address from the environment, refusing control characters", () => {
    const loaded = loadConfig({ PORT: '8080', LEDGER_DECLARATION_HEAD_OF_AUDIT: 'Audited.', LEDGER_API_TOKEN: 'abc' });
    expect(loaded.ok && loaded.config.declarations).toEqual({ programmeLead: defaultDeclarations.programmeLead, headOfAudit: 'Audited.' });
    expect(loaded.ok && [loaded.config.apiUrl, loaded.config.apiToken]).toEqual(['http://127.0.0.1:8080', 'abc']);
    expect(loadConfig({ LEDGER_DECLARATION_PROGRAMME_LEAD: 'a\u0007b', LEDGER_API_URL: 'ftp://x' })).toEqual({
      ok: false,
      errors: ['LEDGER_DECLARATION_PROGRAMME_LEAD: must be plain text of at most 2000 characters', 'LEDGER_API_URL: not an http:// or https:// address'],
    });
  });

  it('reads the import matching threshold (issue 21.2), refusing what is not a confidence from 0.5 to 1', () => {
    const threshold = (env: Record<string, string>) => {
      const loaded = loadConfig(env);
      return loaded.ok ? loaded.config.importMatchThreshold : loaded.errors;
    };
    expect(threshold({})).toBe(0.93);
    expect(threshold({ LEDGER_IMPORT_MATCH_THRESHOLD: '0.97' })).toBe(0.97);
    expect(threshold({ LEDGER_IMPORT_MATCH_THRESHOLD: '1' })).toBe(1);
    for (const bad of ['0.3', '1.5', 'high', '-1']) expect(threshold({ LEDGER_IMPORT_MATCH_THRESHOLD: bad })).toEqual([expect.stringContaining('LEDGER_IMPORT_MATCH_THRESHOLD')]);
  });

  it('serves the API docs by default on the embedded store only, and reads LEDGER_API_DOCS', () => {
    const docs = (env: Record<string, string>) => {
      const result = loadConfig(env);
      return result.ok ? result.config.apiDocs : result.errors;
    };
    expect(docs({})).toBe(true);
    expect(docs({ LEDGER_POSTGRES_URL: 'postgres://x@localhost/db' })).toBe(false);
    expect(docs({ LEDGER_POSTGRES_URL: 'postgres://x@localhost/db', LEDGER_API_DOCS: 'on' })).toBe(true);
    expect(docs({ LEDGER_API_DOCS: 'off' })).toBe(false);
    expect(docs({ LEDGER_API_DOCS: 'maybe' })).toEqual(['LEDGER_API_DOCS: "maybe" is not one of on, off']);
  });

  it('never makes demo users on PostgreSQL unless LEDGER_DEMO_USERS=on asks for them (issue 16.11)', () => {
    const url = 'postgres://ledger@db:5432/ledger';
    const seeded = loadConfig({ LEDGER_POSTGRES_URL: url, LEDGER_DEMO: 'on' });
    expect(seeded.ok && seeded.config).toMatchObject({ demo: true, demoUsers: false });
    const asked = loadConfig({ LEDGER_POSTGRES_URL: url, LEDGER_DEMO: 'on', LEDGER_DEMO_USERS: 'on' });
    expect(asked.ok && asked.config).toMatchObject({ demo: true, demoUsers: true });
    const noDemo = loadConfig({ LEDGER_DEMO: 'off', LEDGER_DEMO_USERS: 'on' });
    expect(noDemo.ok && noDemo.config.demoUsers).toBe(false);
    expect(loadConfig({ LEDGER_DEMO_USERS: 'perhaps' })).toEqual({ ok: false, errors: ['LEDGER_DEMO_USERS: "perhaps" is not one of on, off'] });
  });

  it('reads how the client address is found behind proxies, and refuses anything else', () => {
    const hops = loadConfig({ LEDGER_TRUST_PROXY: '1' });
    expect(hops.ok && hops.config.trustProxy).toBe(1);
    const list = loadConfig({ LEDGER_TRUST_PROXY: 'loopback, 10.0.0.0/8' });
    expect(list.ok && list.config.trustProxy).toBe('loopback,10.0.0.0/8');
    expect(loadConfig({ LEDGER_TRUST_PROXY: 'yes please' }).ok).toBe(false);
  });

  it('turns the demo off by default on PostgreSQL', () => {
    const result = loadConfig({ LEDGER_POSTGRES_URL: 'postgres://postgres@127.0.0.1:5432/ledger' });
    expect(result.ok && result.config.demo).toBe(false);
  });

  it('gives one line per bad value, naming the variable', () => {
    const result = loadConfig({ PORT: '70000', LEDGER_EVENT_STORE: 'mongo', LEDGER_POSTGRES_URL: 'mysql://x', LEDGER_DEMO: 'maybe', LEDGER_POSTGRES_POOL_SIZE: '1' });
    expect(result).toEqual({
      ok: false,
      errors: [
        'PORT: "70000" is not a port number (0-65535)',
        'LEDGER_EVENT_STORE: "mongo" is not one of postgres, esdb',
        'LEDGER_POSTGRES_URL: not a postgres:// or postgresql:// connection string',
        'LEDGER_DEMO: "maybe" is not one of on, off',
        'LEDGER_POSTGRES_POOL_SIZE: "1" is not a whole number from 2 to 500',
      ],
    });
  });

  it('reads the readiness lag bound and the log level, refusing values out of range', () => {
    const good = loadConfig({ LEDGER_READY_MAX_LAG_EVENTS: '500', LEDGER_LOG_LEVEL: 'WARN' });
    expect(good.ok && [good.config.readyMaxLagEvents, good.config.logLevel]).toEqual([500, 'warn']);
    expect(loadConfig({ LEDGER_READY_MAX_LAG_EVENTS: '200001', LEDGER_LOG_LEVEL: 'loud' })).toEqual({
      ok: false,
      errors: ['LEDGER_READY_MAX_LAG_EVENTS: "200001" is not a whole number from 0 to 100000', 'LEDGER_LOG_LEVEL: "loud" is not one of fatal, error, warn, info, debug, trace, silent'],
    });
  });

  it('reads how long a starting process waits for its database, refusing a bad value', () => {
    expect(loadConfig({ LEDGER_STORE_WAIT_SECONDS: '5' })).toMatchObject({ ok: true, config: { storeWaitSeconds: 5 } });
    expect(loadConfig({ LEDGER_STORE_WAIT_SECONDS: 'soon' })).toEqual({ ok: false, errors: ['LEDGER_STORE_WAIT_SECONDS: "soon" is not a whole number from 0 to 3600'] });
  });

  it('hashes passwords at bcrypt cost 10 unless LEDGER_PASSWORD_HASH_COST says otherwise, from 4 to 15', () => {
    expect(loadConfig({})).toMatchObject({ ok: true, config: { passwordHashCost: 10 } });
    expect(loadConfig({ LEDGER_PASSWORD_HASH_COST: '12' })).toMatchObject({ ok: true, config: { passwordHashCost: 12 } });
    expect(loadConfig({ LEDGER_PASSWORD_HASH_COST: '3' })).toEqual({ ok: false, errors: ['LEDGER_PASSWORD_HASH_COST: "3" is not a whole number from 4 to 15'] });
  });

  it('requires an EventStoreDB address when that store is chosen', () => {
    expect(loadConfig({ LEDGER_EVENT_STORE: 'esdb' })).toEqual({ ok: false, errors: ['LEDGER_ESDB_URL: required when LEDGER_EVENT_STORE=esdb'] });
    expect(loadConfig({ LEDGER_EVENT_STORE: 'esdb', LEDGER_ESDB_URL: 'esdb://localhost:2113?tls=false' }).ok).toBe(true);
  });

  it('asks for a second programme manager to approve overrides when LEDGER_OVERRIDE_APPROVER=separate', () => {
    const result = loadConfig({ LEDGER_OVERRIDE_APPROVER: 'separate' });
    expect(result.ok && result.config.separateOverrideApprover).toBe(true);
    expect(loadConfig({ LEDGER_OVERRIDE_APPROVER: 'anyone' })).toEqual({ ok: false, errors: ['LEDGER_OVERRIDE_APPROVER: "anyone" is not one of self, separate'] });
  });

  it('reads an early starter programme start from LEDGER_PROGRAMME_STARTS_ON (DOMAIN.md 4.5), a calendar date', () => {
    const result = loadConfig({ LEDGER_PROGRAMME_STARTS_ON: '2014-09-01' });
    expect(result.ok && result.config.programmeStartsOn).toBe('2014-09-01');
    const absent = loadConfig({});
    expect(absent.ok && absent.config.programmeStartsOn).toBeUndefined();
    expect(loadConfig({ LEDGER_PROGRAMME_STARTS_ON: '2014-02-30' })).toEqual({ ok: false, errors: ['LEDGER_PROGRAMME_STARTS_ON: "2014-02-30" is not a date YYYY-MM-DD'] });
  });

  it('never prints a password', () => {
    expect(redactUrl('postgres://ledger:s3cret@db:5432/ledger')).toBe('postgres://ledger:***@db:5432/ledger');
  });
});
