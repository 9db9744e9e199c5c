import { dateParts, streams } from '@ledger/domain';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import type { KeyVault } from '@ledger/privacy';
import { type ReportDocument, type ReportSection, reportDocumentPdf } from '@ledger/reporting';
import type { AccessLog, AccessLogRow } from '@ledger/application';
import type { OnsTransfer } from './ons-transfers';

/** A data subject's request as recorded (DOMAIN.md 6, issue 23.2 and 23.3). */
export interface DataSubjectRequest {
  requestId: string;
  kind: 'access' | 'rectification' | 'objection';
  memberId: string;
  familyId: string;
  reference: string;
  receivedOn: string;
  /** One calendar month after receipt: the statutory deadline. */
  dueOn: string;
  respondedOn: string | null;
  /** Events recorded to answer it (corrections, withdrawn consents). */
  actions: { eventIds: string[]; what: string; on: string }[];
}

export interface PersonalRecord {
  recordedAt: string;
  recordedBy: { role: string; organisation?: string };
  eventId: string;
  /** `FamilyIdentified` or `FamilyMemberAdded`. */
  type: string;
  fields: Record<string, unknown>;
}

export interface FactAboutThem {
  eventId: string;
  type: string;
  recordedAt: string;
  recordedBy: { role: string; organisation?: string };
  data: Record<string, unknown>;
  /** Replaced by a correction (the fact no longer counts). */
  supersededBy: string | null;
}

export interface SubjectAccessExport {
  request: { requestId: string; reference: string; receivedOn: string; dueOn: string };
  generatedOn: string;
  person: { memberId: string; familyReference: string; status: 'held' | 'erased'; erasedAt?: string; erasureReason?: string };
  /** Erased people: only this statement. */
  statement?: string;
  personalData: PersonalRecord[];
  facts: FactAboutThem[];
  corrections: { eventId: string; recordedAt: string; supersededEventId: string; supersededType: string; reason: string | null }[];
  /** Facts about the household as a whole: their kind and date only (nothing about another member). */
  householdFacts: { type: string; on: string | null; recordedAt: string }[];
  reads: { at: string; userId: string; role: string; organisation: string | null; route: string; purpose: string; outcome: string }[];
  partners: { organisation: string; recorded: { type: string; count: number }[]; reads: number }[];
  onsTransfers: { transferId: string; agreementReference: string; transferredOn: string; from: string; to: string; fileSha256: string; destroyedOn: string | null }[];
}

const DATE_FIELDS = ['on', 'identifiedOn', 'attachedOn', 'closedOn', 'occurredOn', 'committedOn', 'startedOn'];
const actorShown = (e: RecordedEvent) => ({ role: e.metadata.actor.role, ...(e.metadata.actor.organisation ? { organisation: e.metadata.actor.organisation } : {}) });

/**
 * Everything the ledger holds about one person (UK GDPR art. 15): their personal data as recorded,
 * the facts about them with the corrections of those facts, the kinds and dates of facts about
 * their household, who read their records and why, what partners recorded or read about them, and
 * the ONS transfers that included them. Nothing about another member: facts naming someone else
 * are left out, household facts are shown by kind and date only.
 */
