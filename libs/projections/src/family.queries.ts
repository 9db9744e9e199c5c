import type { ProjectionRunner } from './projection-runner';
import type { SqlClient } from '@ledger/sql';
import { atIndex } from '@ledger/domain';

export interface FamilySummaryRow {
  familyId: string;
  reference: string;
  status: 'identified' | 'attached' | 'closed';
  identifiedOn: string;
  attachedOn: string | null;
  keyworker: string | null;
  problemsAtEntry: string[];
  closedOn: string | null;
}

export interface FamilySearch {
  status?: string;
  keyworker?: string;
  problem?: string;
  /** A fragment of the reference, any case. */
  reference?: string;
  /** Only these families (a person search's matches); an empty list finds none. */
  familyIds?: readonly string[];
  sort?: 'reference' | 'attachedOn' | 'keyworker' | 'familyId';
  order?: 'asc' | 'desc';
  /** Keyset paging by family id (with the default sort only). */
  after?: string;
  offset?: number;
  limit: number;
}

export interface FamilyFactRow {
  familyId: string;
  version: number;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  recordedAt: string;
}

/** Pages of facts read at once by `attachedFactPages`: the one being judged and the one after it. */
const PAGES_AHEAD = 2;

export interface FactsOptions {
  /** Open the personal fields of these event types only (default: all). */
  open?: readonly string[];
  /** Read facts of these event types only (default: all). */
  types?: readonly string[];
}

export interface PlanRow {
  version: number;
  effectiveFrom: string;
  scope: string;
  /** The version as recorded (`storedPlanValue` in @ledger/domain): its thresholds, or its problems and milestones. */
  parameters: unknown;
}

/**
 * Opens the personal fields sealed in stored events (the event store's PersonalDataCipher). The
 * read models hold events as stored, sealed; the rules need a date of birth, so facts are opened
 * in memory when a query folds them, and never written back.
 */
export type FactOpener = (events: readonly { type: string; data: Record<string, unknown> }[]) => Promise<Record<string, unknown>[]>;

/** Reads of the family read models (the only SQL the queries need). */
export class FamilyQueries {
  constructor(
    private readonly sql: SqlClient,
    private readonly runner: ProjectionRunner,
    private readonly opener: FactOpener = async (events) => events.map((e) => e.data),
  ) {}

  /** The family a person belongs to (from the member records of its events), or null. */
  async familyOfMember(memberId: string): Promise<string | null> {
    const facts = await this.runner.liveTable('family-read-models', 'family_facts');
    const [row] = await this.sql.query<{ family_id: string }>(
      `select family_id::text as family_id from ${facts}
        where (type = 'FamilyIdentified' and data->'members' @> jsonb_build_array(jsonb_build_object('memberId', $1::text)))
           or (type = 'FamilyMemberAdded' and data->'member'->>'memberId' = $1::text)
        limit 1`,
      [memberId],
    );
    return row?.family_id ?? null;
  }

  /** Families identified in a period (for the evaluation export), with their facts. */
  async identifiedBetween(from: string, to: string): Promise<string[]> {
    const t = await this.runner.liveTable('family-read-models', 'family_summary');
    const rows = await this.sql.query<{ family_id: string }>(`select family_id::text as family_id from ${t} where identified_on between $1::date and $2::date order by ${t}.family_id`, [from, to]);
    return rows.map((r) => r.family_id);
  }

  /** Families whose case closed on or before a date (for the retention schedule). */
  async closedBy(on: string): Promise<{ familyId: string; closedOn: string }[]> {
    const t = await this.runner.liveTable('family-read-models', 'family_summary');
    const rows = await this.sql.query<{ family_id: string; closed_on: string }>(
      `select family_id::text as family_id, closed_on::text as closed_on from ${t} where closed_on is not null and closed_on <= $1::date order by ${t}.family_id`,
      [on],
    );
    return rows.map((r) => ({ familyId: r.family_id, closedOn: r.closed_on }));
  }

  /**
   * Every family with what the retention schedule needs (DOMAIN.md 6): its status, identification
   * and closure dates, and the instant of the last event recorded on it (its last activity).
   */
  async retentionCandidates(): Promise<
    { familyId: string; reference: string; status: string; identifiedOn: string; attachedOn: string | null; closedOn: string | null; lastRecordedAt: string | null }[]
  > {
    const t = await this.runner.liveTable('family-read-models', 'family_summary');
    const facts = await this.runner.liveTable('family-read-models', 'family_facts');
    const rows = await this.sql.query<Record<string, unknown>>(
      `select s.family_id::text as family_id, s.reference, s.status, s.identified_on::text as identified_on, s.attached_on::text as attached_on, s.closed_on::text as closed_on, l.last_recorded_at
         from ${t} s left join (select family_id, max(recorded_at) as last_recorded_at from ${facts} group by family_id) l on l.family_id = s.family_id
        order by s.family_id`,
    );
    return rows.map((r) => ({
      familyId: String(r.family_id),
      reference: String(r.reference),
      status: String(r.status),
      identifiedOn: String(r.identified_on),
      attachedOn: (r.attached_on as string | null) ?? null,
      closedOn: (r.closed_on as string | null) ?? null,
      lastRecordedAt: r.last_recorded_at === null || r.last_recorded_at === undefined ? null : new Date(r.last_recorded_at as string).toISOString(),
    }));
  }

