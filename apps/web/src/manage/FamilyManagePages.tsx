import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { type User, getJson, getWithEtag, newIdempotencyKey, sendCommand } from '../api';
import { PROBLEM_NAMES } from '../components/FigureView';
import { DateField, type DateParts, ErrorSummary, type FormError, NO_DATE, SelectField, TextField, dateOf, formErrorOf } from '../components/Form';
import { Table } from '../components/Table';
import { AppLink } from '../components/Layout';
import { Loading } from '../components/Loading';
import { ukDate } from '../format';
import { navigate } from '../router';
import { Done } from './forms';

/**
 * Issue 20 ("each of the users named in README can do their job in the browser"): the programme
 * manager identifies a family with its members, records its problems at entry with their
 * indicators, attaches it to a keyworker chosen from the keyworkers who may sign in, and records
 * a discretionary override, all through the same commands an API client sends
 * (`POST /api/families`, `/problems`, `/attachment`, `/overrides`), each with an Idempotency-Key
 * per submission and, on an existing family, If-Match with the family's version as the page read it.
 */

const RELATIONSHIPS = [
  { value: 'parent', label: 'Parent' },
  { value: 'carer', label: 'Carer' },
  { value: 'child', label: 'Child' },
  { value: 'other', label: 'Other' },
];

interface MemberForm {
  relationship: string;
  givenName: string;
  familyName: string;
  dateOfBirth: DateParts;
  postcode: string;
}

const NO_MEMBER: MemberForm = { relationship: 'parent', givenName: '', familyName: '', dateOfBirth: NO_DATE, postcode: '' };

/** `members[1].givenName` (the API's name) → `m1-givenName` (the form's). */
const memberField = (field: string) => field.replace(/^members\[(\d+)\]\.(\w+)$/, 'm$1-$2');

export function IdentifyFamilyPage() {
  const [reference, setReference] = useState('');
  const [identifiedOn, setIdentifiedOn] = useState<DateParts>(NO_DATE);
  const [members, setMembers] = useState<MemberForm[]>([{ ...NO_MEMBER }, { ...NO_MEMBER, relationship: 'child' }]);
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);

  useEffect(() => {
    document.title = 'Identify a family – Family outcomes ledger';
  }, []);

  const known = ['reference', 'identifiedOn', ...members.flatMap((_, i) => ['relationship', 'givenName', 'familyName', 'dateOfBirth', 'postcode'].map((f) => `m${i}-${f}`))];
  const labels = Object.fromEntries(
    members.flatMap((_, i) => [
      [`m${i}-givenName`, `Person ${i + 1}: given name`],
      [`m${i}-familyName`, `Person ${i + 1}: family name`],
      [`m${i}-dateOfBirth`, `Person ${i + 1}: date of birth`],
      [`m${i}-postcode`, `Person ${i + 1}: postcode`],
      [`m${i}-relationship`, `Person ${i + 1}: relationship`],
    ]),
  );

  const set = (i: number, change: Partial<MemberForm>) => setMembers(members.map((m, j) => (j === i ? { ...m, ...change } : m)));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    sending.current = true;
    setBusy(true);
    const body = {
      reference: reference.trim(),
      identifiedOn: dateOf(identifiedOn),
      members: members.map((m) => ({
        relationship: m.relationship,
        givenName: m.givenName.trim(),
        familyName: m.familyName.trim(),
        dateOfBirth: dateOf(m.dateOfBirth),
        ...(m.postcode.trim() ? { postcode: m.postcode.trim() } : {}),
      })),
    };
    try {
      const answer = await sendCommand<{ familyId: string }>('/api/families', body, { idempotencyKey: key.current });
      key.current = newIdempotencyKey();
      navigate(`/families/${answer.body.familyId}/manage?identified=1`);
    } catch (problem) {
      setError(formErrorOf(problem, known, labels, { rename: memberField }));
      // A lost answer keeps its key, so sending again records once; an answered refusal gets a new one.
      if (problem instanceof Error && 'status' in problem) key.current = newIdempotencyKey();
    } finally {
      sending.current = false;
      setBusy(false);
    }
  }

  return (
    <>
      <h1 className="govuk-heading-l">Identify a family</h1>
      <p className="govuk-body">
        Record a family the programme has identified, with the people in its household. Their names, dates of birth and postcodes are sealed: only the roles that may see them read them back.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="identify">
        <ErrorSummary error={error} />
        <TextField
          name="reference"
          label="Family reference"
          hint="The council's own reference, for example TF-2019-0042"
          value={reference}
          onChange={setReference}
          error={error?.fields.reference}
          width={20}
        />
        <DateField name="identifiedOn" legend="Identified on" hint="For example, 27 3 2019" value={identifiedOn} onChange={setIdentifiedOn} error={error?.fields.identifiedOn} />
        {members.map((m, i) => (
          <fieldset key={i} className="govuk-fieldset app-member" data-member={i}>
            <legend className="govuk-fieldset__legend govuk-fieldset__legend--m">Person {i + 1}</legend>
            <SelectField
              name={`m${i}-relationship`}
              label="Relationship"
              value={m.relationship}
              onChange={(v) => set(i, { relationship: v })}
              options={RELATIONSHIPS}
              error={error?.fields[`m${i}-relationship`]}
            />
            <TextField name={`m${i}-givenName`} label="Given name" value={m.givenName} onChange={(v) => set(i, { givenName: v })} error={error?.fields[`m${i}-givenName`]} width={20} />
            <TextField name={`m${i}-familyName`} label="Family name" value={m.familyName} onChange={(v) => set(i, { familyName: v })} error={error?.fields[`m${i}-familyName`]} width={20} />
            <DateField name={`m${i}-dateOfBirth`} legend="Date of birth" value={m.dateOfBirth} onChange={(v) => set(i, { dateOfBirth: v })} error={error?.fields[`m${i}-dateOfBirth`]} />
            <TextField name={`m${i}-postcode`} label="Postcode (optional)" value={m.postcode} onChange={(v) => set(i, { postcode: v })} error={error?.fields[`m${i}-postcode`]} width={10} />
            {members.length > 1 ? (
              <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setMembers(members.filter((_, j) => j !== i))}>
                Remove person {i + 1}
              </button>
            ) : null}
          </fieldset>
        ))}
        <div className="govuk-button-group">
          <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setMembers([...members, { ...NO_MEMBER, relationship: 'child' }])}>
            Add another person
          </button>
          <button type="submit" className="govuk-button" disabled={busy}>
            Identify the family
          </button>
        </div>
      </form>
    </>
  );
}

