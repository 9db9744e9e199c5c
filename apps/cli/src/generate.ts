import { atIndex, decideFamily, decideProgramme, evolveFamily, evolveProgramme, type FamilyCommand, initialFamilyState, initialProgrammeState, streams, troubledFamilies2015 } from '@ledger/domain';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boroughFiles } from '@ledger/imports';
import { type BulkAppendItem, eventIdFor, eventIdsFor, type NewEvent } from '@ledger/event-store';
import { generateBorough, generateFamilies, type SyntheticFamily } from '@ledger/synthetic';

/**
 * `cli generate`: deterministic synthetic family histories (DOMAIN.md section 7), either as the
 * event batches the real deciders record (for bulk import and benchmarks) or as the HTTP command
 * sequences a client would send to the api. Same families and seed, same output.
 */

export interface GenerateOptions {
  families: number;
  seed: number;
  /** Index of the first family (resume a run, or add families to a store already holding some). */
  startIndex?: number;
  councilId?: string;
  familiesPerBatch?: number;
}

/**
 * Synthetic families as the events the real deciders would record, in bulk-append batches. The
 * first batch is the programme's configuration (ids derived from the seed, so it is skipped as a
 * retry when a store already holds it); every later batch holds `familiesPerBatch` family streams.
 */
export function* syntheticEventBatches(options: GenerateOptions): Generator<BulkAppendItem[]> {
  const councilId = options.councilId ?? 'council';
  const start = options.startIndex ?? 0;
  const borough = generateBorough({ families: 0, seed: options.seed });
  let programme = initialProgrammeState();
  // Allocation sized for everything up to the last family, so a resumed run configures it the same way
  // only when it asks for the same total: benchmarks pass the same seed and add families in order.
  const configure = decideProgramme({ ...borough.programme, allocation: Math.max((start + options.families) * 2, 10) }, programme);
  if (!configure.ok) throw new Error(configure.rejection.reason);
  for (const e of configure.events) programme = evolveProgramme(programme, e);
  yield [{ streamId: streams.programme(councilId), events: toNew(configure.events, `programme-${options.seed}`, '2015-04-01'), expectedVersion: 'any' }];

  let batch: BulkAppendItem[] = [];
  for (const family of generateFamilies({ families: options.families, seed: options.seed, startIndex: start })) {
    let state = initialFamilyState();
    const events: NewEvent[] = [];
    for (const [i, step] of family.commands.entries()) {
      const decision = decideFamily(step.command, state, { recordedOn: step.recordedOn, actorId: 'generator', programme, programmeStartsOn: troubledFamilies2015.programmeStartsOn });
      if (!decision.ok) throw new Error(`${family.reference} command ${i}: ${decision.rejection.reason}`);
      const recorded = toNew(decision.events, `${family.familyId}:${i}`, step.recordedOn);
      decision.events.forEach((event, n) => {
        state = evolveFamily(state, event, atIndex(recorded, n, 'event').metadata.eventId);
      });
      if (step.command.type === 'AttachFamily') {
        const place = decideProgramme({ type: 'TakeAllocationPlace', familyId: family.familyId, attachedOn: step.command.attachedOn }, programme);
        // The programme's fold copies its map of attached families at each place taken (state is
        // immutable; right for a council's few thousand). One programme of 400,000 families (the
        // national benchmark) made that quadratic, so the generator records each place in place.
        if (place.ok) {
          for (const e of place.events) {
            if (e.type === 'AllocationPlaceTaken') programme.attachedFamilies.set(e.data.familyId, e.data.attachedOn);
            else programme = evolveProgramme(programme, e);
          }
        }
      }
      events.push(...recorded);
    }
    batch.push({ streamId: streams.family(family.familyId), events, expectedVersion: 'no_stream' });
    if (batch.length >= (options.familiesPerBatch ?? 100)) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function toNew(events: readonly { type: string; data: unknown }[], commandKey: string, recordedOn: string): NewEvent[] {
  const commandId = eventIdFor(commandKey, 0);
  const ids = eventIdsFor(commandId, events.length);
  return events.map((e, i) => ({
    type: e.type,
    data: e.data as NewEvent['data'],
    metadata: {
      eventId: atIndex(ids, i, 'event id'),
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actor: { userId: 'generator', role: 'system' },
      recordedAt: `${recordedOn}T12:00:00.000Z`,
      schemaVersion: 1,
    },
  }));
}

/** One request of a family's HTTP command sequence. `:familyId` is the id the first request's answer gives. */
export interface HttpCommand {
  method: 'POST';
  path: string;
  body: Record<string, unknown>;
  /** Stable per family and step, so a re-sent sequence records nothing twice. */
  idempotencyKey: string;
  /** The day the command was recorded in the synthetic history (the api records it today). */
  recordedOn: string;
}

const PATHS: Record<Exclude<FamilyCommand['type'], 'IdentifyFamily' | 'CorrectFact'>, string> = {
  AddFamilyMember: 'members',
  IdentifyHeadlineProblem: 'problems',
  AttachFamily: 'attachment',
  RecordSchoolAttendance: 'school-attendance',
  RecordExclusion: 'exclusions',
  RecordOffence: 'offences',
  RecordAsbIncident: 'asb-incidents',
  RecordBenefitChange: 'benefits',
  RecordEmploymentChange: 'employment',
  RecordDomesticAbuseIncident: 'domestic-abuse-incidents',
  RecordHealthChange: 'health',
  RecordSocialCareStatus: 'social-care',
  RecordConsent: 'consents',
  RecordActivityChange: 'activities',
  RecordUcConditionality: 'uc-conditionality',
  RecordOutcomeMilestone: 'milestones',
  RecordOutcomeOverride: 'overrides',
  CloseFamilyCase: 'closure',
};

/** A synthetic family as the requests a client would send (POST /api/families first). */
export function httpCommandsFor(family: SyntheticFamily): HttpCommand[] {
  return family.commands.map((step, i) => {
    const idempotencyKey = `${family.reference}:${i}`;
    const { path, body } = requestFor(step.command);
    return { method: 'POST', path, body, idempotencyKey, recordedOn: step.recordedOn };
  });
}

function requestFor(command: FamilyCommand): { path: string; body: Record<string, unknown> } {
  switch (command.type) {
    case 'IdentifyFamily':
      return { path: '/api/families', body: { reference: command.reference, identifiedOn: command.identifiedOn, members: command.members } };
    case 'AddFamilyMember':
      return { path: '/api/families/:familyId/members', body: { ...command.member } };
    case 'CorrectFact': {
      const replacement = requestFor(command.replacement);
      return {
        path: '/api/families/:familyId/corrections',
        body: {
          supersedesEventId: command.supersedesEventId,
          replacement: { path: replacement.path.replace(/^.*\//, ''), body: replacement.body },
          ...(command.reason ? { reason: command.reason } : {}),
        },
      };
    }
    default: {
      const { type, ...body } = command;
      return { path: `/api/families/:familyId/${PATHS[type]}`, body };
    }
  }
}

const GENERATE_USAGE = `usage: npm run cli -- generate --families N [--seed S] [--start I] [--format events|http] [--files DIR]

Writes newline-delimited JSON to stdout:
  events  one line per bulk-append batch: [{ streamId, events, expectedVersion }, ...]
  http    one line per family: { reference, requests: [{ method, path, body, idempotencyKey, recordedOn }] }
          (":familyId" in a path is the id answered by the family's first request)
  --files DIR  (with http) the partners' evidence as their CSV files in DIR, one per source
          (docs/imports.md "Seeding the demo borough from files"); stdout keeps only the requests
          no file carries`;

/** The `generate` command of the cli. Needs no store. */
export async function runGenerate(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    if (name === undefined || !name.startsWith('--') || value === undefined) {
      console.error(GENERATE_USAGE);
      return 2;
    }
    flags.set(name.slice(2), value);
  }
  const families = Number(flags.get('families'));
  const seed = Number(flags.get('seed') ?? '2015');
  const startIndex = Number(flags.get('start') ?? '0');
  const format = flags.get('format') ?? 'events';
  const filesDir = flags.get('files');
  const unknown = [...flags.keys()].filter((k) => !['families', 'seed', 'start', 'format', 'files'].includes(k));
  if (
    !Number.isInteger(families) ||
    families < 1 ||
    !Number.isInteger(seed) ||
    !Number.isInteger(startIndex) ||
    startIndex < 0 ||
    !['events', 'http'].includes(format) ||
    unknown.length > 0 ||
    (filesDir !== undefined && format !== 'http')
  ) {
    console.error(GENERATE_USAGE);
    return 2;
  }
  const write = (line: string): Promise<void> =>
    new Promise((resolve) => {
      if (out.write(`${line}\n`)) resolve();
      else out.once('drain', () => resolve());
    });
  if (filesDir !== undefined) {
    // Issue 21: the partners' evidence as files, the rest as the staff's requests.
    const all = [...generateFamilies({ families, seed, startIndex })];
    const split = boroughFiles(all);
    mkdirSync(filesDir, { recursive: true });
    for (const [source, csv] of Object.entries(split.files)) writeFileSync(join(filesDir, `${source}.csv`), csv, 'utf8');
    for (const [i, family] of all.entries()) {
      const kept = split.recordedByStaff[i];
      await write(JSON.stringify({ reference: family.reference, requests: httpCommandsFor({ ...family, commands: kept?.commands ?? [] }) }));
    }
    return 0;
  }
  if (format === 'events') {
    for (const batch of syntheticEventBatches({ families, seed, startIndex })) await write(JSON.stringify(batch));
  } else {
    for (const family of generateFamilies({ families, seed, startIndex })) await write(JSON.stringify({ reference: family.reference, requests: httpCommandsFor(family) }));
  }
  return 0;
}
