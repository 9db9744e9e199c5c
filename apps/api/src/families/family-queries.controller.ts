import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type FamilyEvent, type FamilyState, ALL_HEADLINE_PROBLEMS, type Member, decodeFamilyEvent, foldFamily, isBusinessDate, problemsIdentifiedBy, streams } from '@ledger/domain';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@ledger/event-store';
import { FamilyQueries, OutcomeQueries } from '@ledger/projections';
import { QueryContext } from './query-context';
import { nameOfMembers, timelineOf } from './family-timeline';
import { familyIdPipe } from '../http/family-id.pipe';
import { ETag, versioned } from '../http/etag';
import { ReadBy, Reader } from '../auth/read-by';
import { AccessLog, claimedFamilies, COUNCIL_ID, ApiError } from '@ledger/application';
import { Access, AGGREGATES } from '../auth/access';
import { CsvList } from '../http/csv-list';
import { BlindIndex, ERASED } from '@ledger/privacy';

type FamilyPage = {
  families: {
    familyId: string;
    reference: string;
    status: string;
    identifiedOn?: string | null;
    attachedOn?: string | null;
    keyworker?: string | null;
    problemsAtEntry?: string[];
    closedOn?: string | null;
  }[];
  next: string | null;
  total?: number;
};
type ResultsAnswer = { asOf: string; knownAt?: string; families: { familyId: string; reference: string; routes: string[]; planVersion?: number }[] };

/**
 * Family reads: the list from the family summary read model; one family and its history from its
 * own stream (always current).
 */
