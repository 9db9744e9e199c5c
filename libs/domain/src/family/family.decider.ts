import { type Decision, type RecordingContext, accept, reject } from '../shared/decision';
import { financialYearOf, isBusinessDate } from '../shared/business-date';
import { must } from '../shared/present';
import type { ProgrammeState } from '../programme/programme';
import { type OutcomePlanState, planInForce } from '../outcome-plan/outcome-plan';
import { type FinancialFramework, troubledFamilies2015 } from '../programme/troubled-families-2015.framework';
import { countableProblemsAtEntry, isDependentChild } from './eligibility';
import {
  type ActivityState,
  type Benefit,
  type ConsentPurpose,
  EVIDENCE_EVENT_TYPES,
  type FamilyEvent,
  type HeadlineProblem,
  type Member,
  type SocialCareStatus,
  type Term,
  type UcRegime,
} from './family.events';
import { consentOf, decodeFamilyEvent, evolveFamily, type FamilyState, factsOf, foldFamily, healthConcern, initialFamilyState, openBenefitSpell, openEmployment } from './family.state';
import type { Decider } from '../shared/decider';

// Commands on `family-<familyId>`: imperative, in the programme's words.
export type FamilyCommand =
  | { type: 'IdentifyFamily'; familyId: string; reference: string; identifiedOn: string; members: Member[] }
  | { type: 'AddFamilyMember'; member: Member }
  /** `indicatorCode`: an indicator of the problem in the plan in force; `indicator`: free text (older histories), or a note beside the code. */
  | { type: 'IdentifyHeadlineProblem'; problem: HeadlineProblem; indicatorCode?: string; indicator?: string; memberId?: string; identifiedOn: string; source: string }
  | { type: 'AttachFamily'; attachedOn: string; keyworker: string; wholeFamilyAssessmentOn?: string; familyPlanOn?: string }
  | { type: 'RecordSchoolAttendance'; memberId: string; academicYear: string; term: Term; possibleSessions: number; attendedSessions: number; unauthorisedAbsenceSessions: number }
  | { type: 'RecordExclusion'; memberId: string; kind: 'fixed-term' | 'permanent'; startedOn: string; days?: number }
  | { type: 'RecordOffence'; memberId: string; committedOn: string; proven: boolean; category?: string }
  | { type: 'RecordAsbIncident'; memberId?: string; occurredOn: string; kind?: string }
  | { type: 'RecordBenefitChange'; memberId: string; benefit: Benefit; change: 'started' | 'ended'; on: string; fullWorkSearch?: boolean }
  | { type: 'RecordEmploymentChange'; memberId: string; change: 'started' | 'ended'; on: string; hoursPerWeek?: number }
  | { type: 'RecordDomesticAbuseIncident'; occurredOn: string; memberId?: string }
  | { type: 'RecordHealthChange'; memberId: string; change: 'identified' | 'resolved'; on: string; concernId: string; description?: string }
  | { type: 'RecordSocialCareStatus'; memberId: string; status: SocialCareStatus; on: string }
  | { type: 'RecordConsent'; memberId: string; purpose: ConsentPurpose; given: boolean; on: string }
  | { type: 'RecordActivityChange'; memberId: string; activity: ActivityState; on: string }
  | { type: 'RecordUcConditionality'; memberId: string; regime: UcRegime; on: string }
  | { type: 'RecordOutcomeMilestone'; memberId: string; milestone: string; change: 'achieved' | 'reversed'; on: string; evidence: string }
  /**
   * `approvedBy`: the programme manager who approved it (the recorder when absent); `separateApprover`:
   * the council requires the approver to be someone other than the recorder [config: LEDGER_OVERRIDE_APPROVER].
   */
  | { type: 'RecordOutcomeOverride'; problem: HeadlineProblem; reason: string; on: string; approvedBy?: string; evidence?: string; separateApprover?: boolean }
  | { type: 'CloseFamilyCase'; closedOn: string; reason: string }
  | { type: 'CorrectFact'; supersedesEventId: string; replacement: FamilyCommand; reason?: string };

