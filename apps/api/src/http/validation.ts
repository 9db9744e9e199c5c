import { type ArgumentMetadata, Injectable, type PipeTransform, ValidationPipe, type ValidationError } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ApiError, type FieldProblem } from '@ledger/application';

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
  return ApiError.badRequest(
    `invalid request: ${problems
      .map((p) => p.field)
      .filter((f, i, all) => all.indexOf(f) === i)
      .join(', ')}`,
    problems,
  );
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
      const unsafe = unsafeBodyProblem(value);
      if (unsafe !== null) throw ApiError.badRequest(`invalid request: ${unsafe.field}`, [unsafe]);
      const inherited = inheritedNames(value);
      if (inherited.length > 0) throw validationError(inherited.map((field) => ({ field, message: `${field.split('.').pop()} should not exist` })));
    }
    return this.inner.transform(value, metadata);
  }
}

/** How deeply a request body may nest objects and arrays (the deepest body the API takes has 4 levels). */
export const MAX_BODY_DEPTH = 16;

/**
 * Issue 16.9: a body the stores could not keep, or that costs more to walk than any real one, is
 * 400 before anything reads it: a NUL character in any string or key (PostgreSQL's text and jsonb
 * refuse it, which would be a 500 deep in a store), or nesting deeper than `MAX_BODY_DEPTH`.
 * Iterative, so a body of any depth is walked without recursion. `null` when the body is fine.
 */
export function unsafeBodyProblem(body: unknown): FieldProblem | null {
  const stack: { value: unknown; field: string; depth: number }[] = [{ value: body, field: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, field, depth } = stack.pop() as { value: unknown; field: string; depth: number };
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { field: field || '(body)', message: 'must not contain a NUL character (U+0000)' };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) return { field: field || '(body)', message: `nests deeper than ${MAX_BODY_DEPTH} levels` };
    for (const key of Object.keys(value)) {
      const child = Array.isArray(value) ? `${field}[${key}]` : field ? `${field}.${key}` : key;
      if (key.includes('\u0000')) return { field: child.replace(/\u0000/g, '\\u0000'), message: 'must not contain a NUL character (U+0000)' };
      stack.push({ value: (value as Record<string, unknown>)[key], field: child, depth: depth + 1 });
    }
  }
  return null;
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
