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
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      // An array whose elements must be objects: name each element that is not one.
      if (constraint === 'isObject' && Array.isArray(error.value)) {
        error.value.forEach((element: unknown, i: number) => {
          if (typeof element !== 'object' || element === null || Array.isArray(element)) out.push({ field: `${field}[${i}]`, message: 'must be an object' });
        });
        continue;
      }
      out.push({ field, message: message.replace(/^property /, '') });
    }
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
    // A request with no body at all is an empty object: commands whose fields are all optional
    // (a submission dated today) need none, and others get each missing field named.
    if (metadata.type === 'body' && value === undefined) value = {};
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw ApiError.badRequest('the request body must be a JSON object', [{ field: '(body)', message: 'must be a JSON object' }]);
    }
    if (metadata.type === 'body') {
      const inherited = inheritedNames(value);
      if (inherited.length > 0) throw validationError(inherited.map((field) => ({ field, message: `${field.split('.').pop()} should not exist` })));
    }
    return this.inner.transform(value, metadata);
  }
}

/**
 * Fields named like Object.prototype members (`__proto__`, `constructor`, `toString`, …) are
 * dropped by class-transformer rather than refused as unknown: find them in the raw body first.
 */
export function inheritedNames(value: unknown, prefix = '', depth = 0): string[] {
  if (typeof value !== 'object' || value === null || depth > 20) return [];
  const out: string[] = [];
  for (const key of Object.keys(value)) {
    const field = Array.isArray(value) ? `${prefix}[${key}]` : prefix ? `${prefix}.${key}` : key;
    if (!Array.isArray(value) && key in Object.prototype) out.push(field);
    out.push(...inheritedNames((value as Record<string, unknown>)[key], field, depth + 1));
  }
  return out;
}

/** Validates a plain object against a DTO class outside a controller (corrections' replacements). */
export async function validateBody<T extends object>(cls: new () => T, body: unknown, prefix: string): Promise<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validationError([{ field: prefix, message: 'must be a JSON object' }]);
  }
  const inherited = inheritedNames(body, prefix);
  if (inherited.length > 0) throw validationError(inherited.map((field) => ({ field, message: `${field.split('.').pop()} should not exist` })));
  const instance = plainToInstance(cls, body);
  const errors = await validate(instance, VALIDATION_OPTIONS);
  if (errors.length > 0) throw validationError(fieldProblems(errors, prefix));
  return instance;
}