export interface FamilyDecisionContext extends RecordingContext {
  /** The council's programme, for attachment (configured? allocation is checked on its own stream). */
  programme?: ProgrammeState;
  /** First day of the programme (the framework's, or the council's early start: DOMAIN.md 4.5). */
  programmeStartsOn?: string;
  /**
   * Whether the keyworker named at attachment is a keyworker user on record (the edge reads the
   * user's stream); absent, as for generated histories, the name is not checked.
   */
  keyworkerOnRecord?: boolean;
  /** The council's framework, whose own fields (minimum problems, dependent child) attachment reads; phase two when absent. */
  framework?: FinancialFramework;
  /** The council's Outcome Plan versions, for local evidence against the plan's own codes (DOMAIN.md 4.4). */
  outcomePlans?: OutcomePlanState;
  /**
   * DOMAIN.md 6: a partner shares this without naming a legal basis (`X-Legal-Basis`): evidence
   * about a person whose consent to sharing stands withdrawn is then refused. Decided on the state
   * the events are appended to, so a withdrawal recorded meanwhile is never missed.
   */
  sharedWithoutLegalBasis?: boolean;
}

/**
 * Decides a family command against the family's state. Pure: dates come in as data, the
 * recording date from the edge, ids from the command.
 */
export function decideFamily(command: FamilyCommand, state: FamilyState, context: FamilyDecisionContext): Decision<FamilyEvent> {
  if (command.type === 'IdentifyFamily') return identify(command, state, context);
  if (!state.exists) return reject('FamilyNotFound', 'no family with this id', 'not-found');
  const familyId = state.familyId;
  const dateProblem = checkDates(command, context.recordedOn);
  if (dateProblem) return dateProblem;
  const memberId = (command as { memberId?: unknown }).memberId;
  if (context.sharedWithoutLegalBasis === true && typeof memberId === 'string' && consentOf(state, memberId, 'sharing') === false) {
    return reject('SharingConsentWithdrawn', 'this person withdrew consent to sharing: record it only under a legal basis, named in the X-Legal-Basis header');
  }

  switch (command.type) {
    case 'AddFamilyMember': {
      if (state.members.has(command.member.memberId)) return reject('MemberAlreadyInFamily', 'this member is already in the family', 'duplicate');
      return accept({ type: 'FamilyMemberAdded', data: { familyId, member: command.member } });
    }
    case 'IdentifyHeadlineProblem': {
      const unknown = unknownMember(state, command.memberId);
      if (unknown) return unknown;
      const notInPlan = problemOfPlan(command, context);
      if (notInPlan) return notInPlan;
      const { problem, indicatorCode, indicator, memberId, identifiedOn, source } = command;
      return accept({
        type: 'HeadlineProblemIdentified',
        data: {
          familyId,
          problem,
          ...(indicatorCode !== undefined ? { indicatorCode } : {}),
          ...(indicator !== undefined ? { indicator } : {}),
          ...(memberId ? { memberId } : {}),
          identifiedOn,
          source,
        },
      });
    }
    case 'AttachFamily':
      return attach(command, state, context);
    case 'RecordSchoolAttendance': {
      const notChild = childMember(state, command.memberId);
      if (notChild) return notChild;
      if (!validAcademicYear(command.academicYear)) return reject('InvalidAcademicYear', `academic year "${command.academicYear}" must be two consecutive years, e.g. 2016/17`);
      if (command.attendedSessions > command.possibleSessions) {
        return reject('AttendedExceedsPossible', `attended sessions (${command.attendedSessions}) exceed possible sessions (${command.possibleSessions})`);
      }
      if (command.unauthorisedAbsenceSessions > command.possibleSessions - command.attendedSessions) {
        return reject('AbsenceExceedsPossible', `unauthorised absences (${command.unauthorisedAbsenceSessions}) exceed the sessions missed (${command.possibleSessions - command.attendedSessions})`);
      }
      const termStarts = termStartOn(command.academicYear, command.term);
      if (termStarts > context.recordedOn) return reject('BusinessDateInFuture', `the ${command.term} term of ${command.academicYear} has not started on ${context.recordedOn}`);
      const duplicate = factsOf(state, 'SchoolAttendanceRecorded').some(
        (f) => f.event.data.memberId === command.memberId && f.event.data.academicYear === command.academicYear && f.event.data.term === command.term,
      );
      if (duplicate) return reject('AttendanceAlreadyRecorded', `attendance for the ${command.term} term of ${command.academicYear} is already recorded for this child; record a correction instead`);
      const { type: _type, ...data } = command;
      return accept({ type: 'SchoolAttendanceRecorded', data: { familyId, ...data } });
    }
    case 'RecordExclusion': {
      const notChild = childMember(state, command.memberId);
      if (notChild) return notChild;
      const { type: _type, ...data } = command;
      return accept({ type: 'ExclusionRecorded', data: { familyId, ...data } });
    }
    case 'RecordOffence': {
      const unknown = unknownMember(state, command.memberId);
      if (unknown) return unknown;
      const { type: _type, ...data } = command;
      return accept({ type: 'OffenceRecorded', data: { familyId, ...data } });
    }
    case 'RecordAsbIncident': {
      const unknown = unknownMember(state, command.memberId);
      if (unknown) return unknown;
      const { type: _type, ...data } = command;
      return accept({ type: 'AsbIncidentRecorded', data: { familyId, ...data } });
    }
    case 'RecordBenefitChange': {
      const unknown = unknownMember(state, command.memberId);
      if (unknown) return unknown;
      const open = openBenefitSpell(state, command.memberId, command.benefit);
      if (command.change === 'started') {
        if (open) return reject('BenefitSpellAlreadyOpen', `${command.benefit} has been open for this member since ${open}`);
        const { memberId, benefit, on, fullWorkSearch } = command;
        return accept({ type: 'BenefitStarted', data: { familyId, memberId, benefit, on, ...(fullWorkSearch !== undefined ? { fullWorkSearch } : {}) } });
      }
      if (!open) return reject('NoOpenBenefitSpell', `this member has no open ${command.benefit} spell to end`);
      if (command.on < open) return reject('EndBeforeStart', `the ${command.benefit} spell started on ${open}, after ${command.on}`);
      return accept({ type: 'BenefitEnded', data: { familyId, memberId: command.memberId, benefit: command.benefit, on: command.on } });
    }
    case 'RecordEmploymentChange': {
      const unknown = unknownMember(state, command.memberId);
      if (unknown) return unknown;
      const open = openEmployment(state, command.memberId);
      if (command.change === 'started') {
        if (open) return reject('EmploymentAlreadyOpen', `this member has been in work since ${open}; record the end first`);
        const { memberId, on, hoursPerWeek } = command;
        return accept({ type: 'EmploymentStarted', data: { familyId, memberId, on, ...(hoursPerWeek !== undefined ? { hoursPerWeek } : {}) } });
      }
      if (!open) return reject('NoOpenEmployment', 'this member has no employment to end');
      if (command.on < open) return reject('EndBeforeStart', `the employment started on ${open}, after ${command.on}`);
      return accept({ type: 'EmploymentEnded', data: { familyId, memberId: command.memberId, on: command.on } });
    }
    case 'RecordDomesticAbuseIncident': {
      const unknown = unknownMember(state, command.memberId);
      if (unknown) return unknown;
      return accept({ type: 'DomesticAbuseIncidentRecorded', data: { familyId, occurredOn: command.occurredOn, ...(command.memberId ? { memberId: command.memberId } : {}) } });
    }
    case 'RecordHealthChange': {
      const unknown = unknownMember(state, command.memberId);
      if (unknown) return unknown;
      const concern = healthConcern(state, command.concernId);
      if (command.change === 'identified') {
        if (concern) return reject('HealthConcernExists', `health concern ${command.concernId} is already recorded`, 'duplicate');
        const { memberId, on, concernId, description } = command;
        return accept({ type: 'HealthConcernIdentified', data: { familyId, memberId, concernId, on, ...(description ? { description } : {}) } });
      }
      if (!concern) return reject('UnknownHealthConcern', `no health concern ${command.concernId} is recorded for this family`);
      if (concern.memberId !== command.memberId) return reject('UnknownHealthConcern', `health concern ${command.concernId} belongs to another member`);
      if (concern.resolvedOn) return reject('HealthConcernAlreadyResolved', `health concern ${command.concernId} was resolved on ${concern.resolvedOn}`);
      if (command.on < concern.identifiedOn) return reject('EndBeforeStart', `the concern was identified on ${concern.identifiedOn}, after ${command.on}`);
      return accept({ type: 'HealthConcernResolved', data: { familyId, memberId: command.memberId, concernId: command.concernId, on: command.on } });
    }
    case 'RecordSocialCareStatus': {
      const notChild = childMember(state, command.memberId);
      if (notChild) return notChild;
      const { type: _type, ...data } = command;
      return accept({ type: 'SocialCareStatusChanged', data: { familyId, ...data } });
    }
    case 'RecordConsent': {
      const unknown = unknownMember(state, command.memberId);
      if (unknown) return unknown;
      const { type: _type, ...data } = command;
      return accept({ type: 'ConsentRecorded', data: { familyId, ...data } });
    }
    case 'RecordActivityChange': {
      const unknown = unknownMember(state, command.memberId);
      if (unknown) return unknown;
      const { type: _type, ...data } = command;
      return accept({ type: 'ActivityChanged', data: { familyId, ...data } });
    }
    case 'RecordUcConditionality': {
      const unknown = unknownMember(state, command.memberId);
      if (unknown) return unknown;
      // DOMAIN.md 4.2: the regime of a UC claim, so it changes only while one is open.
      if (!ucClaimCovers(state, command.memberId, command.on)) {
        return reject('NoOpenUcClaim', `member ${command.memberId} has no Universal Credit claim open on ${command.on}`);
      }
      const { type: _type, ...data } = command;
      return accept({ type: 'UcConditionalityChanged', data: { familyId, ...data } });
    }
    case 'RecordOutcomeMilestone': {
      const unknown = unknownMember(state, command.memberId);
      if (unknown) return unknown;
      // DOMAIN.md 4.4: local evidence is recorded against the codes of the plan in force on its date.
      const plan = planInForce(context.outcomePlans ?? { versions: [] }, command.on);
      if (!plan.milestones.some((m) => m.code === command.milestone)) {
        const known = plan.milestones.map((m) => m.code).join(', ') || 'none';
        return reject('UnknownMilestone', `${command.milestone} is not a milestone of Outcome Plan version ${plan.version}, in force on ${command.on} (its milestones: ${known})`);
      }
      if (command.evidence.trim() === '') return reject('NoEvidence', 'a milestone is recorded with its evidence');
      const { type: _type, ...data } = command;
      return accept({ type: 'OutcomeMilestoneRecorded', data: { familyId, ...data } });
    }
    case 'RecordOutcomeOverride': {
      if (!state.attachment) return reject('NotAttached', 'an outcome override needs an attached family');
      const framework = context.framework ?? troubledFamilies2015;
      if (!framework.headlineProblems.includes(command.problem)) {
        return reject('UnknownHeadlineProblem', `problem: ${command.problem} is not a headline problem of the ${framework.name}; known: ${framework.headlineProblems.join(', ')}`);
      }
      const identified = factsOf(state, 'HeadlineProblemIdentified').some((f) => f.event.data.problem === command.problem);
      if (!identified) return reject('ProblemNotIdentified', `the family has no ${command.problem} problem recorded`);
      if (command.on < state.attachment.attachedOn) return reject('EndBeforeStart', `the family was attached on ${state.attachment.attachedOn}, after ${command.on}`);
      // DOMAIN.md 4.1: an override records its approver, reason and evidence.
      const approvedBy = command.approvedBy ?? context.actorId;
      if (command.separateApprover && approvedBy === context.actorId) {
        return reject('ApproverIsRecorder', 'an override is approved by a programme manager other than the person recording it: name them in approvedBy');
      }
      return accept({
        type: 'OutcomeOverrideRecorded',
        data: {
          familyId,
          problem: command.problem,
          reason: command.reason,
          on: command.on,
          approvedBy,
          recordedBy: context.actorId,
          ...(command.evidence !== undefined ? { evidence: command.evidence } : {}),
        },
      });
    }
    case 'CloseFamilyCase': {
      if (state.closedOn) return reject('AlreadyClosed', `the case was closed on ${state.closedOn}`);
      const startedOn = state.attachment?.attachedOn ?? state.identifiedOn;
      if (command.closedOn < startedOn) return reject('EndBeforeStart', `the case started on ${startedOn}, after ${command.closedOn}`);
      return accept({ type: 'FamilyCaseClosed', data: { familyId, closedOn: command.closedOn, reason: command.reason } });
    }
    case 'CorrectFact':
      return correct(command, state, context);
  }
}