interface Family {
  familyId: string;
  reference: string;
  status: string;
  identifiedOn?: string;
  attachedOn?: string | null;
  keyworker?: string | null;
  members: { memberId: string; relationship: string; givenName?: string; familyName?: string }[];
  overrides: { problem: string; reason: string; on: string; approvedBy: string }[];
}

interface PlanVersion {
  version: number;
  effectiveFrom: string;
  problems: Record<string, { indicators: { code: string; label: string }[] }>;
}

interface TimelineEntry {
  eventId: string;
  type: string;
  on: string;
  text: string;
  problem?: string;
  corrected?: unknown;
}

/** The plan version in force on a date (the latest when no date is given yet). */
function planOn(versions: PlanVersion[], date: string): PlanVersion | undefined {
  const sorted = [...versions].sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
  return (date ? sorted.find((v) => v.effectiveFrom <= date) : undefined) ?? sorted[0];
}

export function ManageFamilyPage({ user, familyId, search }: { user: User; familyId: string; search: URLSearchParams }) {
  const manager = user.role === 'programme-manager';
  const [family, setFamily] = useState<Family | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [problems, setProblems] = useState<TimelineEntry[]>([]);
  const [plans, setPlans] = useState<PlanVersion[]>([]);
  const [keyworkers, setKeyworkers] = useState<string[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(search.get('identified') ? 'The family is identified. Now record its problems at entry and attach it.' : null);

  const load = useCallback(async () => {
    try {
      const read = await getWithEtag<Family>(`/api/families/${familyId}`);
      const timeline = await getJson<{ entries: TimelineEntry[] }>(`/api/families/${familyId}/timeline`);
      setFamily(read.body);
      setEtag(read.etag);
      setProblems(timeline.entries.filter((e) => e.type === 'HeadlineProblemIdentified' && !e.corrected));
      document.title = `Manage family ${read.body.reference} – Family outcomes ledger`;
    } catch (e) {
      setLoadError(e instanceof Error ? e.message : String(e));
    }
  }, [familyId]);

  useEffect(() => {
    void load();
    getJson<{ versions: PlanVersion[] }>('/api/outcome-plans')
      .then((a) => setPlans(a.versions))
      .catch(() => setPlans([]));
    if (manager) {
      getJson<{ keyworkers: { username: string }[] }>('/api/keyworkers')
        .then((a) => setKeyworkers(a.keyworkers.map((k) => k.username)))
        .catch(() => setKeyworkers([]));
    }
  }, [load, manager]);

  const recorded = async (what: string) => {
    setDone(what);
    await load();
  };

  if (loadError) {
    return (
      <>
        <h1 className="govuk-heading-l">Manage a family</h1>
        <p className="govuk-error-message">{loadError}</p>
      </>
    );
  }
  if (!family) return <Loading active>Loading the family…</Loading>;
  const attached = Boolean(family.attachedOn);
  const closed = family.status === 'closed';
  const identifiedProblems = [...new Set(problems.map((p) => p.problem).filter((p): p is string => Boolean(p)))];

  return (
    <>
      <span className="govuk-caption-l">{manager ? 'Manage a family' : 'People and problems'}</span>
      <h1 className="govuk-heading-l">{family.reference}</h1>
      <p className="govuk-body">
        <AppLink to={`/families/${family.familyId}`}>The family&rsquo;s page (timeline and progress)</AppLink> · <AppLink to={`/families/${family.familyId}/record`}>Record what happened</AppLink>
      </p>
      {done ? <Done>{done}</Done> : null}
      <dl className="govuk-summary-list" data-testid="family-summary">
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Status</dt>
          <dd className="govuk-summary-list__value" data-key="status">
            {family.status}
          </dd>
        </div>
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Identified on</dt>
          <dd className="govuk-summary-list__value">{family.identifiedOn ? ukDate(family.identifiedOn) : '–'}</dd>
        </div>
        <div className="govuk-summary-list__row">
          <dt className="govuk-summary-list__key">Attached</dt>
          <dd className="govuk-summary-list__value" data-key="attached">
            {family.attachedOn ? `${ukDate(family.attachedOn)}, keyworker ${family.keyworker ?? '–'}` : 'Not attached'}
          </dd>
        </div>
      </dl>

      <h2 className="govuk-heading-m">Problems identified</h2>
      {problems.length === 0 ? (
        <p className="govuk-body">None recorded yet.</p>
      ) : (
        <ul className="govuk-list govuk-list--bullet" data-testid="problems">
          {problems.map((p) => (
            <li key={p.eventId} data-problem={p.problem}>
              {p.text} ({ukDate(p.on)})
            </li>
          ))}
        </ul>
      )}
      {closed ? null : <AddMemberForm family={family} etag={etag} onRecorded={recorded} />}
      {closed ? null : <ProblemForm family={family} etag={etag} plans={plans} onRecorded={recorded} />}
      {manager && !attached && !closed ? <AttachForm family={family} etag={etag} keyworkers={keyworkers} onRecorded={recorded} /> : null}
      {manager && attached ? <OverrideSection family={family} etag={etag} problems={identifiedProblems} onRecorded={recorded} /> : null}
    </>
  );
}

type Recorded = (what: string) => Promise<void>;

/** One submission at a time, one Idempotency-Key per submission (kept for a resend after a lost answer), If-Match the page's version. */
function useSubmission(path: string, etag: string | null) {
  const key = useRef(newIdempotencyKey());
  const sending = useRef(false);
  const [busy, setBusy] = useState(false);
  const send = async (body: unknown): Promise<void> => {
    if (sending.current) throw new Error('already sending');
    sending.current = true;
    setBusy(true);
    try {
      await sendCommand(path, body, { idempotencyKey: key.current, ifMatch: etag });
      key.current = newIdempotencyKey();
    } catch (problem) {
      if (problem instanceof Error && 'status' in problem) key.current = newIdempotencyKey();
      throw problem;
    } finally {
      sending.current = false;
      setBusy(false);
    }
  };
  return { send, busy, sending };
}

const MEMBER_FIELDS = ['a-relationship', 'a-givenName', 'a-familyName', 'a-dateOfBirth', 'a-postcode'];
const addedField = (field: string) => `a-${field}`;

/** A person who joined the household after identification (`POST /api/families/:familyId/members`). */
function AddMemberForm({ family, etag, onRecorded }: { family: Family; etag: string | null; onRecorded: Recorded }) {
  const [member, setMember] = useState<MemberForm>({ ...NO_MEMBER, relationship: 'child' });
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const { send, busy, sending } = useSubmission(`/api/families/${family.familyId}/members`, etag);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    try {
      await send({
        relationship: member.relationship,
        givenName: member.givenName.trim(),
        familyName: member.familyName.trim(),
        dateOfBirth: dateOf(member.dateOfBirth),
        ...(member.postcode.trim() ? { postcode: member.postcode.trim() } : {}),
      });
      setError(null);
      setMember({ ...NO_MEMBER, relationship: 'child' });
      setOpen(false);
      await onRecorded(`${member.givenName.trim()} is added to the family.`);
    } catch (problem) {
      setError(
        formErrorOf(
          problem,
          MEMBER_FIELDS,
          { 'a-givenName': 'Given name', 'a-familyName': 'Family name', 'a-dateOfBirth': 'Date of birth', 'a-postcode': 'Postcode', 'a-relationship': 'Relationship' },
          { rename: addedField },
        ),
      );
    }
  }

  return (
    <section className="app-figure" aria-labelledby="members-title">
      <h2 className="govuk-heading-m" id="members-title">
        People in the household
      </h2>
      <ul className="govuk-list" data-testid="members">
        {family.members.map((m) => (
          <li key={m.memberId}>
            {`${m.givenName ?? ''} ${m.familyName ?? ''}`.trim() || 'Details erased'} ({m.relationship})
          </li>
        ))}
      </ul>
      {open ? (
        <form onSubmit={(e) => void submit(e)} noValidate data-testid="add-member">
          <ErrorSummary error={error} />
          <SelectField
            name="a-relationship"
            label="Relationship"
            value={member.relationship}
            onChange={(v) => setMember({ ...member, relationship: v })}
            options={RELATIONSHIPS}
            error={error?.fields['a-relationship']}
          />
          <TextField name="a-givenName" label="Given name" value={member.givenName} onChange={(v) => setMember({ ...member, givenName: v })} error={error?.fields['a-givenName']} width={20} />
          <TextField name="a-familyName" label="Family name" value={member.familyName} onChange={(v) => setMember({ ...member, familyName: v })} error={error?.fields['a-familyName']} width={20} />
          <DateField name="a-dateOfBirth" legend="Date of birth" value={member.dateOfBirth} onChange={(v) => setMember({ ...member, dateOfBirth: v })} error={error?.fields['a-dateOfBirth']} />
          <TextField name="a-postcode" label="Postcode (optional)" value={member.postcode} onChange={(v) => setMember({ ...member, postcode: v })} error={error?.fields['a-postcode']} width={10} />
          <button type="submit" className="govuk-button" disabled={busy}>
            Add the person
          </button>
        </form>
      ) : (
        <button type="button" className="govuk-button govuk-button--secondary" onClick={() => setOpen(true)}>
          Add a person to the household
        </button>
      )}
    </section>
  );
}

