import { createHash } from 'node:crypto';
import { type FamilyCommand, type FamilyState, applyFamilyEvent, atIndex, decideFamily, foldStoredFamily, streams, troubledFamilies2015 } from '@ledger/domain';
import { type BulkAppendItem, type EventMetadata, type EventStore, type JsonObject, type NewEvent, type RecordedEvent, type StreamRead, eventIdFor, eventIdsFor, uuidV5 } from '@ledger/event-store';
import { ERASED } from '@ledger/privacy';
import { type IdentifierKind, type ImportSource, type ParsedRow, type PersonInRow, SOURCE_ORGANISATION, commandFor, headlineProblemShown, parseImportFile } from './formats';
import { DEFAULT_MATCH_OPTIONS, type KnownPerson, type MatchMethod, type MatchOptions, PersonIndex, normaliseName, normalisePostcode } from './matching';

/**
 * Partner files into family events (issue 21): parse → match each row's person → decide each fact
 * with the family's own decider (the same rules and refusals as a command) → one bulk append of
 * every accepted row and the import's report, all or nothing, through the store that seals
 * personal fields. Re-importing a file records nothing; a changed row records a correction.
 */

export type LineOutcome = 'recorded' | 'corrected' | 'already-recorded' | 'review' | 'held' | 'rejected' | 'unmatched';

/** One line of a report that did not simply record (no personal values: reasons name columns and rules). */
export interface ReportLine {
  line: number;
  outcome: LineOutcome;
  reason?: string;
  message?: string;
  method?: MatchMethod;
  confidence?: number;
  reviewId?: string;
}

export interface ImportReport {
  importId: string;
  source: ImportSource;
  organisation: string;
  fileSha256: string;
  recordedOn: string;
  recordedAt: string;
  importedBy: string;
  legalBasisRecorded: boolean;
  rows: number;
  recorded: number;
  corrected: number;
  alreadyRecorded: number;
  matched: Record<MatchMethod, number>;
  queuedForReview: number;
  held: number;
  rejected: number;
  unmatched: number;
  /** Every line that was not recorded or already recorded, in file order. */
  lines: ReportLine[];
}

/** An import as the list of past imports shows it: its report without the lines. */
export type ImportSummary = Omit<ImportReport, 'lines'>;

export interface ImportRequest {
  source: ImportSource;
  bytes: Uint8Array;
  actor: EventMetadata['actor'];
  /** The instant of recording (ISO 8601) and its calendar day in England, from the edge's clock. */
  recordedAt: string;
  recordedOn: string;
  /** DOMAIN.md 6: the legal basis for recording without sharing consent, if any (sealed in each event's metadata). */
  legalBasis?: string;
  matching?: MatchOptions;
  onProgress?: (done: number, total: number) => void;
}

export type ImportOutcome = { kind: 'imported'; report: ImportReport } | { kind: 'already-imported'; report: ImportReport };

/** A row held for review, as the review queue shows it to a programme manager. */
export interface ReviewItem {
  reviewId: string;
  importId: string;
  line: number;
  confidence: number;
  why: string;
  candidate: { memberId: string; familyId: string };
  person: PersonInRow | string;
  fact: FamilyCommand | string;
  status: 'pending' | 'confirmed' | 'rejected';
  decidedBy?: string;
  familyId?: string;
}

/** A household of people matched to no family who show two or more headline problems (issue 21.3). */
export interface CandidateFamily {
  postcode: string;
  familyName: string;
  problems: string[];
  people: { givenName: string; familyName: string; dateOfBirth: string }[];
  evidence: { importId: string; line: number; source: string; problem: string; shownOn: string }[];
}

const NAMESPACE = '2d8f4b6a-0c1e-4a7b-9f3d-5e6c7a8b9d0e';
const SCHEMA_VERSION = 1;
const ATTEMPTS = 5;
/** Family streams read at once while deciding an import. */
const READ_CONCURRENCY = 3;
/** Family streams a statement, where the store reads many at once. */
const READ_BATCH = 100;

export function importStream(importId: string): string {
  return `import-${importId}`;
}

