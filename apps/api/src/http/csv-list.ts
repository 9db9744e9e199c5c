import { applyDecorators, type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiProduces, ApiQuery } from '@nestjs/swagger';
import type { Request, Response } from './http';
import { type Observable, map } from 'rxjs';
import { type CsvValue, csvRecords } from '@ledger/reporting';
import { ApiError } from '@ledger/application';

/** How a list route's JSON answer becomes CSV: a header row, one row per item, and optional headers (a paging cursor). */
export interface CsvListSpec<T = never> {
  /** File name offered to the browser, without `.csv`. */
  filename: string;
  columns: readonly string[];
  rows: (answer: T) => readonly (readonly CsvValue[])[];
  /** Response headers taken from the answer (e.g. the next page's cursor); empty values are left out. */
  headers?: (answer: T) => Record<string, string | null | undefined>;
}

const CSV_LIST = 'ledger:csv-list';

/**
 * `?format=csv` on a list route (issue 19.4, for BI tools and spreadsheets): the same rows as the
 * JSON answer, written by the one CSV writer (`csvRecords`, formula-safe), as an attachment that
 * no cache keeps. `?format=json` or none: JSON as before. Anything else is a 400 naming `format`.
 * The route runs as it always does (same access rule, same validation, same access log).
 */
export function CsvList<T>(spec: CsvListSpec<T>): MethodDecorator {
  return applyDecorators(
    ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'], description: '`csv`: the same list as a CSV attachment (formula-safe); default `json`' }),
    ApiProduces('application/json', 'text/csv'),
    SetMetadata(CSV_LIST, spec),
    UseInterceptors(CsvListInterceptor),
  );
}

@Injectable()
export class CsvListInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<CsvListSpec<unknown> | undefined>(CSV_LIST, context.getHandler());
    const req = context.switchToHttp().getRequest<Request>();
    const format = (req.query as Record<string, unknown>).format;
    if (!spec || format === undefined || format === 'json') return next.handle();
    if (format !== 'csv') throw ApiError.badRequest('invalid query: format', [{ field: 'format', message: 'must be json or csv' }]);
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((answer: unknown) => {
        res.header('Content-Type', 'text/csv; charset=utf-8');
        res.header('Content-Disposition', `attachment; filename="${spec.filename}.csv"`);
        res.header('Cache-Control', 'no-store');
        for (const [name, value] of Object.entries(spec.headers?.(answer) ?? {})) if (value) res.header(name, value);
        return csvRecords([spec.columns, ...spec.rows(answer)]);
      }),
    );
  }
}