const PROBLEM_FIELDS = ['problem', 'indicatorCode', 'indicator', 'memberId', 'identifiedOn', 'source'];

function ProblemForm({ family, etag, plans, onRecorded }: { family: Family; etag: string | null; plans: PlanVersion[]; onRecorded: Recorded }) {
  const [identifiedOn, setIdentifiedOn] = useState<DateParts>(NO_DATE);
  const plan = planOn(plans, dateOf(identifiedOn));
  const codes = Object.keys(plan?.problems ?? {});
  const [problem, setProblem] = useState('');
  const [indicatorCode, setIndicatorCode] = useState('');
  const [indicator, setIndicator] = useState('');
  const [memberId, setMemberId] = useState('');
  const [source, setSource] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const { send, busy, sending } = useSubmission(`/api/families/${family.familyId}/problems`, etag);
  const indicators = problem ? (plan?.problems[problem]?.indicators ?? []) : [];

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    try {
      await send({
        problem,
        ...(indicatorCode ? { indicatorCode } : {}),
        ...(indicator.trim() ? { indicator: indicator.trim() } : {}),
        ...(memberId ? { memberId } : {}),
        identifiedOn: dateOf(identifiedOn),
        source: source.trim(),
      });
      setError(null);
      setProblem('');
      setIndicatorCode('');
      setIndicator('');
      await onRecorded(`${PROBLEM_NAMES[problem] ?? problem} is recorded as a problem at entry.`);
    } catch (problemAnswer) {
      setError(formErrorOf(problemAnswer, PROBLEM_FIELDS, { identifiedOn: 'Identified on', indicatorCode: 'Indicator' }));
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="add-problem" className="app-figure">
      <h2 className="govuk-heading-m">Add a problem at entry</h2>
      <ErrorSummary error={error} />
      <DateField
        name="identifiedOn"
        legend="Identified on"
        hint={plan ? `Outcome Plan version ${plan.version} (in force from ${ukDate(plan.effectiveFrom)}) lists the problems and indicators` : undefined}
        value={identifiedOn}
        onChange={setIdentifiedOn}
        error={error?.fields.identifiedOn}
      />
      <SelectField
        name="problem"
        label="Headline problem"
        value={problem}
        onChange={(v) => {
          setProblem(v);
          setIndicatorCode('');
        }}
        options={[{ value: '', label: 'Choose a problem' }, ...codes.map((c) => ({ value: c, label: PROBLEM_NAMES[c] ?? c }))]}
        error={error?.fields.problem}
      />
      <SelectField
        name="indicatorCode"
        label="Indicator"
        hint="The Outcome Plan's indicator that identified the problem"
        value={indicatorCode}
        onChange={setIndicatorCode}
        options={[{ value: '', label: indicators.length > 0 ? 'Choose an indicator' : 'Choose a problem first' }, ...indicators.map((i) => ({ value: i.code, label: i.label }))]}
        error={error?.fields.indicatorCode}
      />
      <TextField
        name="indicator"
        label="Note on the indicator (optional)"
        hint="For example, attendance below 90% over the last 3 terms. Sealed: only those who may read the family see it"
        value={indicator}
        onChange={setIndicator}
        error={error?.fields.indicator}
      />
      <SelectField
        name="memberId"
        label="Who (optional)"
        value={memberId}
        onChange={setMemberId}
        options={[{ value: '', label: 'The whole family' }, ...family.members.map((m) => ({ value: m.memberId, label: `${m.givenName ?? ''} ${m.familyName ?? ''} (${m.relationship})`.trim() }))]}
        error={error?.fields.memberId}
      />
      <TextField name="source" label="Source" hint="Who told us: school, police, DWP, health, children's services, …" value={source} onChange={setSource} error={error?.fields.source} width={20} />
      <button type="submit" className="govuk-button" disabled={busy}>
        Add the problem
      </button>
    </form>
  );
}