/** The import's id: the source, the file's bytes, and whether a legal basis was given (re-importing under one releases held rows). */
export function importIdFor(source: ImportSource, fileSha256: string, legalBasis: boolean): string {
  return uuidV5(`${source}\n${fileSha256}\n${legalBasis ? 'legal-basis' : ''}`, NAMESPACE);
}

type ImportKeyMeta = { source: string; rowKey: string; digest: string };

export class ImportService {
  /**
   * @param store the store that seals personal fields (records go through it; members are read opened, for matching)
   * @param raw the same store as stored, for reading family streams to decide on: the evidence rules
   *   read no personal field (relationships, ids and dates are in clear), so nothing is opened that
   *   the decision does not need. Absent: `store` is read.
   */
  constructor(
    private readonly store: EventStore,
    private readonly raw: EventStore = store,
  ) {}

  async run(request: ImportRequest): Promise<ImportOutcome> {
    const fileSha256 = createHash('sha256').update(request.bytes).digest('hex');
    const importId = importIdFor(request.source, fileSha256, request.legalBasis !== undefined);
    const existing = await this.report(importId);
    if (existing) return { kind: 'already-imported', report: existing };
    // The members are read while the file is parsed (the database works while this process
    // parses); a file refused as a whole (ImportFileRefused) records nothing and reads no further.
    const people = this.people();
    let rows: ReturnType<typeof parseImportFile>;
    try {
      rows = parseImportFile(request.source, request.bytes);
    } catch (error) {
      await people.catch(() => undefined);
      throw error;
    }
    const index = new PersonIndex(await people);
    for (let attempt = 1; ; attempt++) {
      const plan = await this.plan(importId, fileSha256, rows, index, request);
      const result = await this.store.appendMany(plan.items);
      if (result.kind === 'appended') return { kind: 'imported', report: plan.report };
      // Someone else imported the same file meanwhile: theirs stands.
      if (result.conflicts.some((c) => c.streamId === importStream(importId))) {
        const theirs = await this.report(importId);
        if (theirs) return { kind: 'already-imported', report: theirs };
      }
      // A family changed while the import was deciding: decide again on what is now recorded.
      if (attempt >= ATTEMPTS) throw new Error(`import ${importId}: families kept changing during ${ATTEMPTS} attempts; nothing was recorded, try again`);
    }
  }

  /** The report of an import, or null when there is none. */
  async report(importId: string): Promise<ImportReport | null> {
    const read = await this.store.readStream(importStream(importId));
    const recorded = read.events.find((e) => e.type === 'ImportRecorded');
    return recorded ? (recorded.data as unknown as ImportReport) : null;
  }

  /**
   * Past imports, newest first (by when recorded, then by log position), a page at a time: their reports without
   * the lines. `organisation` keeps a partner's own organisation's; `after` is the last import id of
   * the previous page (undefined: the first page; unknown: null).
   */
  async list(options: { organisation?: string; limit: number; after?: string }): Promise<{ imports: ImportSummary[]; next: string | null } | null> {
    const all: ImportSummary[] = [];
    for (let after = null as Awaited<ReturnType<EventStore['readAll']>>['next']; ;) {
      const read = await this.raw.readAll({ after, limit: 5_000, filter: { categories: ['import'], types: ['ImportRecorded'] } });
      for (const e of read.events) {
        const { lines: _lines, ...summary } = e.data as unknown as ImportReport;
        if (options.organisation === undefined || summary.organisation === options.organisation) all.push(summary);
      }
      after = read.next;
      if (read.endOfLog) break;
    }
    // Newest first: by when recorded, and in the log's order backwards for imports recorded at one instant.
    all.reverse().sort((a, b) => b.recordedAt.localeCompare(a.recordedAt));
    let start = 0;
    if (options.after !== undefined) {
      const at = all.findIndex((i) => i.importId === options.after);
      if (at < 0) return null;
      start = at + 1;
    }
    const page = all.slice(start, start + options.limit);
    return { imports: page, next: start + options.limit < all.length ? (page[page.length - 1]?.importId ?? null) : null };
  }

