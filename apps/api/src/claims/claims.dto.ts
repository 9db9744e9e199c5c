import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { SIGN_OFF_ROLES } from '@ledger/domain';
import { BoolField, DateField, EnumField, IdField, IntField, NestedArrayField, PatternField, TextField } from '../http/fields';

/**
 * DOMAIN.md 6: free text is personal data. A claim's own records have no person's or family's key
 * to seal text with, so where no free text is needed the reason is a code.
 */
export const SAMPLE_REASONS = ['new-team-or-process', 'previous-findings', 'high-risk-claim', 'external-audit-request', 'spot-check-follow-up'] as const;
export const WITHDRAWAL_REASONS = ['families-claimed-elsewhere', 'drafted-in-error', 'superseded-by-new-draft', 'window-closed', 'audit-found-invalid'] as const;

// DOMAIN.md 5: every step carries its own business date; absent, it is the day of recording.
const ON_DAY = 'Default: the day it is recorded. Never after that day';

export class DraftClaimDto {
  @PatternField(/^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/, '2017-18-w1', 'must name a claim window', {
    optional: true,
    description: 'Required once claim windows are configured; asOf must fall inside it (422 AsOfOutsideWindow)',
  })
  windowId?: string;
  @DateField() asOf!: string;
  @DateField({ optional: true, description: `The date the claim was drafted. ${ON_DAY}` }) draftedOn?: string;
}

export class AuditSampleDto {
  @ApiPropertyOptional({ description: 'Recorded so the same sample can be drawn again; derived from the claim id when absent' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2 ** 32 - 1)
  seed?: number;
  @IntField({ optional: true, min: 1, max: 100, description: "Share of families to sample: the framework's 10% by default, never less; more only with a reason" }) percent?: number;
  @EnumField(SAMPLE_REASONS, { optional: true, description: "Why internal audit samples more than the framework's percentage (a code: free text could name people, DOMAIN.md 6)" })
  reason?: (typeof SAMPLE_REASONS)[number];
  @DateField({ optional: true, description: `The date the sample was drawn. ${ON_DAY}` }) sampledOn?: string;
}

export class AuditFindingDto {
  @IdField() familyId!: string;
  @BoolField() valid!: boolean;
  @TextField({ max: 2_000 }) note!: string;
  @DateField({ optional: true, description: `The date of the finding. ${ON_DAY}` }) foundOn?: string;
}

export class SignOffDto {
  @EnumField(SIGN_OFF_ROLES) role!: (typeof SIGN_OFF_ROLES)[number];
  @DateField({ optional: true, description: `The date of the sign-off. ${ON_DAY}` }) signedOn?: string;
}

export class SubmissionDto {
  @DateField({ optional: true, description: `The date the claim was submitted to central government. ${ON_DAY}` }) submittedOn?: string;
}

export class PaymentDto {
  @DateField({ description: 'Never after the day it is recorded' }) receivedOn!: string;
  @IntField({ min: 0, max: 100_000_000_000 }) amountPence!: number;
}

export class RecoveryDto {
  @IdField() familyId!: string;
  @TextField({ max: 2_000 }) reason!: string;
  @DateField({ description: 'The date of the recovery; never after the day it is recorded, nor before the spot check' }) on!: string;
  @IdField({ description: 'The government spot check (POST /api/spot-checks) that found the family invalid' }) spotCheckId!: string;
}

export class WithdrawalDto {
  @EnumField(WITHDRAWAL_REASONS, { description: 'Why the draft is withdrawn (a code: free text could name people, DOMAIN.md 6)' }) reason!: (typeof WITHDRAWAL_REASONS)[number];
  @DateField({ optional: true, description: `The date the draft was withdrawn. ${ON_DAY}` }) withdrawnOn?: string;
}

export class SpotCheckFamilyDto {
  @IdField() familyId!: string;
  @BoolField({ description: 'Was the family eligible?' }) eligible!: boolean;
  @BoolField({ description: 'Is there evidence of whole-family working?' }) wholeFamilyWorking!: boolean;
  @BoolField({ description: 'Is there evidence of the result claimed?' }) resultEvidenced!: boolean;
}

export class SpotCheckDto {
  @DateField({ description: 'The date of the spot check; never after the day it is recorded' }) checkedOn!: string;
  @NestedArrayField(() => SpotCheckFamilyDto, { min: 1, max: 10_000 }) families!: SpotCheckFamilyDto[];
}
