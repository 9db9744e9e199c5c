import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsObject, IsUUID, ValidateIf } from 'class-validator';
import { ACTIVITY_STATES, UC_REGIMES, BENEFITS, CONSENT_PURPOSES, HEADLINE_PROBLEMS, RELATIONSHIPS, SOCIAL_CARE_STATUSES, TERMS } from '@ledger/domain';
import { BoolField, DateField, EnumField, IdField, IntField, NestedArrayField, NestedField, PatternField, TextField } from '../http/fields';

// Request bodies of API.md "Families: commands". Unknown fields are refused; every bad field is
// named in the 400's details.

export class MemberDto {
  @IdField({ optional: true, description: 'Given by the caller, or derived from the request' }) memberId?: string;
  @EnumField(RELATIONSHIPS) relationship!: (typeof RELATIONSHIPS)[number];
  @TextField({ max: 100, example: 'Alex' }) givenName!: string;
  @TextField({ max: 100, example: 'Example' }) familyName!: string;
  @DateField() dateOfBirth!: string;
  @TextField({ optional: true, max: 40 }) gender?: string;
  @PatternField(/^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$/, 'ZZ1 2AB', 'must be a UK postcode', { optional: true }) postcode?: string;
  @PatternField(/^[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]$/, 'QQ123456C', 'must be a National Insurance number', { optional: true }) nationalInsuranceNumber?: string;
  @PatternField(/^[A-Za-z]\d{11}[A-Za-z\d]$/, 'A12345678901B', 'must be a 13-character unique pupil number', { optional: true }) uniquePupilNumber?: string;
  @PatternField(/^\d{3} ?\d{3} ?\d{4}$/, '999 000 0001', 'must be a 10-digit NHS number', { optional: true }) nhsNumber?: string;
  @BoolField({ optional: true, description: 'Defaults to true' }) livesInHousehold?: boolean;
  @BoolField({ optional: true, description: 'For 16–18 year olds: in full-time education, training, or unemployed' }) inEducationOrTraining?: boolean;
  @BoolField({ optional: true, description: 'A parent or carer expecting a child (Supporting Families 2022–25 attaches families with expectant parents). Personal data: sealed' }) expectant?: boolean;
}

export class IdentifyFamilyDto {
  @TextField({ max: 60, example: 'SYN-000123' }) reference!: string;
  @DateField() identifiedOn!: string;
  @NestedArrayField(() => MemberDto, { min: 1, max: 30 }) members!: MemberDto[];
}

const CODE = /^[a-z0-9][a-z0-9-]{0,59}$/;

export class HeadlineProblemDto {
  @PatternField(
    CODE,
    'education',
    `must be a headline problem code of the council's framework (phase two: ${HEADLINE_PROBLEMS.join(', ')}); 422 UnknownHeadlineProblem when not in the Outcome Plan in force`,
  )
  problem!: string;
  @PatternField(CODE, 'attendance-below-90', 'must be an indicator code of the problem in the Outcome Plan in force (422 UnknownIndicator otherwise)', {
    optional: true,
    description: 'An indicator code of the problem in the Outcome Plan in force on identifiedOn (GET /api/outcome-plans). Required under Supporting Families 2022–25 (422 NoIndicatorCode)',
  })
  indicatorCode?: string;
  @TextField({
    max: 200,
    optional: true,
    example: 'attendance below 90% over the last 3 terms',
    description: 'Free text: an optional note beside indicatorCode (phase two: the indicator in words when no code is given). Personal data: sealed',
  })
  indicator?: string;
  @IdField({ optional: true }) memberId?: string;
  @DateField() identifiedOn!: string;
  @TextField({ max: 100, example: 'school' }) source!: string;
}

export class AttachmentDto {
  @DateField() attachedOn!: string;
  @TextField({ max: 100, example: 'kw.jordan', description: "The keyworker's username: an existing keyworker user (422 UnknownKeyworker)" }) keyworker!: string;
  @DateField({ optional: true, description: 'DOMAIN.md 2: the whole-family assessment date (on or after identification, on or before attachment)' }) wholeFamilyAssessmentOn?: string;
  @DateField({ optional: true, description: 'DOMAIN.md 2: the family plan date (on or after identification, on or before attachment)' }) familyPlanOn?: string;
}

export class SchoolAttendanceDto {
  @IdField() memberId!: string;
  @PatternField(/^\d{4}\/\d{2}$/, '2016/17', 'must be an academic year like 2016/17') academicYear!: string;
  @EnumField(TERMS) term!: (typeof TERMS)[number];
  @IntField({ max: 1_000, example: 140 }) possibleSessions!: number;
  @IntField({ max: 1_000, example: 128 }) attendedSessions!: number;
  @IntField({ max: 1_000, example: 6 }) unauthorisedAbsenceSessions!: number;
}

export class ExclusionDto {
  @IdField() memberId!: string;
  @EnumField(['fixed-term', 'permanent']) kind!: 'fixed-term' | 'permanent';
  @DateField() startedOn!: string;
  @IntField({ optional: true, min: 1, max: 365 }) days?: number;
}

export class OffenceDto {
  @IdField() memberId!: string;
  @DateField() committedOn!: string;
  @BoolField() proven!: boolean;
  @TextField({ optional: true, max: 100 }) category?: string;
}