@ApiTags('families: queries')
@Controller('api/families')
export class FamilyQueriesController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly queries: FamilyQueries,
    private readonly outcomes: OutcomeQueries,
    private readonly context: QueryContext,
    private readonly accessLog: AccessLog,
    @Inject(COUNCIL_ID) private readonly councilId: string,
    private readonly search: BlindIndex,
  ) {}

  @Access({ 'programme-manager': true, keyworker: true, 'finance-officer': true })
  @Get()
  @ApiOperation({
    summary: 'Find a family: summaries filtered and searched, sorted, with a total and pages',
    description:
      "Issue 20.1. Filters status, keyworker, problem; search by reference (a fragment, any case), a member's name (case, accents, hyphens and one typo forgiven; every word must match one member), date of birth or postcode (the same member as the name). Names are searched through a keyed blind index, never by opening families. Sort by reference, attachedOn or keyworker (order asc or desc); page through with page and limit, or (default order by familyId) with after. A keyworker finds only their families; a finance officer searches by reference only.",
  })
  @ApiQuery({ name: 'status', required: false, enum: ['identified', 'attached', 'closed'] })
  @ApiQuery({ name: 'keyworker', required: false })
  @ApiQuery({ name: 'problem', required: false, enum: [...ALL_HEADLINE_PROBLEMS], description: "A headline problem code of the council's framework" })
  @ApiQuery({ name: 'reference', required: false, description: 'A fragment of the family reference, any case' })
  @ApiQuery({ name: 'name', required: false, description: "A member's name, or part of it (given and family names, any order)" })
  @ApiQuery({ name: 'dateOfBirth', required: false, example: '2006-03-14', description: "A member's date of birth" })
  @ApiQuery({ name: 'postcode', required: false, example: 'ZZ1 2AB', description: "A member's postcode (spaces and case ignored)" })
  @ApiQuery({ name: 'sort', required: false, enum: ['reference', 'attachedOn', 'keyworker'], description: 'Default: familyId' })
  @ApiQuery({ name: 'order', required: false, enum: ['asc', 'desc'] })
  @ApiQuery({ name: 'page', required: false, type: Number, description: 'Page number from 1 (of `limit` families each)' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'after', required: false, description: 'The last familyId of the previous page (`next` of that page; default order only)' })
  @CsvList<FamilyPage>({
    filename: 'families',
    columns: ['family_id', 'reference', 'status', 'identified_on', 'attached_on', 'keyworker', 'problems_at_entry', 'closed_on'],
    rows: (page) => page.families.map((f) => [f.familyId, f.reference, f.status, f.identifiedOn, f.attachedOn, f.keyworker, (f.problemsAtEntry ?? []).join(';'), f.closedOn]),
    headers: (page) => ({ 'X-Next-After': page.next, 'X-Total-Count': page.total === undefined ? null : String(page.total) }),
  })
  async list(
    @ReadBy() reader: Reader,
    @Query('status') status?: string,
    @Query('keyworker') keyworker?: string,
    @Query('problem') problem?: string,
    @Query('limit') limitRaw?: string,
    @Query('after') after?: string,
    @Query('reference') reference?: string,
    @Query('name') name?: string,
    @Query('dateOfBirth') dateOfBirth?: string,
    @Query('postcode') postcode?: string,
    @Query('sort') sort?: string,
    @Query('order') order?: string,
    @Query('page') pageRaw?: string,
  ) {
    const problems: FieldIssue[] = [];
    if (status !== undefined && !['identified', 'attached', 'closed'].includes(status)) problems.push({ field: 'status', message: 'must be one of identified, attached, closed' });
    if (problem !== undefined && !ALL_HEADLINE_PROBLEMS.includes(problem)) problems.push({ field: 'problem', message: `must be one of ${ALL_HEADLINE_PROBLEMS.join(', ')}` });
    const limit = limitRaw === undefined ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) problems.push({ field: 'limit', message: 'must be a whole number from 1 to 1000' });
    if (after !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(after)) problems.push({ field: 'after', message: 'must be a familyId' });
    const page = pageRaw === undefined ? 1 : Number(pageRaw);
    if (!Number.isInteger(page) || page < 1 || page > 100_000) problems.push({ field: 'page', message: 'must be a whole number from 1' });
    if (sort !== undefined && !['reference', 'attachedOn', 'keyworker'].includes(sort)) problems.push({ field: 'sort', message: 'must be one of reference, attachedOn, keyworker' });
    if (order !== undefined && order !== 'asc' && order !== 'desc') problems.push({ field: 'order', message: 'must be asc or desc' });
    if (after !== undefined && (sort !== undefined || pageRaw !== undefined)) problems.push({ field: 'after', message: 'pages by familyId only: not with sort or page' });
    for (const [field, value] of [
      ['reference', reference],
      ['name', name],
      ['postcode', postcode],
    ] as const) {
      if (value !== undefined && (value.trim().length === 0 || value.length > 100)) problems.push({ field, message: 'must be 1 to 100 characters' });
    }
    if (name !== undefined && !/\p{L}/u.test(name)) problems.push({ field: 'name', message: 'must contain letters' });
    if (postcode !== undefined && !/[A-Za-z0-9]/.test(postcode)) problems.push({ field: 'postcode', message: 'must contain letters or digits' });
    if (dateOfBirth !== undefined && !isBusinessDate(dateOfBirth)) problems.push({ field: 'dateOfBirth', message: 'must be a calendar date YYYY-MM-DD' });
    if (problems.length > 0) throw ApiError.badRequest(`invalid query: ${problems.map((p) => p.field).join(', ')}`, problems);

    // Keyworkers see the families assigned to them, and only those.
    const { actor } = reader;
    if (actor.role === 'keyworker' && keyworker !== undefined && keyworker !== actor.userId) {
      throw new ApiError(403, 'keyworkers see only the families assigned to them', { reason: 'NotAssignedFamily' });
    }
    // Issue 16.6: finance works by reference, route and money; a filter would tell problems or keyworkers.
    if (actor.role === 'finance-officer' && (problem !== undefined || keyworker !== undefined || sort === 'keyworker')) {
      throw new ApiError(403, 'finance officers see families by reference and status, not by problem or keyworker', { reason: 'Forbidden' });
    }
    // Nor people: a finance officer finds a family by its reference only (DOMAIN.md 6, need to know).
    const personal = { name, dateOfBirth, postcode };
    if (actor.role === 'finance-officer' && Object.values(personal).some((v) => v !== undefined)) {
      throw new ApiError(403, "finance officers find families by reference, not by a person's name, date of birth or postcode", { reason: 'Forbidden' });
    }
    await this.context.settle();
    // Issue 20.1: people are found through the blind index (HMACs of their tokens), never by
    // opening every family; the families of the people found are then filtered like any list.
    const searched = Object.values(personal).some((v) => v !== undefined);
    const matches = searched ? await this.search.search(personal) : [];
    const result = await this.queries.search({
      status,
      keyworker: actor.role === 'keyworker' ? actor.userId : keyworker,
      problem,
      reference,
      familyIds: searched ? [...new Set(matches.map((m) => m.familyId))] : undefined,
      sort: sort as 'reference' | 'attachedOn' | 'keyworker' | undefined,
      order: order as 'asc' | 'desc' | undefined,
      after,
      offset: (page - 1) * limit,
      limit,
    });
    const paging = { total: result.total, page, pages: Math.max(1, Math.ceil(result.total / limit)), next: sort === undefined && result.more ? (result.families.at(-1)?.familyId ?? null) : null };
    if (actor.role === 'finance-officer') {
      await this.accessLog.recordMany(
        actor,
        result.families.map((f) => ({ route: reader.route, familyId: f.familyId, memberIds: [], outcome: 'served' as const, purpose: reader.purpose() })),
      );
      return { families: result.families.map(({ keyworker: _keyworker, problemsAtEntry: _problems, ...visible }) => visible), ...paging };
    }
    if (!searched) return { families: result.families, ...paging };
    // The people found, by name, on this page's families only: opened from their streams, logged.
    const families = [];
    for (const f of result.families) {
      const found = matches.filter((m) => m.familyId === f.familyId);
      const { state } = await this.load(f.familyId);
      const people = found.flatMap((m) => {
        const member = state.members.get(m.personId);
        return member ? [{ memberId: member.memberId, relationship: member.relationship, givenName: member.givenName, familyName: member.familyName, dateOfBirth: member.dateOfBirth }] : [];
      });
      await this.logRead(
        reader,
        f.familyId,
        people.map((p) => p.memberId),
      );
      families.push({ ...f, matches: people });
    }
    return { families, ...paging };
  }

  @Access({ 'programme-manager': true, keyworker: 'assigned', 'finance-officer': true, auditor: 'sampled' })
  @Get(':familyId')
  @ApiOperation({ summary: 'A family: summary and members' })
  @ApiNotFoundResponse({ description: 'No family with this id' })
  @ETag()
  async get(@Param('familyId', familyIdPipe) familyId: string, @ReadBy() reader: Reader) {
    const { state, version } = await this.load(familyId);
    const members = [...state.members.values()];
    // Finance officers work with family references (issue 16.6): members by id and relationship,
    // nothing personal, no problems at entry (special-category flags) and no keyworker; logged.
    if (reader.actor.role === 'finance-officer') {
      await this.logRead(
        reader,
        familyId,
        members.map((m) => m.memberId),
      );
      const { keyworker: _keyworker, problemsAtEntry: _atEntry, problemsIdentified: _identified, ...visible } = summaryOf(state);
      return versioned({ ...visible, identifiedOn: state.identifiedOn, closedOn: state.closedOn, members: members.map((m) => ({ memberId: m.memberId, relationship: m.relationship })) }, version);
    }
    await this.logRead(
      reader,
      familyId,
      members.map((m) => m.memberId),
    );
    return versioned(
      { ...summaryOf(state), identifiedOn: state.identifiedOn, closedOn: state.closedOn, attachmentEvidence: attachmentEvidenceOf(state), members, overrides: state.overrides },
      version,
    );
  }

  @Access({ 'programme-manager': true, keyworker: 'assigned', auditor: 'sampled' })
  @Get(':familyId/progress')
  @ApiOperation({
    summary: "The family's progress against the Outcome Plan in force at asOf",
    description:
      'asOf (default today): the date the outcome tests are judged at; facts dated after it are ignored. knownAt: judge only what had been recorded by the end of that day, i.e. the answer as we knew it then (late attendance returns and re-issued police data arrive weeks after the fact).',
  })
  @ApiQuery({ name: 'asOf', required: false, example: '2017-09-01' })
  @ApiQuery({ name: 'knownAt', required: false, example: '2017-09-01' })
  @ApiNotFoundResponse({ description: 'No family with this id' })
  async progress(@Param('familyId', familyIdPipe) familyId: string, @ReadBy() reader: Reader, @Query('asOf') asOfRaw?: string, @Query('knownAt') knownAt?: string) {
    const asOf = this.context.dates(asOfRaw, knownAt);
    await this.context.settle();
    const progress = await this.outcomes.progress(familyId, asOf, knownAt);
    if (!progress) throw new ApiError(404, knownAt ? 'no family with this id was known on that date' : 'no family with this id', { reason: 'FamilyNotFound' });
    const claimedIn = (await claimedFamilies(this.store, this.councilId)).get(familyId);
    const answer = { ...progress, ...(claimedIn !== undefined ? { claimedIn } : {}) };
    // Issue 17.8: where a rule reads people, those allowed to see names read them ("Jo (child)");
    // others (an auditor) keep member ids. Names are personal data: the read is logged with them.
    if (!NAMES_IN_PROGRESS.has(reader.actor.role)) {
      await this.logRead(reader, familyId, []);
      return answer;
    }
    const { state } = await this.load(familyId);
    const named = namesOf([...state.members.values()]);
    const { value, memberIds } = withMemberNames(answer, named);
    await this.logRead(reader, familyId, memberIds);
    return value;
  }

  @Access({ 'programme-manager': true, keyworker: 'assigned', auditor: 'sampled' })
  @Get(':familyId/history')
  @ApiOperation({ summary: "The family's events in order, with corrections marked" })
  @ApiNotFoundResponse({ description: 'No family with this id' })
  @ETag()
  async history(@Param('familyId', familyIdPipe) familyId: string, @ReadBy() reader: Reader) {
    const read = await this.store.readStream(streams.family(familyId));
    if (read.version === 0) throw new ApiError(404, 'no family with this id', { reason: 'FamilyNotFound' });
    const state = foldFamily(read.events.map((e) => ({ event: toFamilyEvent(e), eventId: e.metadata.eventId })));
    await this.logRead(reader, familyId, [...state.members.keys()]);
    const supersededBy = new Map<string, string>();
    for (const e of read.events) if (e.type === 'FactCorrected') supersededBy.set(String(e.data.supersededEventId), e.metadata.eventId);
    return versioned(
      {
        familyId,
        version: read.version,
        events: read.events.map((e) => ({
          eventId: e.metadata.eventId,
          version: e.version,
          type: e.type,
          recordedAt: e.metadata.recordedAt,
          recordedBy: e.metadata.actor,
          data: e.data,
          ...(supersededBy.has(e.metadata.eventId) ? { supersededBy: supersededBy.get(e.metadata.eventId) } : {}),
        })),
      },
      read.version,
    );
  }

  @Access({ 'programme-manager': true, keyworker: 'assigned', auditor: 'sampled' })
  @Get(':familyId/timeline')
  @ApiOperation({
    summary: "The family's story in words, in date order, corrections shown with what they replaced",
    description:
      'Issue 20.2. Each fact as a sentence ("Autumn term 2016: Jake attended 95% (190 of 200 sessions)"), with the date it is about, the date it was recorded and whom it is about; a superseded fact carries `corrected` (when and by what), its replacement `replaces` (the words of the fact it replaced). Programme managers and keyworkers read members\' given names; an auditor reads relationships ("a child"). knownAt: only what had been recorded by the end of that day.',
  })
  @ApiQuery({ name: 'knownAt', required: false, example: '2017-09-01' })
  @ApiNotFoundResponse({ description: 'No family with this id' })
  async timeline(@Param('familyId', familyIdPipe) familyId: string, @ReadBy() reader: Reader, @Query('knownAt') knownAt?: string) {
    this.context.dates(undefined, knownAt);
    const read = await this.store.readStream(streams.family(familyId));
    if (read.version === 0) throw new ApiError(404, 'no family with this id', { reason: 'FamilyNotFound' });
    const knownBy = knownAt ? `${knownAt}T23:59:59.999Z` : null;
    const events = knownBy ? read.events.filter((e) => e.metadata.recordedAt <= knownBy) : read.events;
    if (events.length === 0) throw new ApiError(404, 'no family with this id was known on that date', { reason: 'FamilyNotFound' });
    const state = foldFamily(events.map((e) => ({ event: toFamilyEvent(e), eventId: e.metadata.eventId })));
    const showNames = NAMES_IN_PROGRESS.has(reader.actor.role);
    const entries = timelineOf(events, nameOfMembers([...state.members.values()], showNames));
    await this.logRead(reader, familyId, showNames ? [...state.members.keys()] : []);
    return { familyId, reference: state.reference, version: read.version, ...(knownAt ? { knownAt } : {}), entries };
  }

  /** Every response carrying a family's personal data is written to the access log first. */
  private async logRead(reader: Reader, familyId: string, memberIds: string[]): Promise<void> {
    const purpose = reader.purpose();
    await this.accessLog.record({
      actor: reader.actor,
      route: reader.route,
      familyId,
      memberIds,
      outcome: 'served',
      purpose,
    });
  }

  private async load(familyId: string): Promise<{ state: FamilyState; version: number }> {
    const read = await this.store.readStream(streams.family(familyId));
    if (read.version === 0) throw new ApiError(404, 'no family with this id', { reason: 'FamilyNotFound' });
    const state = foldFamily(read.events.map((e) => ({ event: toFamilyEvent(e), eventId: e.metadata.eventId })));
    return { state, version: read.version };
  }
}

