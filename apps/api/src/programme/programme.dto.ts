import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsObject, IsOptional } from 'class-validator';
import { FRAMEWORK_IDS } from '@ledger/domain';
import { DateField, EnumField, IntField, PatternField, TextField } from '../http/fields';

export class ConfigureProgrammeDto {
  @TextField({ max: 120, example: 'Synthetic Borough (demo data)' }) councilName!: string;
  @EnumField(FRAMEWORK_IDS, { description: 'The financial framework: troubled-families-2015 (phase two) or supporting-families-2022 (docs/frameworks.md)' }) framework!: (typeof FRAMEWORK_IDS)[number];
  @IntField({ min: 1, max: 1_000_000, example: 3570, description: "The council's five-year allocation (maximum number of families)" }) allocation!: number;
  @EnumField(['actual', 'profile'], { optional: true, description: 'How attachment fees are paid (default actual)' }) attachmentFeeBasis?: 'actual' | 'profile';
}

export class OutcomePlanVersionDto {
  @DateField() effectiveFrom!: string;
  @EnumField(['at-entry', 'at-entry-plus-later']) scope!: 'at-entry' | 'at-entry-plus-later';
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Changes to the default plan\'s thresholds, e.g. { "education": { "attendanceThresholdPercent": 92 } }. Give either this or problems and milestones',
  })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, Record<string, number>>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'The plan as the council writes it (DOMAIN.md 4.4), per headline problem: { indicators: [{ code, label, evidence }], measures: [{ kind, ...parameters }], combine: "all" | "any" }. Kinds: count-reduction, none-in-window, attendance-threshold, status-clear, into-activity, concerns-resolved, milestone-sustained (docs/outcome-plans.md). A problem not given keeps the previous version\'s measures',
  })
  @IsOptional()
  @IsObject()
  problems?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', properties: { code: { type: 'string' }, label: { type: 'string' } } },
    description: "The plan's local milestones ({ code, label }), which milestone-sustained measures and recorded milestones name",
  })
  @IsOptional()
  @IsArray()
  milestones?: unknown[];
}

export class ClaimWindowDto {
  @PatternField(/^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/, '2016-17-w1', 'must be letters, digits, dots, dashes or underscores (up to 60)') windowId!: string;
  @DateField() opensOn!: string;
  @DateField() closesOn!: string;
  @DateField() expectedPaymentOn!: string;
}