  /** The rows of an import held for review, opened (for programme managers), with their decisions. */
  async reviewQueue(importId: string): Promise<ReviewItem[] | null> {
    const read = await this.store.readStream(importStream(importId));
    if (read.events.length === 0) return null;
    const items = new Map<string, ReviewItem>();
    for (const e of read.events) {
      if (e.type === 'ImportRowHeldForReview') {
        const d = e.data as Record<string, unknown>;
        items.set(String(d.reviewId), {
          reviewId: String(d.reviewId),
          importId,
          line: Number(d.line),
          confidence: Number(d.confidence),
          why: String(d.why),
          candidate: d.candidate as ReviewItem['candidate'],
          person: d.person as PersonInRow | string,
          fact: d.fact as FamilyCommand | string,
          status: 'pending',
        });
      } else if (e.type === 'ImportReviewDecided') {
        const d = e.data as Record<string, unknown>;
        const item = items.get(String(d.reviewId));
        if (item) Object.assign(item, { status: d.decision, decidedBy: String(d.decidedBy), ...(d.familyId ? { familyId: String(d.familyId) } : {}) });
      }
    }
    return [...items.values()];
  }

  /**
   * A programme manager's decision on a held row: `confirm` records its fact for the candidate (or
   * the member named), through the family's decider; `reject` records that it matches nobody.
   */
  async decide(
    importId: string,
    reviewId: string,
    decision: { confirm: boolean; memberId?: string; actor: EventMetadata['actor']; recordedAt: string; recordedOn: string; legalBasis?: string },
  ): Promise<{ kind: 'decided'; item: ReviewItem; eventIds: string[] } | { kind: 'refused'; status: 404 | 409 | 422; reason: string; message: string }> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const queue = await this.reviewQueue(importId);
      const item = queue?.find((i) => i.reviewId === reviewId);
      if (!item) return { kind: 'refused', status: 404, reason: 'UnknownReviewItem', message: 'no row held for review with this id in this import' };
      if (item.status !== 'pending') return { kind: 'refused', status: 409, reason: 'AlreadyDecided', message: `this row was ${item.status} already` };
      const importRead = await this.store.readStream(importStream(importId));
      const commandId = uuidV5(`${importId}\nreview\n${reviewId}`, NAMESPACE);
      const decided = (familyId?: string, memberId?: string): NewEvent => ({
        type: 'ImportReviewDecided',
        data: {
          importId,
          reviewId,
          line: item.line,
          decision: decision.confirm ? 'confirmed' : 'rejected',
          decidedBy: decision.actor.userId,
          decidedOn: decision.recordedOn,
          ...(familyId ? { familyId } : {}),
          ...(memberId ? { memberId } : {}),
        },
        metadata: metadataFor(eventIdFor(commandId, 0), commandId, importId, decision.actor, decision.recordedAt),
      });
      if (!decision.confirm) {
        const result = await this.store.appendMany([{ streamId: importStream(importId), events: [decided()], expectedVersion: importRead.version }]);
        if (result.kind === 'appended') return { kind: 'decided', item: { ...item, status: 'rejected', decidedBy: decision.actor.userId }, eventIds: [] };
        continue;
      }
      if (typeof item.fact === 'string' || typeof item.person === 'string')
        return { kind: 'refused', status: 422, reason: 'RowErased', message: 'the held row was erased and can no longer be recorded' };
      const memberId = decision.memberId ?? item.candidate.memberId;
      const familyId = decision.memberId ? (await this.people()).find((p) => p.memberId === memberId)?.familyId : item.candidate.familyId;
      if (!familyId) return { kind: 'refused', status: 422, reason: 'UnknownMember', message: `memberId: ${memberId} is not a member of any family` };
      const read = await this.store.readStream(streams.family(familyId));
      const state = foldState(read.events);
      if (!decision.legalBasis && sharingWithdrawn(read.events, memberId)) {
        return {
          kind: 'refused',
          status: 422,
          reason: 'SharingConsentWithdrawn',
          message: 'this person withdrew consent to sharing: confirm it only under a legal basis, named in the X-Legal-Basis header',
        };
      }
      const outcome = decideFamily(commandFor(item.fact, memberId), state, context(decision.recordedOn, decision.actor.userId));
      if (!outcome.ok) return { kind: 'refused', status: 422, reason: outcome.rejection.reason, message: outcome.rejection.message };
      const report = await this.report(importId);
      const ids = eventIdsFor(commandId, outcome.events.length + 1).slice(1);
      const events: NewEvent[] = outcome.events.map((event, i) => ({
        type: event.type,
        data: event.data as unknown as JsonObject,
        metadata: {
          ...metadataFor(atIndex(ids, i, 'event id'), commandId, importId, decision.actor, decision.recordedAt),
          import: {
            importId,
            source: report?.source ?? '',
            file: report?.fileSha256 ?? '',
            line: item.line,
            matchMethod: 'review',
            matchConfidence: item.confidence,
            confirmedBy: decision.actor.userId,
          },
          ...(decision.legalBasis ? { legalBasis: decision.legalBasis } : {}),
        },
      }));
      const result = await this.store.appendMany([
        { streamId: streams.family(familyId), events, expectedVersion: read.version },
        { streamId: importStream(importId), events: [decided(familyId, memberId)], expectedVersion: importRead.version },
      ]);
      if (result.kind === 'appended') return { kind: 'decided', item: { ...item, status: 'confirmed', decidedBy: decision.actor.userId, familyId }, eventIds: ids };
    }
    return { kind: 'refused', status: 409, reason: 'VersionConflict', message: 'the family or the import kept changing; try again' };
  }

  /**
   * Issue 21.3: people matched to no family who, at one address (postcode), show two or more
   * headline problems between them, from every import so far: candidate families for a person to
   * review and identify. People who have since been identified (they now match a member) drop out.
   */
  async candidateFamilies(options: MatchOptions = DEFAULT_MATCH_OPTIONS): Promise<CandidateFamily[]> {
    const index = new PersonIndex(await this.people());
    const households = new Map<string, { rows: CandidateFamily['evidence']; people: Map<string, CandidateFamily['people'][number]> }>();
    for (let after = null as Awaited<ReturnType<EventStore['readAll']>>['next']; ;) {
      const read = await this.store.readAll({ after, limit: 5_000, filter: { categories: ['import'], types: ['ImportRowUnmatched'] } });
      for (const e of read.events) {
        if (e.type !== 'ImportRowUnmatched' || typeof e.data.person !== 'object' || e.data.person === null) continue;
        const person = e.data.person as unknown as PersonInRow;
        const home = normalisePostcode(person.postcode);
        if (!home || index.match(person, options).kind === 'matched') continue;
        const household = households.get(home) ?? { rows: [] as CandidateFamily['evidence'], people: new Map<string, CandidateFamily['people'][number]>() };
        households.set(home, household);
        household.rows.push({ importId: String(e.data.importId), line: Number(e.data.line), source: String(e.data.source), problem: String(e.data.problem), shownOn: String(e.data.shownOn) });
        const personKey = `${normaliseName(person.givenName)}|${normaliseName(person.familyName)}|${person.dateOfBirth}`;
        household.people.set(personKey, { givenName: person.givenName, familyName: person.familyName, dateOfBirth: person.dateOfBirth });
      }
      after = read.next;
      if (read.endOfLog) break;
    }
    const candidates: CandidateFamily[] = [];
    for (const [home, household] of households) {
      const problems = [...new Set(household.rows.map((r) => r.problem))].sort();
      if (problems.length < 2) continue;
      const first = [...household.people.values()][0];
      if (!first) continue;
      candidates.push({
        postcode: home.length > 3 ? `${home.slice(0, -3)} ${home.slice(-3)}` : home,
        familyName: first.familyName,
        problems,
        people: [...household.people.values()],
        evidence: household.rows,
      });
    }
    return candidates.sort((a, b) => b.problems.length - a.problems.length || a.postcode.localeCompare(b.postcode));
  }

  /** Every member on record, opened in memory for matching (erased people are left out). */
  private async people(): Promise<KnownPerson[]> {
    const people = new Map<string, KnownPerson>();
    for (let after = null as Awaited<ReturnType<EventStore['readAll']>>['next']; ;) {
      const read = await this.store.readAll({ after, limit: 5_000, filter: { categories: ['family'], types: ['FamilyIdentified', 'FamilyMemberAdded'] } });
      for (const e of read.events) for (const person of membersIn(e)) people.set(person.memberId, person);
      after = read.next;
      if (read.endOfLog) return [...people.values()];
    }
  }

  /**
   * Erasure's reach into imports (DOMAIN.md 6): the keys of the rows kept on imports' streams that
   * are about a person being erased, found while the person's record still opens. A row held for
   * review whose candidate is the person, or confirmed for them, or whose person the matcher would
   * take for them (matched, or close enough for review); an unmatched row the same. Rows already
   * unreadable are left out, so a retried erasure finds nothing more.
   */
  async keysAbout(request: { memberId: string; familyId: string }): Promise<string[]> {
    const family = await this.store.readStream(streams.family(request.familyId));
    const member = family.events.flatMap(membersIn).find((p) => p.memberId === request.memberId);
    const index = member ? new PersonIndex([member]) : null;
    const about = (person: unknown) => index !== null && typeof person === 'object' && person !== null && index.match(person as PersonInRow, DEFAULT_MATCH_OPTIONS).kind !== 'unmatched';
    const keys = new Set<string>();
    const readable = new Map<string, boolean>();
    for await (const e of this.importRows(['ImportRowHeldForReview', 'ImportReviewDecided', 'ImportRowUnmatched'])) {
      const d = e.data;
      if (e.type === 'ImportRowHeldForReview') {
        readable.set(String(d.reviewId), typeof d.person === 'object' && d.person !== null);
        if ((d.candidate as { memberId?: string } | undefined)?.memberId === request.memberId || about(d.person)) keys.add(String(d.reviewId));
      } else if (e.type === 'ImportReviewDecided') {
        if (d.memberId === request.memberId) keys.add(String(d.reviewId));
      } else if (e.type === 'ImportRowUnmatched' && about(d.person)) keys.add(String(d.rowId));
    }
    return [...keys].filter((key) => readable.get(key) !== false);
  }

  /**
   * The retention schedule's reach into imports: the keys of the rows kept (held for review, or
   * unmatched for candidate families) by imports recorded on or before `recordedOnOrBefore`, not
   * yet unreadable. The import's report stays (counts, lines and reasons: no personal values).
   */
  async rowKeysRecordedOnOrBefore(recordedOnOrBefore: string): Promise<string[]> {
    const keys: string[] = [];
    const recordedOn = new Map<string, string>();
    for await (const e of this.importRows(['ImportRecorded', 'ImportRowHeldForReview', 'ImportRowUnmatched'])) {
      if (e.type === 'ImportRecorded') recordedOn.set(String(e.data.importId), String(e.data.recordedOn));
      if (e.type !== 'ImportRowHeldForReview' && e.type !== 'ImportRowUnmatched') continue;
      if (typeof e.data.person !== 'object' || e.data.person === null) continue;
      const on = recordedOn.get(String(e.data.importId)) ?? e.metadata.recordedAt.slice(0, 10);
      if (on <= recordedOnOrBefore) keys.push(String(e.type === 'ImportRowHeldForReview' ? e.data.reviewId : e.data.rowId));
    }
    return keys;
  }

  /** Events of the imports' streams of these types, opened, in log order. */
  private async *importRows(types: string[]): AsyncGenerator<RecordedEvent> {
    for (let after = null as Awaited<ReturnType<EventStore['readAll']>>['next']; ;) {
      const read = await this.store.readAll({ after, limit: 5_000, filter: { categories: ['import'], types } });
      yield* read.events;
      after = read.next;
      if (read.endOfLog) return;
    }
  }

  private async plan(importId: string, fileSha256: string, rows: ReturnType<typeof parseImportFile>, index: PersonIndex, request: ImportRequest) {
    const options = request.matching ?? DEFAULT_MATCH_OPTIONS;
    const report: ImportReport = {
      importId,
      source: request.source,
      organisation: SOURCE_ORGANISATION[request.source],
      fileSha256,
      recordedOn: request.recordedOn,
      recordedAt: request.recordedAt,
      importedBy: request.actor.userId,
      legalBasisRecorded: request.legalBasis !== undefined,
      rows: rows.length,
      recorded: 0,
      corrected: 0,
      alreadyRecorded: 0,
      matched: { identifier: 0, deterministic: 0, probabilistic: 0 },
      queuedForReview: 0,
      held: 0,
      rejected: 0,
      unmatched: 0,
      lines: [],
    };
    const importEvents: NewEvent[] = [];
    const matched: { row: ParsedRow; memberId: string; familyId: string; method: MatchMethod; confidence: number }[] = [];
    rows.forEach((row, n) => {
      if (!row.ok) {
        report.rejected++;
        report.lines.push({ line: row.line, outcome: 'rejected', reason: row.reason, message: row.message });
      } else {
        const match = index.match(row.person, options);
        if (match.kind === 'matched') matched.push({ row, memberId: match.person.memberId, familyId: match.person.familyId, method: match.method, confidence: match.confidence });
        else if (match.kind === 'review') {
          const reviewId = uuidV5(`${importId}\nreview-row\n${row.line}`, NAMESPACE);
          report.queuedForReview++;
          report.lines.push({ line: row.line, outcome: 'review', reason: match.why === 'ambiguous' ? 'AmbiguousMatch' : 'BelowMatchThreshold', confidence: match.confidence, reviewId });
          importEvents.push({
            type: 'ImportRowHeldForReview',
            data: {
              importId,
              reviewId,
              line: row.line,
              confidence: match.confidence,
              why: match.why,
              candidate: { memberId: match.candidate.memberId, familyId: match.candidate.familyId },
              person: row.person as unknown as JsonObject,
              fact: row.command as unknown as JsonObject,
            },
            metadata: metadataFor(eventIdFor(reviewId, 0), reviewId, importId, request.actor, request.recordedAt),
          });
        } else {
          report.unmatched++;
          report.lines.push({ line: row.line, outcome: 'unmatched', reason: 'NoMatchingPerson', message: 'no family member matches this person: nothing was recorded', confidence: match.confidence });
          // Issue 21.3: kept (sealed) only when it shows a headline problem, to list candidate families.
          const problem = headlineProblemShown(row.command);
          if (problem !== null) {
            const rowId = uuidV5(`${importId}\nunmatched-row\n${row.line}`, NAMESPACE);
            importEvents.push({
              type: 'ImportRowUnmatched',
              data: { importId, rowId, line: row.line, source: request.source, problem, shownOn: businessDateOf(row.command), person: row.person as unknown as JsonObject },
              metadata: metadataFor(eventIdFor(rowId, 0), rowId, importId, request.actor, request.recordedAt),
            });
          }
        }
      }
      if (request.onProgress && n % 500 === 0) request.onProgress(n, rows.length * 2);
    });

    const byFamily = new Map<string, typeof matched>();
    for (const m of matched) {
      const list = byFamily.get(m.familyId);
      if (list) list.push(m);
      else byFamily.set(m.familyId, [m]);
    }
    const ctx = context(request.recordedOn, request.actor.userId);
    let done = rows.length;
    /** Decides one family's rows on its history as read: its events to append (none: nothing to record). */
    const decideRows = (familyId: string, list: typeof matched, read: StreamRead): BulkAppendItem | null => {
      // The state is this import's own: folded in place row by row (applyFamilyEvent), not copied.
      const state = foldState(read.events);
      const keys = importKeys(read.events);
      const sharing = latestSharing(read.events);
      const events: NewEvent[] = [];
      for (const { row, memberId, method, confidence } of list) {
        done++;
        const key = `${request.source}|${request.source === 'school-attendance' ? `${memberId}|` : ''}${row.rowKey}`;
        const previous = keys.get(key);
        if (previous?.digest === row.digest) {
          report.alreadyRecorded++;
          continue;
        }
        if (previous?.inThisFile) {
          report.rejected++;
          report.lines.push({
            line: row.line,
            outcome: 'rejected',
            reason: 'DuplicateRowInFile',
            message: `line ${previous.line} of this file has the same ${row.rowKey.includes(':') ? 'record and change' : 'reference'}`,
          });
          continue;
        }
        if (!request.legalBasis && sharing.get(memberId) === false) {
          report.held++;
          report.lines.push({
            line: row.line,
            outcome: 'held',
            reason: 'SharingConsentWithdrawn',
            message: 'this person withdrew consent to sharing: held, not recorded; import the file again under a legal basis to record it',
            method,
            confidence,
          });
          continue;
        }
        const command = commandFor(row.command, memberId);
        const full: FamilyCommand = previous ? { type: 'CorrectFact', supersedesEventId: previous.eventId, replacement: command, reason: `corrected by a later ${request.source} file` } : command;
        const decision = decideFamily(full, state, ctx);
        if (!decision.ok) {
          report.rejected++;
          report.lines.push({ line: row.line, outcome: 'rejected', reason: decision.rejection.reason, message: decision.rejection.message, method, confidence });
          continue;
        }
        const commandId = uuidV5(`${importId}\nline\n${row.line}`, NAMESPACE);
        const ids = eventIdsFor(commandId, decision.events.length);
        decision.events.forEach((event, i) => {
          const eventId = atIndex(ids, i, 'event id');
          applyFamilyEvent(state, event, eventId);
          events.push({
            type: event.type,
            data: event.data as unknown as JsonObject,
            metadata: {
              ...metadataFor(eventId, commandId, importId, request.actor, request.recordedAt),
              import: { importId, source: request.source, file: fileSha256, line: row.line, rowKey: row.rowKey, digest: row.digest, matchMethod: method, matchConfidence: confidence },
              ...(request.legalBasis !== undefined ? { legalBasis: request.legalBasis } : {}),
            },
          });
        });
        // The replacement (the last event) now holds the row's key.
        keys.set(key, { eventId: atIndex(ids, ids.length - 1, 'event id'), digest: row.digest, inThisFile: true, line: row.line });
        report.matched[method]++;
        if (previous) report.corrected++;
        else report.recorded++;
        if (request.onProgress && done % 500 === 0) request.onProgress(done, rows.length * 2);
      }
      return events.length > 0 ? { streamId: streams.family(familyId), events, expectedVersion: read.version === 0 ? 'no_stream' : read.version } : null;
    };

    // The families' streams, read a batch at a time, a few batches in flight (a file touches
    // thousands of families); each batch is decided as soon as it arrives, while the next are read,
    // and the items kept in the batches' order so a retry appends the same thing in the same order.
    const familyIds = [...byFamily.keys()];
    const raw = this.raw;
    const batchSize = raw.readStreams ? READ_BATCH : 1;
    const batches: string[][] = [];
    for (let i = 0; i < familyIds.length; i += batchSize) batches.push(familyIds.slice(i, i + batchSize));
    const decided: (BulkAppendItem | null)[][] = new Array(batches.length);
    const readBatch = (batch: string[]): Promise<StreamRead[]> =>
      raw.readStreams ? raw.readStreams(batch.map((id) => streams.family(id))) : Promise.all(batch.map((id) => raw.readStream(streams.family(id))));
    await Promise.all(
      Array.from({ length: Math.min(READ_CONCURRENCY, batches.length) }, async (_, worker) => {
        for (let b = worker; b < batches.length; b += READ_CONCURRENCY) {
          const batch = batches[b] as string[];
          const reads = await readBatch(batch);
          decided[b] = batch.map((familyId, n) => decideRows(familyId, byFamily.get(familyId) as typeof matched, reads[n] as StreamRead));
        }
      }),
    );
    const items: BulkAppendItem[] = decided.flat().filter((item): item is BulkAppendItem => item !== null);
    report.lines.sort((a, b) => a.line - b.line);
    const reportId = uuidV5(`${importId}\nreport`, NAMESPACE);
    items.push({
      streamId: importStream(importId),
      events: [
        { type: 'ImportRecorded', data: report as unknown as JsonObject, metadata: metadataFor(eventIdFor(reportId, 0), reportId, importId, request.actor, request.recordedAt) },
        ...importEvents,
      ],
      expectedVersion: 'no_stream',
    });
    request.onProgress?.(rows.length * 2, rows.length * 2);
    return { items, report };
  }
}