  /** The member ids of each family (from its member records; ids are never sealed). */
  async memberIdsOf(familyIds: readonly string[]): Promise<Map<string, string[]>> {
    const facts = await this.runner.liveTable('family-read-models', 'family_facts');
    const rows = await this.sql.query<{ family_id: string; member_id: string }>(
      `select family_id::text as family_id, m->>'memberId' as member_id from ${facts}, jsonb_array_elements(data->'members') m
        where type = 'FamilyIdentified' and family_id = any($1::uuid[])
       union all
       select family_id::text, data->'member'->>'memberId' from ${facts} where type = 'FamilyMemberAdded' and family_id = any($1::uuid[])`,
      [[...familyIds]],
    );
    const out = new Map<string, string[]>(familyIds.map((id) => [id, []]));
    for (const r of rows) out.get(r.family_id)?.push(r.member_id);
    return out;
  }

  /** Every recorded consent of one purpose, in each family's order (ids, dates and the answer only). */
  async consentRecords(purpose: string): Promise<{ familyId: string; memberId: string; given: boolean; on: string; recordedAt: string }[]> {
    const facts = await this.runner.liveTable('family-read-models', 'family_facts');
    const rows = await this.sql.query<Record<string, unknown>>(
      `select family_id::text as family_id, data->>'memberId' as member_id, data->>'given' as given, data->>'on' as on_date, recorded_at
         from ${facts} where type = 'ConsentRecorded' and data->>'purpose' = $1 order by family_id, version`,
      [purpose],
    );
    return rows.map((r) => ({
      familyId: String(r.family_id),
      memberId: String(r.member_id),
      given: r.given === 'true',
      on: String(r.on_date),
      recordedAt: new Date(r.recorded_at as string).toISOString(),
    }));
  }

  async list(filter: { status?: string; keyworker?: string; problem?: string; after?: string; limit: number }): Promise<{ families: FamilySummaryRow[]; next: string | null }> {
    const t = await this.runner.liveTable('family-read-models', 'family_summary');
    const rows = await this.sql.query<Record<string, unknown>>(
      `select family_id::text as family_id, reference, status, identified_on::text as identified_on, attached_on::text as attached_on, keyworker, problems_at_entry, closed_on::text as closed_on
         from ${t}
        where ($1::text is null or status = $1) and ($2::text is null or keyworker = $2) and ($3::text is null or $3 = any(problems_at_entry)) and ($4::uuid is null or family_id > $4::uuid)
        order by ${t}.family_id limit $5`,
      [filter.status ?? null, filter.keyworker ?? null, filter.problem ?? null, filter.after ?? null, filter.limit + 1],
    );
    const families = rows.slice(0, filter.limit).map(toSummary);
    return { families, next: rows.length > filter.limit ? (families.at(-1)?.familyId ?? null) : null };
  }