export class AsbIncidentDto {
  @IdField({ optional: true }) memberId?: string;
  @DateField() occurredOn!: string;
  @TextField({ optional: true, max: 100 }) kind?: string;
}

export class BenefitDto {
  @IdField() memberId!: string;
  @EnumField(BENEFITS) benefit!: (typeof BENEFITS)[number];
  @EnumField(['started', 'ended']) change!: 'started' | 'ended';
  @DateField() on!: string;
  @BoolField({ optional: true, description: 'UC only: claimant in the full work search group' }) fullWorkSearch?: boolean;
}

export class EmploymentDto {
  @IdField() memberId!: string;
  @EnumField(['started', 'ended']) change!: 'started' | 'ended';
  @DateField() on!: string;
  @IntField({ optional: true, min: 1, max: 100 }) hoursPerWeek?: number;
}

export class DomesticAbuseIncidentDto {
  @DateField() occurredOn!: string;
  @IdField({ optional: true }) memberId?: string;
}

export class HealthDto {
  @IdField() memberId!: string;
  @EnumField(['identified', 'resolved']) change!: 'identified' | 'resolved';
  @DateField() on!: string;
  // Required to resolve; optional (derived from the request) when a concern is identified.
  @ApiPropertyOptional({ type: String, format: 'uuid', description: 'Required to resolve a concern; derived from the request when a concern is identified' })
  @ValidateIf((o: HealthDto) => o.change === 'resolved' || o.concernId !== undefined)
  @IsUUID('all', { message: 'concernId must be a UUID (required to resolve a concern)' })
  concernId?: string;
  @TextField({ optional: true, max: 500 }) description?: string;
}

export class SocialCareDto {
  @IdField() memberId!: string;
  @EnumField(SOCIAL_CARE_STATUSES) status!: (typeof SOCIAL_CARE_STATUSES)[number];
  @DateField() on!: string;
}

export class ConsentDto {
  @IdField() memberId!: string;
  @EnumField(CONSENT_PURPOSES) purpose!: (typeof CONSENT_PURPOSES)[number];
  @BoolField() given!: boolean;
  @DateField() on!: string;
}

export class ActivityDto {
  @IdField() memberId!: string;
  @EnumField(ACTIVITY_STATES, { description: 'What the member does from this date: NEET, or in education, training or employment (DOMAIN.md 4.4)' }) activity!: (typeof ACTIVITY_STATES)[number];
  @DateField() on!: string;
}

export class UcConditionalityDto {
  @IdField() memberId!: string;
  @EnumField(UC_REGIMES, { description: 'The Universal Credit conditionality regime from this date (DOMAIN.md 4.2: light-touch and working-enough are in work)' }) regime!: (typeof UC_REGIMES)[number];
  @DateField() on!: string;
}

export class MilestoneDto {
  @IdField() memberId!: string;
  @PatternField(/^[a-z0-9][a-z0-9-]{0,59}$/, 'debt-plan-agreed', 'must be a milestone code of the Outcome Plan in force (lower-case letters, digits and dashes)') milestone!: string;
  @EnumField(['achieved', 'reversed']) change!: 'achieved' | 'reversed';
  @DateField() on!: string;
  @TextField({ max: 1_000, description: "What shows it (personal data: sealed with the member's key)" }) evidence!: string;
}

export class OverrideDto {
  @PatternField(CODE, 'education', "must be a headline problem code of the council's framework (422 UnknownHeadlineProblem otherwise)") problem!: string;
  @TextField({ max: 1_000 }) reason!: string;
  @DateField() on!: string;
  @PatternField(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'pm.lead', 'must be the username of a programme manager', {
    optional: true,
    description: 'The programme manager who approved it (default: you). Required, and someone other than you, when LEDGER_OVERRIDE_APPROVER=separate',
  })
  approvedBy?: string;
  @TextField({ max: 2_000, optional: true, description: 'The evidence the override rests on (DOMAIN.md 4.1)' }) evidence?: string;
}

export class ClosureDto {
  @DateField() closedOn!: string;
  @TextField({ max: 500 }) reason!: string;
}

export const CORRECTABLE_PATHS = [
  'problems',
  'school-attendance',
  'exclusions',
  'offences',
  'asb-incidents',
  'benefits',
  'employment',
  'domestic-abuse-incidents',
  'health',
  'social-care',
  'consents',
  'activities',
  'milestones',
  'uc-conditionality',
] as const;

export class ReplacementDto {
  // `school-attendance`, `/school-attendance` and `/api/families/:id/school-attendance` all name one path.
  @Transform(({ value }) => (typeof value === 'string' ? value.replace(/^.*\//, '') : value))
  @EnumField(CORRECTABLE_PATHS, { description: 'The command path the replacement fact would have been recorded through' })
  path!: (typeof CORRECTABLE_PATHS)[number];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The body that path takes' })
  @IsObject()
  body!: Record<string, unknown>;
}

export class CorrectionDto {
  @IdField() supersedesEventId!: string;
  @NestedField(() => ReplacementDto) replacement!: ReplacementDto;
  @TextField({ optional: true, max: 500 }) reason?: string;
}