/**
 * A problem is a code of the framework and of the plan in force on the day it was identified, and
 * its indicator one of that plan's indicators for it (DOMAIN.md 4.4); the refusal names the field.
 * Histories generated without a plan (no `outcomePlans`) are judged against the framework's plan.
 */
function problemOfPlan(command: Extract<FamilyCommand, { type: 'IdentifyHeadlineProblem' }>, context: FamilyDecisionContext): Decision<FamilyEvent> | null {
  const framework = context.framework ?? troubledFamilies2015;
  const plan = planInForce(context.outcomePlans ?? { versions: [framework.defaultPlan] }, command.identifiedOn);
  const problems = Object.keys(plan.problems);
  if (!framework.headlineProblems.includes(command.problem) || !problems.includes(command.problem)) {
    return reject(
      'UnknownHeadlineProblem',
      `problem: ${command.problem} is not a headline problem of Outcome Plan version ${plan.version} (${framework.name}); known: ${framework.headlineProblems.filter((p) => problems.includes(p)).join(', ')}`,
    );
  }
  const codes = must(plan.problems[command.problem], `plan's ${command.problem}`).indicators.map((i) => i.code);
  if (command.indicatorCode === undefined) {
    if (framework.indicatorCodeRequired)
      return reject('NoIndicatorCode', `indicatorCode: the ${framework.name} identifies a problem by an indicator code of the plan; for ${command.problem}: ${codes.join(', ')}`);
    if (command.indicator === undefined) return reject('NoIndicatorCode', `indicatorCode: name an indicator of ${command.problem} (${codes.join(', ')}), or describe it in indicator`);
    return null;
  }
  if (!codes.includes(command.indicatorCode)) {
    return reject(
      'UnknownIndicator',
      `indicatorCode: ${command.indicatorCode} is not an indicator of ${command.problem} in Outcome Plan version ${plan.version}, in force on ${command.identifiedOn}; its indicators: ${codes.join(', ') || 'none'}`,
    );
  }
  return null;
}

