import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from './http';
import type { Observable } from 'rxjs';
import { ApiError } from '@ledger/application';

/**
 * Unknown query parameters are 400, never silently ignored (API.md "Conventions"): a misspelt
 * filter (`?stauts=paid`) would otherwise answer with everything. The parameters a route accepts
 * are the ones it declares with `@ApiQuery` (the same declarations the OpenAPI document shows),
 * so a route that reads a parameter must declare it. Runs after the access guard: who may not
 * call a route learns nothing about its parameters.
 */
/** Where `@ApiQuery` keeps its declarations (`API_PARAMETERS` of @nestjs/swagger, which does not export its constants). */
const API_PARAMETERS = 'swagger/apiParameters';

@Injectable()
export class KnownQueryInterceptor implements NestInterceptor {
  private readonly declared = new WeakMap<object, ReadonlySet<string>>();

  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const names = Object.keys((req.query ?? {}) as Record<string, unknown>);
    if (names.length > 0) {
      const known = this.namesOf(context);
      const unknown = names.filter((name) => !known.has(name));
      if (unknown.length > 0) {
        const accepted = known.size > 0 ? `this route accepts ${[...known].sort().join(', ')}` : 'this route takes no query parameters';
        throw ApiError.badRequest(
          `unknown query parameter${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (${accepted})`,
          unknown.map((field) => ({ field, message: `is not a query parameter of this route; ${accepted}` })),
        );
      }
    }
    return next.handle();
  }

  /** The `@ApiQuery` names of the handler (and its controller), read once per handler. */
  private namesOf(context: ExecutionContext): ReadonlySet<string> {
    const handler = context.getHandler();
    let names = this.declared.get(handler);
    if (!names) {
      const parameters = [
        ...(this.reflector.get<{ in?: string; name?: string }[] | undefined>(API_PARAMETERS, handler) ?? []),
        ...(this.reflector.get<{ in?: string; name?: string }[] | undefined>(API_PARAMETERS, context.getClass()) ?? []),
      ];
      names = new Set(parameters.filter((p) => p.in === 'query' && typeof p.name === 'string').map((p) => p.name as string));
      this.declared.set(handler, names);
    }
    return names;
  }
}