export async function subjectAccessExport(
  request: DataSubjectRequest,
  generatedOn: string,
  parts: { store: EventStore; vault: KeyVault; accessLog: AccessLog; transfers: OnsTransfer[] },
): Promise<SubjectAccessExport> {
  const { memberId, familyId } = request;
  const family = await parts.store.readStream(streams.family(familyId));
  const identified = family.events.find((e) => e.type === 'FamilyIdentified');
  const familyReference = String(identified?.data.reference ?? '');
  const base = { request: { requestId: request.requestId, reference: request.reference, receivedOn: request.receivedOn, dueOn: request.dueOn }, generatedOn };
  const empty = { personalData: [], facts: [], corrections: [], householdFacts: [], reads: [], partners: [], onsTransfers: [] };

  if ((await parts.vault.status(memberId)) === 'erased') {
    const erasure = (await parts.store.readStream(`personalData-${memberId}`)).events.find((e) => e.type === 'PersonalDataErased');
    const erasedAt = erasure?.metadata.recordedAt ?? '';
    return {
      ...base,
      person: { memberId, familyReference, status: 'erased', erasedAt, erasureReason: String(erasure?.data.reason ?? '') },
      statement: `The personal data of this person was erased${erasedAt ? ` on ${erasedAt.slice(0, 10)}` : ''}: the key that encrypted it was destroyed, so no copy of it can be read. The ledger keeps only counts, amounts and dates that name no one.`,
      ...empty,
    };
  }

  const personalData: PersonalRecord[] = [];
  const facts: FactAboutThem[] = [];
  const householdFacts: SubjectAccessExport['householdFacts'] = [];
  const corrections: SubjectAccessExport['corrections'] = [];
  const theirEventIds = new Set<string>();
  for (const e of family.events) {
    const data = e.data as Record<string, unknown>;
    if (e.type === 'FamilyIdentified') {
      const m = (data.members as Record<string, unknown>[]).find((x) => x.memberId === memberId);
      if (m) personalData.push({ recordedAt: e.metadata.recordedAt, recordedBy: actorShown(e), eventId: e.metadata.eventId, type: e.type, fields: { ...m } });
      continue;
    }
    if (e.type === 'FamilyMemberAdded') {
      const m = data.member as Record<string, unknown>;
      if (m.memberId === memberId) personalData.push({ recordedAt: e.metadata.recordedAt, recordedBy: actorShown(e), eventId: e.metadata.eventId, type: e.type, fields: { ...m } });
      continue;
    }
    if (e.type === 'FactCorrected') {
      if (theirEventIds.has(String(data.supersededEventId))) {
        corrections.push({
          eventId: e.metadata.eventId,
          recordedAt: e.metadata.recordedAt,
          supersededEventId: String(data.supersededEventId),
          supersededType: String(data.supersededType),
          reason: typeof data.reason === 'string' ? data.reason : null,
        });
        const fact = facts.find((f) => f.eventId === data.supersededEventId);
        if (fact) fact.supersededBy = e.metadata.eventId;
      }
      continue;
    }
    if (data.memberId === memberId) {
      const { familyId: _f, ...rest } = data;
      facts.push({ eventId: e.metadata.eventId, type: e.type, recordedAt: e.metadata.recordedAt, recordedBy: actorShown(e), data: rest, supersededBy: null });
      theirEventIds.add(e.metadata.eventId);
    } else if (data.memberId === undefined) {
      const on = DATE_FIELDS.map((f) => data[f]).find((v) => typeof v === 'string');
      householdFacts.push({ type: e.type, on: typeof on === 'string' ? on : null, recordedAt: e.metadata.recordedAt });
    }
  }

  const rows: AccessLogRow[] = [];
  for (let after: string | undefined; ;) {
    const page = await parts.accessLog.list({ memberId, after, limit: 1_000 });
    rows.push(...page.entries);
    if (page.next === null) break;
    after = page.next;
  }
  const reads = rows.map((r) => ({ at: r.at, userId: r.userId, role: r.role, organisation: r.organisation, route: r.route, purpose: r.purpose, outcome: r.outcome }));

  const partners = new Map<string, { recorded: Map<string, number>; reads: number }>();
  const partner = (organisation: string) =>
    partners.get(organisation) ?? (partners.set(organisation, { recorded: new Map(), reads: 0 }).get(organisation) as { recorded: Map<string, number>; reads: number });
  for (const f of facts)
    if (f.recordedBy.role === 'partner' && f.recordedBy.organisation) partner(f.recordedBy.organisation).recorded.set(f.type, (partner(f.recordedBy.organisation).recorded.get(f.type) ?? 0) + 1);
  for (const r of reads) if (r.role === 'partner' && r.organisation && r.outcome === 'served') partner(r.organisation).reads += 1;

  const onsTransfers = parts.transfers
    .filter((t) => t.memberIds.includes(memberId))
    .map((t) => ({
      transferId: t.transferId,
      agreementReference: t.agreementReference,
      transferredOn: t.transferredOn,
      from: t.from,
      to: t.to,
      fileSha256: t.fileSha256,
      destroyedOn: t.destruction?.confirmedOn ?? null,
    }));

  return {
    ...base,
    person: { memberId, familyReference, status: 'held' },
    personalData,
    facts,
    corrections,
    householdFacts,
    reads,
    partners: [...partners].map(([organisation, p]) => ({ organisation, recorded: [...p.recorded].map(([type, count]) => ({ type, count })), reads: p.reads })),
    onsTransfers,
  };
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const details = (data: Record<string, unknown>): string =>
  Object.entries(data)
    .filter(([k]) => k !== 'memberId')
    .map(([k, v]) => `${k}: ${text(v)}`)
    .join('; ');

/** The export as an A4 PDF (the reporting library's writer), for the person. */
export function subjectAccessPdf(x: SubjectAccessExport, council: string): Promise<Buffer> {
  const sections: ReportSection[] = [
    {
      kind: 'details',
      name: 'Request',
      title: 'Subject access request',
      items: [
        { label: 'Reference', value: x.request.reference },
        { label: 'Received', value: x.request.receivedOn },
        { label: 'Statutory deadline', value: x.request.dueOn },
        { label: 'Produced', value: x.generatedOn },
        { label: 'Person (member id)', value: x.person.memberId },
        { label: 'Family reference', value: x.person.familyReference },
      ],
    },
  ];
  if (x.statement) {
    sections.push({ kind: 'text', name: 'Erased', title: 'Personal data erased', paragraphs: [{ heading: `Erased ${x.person.erasedAt?.slice(0, 10) ?? ''}`, text: x.statement }] });
  } else {
    for (const [i, p] of x.personalData.entries()) {
      sections.push({
        kind: 'details',
        name: `Personal data ${i + 1}`,
        title: `Personal data as recorded on ${p.recordedAt.slice(0, 10)} (by ${[p.recordedBy.role, p.recordedBy.organisation].filter(Boolean).join(' ')})`,
        items: Object.entries(p.fields)
          .filter(([k]) => k !== 'memberId')
          .map(([label, value]) => ({ label, value: text(value) })),
      });
    }
    sections.push({
      kind: 'text',
      name: 'Facts',
      title: 'Facts recorded about you',
      paragraphs:
        x.facts.length === 0
          ? [{ heading: 'None', text: 'No fact names you.' }]
          : x.facts.map((f) => ({
              heading: `${f.recordedAt.slice(0, 10)} ${f.type} (by ${[f.recordedBy.role, f.recordedBy.organisation].filter(Boolean).join(' ')})${f.supersededBy ? ', since corrected' : ''}`,
              text: details(f.data),
            })),
    });
    sections.push({
      kind: 'table',
      name: 'Corrections',
      title: 'Corrections of those facts',
      columns: [
        { label: 'Recorded', kind: 'date', width: 2 },
        { label: 'Corrected fact', kind: 'text', width: 3 },
        { label: 'Reason', kind: 'text', width: 6 },
      ],
      rows: x.corrections.map((c) => [c.recordedAt.slice(0, 10), c.supersededType, c.reason ?? '']),
      totals: [],
    });
    sections.push({
      kind: 'table',
      name: 'Household',
      title: 'Facts about your household (kind and date)',
      columns: [
        { label: 'What', kind: 'text', width: 4 },
        { label: 'Date', kind: 'date', width: 2 },
      ],
      rows: x.householdFacts.map((h) => [h.type, h.on ?? h.recordedAt.slice(0, 10)]),
      totals: [],
    });
    sections.push({
      kind: 'table',
      name: 'Reads',
      title: 'Who read your records, and why',
      columns: [
        { label: 'When', kind: 'text', width: 3 },
        { label: 'Who', kind: 'text', width: 2 },
        { label: 'Role', kind: 'text', width: 2 },
        { label: 'What', kind: 'text', width: 4 },
        { label: 'Why', kind: 'text', width: 3 },
      ],
      rows: x.reads.map((r) => [
        r.at.slice(0, 16).replace('T', ' '),
        r.userId,
        [r.role, r.organisation].filter(Boolean).join(' '),
        r.route,
        r.outcome === 'served' ? r.purpose : `refused: ${r.purpose}`,
      ]),
      totals: [],
    });
    sections.push({
      kind: 'table',
      name: 'Partners',
      title: 'Partner organisations',
      columns: [
        { label: 'Organisation', kind: 'text', width: 3 },
        { label: 'Recorded', kind: 'text', width: 6 },
        { label: 'Reads', kind: 'count', width: 1 },
      ],
      rows: x.partners.map((p) => [p.organisation, p.recorded.map((r) => `${r.type} ×${r.count}`).join(', '), p.reads]),
      totals: [],
    });
    sections.push({
      kind: 'table',
      name: 'ONS',
      title: 'Transfers to the Office for National Statistics (evaluation)',
      columns: [
        { label: 'Transfer', kind: 'text', width: 5 },
        { label: 'Agreement', kind: 'text', width: 3 },
        { label: 'Sent', kind: 'date', width: 2 },
        { label: 'Destroyed', kind: 'date', width: 2 },
      ],
      rows: x.onsTransfers.map((t) => [t.transferId, t.agreementReference, t.transferredOn, t.destroyedOn ?? 'not yet confirmed']),
      totals: [],
    });
  }
  const [y, m, d] = dateParts(x.generatedOn);
  const document: ReportDocument = {
    title: `Subject access: ${x.request.reference}`,
    subject: 'Personal data held by the family outcomes ledger',
    author: council,
    documentDate: new Date(Date.UTC(y, m - 1, d)),
    sections,
  };
  return reportDocumentPdf(document);
}