function identify(command: Extract<FamilyCommand, { type: 'IdentifyFamily' }>, state: FamilyState, context: FamilyDecisionContext): Decision<FamilyEvent> {
  if (state.exists) return reject('FamilyAlreadyIdentified', 'this family is already identified', 'duplicate');
  const dateProblem = checkDates(command, context.recordedOn);
  if (dateProblem) return dateProblem;
  if (command.members.length === 0) return reject('NoMembers', 'a family needs at least one member');
  if (new Set(command.members.map((m) => m.memberId)).size !== command.members.length) return reject('DuplicateMember', 'member ids must differ');
  const { familyId, reference, identifiedOn, members } = command;
  return accept({ type: 'FamilyIdentified', data: { familyId, reference, identifiedOn, members } });
}

function attach(command: Extract<FamilyCommand, { type: 'AttachFamily' }>, state: FamilyState, context: FamilyDecisionContext): Decision<FamilyEvent> {
  const programme = context.programme;
  if (!programme?.configured) return reject('ProgrammeNotConfigured', 'the programme has not been set up (PUT /api/programme)');
  if (state.attachment) return reject('AlreadyAttached', `the family was attached on ${state.attachment.attachedOn}; a family is attached once`);
  if (state.closedOn) return reject('FamilyCaseClosed', `the case was closed on ${state.closedOn}`);
  if (command.keyworker.trim() === '') return reject('NoKeyworker', 'attaching a family needs a named keyworker');
  if (context.keyworkerOnRecord === false) return reject('UnknownKeyworker', `keyworker: ${command.keyworker} is not a keyworker user`);
  if (command.attachedOn < state.identifiedOn) return reject('AttachedBeforeIdentified', `the family was identified on ${state.identifiedOn}, after ${command.attachedOn}`);
  // DOMAIN.md 2: the whole-family assessment and the family plan come between identification and attachment.
  for (const field of ['wholeFamilyAssessmentOn', 'familyPlanOn'] as const) {
    const on = command[field];
    if (on === undefined) continue;
    if (on < state.identifiedOn) return reject('EvidenceBeforeIdentified', `${field}: ${on} is before the family was identified on ${state.identifiedOn}`);
    if (on > command.attachedOn) return reject('EvidenceAfterAttachment', `${field}: ${on} is after the attachment on ${command.attachedOn}`);
  }
  if (context.programmeStartsOn && command.attachedOn < context.programmeStartsOn) {
    return reject('BeforeProgrammeStart', `the programme started on ${context.programmeStartsOn}`);
  }
  const framework = context.framework ?? troubledFamilies2015;
  const children = [...state.members.values()].filter((m) => isDependentChild(m, command.attachedOn, framework.dependentChild));
  // Supporting Families: "dependent children and/or expectant parents" (docs/frameworks.md).
  const expectant = framework.expectantParentsEligible && [...state.members.values()].some((m) => m.expectant === true && m.livesInHousehold && m.relationship !== 'child');
  if (children.length === 0 && !expectant) {
    const or = framework.expectantParentsEligible ? ' and no parent or carer in it is expecting a child' : '';
    return reject('NoDependentChild', `no member is a dependent child living in the household on ${command.attachedOn}${or}`);
  }
  const problems = countableProblemsAtEntry(state, command.attachedOn);
  // DOMAIN.md 2 and 4.5: the minimum is the framework's own (phase two: 2 of 6); the rejection keeps phase two's name.
  if (problems.length < framework.minimumHeadlineProblems) {
    return reject(
      'FewerThanTwoHeadlineProblems',
      `the family has ${problems.length} countable headline problem(s) on ${command.attachedOn} (${problems.join(', ') || 'none'}); at least ${framework.minimumHeadlineProblems} are needed`,
    );
  }
  if (!programme.attachedFamilies.has(state.familyId) && programme.attachedFamilies.size >= programme.allocation) {
    return reject('AllocationExhausted', `all ${programme.allocation} places of the council's allocation are taken`);
  }
  return accept({
    type: 'FamilyAttached',
    data: {
      familyId: state.familyId,
      attachedOn: command.attachedOn,
      keyworker: command.keyworker,
      problemsAtEntry: problems,
      financialYear: financialYearOf(command.attachedOn),
      ...(command.wholeFamilyAssessmentOn !== undefined ? { wholeFamilyAssessmentOn: command.wholeFamilyAssessmentOn } : {}),
      ...(command.familyPlanOn !== undefined ? { familyPlanOn: command.familyPlanOn } : {}),
    },
  });
}