interface FieldIssue {
  field: string;
  message: string;
}

function toFamilyEvent(e: RecordedEvent): FamilyEvent {
  return decodeFamilyEvent(e);
}

function summaryOf(state: FamilyState) {
  return {
    familyId: state.familyId,
    reference: state.reference,
    status: state.closedOn ? 'closed' : state.attachment ? 'attached' : 'identified',
    attachedOn: state.attachment?.attachedOn ?? null,
    keyworker: state.attachment?.keyworker ?? null,
    problemsAtEntry: (state.attachment?.problemsAtEntry ?? []) as string[],
    problemsIdentified: problemsIdentifiedBy(state, '9999-12-31') as string[],
  };
}

/** Roles that see members' names in progress details (DOMAIN.md 6: need to know). */
const NAMES_IN_PROGRESS = new Set(['programme-manager', 'keyworker']);

/** "Jo (child)" per member id; a member whose name was erased keeps their id. */
function namesOf(members: Member[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of members) if (m.givenName && m.givenName !== ERASED) names.set(m.memberId, `${m.givenName} (${m.relationship})`);
  return names;
}

/** Replaces member ids in every `detail` text of an answer by their names; says whose names it used. */
function withMemberNames<T>(answer: T, names: Map<string, string>): { value: T; memberIds: string[] } {
  const used = new Set<string>();
  const walk = (node: unknown, key?: string): unknown => {
    if (typeof node === 'string' && key === 'detail') {
      let text = node;
      for (const [memberId, name] of names) {
        if (!text.includes(memberId)) continue;
        used.add(memberId);
        text = text.split(memberId).join(name);
      }
      return text;
    }
    if (Array.isArray(node)) return node.map((item) => walk(item, key));
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, k)]));
    return node;
  };
  return { value: walk(answer) as T, memberIds: [...used].sort() };
}

