import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsObject,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
  IsArray,
  ArrayMaxSize,
  ArrayMinSize,
} from 'class-validator';
import { BUSINESS_DATE_RULE, isBusinessDate } from '@ledger/domain';

// Field decorators shared by the DTOs: validation and the Swagger schema side by side.

interface Opts {
  optional?: boolean;
  description?: string;
}

const doc = (opts: Opts, schema: Record<string, unknown>) =>
  opts.optional ? ApiPropertyOptional({ ...schema, description: opts.description }) : ApiProperty({ ...schema, description: opts.description });
const maybe = (opts: Opts) => (opts.optional ? [IsOptional()] : []);

/** A business date `YYYY-MM-DD` that exists in the calendar, not before 1900 (`isBusinessDate`, the one check). */
export function DateField(opts: Opts = {}): PropertyDecorator {
  return applyDecorators(
    doc(opts, { type: String, format: 'date', example: '2016-05-03' }),
    ...maybe(opts),
    ValidateBy({
      name: 'isBusinessDate',
      validator: { validate: (value: unknown) => isBusinessDate(value), defaultMessage: (args) => `${args?.property} ${BUSINESS_DATE_RULE}` },
    }),
  );
}

export function TextField(opts: Opts & { max?: number; min?: number; example?: string } = {}): PropertyDecorator {
  return applyDecorators(doc(opts, { type: String, maxLength: opts.max ?? 200, example: opts.example }), ...maybe(opts), IsString(), MinLength(opts.min ?? 1), MaxLength(opts.max ?? 200));
}

export function IdField(opts: Opts = {}): PropertyDecorator {
  return applyDecorators(doc(opts, { type: String, format: 'uuid' }), ...maybe(opts), IsUUID('all'));
}

export function EnumField(values: readonly string[], opts: Opts = {}): PropertyDecorator {
  return applyDecorators(doc(opts, { enum: [...values] }), ...maybe(opts), IsIn([...values], { message: (a) => `${a.property} must be one of ${values.join(', ')}` }));
}

export function IntField(opts: Opts & { min?: number; max?: number; example?: number } = {}): PropertyDecorator {
  const min = opts.min ?? 0;
  const max = opts.max ?? 1_000_000_000;
  return applyDecorators(doc(opts, { type: Number, minimum: min, maximum: max, example: opts.example }), ...maybe(opts), IsInt(), Min(min), Max(max));
}

export function BoolField(opts: Opts = {}): PropertyDecorator {
  return applyDecorators(doc(opts, { type: Boolean }), ...maybe(opts), IsBoolean());
}

export function PatternField(pattern: RegExp, example: string, message: string, opts: Opts = {}): PropertyDecorator {
  return applyDecorators(doc(opts, { type: String, pattern: pattern.source, example }), ...maybe(opts), IsString(), Matches(pattern, { message: (a) => `${a.property} ${message}` }));
}

// `type: () => cls()`: @nestjs/swagger takes a function for a lazy type only when it is named
// `type`; given the caller's unnamed thunk it wrote a `$ref` to `#/components/schemas/` (issue 19.5).
export function NestedField(cls: () => new () => object, opts: Opts = {}): PropertyDecorator {
  return applyDecorators(doc(opts, { type: () => cls() }), ...maybe(opts), ValidateNested(), Type(cls));
}

export function NestedArrayField(cls: () => new () => object, opts: Opts & { min?: number; max?: number } = {}): PropertyDecorator {
  return applyDecorators(
    doc(opts, { type: () => cls(), isArray: true }),
    ...maybe(opts),
    IsArray(),
    ArrayMinSize(opts.min ?? 0),
    ArrayMaxSize(opts.max ?? 100),
    IsObject({ each: true, message: (a) => `each of ${a.property} must be an object` }),
    ValidateNested({ each: true }),
    Type(cls),
  );
}