function correct(command: Extract<FamilyCommand, { type: 'CorrectFact' }>, state: FamilyState, context: FamilyDecisionContext): Decision<FamilyEvent> {
  const target = state.recorded.get(command.supersedesEventId);
  if (!target) return reject('UnknownEvent', `event ${command.supersedesEventId} is not in this family's history`, 'not-found');
  if (!EVIDENCE_EVENT_TYPES.has(target.type)) return reject('NotCorrectable', `a ${target.type} is not evidence and cannot be corrected this way`);
  if (target.superseded) return reject('AlreadySuperseded', `event ${command.supersedesEventId} has already been corrected`);
  if (command.replacement.type === 'CorrectFact') return reject('NotCorrectable', 'a correction cannot replace a fact with another correction');
  const correction: FamilyEvent = {
    type: 'FactCorrected',
    data: { familyId: state.familyId, supersededEventId: command.supersedesEventId, supersededType: target.type, ...(command.reason ? { reason: command.reason } : {}) },
  };
  // The replacement is judged as if the wrong fact had never been recorded.
  const without = evolveFamily(state, correction, `correction-of-${command.supersedesEventId}`);
  const replacement = decideFamily(command.replacement, without, context);
  if (!replacement.ok) return replacement;
  const types = replacement.events.map((e) => e.type);
  if (types.length !== 1 || types[0] !== target.type) {
    return reject('ReplacementOfDifferentKind', `a ${target.type} can only be replaced by a ${target.type}, not ${types.join(', ') || 'nothing'}`);
  }
  return accept(correction, ...replacement.events);
}

