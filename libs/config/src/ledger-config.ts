/**
 * The service's configuration, read once from the environment at the edge (each app's `main.ts`).
 * ARCHITECTURE.md "Configuration": no other code reads `process.env`.
 */
export interface LedgerConfig {
  /** HTTP port of the api app. */
  port: number;
  /** Which event store adapter to use. `postgres` covers both PostgreSQL and embedded PGlite. */
  eventStore: 'postgres' | 'esdb';
  /** PostgreSQL connection string; absent → embedded PGlite under `dataDir`. */
  postgresUrl?: string;
  /** Directory of the embedded PGlite database (and its lock file). */
  dataDir: string;
  /** EventStoreDB / KurrentDB connection string, required when `eventStore` is `esdb`. */
  esdbUrl?: string;
  /** Seed an empty store with the synthetic demo borough. Defaults to on in embedded mode. */
  demo: boolean;
  /**
   * Create the demo users (`demo.*`, one shared password) with the demo borough. On by default in
   * embedded mode; on PostgreSQL only when `LEDGER_DEMO_USERS=on` says so (issue 16.11).
   */
  demoUsers: boolean;
  /** Size of the PostgreSQL connection pool. */
  postgresPoolSize: number;
  /**
   * Group commit of the event store on PostgreSQL and PGlite (`LEDGER_GROUP_COMMIT`, default on):
   * concurrent appends share one transaction and one commit, each with its own answer. Off writes
   * every append in a transaction of its own (for comparing the two).
   */
  groupCommit: boolean;
  /** Schema of the event store on PostgreSQL (read models go in `read`, or `<schema>_read` for another schema). */
  postgresSchema: string;
  /** The council this deployment serves; names its programme and outcome plan streams. */
  councilId: string;
  /** How many synthetic families the demo borough has, and the seed that makes them. */
  demoFamilies: number;
  demoSeed: number;
  /** Run the projections inside the api (`inline`, the default) or leave them to `apps/projector` (`external`). */
  projections: 'inline' | 'external';
  /** Secret signing access tokens; absent → a key file in the embedded data directory, or one per process. */
  jwtSecret?: string;
  /** `username:password` of the first admin, created on a store with no users. */
  bootstrapAdmin?: { username: string; password: string };
  /** Lifetime of an access token, in minutes. */
  tokenMinutes: number;
  /** Failed sign-ins one client address may make in 15 minutes before it is refused (429). */
  signInFailuresPerAddress: number;
  /** Sign-in attempts, right or wrong, one client address may make in a minute. */
  signInAttemptsPerMinute: number;
  /**
   * bcrypt's cost for new password hashes (2^cost rounds). 10 by default; 12 or more where sign-in
   * can afford it. Below 10 only for test runs, which hash hundreds of throwaway passwords: the api
   * warns at start. A hash keeps the cost it was made with, so a change applies to new passwords.
   */
  passwordHashCost: number;
  /**
   * Which proxies are trusted (LEDGER_TRUST_PROXY, meant as Express's `trust proxy`): how a
   * client's address is found behind reverse proxies, a number of hops or a list of the proxies'
   * addresses (`loopback`, `10.0.0.0/8`, …).
   * Absent: the connection's own address (behind a proxy, every client would share the proxy's).
   */
  trustProxy?: number | string;
  /**
   * Master key wrapping every person's data key (32 bytes, base64 or hex). Required with
   * PostgreSQL; absent in embedded mode → a key file generated once in the data directory.
   */
  masterKey?: string;
  /** Personal data is erased this many whole years after the family's case was closed (DOMAIN.md 6). */
  retentionYears: number;
  /** Families identified but never attached: erased this many years after identification or their last activity, whichever is later. */
  retentionNotAttachedYears: number;
  /** Attached families whose case was never closed: erased this many years after their last activity. */
  retentionInactiveYears: number;
  /** The council's data agreement with the Office for National Statistics, named on each evaluation transfer (e.g. `ONS-DSA-2015-017`). */
  onsAgreementReference: string;
  /** Who families contact about their data, shown in the privacy notice (LEDGER_PRIVACY_CONTACT). */
  privacyContact: string;
  /** Published tables suppress counts below this (DOMAIN.md 6: fewer than 5). */
  suppressionThreshold: number;
  /**
   * Issue 21.2: the confidence at or above which a partner file's row is matched to a person by
   * names, date of birth and postcode without a person's review (`LEDGER_IMPORT_MATCH_THRESHOLD`,
   * 0.5–1, default 0.93: a wrong match shares a family's data with the wrong people).
   */
  importMatchThreshold: number;
  /** `/health/ready` answers 503 while any projection is more than this many events behind the log. */
  readyMaxLagEvents: number;
  /** How often (seconds) the api refreshes the BI feed's results per family and month end; 0: never (the embedded default). */
  reportingRefreshSeconds: number;
  /** Level of the JSON logs (`fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`). */
  logLevel: LogLevel;
  /**
   * Serve Swagger UI at `/api/docs` and the OpenAPI document at `/api/docs-json`
   * (`LEDGER_API_DOCS`, issue 16.9): on by default for the embedded store, off on PostgreSQL, where
   * a live service need not describe itself to whoever asks.
   */
  apiDocs: boolean;
  /**
   * How long a starting process waits for an unreachable PostgreSQL server (seconds), trying again
   * with a backoff, before it gives up; 0 gives up at the first failure.
   */
  storeWaitSeconds: number;
  /**
   * DOMAIN.md 4.1: an override is approved by a programme manager other than the one recording it
   * (`LEDGER_OVERRIDE_APPROVER=separate`); by default (`self`) the recorder approves it.
   */
  separateOverrideApprover?: boolean;
  /**
   * DOMAIN.md 4.5: the council's own programme start (`LEDGER_PROGRAMME_STARTS_ON`, YYYY-MM-DD),
   * for early starters who attached families from September 2014; absent, the framework's start.
   * A start before the framework's earliest is read as the earliest.
   */
  programmeStartsOn?: string;
  /**
   * Claim reports (DOMAIN.md 5): the declarations printed with the programme lead's and the head
   * of internal audit's sign-offs (LEDGER_DECLARATION_PROGRAMME_LEAD, LEDGER_DECLARATION_HEAD_OF_AUDIT).
   */
  declarations: { programmeLead: string; headOfAudit: string };
  /**
   * The running service the cli reads reports through while it holds the embedded store
   * (LEDGER_API_URL, default http://127.0.0.1:PORT), and the bearer token it uses (LEDGER_API_TOKEN).
   */
  apiUrl: string;
  apiToken?: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The declarations printed when none is configured (DOMAIN.md 5.3). */
export const defaultDeclarations = {
  programmeLead:
    "I confirm that the families in this claim met the eligibility criteria of the Troubled Families programme, that each achieved the result claimed under the council's Outcome Plan, that the evidence of each result is held and available for inspection, and that no family has been claimed for before.",
  headOfAudit:
    'I confirm that internal audit has validated a sample of the results in this claim, drawn as the financial framework requires, that every family found invalid has been removed from it, and that I am satisfied the claim is supported by the evidence held.',
} as const;

export type Env = Readonly<Record<string, string | undefined>>;

export type ConfigResult = { ok: true; config: LedgerConfig } | { ok: false; errors: string[] };

const ON_OFF: Record<string, boolean> = { on: true, true: true, '1': true, off: false, false: false, '0': false };

/** Validates the environment; every bad value gives one line naming the variable and what is allowed. */
export function loadConfig(env: Env): ConfigResult {
  const errors: string[] = [];
  const value = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  let port = 3000;
  const rawPort = value('PORT');
  if (rawPort !== undefined) {
    const n = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || !Number.isInteger(n) || n < 0 || n > 65535) {
      errors.push(`PORT: "${rawPort}" is not a port number (0-65535)`);
    } else port = n;
  }