const ATTACH_FIELDS = ['attachedOn', 'keyworker', 'wholeFamilyAssessmentOn', 'familyPlanOn'];

function AttachForm({ family, etag, keyworkers, onRecorded }: { family: Family; etag: string | null; keyworkers: string[]; onRecorded: Recorded }) {
  const [attachedOn, setAttachedOn] = useState<DateParts>(NO_DATE);
  const [keyworker, setKeyworker] = useState('');
  const [assessment, setAssessment] = useState<DateParts>(NO_DATE);
  const [plan, setPlan] = useState<DateParts>(NO_DATE);
  const [error, setError] = useState<FormError | null>(null);
  const { send, busy, sending } = useSubmission(`/api/families/${family.familyId}/attachment`, etag);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    if (!keyworker) {
      setError({ fields: { keyworker: 'Choose the keyworker' } });
      return;
    }
    try {
      await send({
        attachedOn: dateOf(attachedOn),
        keyworker,
        ...(dateOf(assessment) ? { wholeFamilyAssessmentOn: dateOf(assessment) } : {}),
        ...(dateOf(plan) ? { familyPlanOn: dateOf(plan) } : {}),
      });
      setError(null);
      await onRecorded(`The family is attached, with ${keyworker} as its keyworker.`);
    } catch (problem) {
      setError(formErrorOf(problem, ATTACH_FIELDS, { attachedOn: 'Attached on', wholeFamilyAssessmentOn: 'Whole-family assessment', familyPlanOn: 'Family plan' }));
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="attach" className="app-figure">
      <h2 className="govuk-heading-m">Attach the family</h2>
      <p className="govuk-body">Attaching takes a place of the programme&rsquo;s allocation and brings an attachment fee. The family needs a dependent child and enough headline problems at entry.</p>
      <ErrorSummary error={error} />
      <DateField name="attachedOn" legend="Attached on" value={attachedOn} onChange={setAttachedOn} error={error?.fields.attachedOn} />
      <SelectField
        name="keyworker"
        label="Keyworker"
        value={keyworker}
        onChange={setKeyworker}
        options={[{ value: '', label: keyworkers.length > 0 ? 'Choose a keyworker' : 'No keyworkers found' }, ...keyworkers.map((k) => ({ value: k, label: k }))]}
        error={error?.fields.keyworker}
      />
      <DateField name="wholeFamilyAssessmentOn" legend="Whole-family assessment (optional)" value={assessment} onChange={setAssessment} error={error?.fields.wholeFamilyAssessmentOn} />
      <DateField name="familyPlanOn" legend="Family plan agreed (optional)" value={plan} onChange={setPlan} error={error?.fields.familyPlanOn} />
      <button type="submit" className="govuk-button" disabled={busy}>
        Attach the family
      </button>
    </form>
  );
}