/** Whether a member's UC claim (started on or before the date, not ended by it) covers a date. */
function ucClaimCovers(state: FamilyState, memberId: string, on: string): boolean {
  const started = factsOf(state, 'BenefitStarted').filter((f) => f.event.data.memberId === memberId && f.event.data.benefit === 'UC' && f.event.data.on <= on);
  const ended = factsOf(state, 'BenefitEnded').filter((f) => f.event.data.memberId === memberId && f.event.data.benefit === 'UC' && f.event.data.on <= on);
  const lastStart = started
    .map((f) => f.event.data.on)
    .sort()
    .pop();
  const lastEnd = ended
    .map((f) => f.event.data.on)
    .sort()
    .pop();
  return lastStart !== undefined && (lastEnd === undefined || lastEnd <= lastStart);
}

function unknownMember(state: FamilyState, memberId: string | undefined): Decision<FamilyEvent> | null {
  if (memberId === undefined || state.members.has(memberId)) return null;
  return reject('UnknownMember', `member ${memberId} is not in this family`);
}

function childMember(state: FamilyState, memberId: string): Decision<FamilyEvent> | null {
  const member = state.members.get(memberId);
  if (!member) return reject('UnknownMember', `member ${memberId} is not in this family`);
  if (member.relationship !== 'child') return reject('NotAChild', `member ${memberId} is a ${member.relationship}, not a child`);
  return null;
}