  let eventStore: LedgerConfig['eventStore'] = 'postgres';
  const rawStore = value('LEDGER_EVENT_STORE');
  if (rawStore !== undefined) {
    if (rawStore === 'postgres' || rawStore === 'esdb') eventStore = rawStore;
    else errors.push(`LEDGER_EVENT_STORE: "${rawStore}" is not one of postgres, esdb`);
  }

  const postgresUrl = value('LEDGER_POSTGRES_URL');
  if (postgresUrl !== undefined && !isUrlWithProtocol(postgresUrl, ['postgres:', 'postgresql:'])) {
    errors.push('LEDGER_POSTGRES_URL: not a postgres:// or postgresql:// connection string');
  }

  const esdbUrl = value('LEDGER_ESDB_URL');
  if (esdbUrl !== undefined && !isUrlWithProtocol(esdbUrl, ['esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:', 'kdb:'])) {
    errors.push('LEDGER_ESDB_URL: not an esdb:// or kurrentdb:// connection string');
  }
  if (eventStore === 'esdb' && esdbUrl === undefined) {
    errors.push('LEDGER_ESDB_URL: required when LEDGER_EVENT_STORE=esdb');
  }

  const dataDir = value('LEDGER_DATA_DIR') ?? './data';

  let demo = postgresUrl === undefined && eventStore === 'postgres';
  const rawDemo = value('LEDGER_DEMO');
  if (rawDemo !== undefined) {
    const parsed = ON_OFF[rawDemo.toLowerCase()];
    if (parsed === undefined) errors.push(`LEDGER_DEMO: "${rawDemo}" is not one of on, off`);
    else demo = parsed;
  }

