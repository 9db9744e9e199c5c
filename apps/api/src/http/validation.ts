import { type ArgumentMetadata, Injectable, type PipeTransform, ValidationPipe, type ValidationError } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ApiError, type FieldProblem } from './api-error';

export const VALIDATION_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

/** Flattens class-validator's tree into one line per bad field: `members[0].dateOfBirth`. */
export function fieldProblems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const error of errors) {
    const field = /^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : prefix ? `${prefix}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) out.push({ field, message: message.replace(/^property /, '') });
    if (error.children && error.children.length > 0) out.push(...fieldProblems(error.children, field));
  }
  return out;
}

export function validationError(problems: FieldProblem[]): ApiError {
  return ApiError.badRequest(`invalid request: ${problems.map((p) => p.field).filter((f, i, all) => all.indexOf(f) === i).join(', ')}`, problems);
}

/** The global pipe: bodies must be JSON objects; unknown fields refused; every bad field named. */
@Injectable()
export class ApiValidationPipe implements PipeTransform {
  private readonly inner = new ValidationPipe({
    ...VALIDATION_OPTIONS,
    transform: true,
    exceptionFactory: (errors) => validationError(fieldProblems(errors)),
  });

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw ApiError.badRequest('the request body must be a JSON object', [{ field: '(body)', message: 'must be a JSON object' }]);
    }
    return this.inner.transform(value, metadata);
  }
}

/** Validates a plain object against a DTO class outside a controller (corrections' replacements). */
export async function validateBody<T extends object>(cls: new () => T, body: unknown, prefix: string): Promise<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validationError([{ field: prefix, message: 'must be a JSON object' }]);
  }
  const instance = plainToInstance(cls, body);
  const errors = await validate(instance, VALIDATION_OPTIONS);
  if (errors.length > 0) throw validationError(fieldProblems(errors, prefix));
  return instance;
}