/** DOMAIN.md 2: the whole-family assessment and family plan dates recorded with the attachment (null when not recorded). */
function attachmentEvidenceOf(state: FamilyState) {
  if (!state.attachment) return null;
  return { wholeFamilyAssessmentOn: state.attachment.wholeFamilyAssessmentOn ?? null, familyPlanOn: state.attachment.familyPlanOn ?? null };
}

/** Results: attached families whose result holds at the as-of date and is not yet claimed. */
@ApiTags('families: queries')
@Controller('api')
export class ResultsController {
  constructor(
    private readonly context: QueryContext,
    private readonly outcomes: OutcomeQueries,
    private readonly queries: FamilyQueries,
    private readonly accessLog: AccessLog,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COUNCIL_ID) private readonly councilId: string,
  ) {}

  @Access({ 'programme-manager': true, 'finance-officer': true, auditor: true })
  @Get('results')
  @ApiOperation({
    summary: 'Families with a result at asOf (either route), not yet claimed',
    description: 'knownAt: as we knew it on that date (see /progress). claimed=include: families already claimed too, each with claimedIn (the claim).',
  })
  @ApiQuery({ name: 'asOf', required: false, example: '2018-03-31' })
  @ApiQuery({ name: 'knownAt', required: false })
  @ApiQuery({ name: 'claimed', required: false, enum: ['exclude', 'include'], description: 'exclude (default): leave out families already claimed' })
  @CsvList<ResultsAnswer>({
    filename: 'results',
    columns: ['as_of', 'known_at', 'family_id', 'reference', 'routes', 'plan_version'],
    rows: (answer) => answer.families.map((f) => [answer.asOf, answer.knownAt, f.familyId, f.reference, f.routes.join(';'), f.planVersion]),
  })
  async results(@ReadBy() reader: Reader, @Query('asOf') asOfRaw?: string, @Query('knownAt') knownAt?: string, @Query('claimed') claimed?: string) {
    if (claimed !== undefined && claimed !== 'include' && claimed !== 'exclude') {
      throw ApiError.badRequest('invalid query: claimed', [{ field: 'claimed', message: 'must be one of exclude, include' }]);
    }
    const asOf = this.context.dates(asOfRaw, knownAt);
    await this.context.settle();
    // DOMAIN.md 4.3: a family whose result is claimed in a submitted claim is not claimable again.
    const results = await this.outcomes.results(asOf, knownAt, { claimedIn: await claimedFamilies(this.store, this.councilId), include: claimed === 'include' });
    // Issue 16.6: a finance officer's read of family references is logged family by family.
    const { actor } = reader;
    if (actor.role === 'finance-officer') {
      await this.accessLog.recordMany(
        actor,
        results.families.map((f) => ({ route: reader.route, familyId: f.familyId, memberIds: [], outcome: 'served' as const, purpose: reader.purpose() })),
      );
    }
    return results;
  }

  @Access(AGGREGATES)
  @Get('dashboards/families')
  @ApiOperation({ summary: 'Counts for dashboards, all as of asOf: families by status, by problem at entry and attachments by month; results by route' })
  @ApiQuery({ name: 'asOf', required: false })
  async dashboard(@Query('asOf') asOfRaw?: string) {
    const asOf = this.context.dates(asOfRaw, undefined);
    await this.context.settle();
    const counts = await this.queries.counts(asOf);
    const results = await this.outcomes.results(asOf);
    const byRoute = { 'sustained-progress': 0, 'continuous-employment': 0 };
    for (const f of results.families) for (const r of f.routes) byRoute[r] += 1;
    return { asOf, ...counts, resultsByRoute: byRoute, familiesWithResult: results.families.length };
  }

  @Access(AGGREGATES)
  @Get('dashboards/results')
  @ApiOperation({ summary: 'Results over time: families with a result at each month end (and each financial year), by route' })
  @ApiQuery({ name: 'from', required: true, example: '2016-04-01' })
  @ApiQuery({ name: 'to', required: true, example: '2020-03-31' })
  async resultsSeries(@Query('from') from?: string, @Query('to') to?: string) {
    const problems: { field: string; message: string }[] = [];
    if (from === undefined || !isBusinessDate(from)) problems.push({ field: 'from', message: 'must be a calendar date YYYY-MM-DD' });
    if (to === undefined || !isBusinessDate(to)) problems.push({ field: 'to', message: 'must be a calendar date YYYY-MM-DD' });
    if (problems.length === 0 && (to as string) < (from as string)) problems.push({ field: 'to', message: 'must not be before from' });
    if (problems.length > 0) throw ApiError.badRequest(`invalid query: ${problems.map((p) => p.field).join(', ')}`, problems);
    await this.context.settle();
    return { from, to, ...(await this.outcomes.resultsSeries(from as string, to as string)) };
  }
}