  // Demo users share a published password: never on a real store unless asked for by name.
  let demoUsers = demo && postgresUrl === undefined;
  const rawDemoUsers = value('LEDGER_DEMO_USERS');
  if (rawDemoUsers !== undefined) {
    const parsed = ON_OFF[rawDemoUsers.toLowerCase()];
    if (parsed === undefined) errors.push(`LEDGER_DEMO_USERS: "${rawDemoUsers}" is not one of on, off`);
    else demoUsers = parsed && demo;
  }

  let postgresPoolSize = 20;
  const rawPool = value('LEDGER_POSTGRES_POOL_SIZE');
  if (rawPool !== undefined) {
    const n = Number(rawPool);
    if (!/^\d+$/.test(rawPool) || n < 2 || n > 500) errors.push(`LEDGER_POSTGRES_POOL_SIZE: "${rawPool}" is not a whole number from 2 to 500`);
    else postgresPoolSize = n;
  }

  let groupCommit = true;
  const rawGroupCommit = value('LEDGER_GROUP_COMMIT');
  if (rawGroupCommit !== undefined) {
    const parsed = ON_OFF[rawGroupCommit.toLowerCase()];
    if (parsed === undefined) errors.push(`LEDGER_GROUP_COMMIT: "${rawGroupCommit}" is not one of on, off`);
    else groupCommit = parsed;
  }

  const councilId = value('LEDGER_COUNCIL_ID') ?? 'council';
  if (!/^[a-z0-9][a-z0-9-]{0,59}$/.test(councilId)) errors.push(`LEDGER_COUNCIL_ID: "${councilId}" must be lower-case letters, digits and dashes (up to 60)`);

  const demoFamilies = wholeNumber('LEDGER_DEMO_FAMILIES', 300, 1, 100_000);
  const demoSeed = wholeNumber('LEDGER_DEMO_SEED', 2015, 0, 2 ** 31 - 1);

  const rawProjections = value('LEDGER_PROJECTIONS') ?? 'inline';
  if (rawProjections !== 'inline' && rawProjections !== 'external') errors.push(`LEDGER_PROJECTIONS: "${rawProjections}" is not one of inline, external`);
  const projections = rawProjections === 'external' ? 'external' : 'inline';