/** The override's fields carry `o-` (the problem form on the same page has a `problem` too). */
const OVERRIDE_FIELDS = ['o-problem', 'o-reason', 'o-on', 'o-approvedBy', 'o-evidence'];
const overrideField = (field: string) => `o-${field}`;

function OverrideSection({ family, etag, problems, onRecorded }: { family: Family; etag: string | null; problems: string[]; onRecorded: Recorded }) {
  const [problem, setProblem] = useState('');
  const [on, setOn] = useState<DateParts>(NO_DATE);
  const [reason, setReason] = useState('');
  const [evidence, setEvidence] = useState('');
  const [approvedBy, setApprovedBy] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const { send, busy, sending } = useSubmission(`/api/families/${family.familyId}/overrides`, etag);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (sending.current) return;
    try {
      await send({ problem, reason: reason.trim(), on: dateOf(on), ...(evidence.trim() ? { evidence: evidence.trim() } : {}), ...(approvedBy.trim() ? { approvedBy: approvedBy.trim() } : {}) });
      setError(null);
      setReason('');
      setEvidence('');
      await onRecorded(`The override for ${PROBLEM_NAMES[problem] ?? problem} is recorded.`);
    } catch (problemAnswer) {
      setError(
        formErrorOf(
          problemAnswer,
          OVERRIDE_FIELDS,
          { 'o-problem': 'Problem', 'o-reason': 'Reason', 'o-on': 'Met on', 'o-approvedBy': 'Approved by', 'o-evidence': 'Evidence' },
          { rename: overrideField },
        ),
      );
    }
  }

  return (
    <section className="app-figure" aria-labelledby="overrides-title">
      <h2 className="govuk-heading-m" id="overrides-title">
        Outcome overrides
      </h2>
      <p className="govuk-body">
        A programme manager may judge a problem met on evidence the rules do not read (DOMAIN.md 4.1). An override stays in the family&rsquo;s history, and its approver cannot sign off a claim that
        holds the family.
      </p>
      {family.overrides.length === 0 ? (
        <p className="govuk-body">No overrides recorded.</p>
      ) : (
        <Table
          testId="overrides"
          caption="Overrides recorded"
          captionClass="govuk-visually-hidden"
          head={['Problem', 'On', 'Reason', 'Approved by']}
          rows={family.overrides.map((o) => ({ cells: [PROBLEM_NAMES[o.problem] ?? o.problem, ukDate(o.on), o.reason, o.approvedBy] }))}
        />
      )}
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="override">
        <h3 className="govuk-heading-s">Record an override</h3>
        <ErrorSummary error={error} />
        <SelectField
          name="o-problem"
          label="Problem judged met"
          value={problem}
          onChange={setProblem}
          options={[{ value: '', label: 'Choose a problem' }, ...problems.map((p) => ({ value: p, label: PROBLEM_NAMES[p] ?? p }))]}
          error={error?.fields['o-problem']}
        />
        <DateField name="o-on" legend="Met on" value={on} onChange={setOn} error={error?.fields['o-on']} />
        <TextField
          name="o-reason"
          label="Reason"
          hint="Why the problem is met although the rules do not show it. Sealed"
          value={reason}
          onChange={setReason}
          error={error?.fields['o-reason']}
          textarea
        />
        <TextField
          name="o-evidence"
          label="Evidence (optional)"
          hint="What the judgement rests on, for example a head teacher's letter"
          value={evidence}
          onChange={setEvidence}
          error={error?.fields['o-evidence']}
          textarea
        />
        <TextField
          name="o-approvedBy"
          label="Approved by (optional)"
          hint="A programme manager's username; you, if left empty"
          value={approvedBy}
          onChange={setApprovedBy}
          error={error?.fields['o-approvedBy']}
          width={20}
        />
        <button type="submit" className="govuk-button" disabled={busy}>
          Record the override
        </button>
      </form>
    </section>
  );
}
