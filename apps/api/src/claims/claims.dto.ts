import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { SIGN_OFF_ROLES } from '@ledger/domain';
import { BoolField, DateField, EnumField, IdField, IntField, PatternField, TextField } from '../http/fields';

export class DraftClaimDto {
  @PatternField(/^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/, '2017-18-w1', 'must name a claim window', { optional: true }) windowId?: string;
  @DateField() asOf!: string;
}

export class AuditSampleDto {
  @ApiPropertyOptional({ description: 'Recorded so the same sample can be drawn again; derived from the claim id when absent' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2 ** 32 - 1)
  seed?: number;
  @IntField({ optional: true, min: 1, max: 100, description: 'Share of families to sample (default 10; at least 5, or all if fewer)' }) percent?: number;
}

export class AuditFindingDto {
  @IdField() familyId!: string;
  @BoolField() valid!: boolean;
  @TextField({ max: 2_000 }) note!: string;
}

export class SignOffDto {
  @EnumField(SIGN_OFF_ROLES) role!: (typeof SIGN_OFF_ROLES)[number];
}

export class PaymentDto {
  @DateField() receivedOn!: string;
  @IntField({ min: 0, max: 100_000_000_000 }) amountPence!: number;
}

export class RecoveryDto {
  @IdField() familyId!: string;
  @TextField({ max: 2_000 }) reason!: string;
  @DateField() on!: string;
}
