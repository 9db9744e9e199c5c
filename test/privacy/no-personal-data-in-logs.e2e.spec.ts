import type { LoggerService } from '@nestjs/common';
import { Writable } from 'node:stream';
import { storeKinds, startTestApp, type TestApp } from '../support/app';
import { configureProgramme } from '../support/families-fixture';
import { asAdmin, asProgrammeManager, keyworkerOnRecord, signedInAs, signedInPartner } from '../support/signed-in';

/**
 * Issue 6.7 and ARCHITECTURE.md "Privacy": logs never carry personal data. Every log line the app
 * writes (at every level, verbose included) and everything written to the process's stdout and
 * stderr is captured while a run goes through recording, reading, refusals, bad input, consent,
 * exports and erasure with people whose names are distinctive; none of their values may appear.
 */
const PEOPLE = [
  { relationship: 'parent', givenName: 'Wenceslava', familyName: 'Quorncastle', dateOfBirth: '1977-11-29', postcode: 'QX4 8WZ', nationalInsuranceNumber: 'QW776655A' },
  { relationship: 'child', givenName: 'Thaddeusina', familyName: 'Quorncastle', dateOfBirth: '2010-02-17', nhsNumber: '9876544321' },
] as const;
const HEALTH_NOTE = 'Quorncastle asthma clinic';
const VALUES = [...PEOPLE.flatMap((p) => [p.givenName, p.familyName, p.dateOfBirth]), 'QX4 8WZ', 'QW776655A', '9876544321', HEALTH_NOTE];

class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private write(level: string, message: unknown, rest: unknown[]) {
    this.lines.push(`${level} ${stringify(message)} ${rest.map(stringify).join(' ')}`);
  }
  log(message: unknown, ...rest: unknown[]) {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest);
  }
}

function stringify(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message} ${value.stack ?? ''}`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The JSON request logs (nestjs-pino), one stream for the file: the process keeps the first app's logger. */
const jsonLines: string[] = [];
const jsonLogs = new Writable({
  write(chunk: Buffer, _encoding, done) {
    jsonLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

describe.each(storeKinds)('logs on %s', (kind) => {
  let t: TestApp;
  const logger = new CapturingLogger();
  const written: string[] = [];
  const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

  beforeAll(async () => {
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    t = await startTestApp(kind, {}, { logger, log: { level: 'trace', destination: jsonLogs }, clock: { now: () => new Date('2019-04-20T10:00:00Z') } });
  });
  afterAll(async () => {
    await t.close();
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
  });

  it('carry none of the personal values of the people the run recorded, read, refused and erased', async () => {
    await configureProgramme(t);
    const pm = asProgrammeManager(t);
    const family = await pm.post('/api/families').send({ reference: 'LOGS-1', identifiedOn: '2016-05-01', members: PEOPLE }).expect(201);
    const familyId: string = family.body.familyId;
    const [parentId, childId] = family.body.members.map((m: { memberId: string }) => m.memberId);
    await pm.post(`/api/families/${familyId}/health`).send({ memberId: parentId, change: 'identified', on: '2016-05-02', description: HEALTH_NOTE }).expect(201);
    for (const problem of ['health', 'education'])
      await pm.post(`/api/families/${familyId}/problems`).send({ problem, indicator: 'at entry', identifiedOn: '2016-05-02', source: 'school' }).expect(201);
    await keyworkerOnRecord(t, 'kw.logs');
    await pm.post(`/api/families/${familyId}/attachment`).send({ attachedOn: '2016-05-10', keyworker: 'kw.logs' }).expect(201);
    await pm.get(`/api/families/${familyId}`).expect(200);
    await pm.get(`/api/families/${familyId}/history`).expect(200);

    // Bad input carrying the values, a duplicate, refusals by role and by consent.
    await pm
      .post('/api/families')
      .send({ reference: 'LOGS-2', identifiedOn: '2016-05-01', members: [{ ...PEOPLE[0], dateOfBirth: `${PEOPLE[0].givenName} 1977` }] })
      .expect(400);
    await pm
      .post(`/api/families/${familyId}/members`)
      .send({ ...PEOPLE[1], memberId: childId })
      .expect(409);
    await pm.post('/api/families').set('Content-Type', 'application/json').send(`{"members": [{"givenName": "${PEOPLE[0].givenName}"`).expect(400);
    const police = await signedInPartner(t, 'police');
    await police.get(`/api/families/${familyId}`).expect(403);
    await pm.post(`/api/families/${familyId}/consents`).send({ memberId: parentId, purpose: 'sharing', given: false, on: '2019-01-01' }).expect(201);
    await police
      .post(`/api/families/${familyId}/offences`)
      .send({ memberId: parentId, committedOn: '2019-02-01', proven: true, category: `${PEOPLE[0].familyName} theft` })
      .expect(422);
    const analyst = await signedInAs(t, 'analyst');
    await analyst.get('/api/exports/ons-evaluation.csv').query({ from: '2015-01-01', to: '2019-03-31' }).expect(200);
    await asAdmin(t).post(`/api/people/${parentId}/erasure`).send({ reason: 'request from the data subject' }).expect(202);
    await pm.post(`/api/families/${familyId}/health`).send({ memberId: parentId, change: 'identified', on: '2016-06-01', description: HEALTH_NOTE }).expect(422);
    // Headers that can carry personal data: sent with the values, refused (a purpose is a code, a
    // correlation id a UUID: issue 16.4) and logged redacted (issue 14.7).
    await pm.get(`/api/families/${familyId}`).set('X-Access-Purpose', `visit to ${PEOPLE[0].givenName}`).expect(400);
    await pm.get(`/api/families/${familyId}`).set('X-Access-Purpose', 'casework').set('X-Correlation-Id', '6f1d3c2a-8b4e-4f6a-9c1d-2e3f4a5b6c7d').expect(200);
    // A legal basis is a gateway code from the register (issue 23.1): free text naming a person is refused, and logged redacted.
    await police.post(`/api/families/${familyId}/asb-incidents`).set('X-Legal-Basis', `Crime and Disorder Act 1998 s115 re ${PEOPLE[0].familyName}`).send({ occurredOn: '2019-02-02' }).expect(400);
    await police
      .post(`/api/families/${familyId}/asb-incidents`)
      .set('X-Legal-Basis', 'cda-1998-s115')
      .set('Idempotency-Key', `${PEOPLE[0].dateOfBirth}-asb`)
      .send({ occurredOn: '2019-02-02' })
      .expect(201);

    // Let the last response's log line be written (it is written when the response has finished).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const everything = [...logger.lines, ...written, ...jsonLines].join('\n');
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(VALUES.filter((v) => everything.includes(v))).toEqual([]);
    // One JSON line per request, with who, which route, the status and the duration, and no body.
    const requests = jsonLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.route !== undefined);
    expect(requests.length).toBeGreaterThanOrEqual(15);
    for (const line of requests) {
      expect(line).toEqual(expect.objectContaining({ userId: expect.any(String), route: expect.any(String), status: expect.any(Number), durationMs: expect.any(Number) }));
      expect(Object.keys(line)).not.toEqual(expect.arrayContaining(['body']));
      expect(Object.keys(line.req as object).sort()).toEqual(['headers', 'id', 'method', 'path']);
    }
    expect(jsonLines.some((l) => l.includes('"x-legal-basis":"[redacted]"'))).toBe(true);
    expect(jsonLines.some((l) => l.includes('"authorization":"[redacted]"'))).toBe(true);
  });
});