function validAcademicYear(year: string): boolean {
  const match = /^(\d{4})\/(\d{2})$/.exec(year);
  return match !== null && (Number(match[1]) + 1) % 100 === Number(match[2]);
}

/** DOMAIN.md 3: autumn from 1 September, spring from 1 January, summer from 1 April [config]. */
export function termStartOn(academicYear: string, term: Term): string {
  const first = Number(academicYear.slice(0, 4));
  if (term === 'autumn') return `${first}-09-01`;
  return term === 'spring' ? `${first + 1}-01-01` : `${first + 1}-04-01`;
}

/** Refuses a command with a date that is not in the calendar, or after the day it is recorded. */
function checkDates(command: FamilyCommand, recordedOn: string): Decision<FamilyEvent> | null {
  for (const date of businessDatesOf(command)) {
    if (!isBusinessDate(date)) return reject('InvalidDate', `"${date}" is not a calendar date (YYYY-MM-DD)`);
    if (date > recordedOn) return reject('BusinessDateInFuture', `${date} is after the day it is being recorded (${recordedOn})`);
  }
  return null;
}

function businessDatesOf(command: FamilyCommand): string[] {
  const dates: string[] = [];
  const collect = (c: FamilyCommand): void => {
    for (const [key, value] of Object.entries(c)) {
      if ((key.endsWith('On') || key === 'on' || key === 'dateOfBirth') && typeof value === 'string') dates.push(value);
    }
    if (c.type === 'IdentifyFamily') for (const m of c.members) dates.push(m.dateOfBirth);
    if (c.type === 'AddFamilyMember') dates.push(c.member.dateOfBirth);
  };
  collect(command);
  return dates;
}

/** The rules of `family-<familyId>`, in the one shape of every stream's decider. */
export const familyDecider: Decider<FamilyCommand, FamilyEvent, FamilyState, FamilyDecisionContext> = {
  initialState: initialFamilyState,
  evolve: evolveFamily,
  decide: decideFamily,
  decode: decodeFamilyEvent,
  fold: foldFamily,
};