/** The members a family's event names, opened, as the matcher knows them (erased people are left out). */
function membersIn(e: RecordedEvent): KnownPerson[] {
  const familyId = String(e.data.familyId);
  const records = e.type === 'FamilyIdentified' ? ((e.data.members ?? []) as Record<string, unknown>[]) : e.type === 'FamilyMemberAdded' ? [e.data.member as Record<string, unknown>] : [];
  const people: KnownPerson[] = [];
  for (const m of records) {
    if (typeof m?.memberId !== 'string' || m.givenName === ERASED || typeof m.givenName !== 'string') continue;
    const identifiers: Partial<Record<IdentifierKind, string>> = {};
    for (const kind of ['uniquePupilNumber', 'nationalInsuranceNumber', 'nhsNumber'] as const) if (typeof m[kind] === 'string' && m[kind] !== ERASED) identifiers[kind] = m[kind] as string;
    people.push({
      memberId: m.memberId,
      familyId,
      givenName: m.givenName,
      familyName: String(m.familyName),
      dateOfBirth: String(m.dateOfBirth),
      ...(typeof m.postcode === 'string' && m.postcode !== ERASED ? { postcode: m.postcode } : {}),
      identifiers,
    });
  }
  return people;
}

function context(recordedOn: string, actorId: string) {
  return { recordedOn, actorId, programmeStartsOn: troubledFamilies2015.programmeStartsOn };
}

