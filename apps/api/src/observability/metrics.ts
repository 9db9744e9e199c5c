import { Inject, Injectable, type NestMiddleware, type OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EventStoreUnavailableError } from '@ledger/event-store';
import { PROJECTION_RUNNER, type ProjectionLag, type ProjectionRunner } from '@ledger/projections';
import { CLOCK, type Clock } from '@ledger/application';
import { routePatternOf } from '../http/http';

/**
 * The service's Prometheus metrics (issue 14.7, ARCHITECTURE.md "Observability"). One registry per
 * app (tests run several apps in one process). Labels are command types, outcomes, projection
 * names and route patterns: nothing that names a family, a person or a user.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly commands = new Counter({
    name: 'ledger_commands_total',
    help: 'Commands handled, by command type and outcome (recorded, replayed, rejected, conflict, store-unavailable, error)',
    labelNames: ['command', 'outcome'],
    registers: [this.registry],
  });
  readonly commandSeconds = new Histogram({
    name: 'ledger_command_duration_seconds',
    help: 'Time to handle a command (load, decide, append), by command type',
    labelNames: ['command'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly versionConflicts = new Counter({
    name: 'ledger_version_conflicts_total',
    help: 'Commands refused because the stream had moved past If-Match (HTTP 409), by command type',
    labelNames: ['command'],
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'ledger_store_errors_total',
    help: 'Times a store could not be reached, by where it was met (command, request, readiness, projections)',
    labelNames: ['where'],
    registers: [this.registry],
  });
  readonly httpSeconds = new Histogram({
    name: 'ledger_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly eventsApplied = new Counter({
    name: 'ledger_projection_events_applied_total',
    help: "Events applied by this process's projection runner, by projection (its rate is the catch-up rate; zero with LEDGER_PROJECTIONS=external)",
    labelNames: ['projection'],
    registers: [this.registry],
  });

  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'ledger_process_' });
    runner.addBatchListener(({ projection, events }) => this.eventsApplied.inc({ projection }, events));
    // Lag is read from the checkpoint table when scraped, so it shows an external projector's too.
    let lags: Promise<ProjectionLag[]> | null = null;
    const readLags = () => {
      lags ??= this.runner.lag().finally(() => setTimeout(() => (lags = null), 0));
      return lags;
    };
    const storeErrors = this.storeErrors;
    const now = () => this.clock.now().getTime();
    new Gauge({
      name: 'ledger_projection_lag_events',
      help: 'Events of its categories after each projection’s checkpoint (counted up to 100,000)',
      labelNames: ['projection'],
      registers: [this.registry],
      async collect() {
        try {
          for (const lag of await readLags()) this.set({ projection: lag.name }, lag.behindEvents);
        } catch {
          storeErrors.inc({ where: 'projections' });
        }
      },
    });
    new Gauge({
      name: 'ledger_projection_lag_seconds',
      help: 'Age of the oldest event each projection has not applied (0 when caught up)',
      labelNames: ['projection'],
      registers: [this.registry],
      async collect() {
        try {
          for (const lag of await readLags()) this.set({ projection: lag.name }, lag.oldestPendingAt ? Math.max(0, (now() - lag.oldestPendingAt.getTime()) / 1000) : 0);
        } catch {
          // counted once, by the gauge above
        }
      },
    });
  }
}

/**
 * Counts every command the CommandBus handles (API, demo seeding) by type and outcome, with its
 * duration. The bus is wrapped once at start: handlers stay free of metrics code.
 */
@Injectable()
export class CommandMetrics implements OnModuleInit {
  constructor(
    private readonly bus: CommandBus,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const execute = this.bus.execute.bind(this.bus) as (command: object, ...rest: unknown[]) => Promise<unknown>;
    const metrics = this.metrics;
    const wrapped = async (command: object, ...rest: unknown[]): Promise<unknown> => {
      const type = commandType(command);
      const end = metrics.commandSeconds.startTimer({ command: type });
      try {
        const outcome = await execute(command, ...rest);
        const kind = (outcome as { kind?: unknown } | null)?.kind;
        const label = kind === 'recorded' ? ((outcome as { replayed?: boolean }).replayed ? 'replayed' : 'recorded') : kind === 'rejected' || kind === 'conflict' ? kind : 'recorded';
        metrics.commands.inc({ command: type, outcome: label });
        if (label === 'conflict') metrics.versionConflicts.inc({ command: type });
        return outcome;
      } catch (error) {
        const unavailable = error instanceof EventStoreUnavailableError;
        metrics.commands.inc({ command: type, outcome: unavailable ? 'store-unavailable' : 'error' });
        if (unavailable) metrics.storeErrors.inc({ where: 'command' });
        throw error;
      } finally {
        end();
      }
    };
    (this.bus as unknown as { execute: typeof wrapped }).execute = wrapped;
  }
}

/** `AttachFamily`, `SubmitClaim`…: the programme command inside the bus's envelope class. */
function commandType(command: object): string {
  const inner = (command as { command?: { type?: unknown } }).command?.type;
  return typeof inner === 'string' && /^[A-Za-z]{1,60}$/.test(inner) ? inner : command.constructor.name;
}

/** Times every HTTP request by route pattern (never the path's ids) and counts 503s as store errors. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: Metrics) {}

  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const end = this.metrics.httpSeconds.startTimer();
    res.on('finish', () => {
      const route = routePatternOf(req) ?? 'unmatched';
      end({ method: req.method ?? 'GET', route, status: String(res.statusCode) });
      if (res.statusCode === 503) this.metrics.storeErrors.inc({ where: 'request' });
    });
    next();
  }
}