  /**
   * Issue 20.1: family summaries filtered (status, keyworker, problem, a reference's fragment, and
   * `familyIds` when a person search narrowed them), sorted by reference, attachment date or
   * keyworker (then family id), a page at a time, with the total count of families that match.
   */
  async search(filter: FamilySearch): Promise<{ families: FamilySummaryRow[]; total: number; more: boolean }> {
    const t = await this.runner.liveTable('family-read-models', 'family_summary');
    const fragment = filter.reference === undefined ? null : `%${filter.reference.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = `($1::text is null or status = $1) and ($2::text is null or keyworker = $2) and ($3::text is null or $3 = any(problems_at_entry))
        and ($4::text is null or reference ilike $4) and ($5::uuid[] is null or family_id = any($5::uuid[]))`;
    const params = [filter.status ?? null, filter.keyworker ?? null, filter.problem ?? null, fragment, filter.familyIds ?? null];
    const direction = filter.order === 'desc' ? 'desc' : 'asc';
    const column = { reference: 'reference', attachedOn: 'attached_on', keyworker: 'keyworker', familyId: null }[filter.sort ?? 'familyId'];
    const orderBy = column === null ? `family_id ${direction}` : `${column} ${direction} nulls last, family_id`;
    const rows = await this.sql.query<Record<string, unknown>>(
      `select family_id::text as family_id, reference, status, identified_on::text as identified_on, attached_on::text as attached_on, keyworker, problems_at_entry, closed_on::text as closed_on
         from ${t} where ${where} and ($6::uuid is null or family_id > $6::uuid)
        order by ${orderBy} limit $7 offset $8`,
      [...params, filter.after ?? null, filter.limit + 1, filter.offset ?? 0],
    );
    const [count] = await this.sql.query<{ n: string }>(`select count(*)::text as n from ${t} where ${where}`, params);
    return { families: rows.slice(0, filter.limit).map(toSummary), total: Number(count?.n ?? 0), more: rows.length > filter.limit };
  }

  async summary(familyId: string): Promise<FamilySummaryRow | null> {
    const t = await this.runner.liveTable('family-read-models', 'family_summary');
    const [row] = await this.sql.query<Record<string, unknown>>(
      `select family_id::text as family_id, reference, status, identified_on::text as identified_on, attached_on::text as attached_on, keyworker, problems_at_entry, closed_on::text as closed_on from ${t} where family_id = $1::uuid`,
      [familyId],
    );
    return row ? toSummary(row) : null;
  }

  /**
   * Every attached family's facts, a page of families at a time (keyset on family id), so a
   * council-wide question (results, a claim draft) holds one page in memory however many
   * families there are.
   */
  async *attachedFactPages(knownAt?: string, pageSize = 1_000, options: FactsOptions = {}): AsyncGenerator<Map<string, FamilyFactRow[]>> {
    const summary = await this.runner.liveTable('family-read-models', 'family_summary');
    const idsAfter = async (after: string | null): Promise<string[]> =>
      (
        await this.sql.query<{ family_id: string }>(
          `select family_id::text as family_id from ${summary} where attached_on is not null and ($1::uuid is null or family_id > $1::uuid) order by ${summary}.family_id limit $2`,
          [after, pageSize],
        )
      ).map((r) => r.family_id);
    type Page = { ids: Promise<string[]>; facts: Promise<Map<string, FamilyFactRow[]>> };
    const pageOf = (ids: Promise<string[]>): Page => ({ ids, facts: ids.then((list) => (list.length > 0 ? this.facts(list, knownAt, options) : new Map<string, FamilyFactRow[]>())) });
    // The next page's ids follow from this page's last id (a cheap query); its facts are read
    // while the caller works through this page. Up to PAGES_AHEAD pages are read at once (on
    // PostgreSQL each on a connection of its own, so the server builds them on its other core).
    const after = (page: Page): Page => pageOf(page.ids.then((list) => (list.length === pageSize ? idsAfter(list.at(-1) ?? null) : [])));
    const queue: Page[] = [pageOf(idsAfter(null))];
    try {
      while (queue.length > 0) {
        while (queue.length < PAGES_AHEAD) queue.push(after(atIndex(queue, queue.length - 1, 'page')));
        const current = queue.shift() as Page;
        const ids = await current.ids;
        if (ids.length === 0) break;
        yield await current.facts;
        if (ids.length < pageSize) break;
      }
    } finally {
      // A caller that stops early (or a page that failed) leaves pages in flight: let them settle unobserved.
      for (const page of queue) {
        page.ids.catch(() => undefined);
        page.facts.catch(() => undefined);
      }
    }
  }

  /**
   * A family's recorded events in stream order; with `knownAt`, only those recorded by the end of
   * that day (UTC). Sealed personal fields are opened in memory, of the event types in
   * `options.open` only when it is given (the others keep their `$sealed` record).
   */
  async facts(familyIds: readonly string[], knownAt?: string, options: FactsOptions = {}): Promise<Map<string, FamilyFactRow[]>> {
    const facts = await this.runner.liveTable('family-read-models', 'family_facts');
    const knownBefore = knownAt ? `${knownAt}T23:59:59.999Z` : null;
    // Without JIT: at national scale the planner's estimate for a page of 1,000 families passes
    // jit_above_cost, and compiling took longer than the query. A transaction scopes the setting.
    // One row per family, its facts as one JSON array (version, event id, type, data, recorded at)
    // in stream order: a page of 1,000 families holds tens of thousands of facts, and the drivers'
    // per-row and per-field costs (pg's row parsing, PGlite's decoding of each field) were most of
    // a claim draft's time.
    const rows = await this.sql.transaction(async (tx) => {
      await tx.query(`select set_config('jit', 'off', true)`);
      return tx.query<{ family_id: string; facts: string }>(
        // Ordered by the table's columns (f.version), not text, or version 10 sorts before 9.
        `select f.family_id::text as family_id,
                json_agg(json_build_array(f.version, f.event_id, f.type, f.data, to_char(f.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) order by f.version)::text as facts
           from ${facts} f where f.family_id = any($1::uuid[]) and ($2::timestamptz is null or f.recorded_at <= $2::timestamptz) and ($3::text[] is null or f.type = any($3::text[]))
          group by f.family_id order by f.family_id`,
        [familyIds, knownBefore, options.types ?? null],
      );
    });
    const found: FamilyFactRow[] = [];
    for (const row of rows) {
      const familyId = String(row.family_id);
      for (const [version, eventId, type, data, recordedAt] of JSON.parse(row.facts) as [number, string, string, Record<string, unknown>, string][]) {
        found.push({ familyId, version: Number(version), eventId: String(eventId), type: String(type), data, recordedAt: String(recordedAt) });
      }
    }
    const opened = await this.open(found, options.open);
    const out = new Map<string, FamilyFactRow[]>();
    for (const [i, row] of found.entries()) {
      row.data = atIndex(opened, i, 'opened fact');
      const list = out.get(row.familyId);
      if (list) list.push(row);
      else out.set(row.familyId, [row]);
    }
    return out;
  }

  private async open(rows: readonly FamilyFactRow[], types?: readonly string[]): Promise<Record<string, unknown>[]> {
    if (!types) return this.opener(rows);
    const wanted = new Set(types);
    const which = rows.flatMap((r, i) => (wanted.has(r.type) ? [i] : []));
    const opened = await this.opener(which.map((i) => atIndex(rows, i, 'fact')));
    const out = rows.map((r) => r.data);
    which.forEach((row, k) => (out[row] = atIndex(opened, k, 'opened fact')));
    return out;
  }

  async outcomePlans(councilId: string): Promise<PlanRow[]> {
    const t = await this.runner.liveTable('family-read-models', 'outcome_plans');
    const rows = await this.sql.query<Record<string, unknown>>(`select version, effective_from::text as effective_from, scope, parameters from ${t} where council_id = $1 order by version`, [
      councilId,
    ]);
    return rows.map((r) => ({ version: Number(r.version), effectiveFrom: String(r.effective_from), scope: String(r.scope), parameters: r.parameters as PlanRow['parameters'] }));
  }

  async framework(councilId: string): Promise<string | null> {
    const t = await this.runner.liveTable('family-read-models', 'programme_settings');
    const [row] = await this.sql.query<{ framework: string }>(`select framework from ${t} where council_id = $1`, [councilId]);
    return row?.framework ?? null;
  }

  /**
   * Families by status and by problem at entry, and attachments per month, for dashboards, as of a
   * business date (default: everything recorded): a family identified, attached or closed after
   * it is not (yet) so.
   */
  async counts(asOf = '9999-12-31'): Promise<{ byStatus: Record<string, number>; byProblemAtEntry: Record<string, number>; attachmentsByMonth: Record<string, number> }> {
    const t = await this.runner.liveTable('family-read-models', 'family_summary');
    const byStatus = await this.sql.query<{ status: string; n: string }>(
      `select case when closed_on <= $1::date then 'closed' when attached_on <= $1::date then 'attached' else 'identified' end as status, count(*)::text as n
         from ${t} where identified_on <= $1::date group by 1 order by 1`,
      [asOf],
    );
    const byProblem = await this.sql.query<{ problem: string; n: string }>(
      `select p as problem, count(*)::text as n from ${t}, unnest(problems_at_entry) as p where attached_on <= $1::date group by p order by p`,
      [asOf],
    );
    const byMonth = await this.sql.query<{ month: string; n: string }>(
      `select to_char(attached_on, 'YYYY-MM') as month, count(*)::text as n from ${t} where attached_on <= $1::date group by 1 order by 1`,
      [asOf],
    );
    return {
      attachmentsByMonth: Object.fromEntries(byMonth.map((r) => [r.month, Number(r.n)])),
      byStatus: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])),
      byProblemAtEntry: Object.fromEntries(byProblem.map((r) => [r.problem, Number(r.n)])),
    };
  }
}

function toSummary(r: Record<string, unknown>): FamilySummaryRow {
  return {
    familyId: String(r.family_id),
    reference: String(r.reference),
    status: r.status as FamilySummaryRow['status'],
    identifiedOn: String(r.identified_on),
    attachedOn: (r.attached_on as string | null) ?? null,
    keyworker: (r.keyworker as string | null) ?? null,
    problemsAtEntry: (r.problems_at_entry as string[] | null) ?? [],
    closedOn: (r.closed_on as string | null) ?? null,
  };
}