function metadataFor(eventId: string, commandId: string, importId: string, actor: EventMetadata['actor'], recordedAt: string): EventMetadata {
  return { eventId, commandId, correlationId: importId, causationId: commandId, actor, recordedAt, schemaVersion: SCHEMA_VERSION };
}

/** The family's state from its history, folded in one pass through the family's one decode step (as the command handler does). */
function foldState(events: readonly RecordedEvent[]): FamilyState {
  // In place, without a list of wrappers first (a file's families hold tens of thousands of events).
  return foldStoredFamily(events);
}

/** The latest imported event of each row key in a family's history (a correction's replacement holds the key after it). */
function importKeys(events: readonly RecordedEvent[]): Map<string, { eventId: string; digest: string; inThisFile?: boolean; line?: number }> {
  const keys = new Map<string, { eventId: string; digest: string }>();
  for (const e of events) {
    const meta = e.metadata.import as (ImportKeyMeta & { line?: number }) | undefined;
    if (!meta || typeof meta.rowKey !== 'string') continue;
    const memberPart = meta.source === 'school-attendance' ? `${String(e.data.memberId)}|` : '';
    keys.set(`${meta.source}|${memberPart}${meta.rowKey}`, { eventId: e.metadata.eventId, digest: meta.digest });
  }
  return keys;
}

