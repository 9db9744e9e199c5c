import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';
import { DateField, EnumField, IntField, PatternField, TextField } from '../http/fields';

export class ConfigureProgrammeDto {
  @TextField({ max: 120, example: 'Synthetic Borough (demo data)' }) councilName!: string;
  @EnumField(['troubled-families-2015']) framework!: 'troubled-families-2015';
  @IntField({ min: 1, max: 1_000_000, example: 3570, description: "The council's five-year allocation (maximum number of families)" }) allocation!: number;
  @EnumField(['actual', 'profile'], { optional: true, description: 'How attachment fees are paid (default actual)' }) attachmentFeeBasis?: 'actual' | 'profile';
}

export class OutcomePlanVersionDto {
  @DateField() effectiveFrom!: string;
  @EnumField(['at-entry', 'at-entry-plus-later']) scope!: 'at-entry' | 'at-entry-plus-later';
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Parameters that change from the previous version, e.g. { "education": { "attendanceThresholdPercent": 92 } }',
  })
  @IsObject()
  parameters!: Record<string, Record<string, number>>;
}

export class ClaimWindowDto {
  @PatternField(/^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/, '2016-17-w1', 'must be letters, digits, dots, dashes or underscores (up to 60)') windowId!: string;
  @DateField() opensOn!: string;
  @DateField() closesOn!: string;
  @DateField() expectedPaymentOn!: string;
}