  const postgresSchema = value('LEDGER_POSTGRES_SCHEMA') ?? 'ledger';
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(postgresSchema)) errors.push(`LEDGER_POSTGRES_SCHEMA: "${postgresSchema}" must be lower-case letters, digits and underscores`);
  const jwtSecret = value('LEDGER_JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) errors.push('LEDGER_JWT_SECRET: must be at least 32 characters');
  let bootstrapAdmin: LedgerConfig['bootstrapAdmin'];
  const rawAdmin = value('LEDGER_BOOTSTRAP_ADMIN');
  if (rawAdmin !== undefined) {
    const colon = rawAdmin.indexOf(':');
    const username = colon > 0 ? rawAdmin.slice(0, colon) : '';
    const password = colon > 0 ? rawAdmin.slice(colon + 1) : '';
    if (!/^[a-z0-9][a-z0-9._-]{1,59}$/.test(username) || password.length < 12) {
      errors.push('LEDGER_BOOTSTRAP_ADMIN: must be username:password (a lower-case username, a password of at least 12 characters)');
    } else bootstrapAdmin = { username, password };
  }
  const tokenMinutes = wholeNumber('LEDGER_TOKEN_MINUTES', 15, 1, 24 * 60);
  const signInFailuresPerAddress = wholeNumber('LEDGER_SIGN_IN_FAILURES_PER_ADDRESS', 5, 1, 100_000);
  const signInAttemptsPerMinute = wholeNumber('LEDGER_SIGN_IN_ATTEMPTS_PER_MINUTE', 30, 1, 100_000);
  const passwordHashCost = wholeNumber('LEDGER_PASSWORD_HASH_COST', 10, 4, 15);
  let trustProxy: number | string | undefined;
  const rawTrustProxy = value('LEDGER_TRUST_PROXY');
  if (rawTrustProxy !== undefined) {
    const proxies = rawTrustProxy.split(',').map((p) => p.trim());
    if (/^\d{1,2}$/.test(rawTrustProxy)) trustProxy = Number(rawTrustProxy);
    else if (proxies.every((p) => /^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/.test(p))) trustProxy = proxies.join(',');
    else errors.push(`LEDGER_TRUST_PROXY: "${rawTrustProxy}" is not a number of proxy hops nor a list of proxy addresses (loopback, linklocal, uniquelocal, IP addresses or subnets)`);
  }
  const masterKey = value('LEDGER_MASTER_KEY');
  if (masterKey !== undefined && !isThirtyTwoBytes(masterKey)) errors.push('LEDGER_MASTER_KEY: must be 32 bytes, as base64 (44 characters) or hex (64 characters)');
  const retentionYears = wholeNumber('LEDGER_RETENTION_YEARS', 6, 1, 100);
  const retentionNotAttachedYears = wholeNumber('LEDGER_RETENTION_NOT_ATTACHED_YEARS', 2, 1, 100);
  const retentionInactiveYears = wholeNumber('LEDGER_RETENTION_INACTIVE_YEARS', 6, 1, 100);
  const onsAgreementReference = value('LEDGER_ONS_AGREEMENT') ?? 'ONS-EVALUATION-AGREEMENT';
  const privacyContact = value('LEDGER_PRIVACY_CONTACT') ?? "the council's data protection officer";
  if (privacyContact.length > 300) errors.push('LEDGER_PRIVACY_CONTACT: at most 300 characters');
  if (!/^[A-Za-z0-9][A-Za-z0-9/_.-]{0,59}$/.test(onsAgreementReference)) errors.push('LEDGER_ONS_AGREEMENT: must be a reference of letters, digits and / _ . - (at most 60 characters)');
  const suppressionThreshold = wholeNumber('LEDGER_SUPPRESSION_THRESHOLD', 5, 2, 100);
  let importMatchThreshold = 0.93;
  const rawThreshold = value('LEDGER_IMPORT_MATCH_THRESHOLD');
  if (rawThreshold !== undefined) {
    if (/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/.test(rawThreshold) && Number(rawThreshold) >= 0.5) importMatchThreshold = Number(rawThreshold);
    else errors.push(`LEDGER_IMPORT_MATCH_THRESHOLD: "${rawThreshold}" is not a confidence from 0.5 to 1 (e.g. 0.93)`);
  }
  // Up to 100,000: the bounded count a lag check makes (libs/projections LAG_COUNT_LIMIT).
  const readyMaxLagEvents = wholeNumber('LEDGER_READY_MAX_LAG_EVENTS', 10_000, 0, 100_000);
  // BI tools connect to PostgreSQL (docs/bi.md): the embedded store does not spend CPU on the feed unless asked.
  const reportingRefreshSeconds = wholeNumber('LEDGER_REPORTING_REFRESH_SECONDS', postgresUrl === undefined ? 0 : 300, 0, 86_400);
  const rawLevel = (value('LEDGER_LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(rawLevel)) errors.push(`LEDGER_LOG_LEVEL: "${rawLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  const logLevel = ((LOG_LEVELS as readonly string[]).includes(rawLevel) ? rawLevel : 'info') as LogLevel;
  const storeWaitSeconds = wholeNumber('LEDGER_STORE_WAIT_SECONDS', 60, 0, 3_600);
  const rawApprover = value('LEDGER_OVERRIDE_APPROVER') ?? 'self';
  if (rawApprover !== 'self' && rawApprover !== 'separate') errors.push(`LEDGER_OVERRIDE_APPROVER: "${rawApprover}" is not one of self, separate`);
  const separateOverrideApprover = rawApprover === 'separate';
  const programmeStartsOn = value('LEDGER_PROGRAMME_STARTS_ON');
  if (programmeStartsOn !== undefined && !isCalendarDate(programmeStartsOn)) errors.push(`LEDGER_PROGRAMME_STARTS_ON: "${programmeStartsOn}" is not a date YYYY-MM-DD`);
  const declarations = {
    programmeLead: declaration('LEDGER_DECLARATION_PROGRAMME_LEAD', defaultDeclarations.programmeLead),
    headOfAudit: declaration('LEDGER_DECLARATION_HEAD_OF_AUDIT', defaultDeclarations.headOfAudit),
  };
  const apiUrl = value('LEDGER_API_URL') ?? `http://127.0.0.1:${port}`;
  if (!isUrlWithProtocol(apiUrl, ['http:', 'https:'])) errors.push('LEDGER_API_URL: not an http:// or https:// address');
  const apiToken = value('LEDGER_API_TOKEN');

  let apiDocs = postgresUrl === undefined;
  const rawDocs = value('LEDGER_API_DOCS');
  if (rawDocs !== undefined) {
    const parsed = ON_OFF[rawDocs.toLowerCase()];
    if (parsed === undefined) errors.push(`LEDGER_API_DOCS: "${rawDocs}" is not one of on, off`);
    else apiDocs = parsed;
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      port,
      eventStore,
      postgresUrl,
      dataDir,
      esdbUrl,
      demo,
      demoUsers,
      postgresPoolSize,
      groupCommit,
      postgresSchema,
      councilId,
      demoFamilies,
      demoSeed,
      projections,
      jwtSecret,
      bootstrapAdmin,
      tokenMinutes,
      signInFailuresPerAddress,
      signInAttemptsPerMinute,
      passwordHashCost,
      trustProxy,
      masterKey,
      retentionYears,
      retentionNotAttachedYears,
      retentionInactiveYears,
      onsAgreementReference,
      privacyContact,
      suppressionThreshold,
      importMatchThreshold,
      storeWaitSeconds,
      separateOverrideApprover,
      ...(programmeStartsOn !== undefined ? { programmeStartsOn } : {}),
      declarations,
      apiUrl,
      apiToken,
      readyMaxLagEvents,
      reportingRefreshSeconds,
      logLevel,
      apiDocs,
    },
  };

  function declaration(name: string, fallback: string): string {
    const raw = value(name);
    if (raw === undefined) return fallback;
    if (raw.length > 2_000 || /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(raw)) errors.push(`${name}: must be plain text of at most 2000 characters`);
    return raw;
  }

  function wholeNumber(name: string, fallback: number, min: number, max: number): number {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      errors.push(`${name}: "${raw}" is not a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }
}

function isCalendarDate(raw: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return false;
  const date = new Date(`${raw}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === raw;
}

function isThirtyTwoBytes(raw: string): boolean {
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return true;
  return /^[A-Za-z0-9+/_-]{43}=?$/.test(raw) && Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64').length === 32;
}

function isUrlWithProtocol(raw: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(raw).protocol);
  } catch {
    return false;
  }
}

/** A connection string with any password replaced, for logs. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable url)';
  }
}

/**
 * For each app's `main.ts`: the configuration, or `null` after reporting one line per bad value
 * (the caller then exits with status 1).
 */
export function configOrReport(env: Env, report: (line: string) => void = (line) => console.error(line)): LedgerConfig | null {
  const loaded = loadConfig(env);
  if (loaded.ok) return loaded.config;
  for (const line of loaded.errors) report(`configuration error: ${line}`);
  return null;
}