/** DOMAIN.md 6: the sharing consent that holds per person, the latest by date (as the api's partner commands read it). */
function latestSharing(events: readonly RecordedEvent[]): Map<string, boolean> {
  const latest = new Map<string, { on: string; given: boolean }>();
  for (const e of events) {
    if (e.type !== 'ConsentRecorded' || e.data.purpose !== 'sharing') continue;
    const memberId = String(e.data.memberId);
    const previous = latest.get(memberId);
    if (!previous || String(e.data.on) >= previous.on) latest.set(memberId, { on: String(e.data.on), given: e.data.given === true });
  }
  return new Map([...latest].map(([memberId, c]) => [memberId, c.given]));
}

function sharingWithdrawn(events: readonly RecordedEvent[], memberId: string): boolean {
  return latestSharing(events).get(memberId) === false;
}

/** The business date of a row's fact (when the problem was shown). */
function businessDateOf(command: FamilyCommand): string {
  switch (command.type) {
    case 'RecordSchoolAttendance':
      return `${command.academicYear.slice(0, 4)}-09-01`;
    case 'RecordExclusion':
      return command.startedOn;
    case 'RecordOffence':
      return command.committedOn;
    case 'RecordAsbIncident':
      return command.occurredOn;
    case 'IdentifyHeadlineProblem':
      return command.identifiedOn;
    default:
      return 'on' in command && typeof command.on === 'string' ? command.on : '';
  }
}
