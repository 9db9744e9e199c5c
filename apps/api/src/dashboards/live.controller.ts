import { Controller, Get, Inject, Injectable, type OnApplicationShutdown, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type EventStore, RAW_EVENT_STORE, parsePosition } from '@ledger/event-store';
import { PROJECTION_RUNNER, type ProjectionRunner, ledgerProjections } from '@ledger/projections';
import { Access, STAFF } from '../auth/access';
import { leastPosition } from './programme-dashboard.controller';

/** What a checkpoint event carries: how far the read models reach, and how many events of the log they have not applied yet. */
export interface Checkpoint {
  position: string;
  behindEvents: number;
  at: string;
}

/** Counted up to this many: beyond it the page says "more than". */
const BEHIND_CAP = 1_000;
const POLL_MS = 200;
const KEEP_ALIVE_MS = 15_000;
/** The log's categories the read models follow: users' sign-ins and the like never make the figures late. */
const PROJECTED = [...new Set(ledgerProjections().flatMap((p) => [...p.categories]))];

/**
 * Follows the projections' checkpoints for the open pages (issue 19.3): while anyone listens, it
 * looks every 200 ms and tells every listener when the read models have moved or the log has run
 * ahead of them. A minimal feed for the web app's live dashboards; the fuller one (metrics,
 * throttling per client) belongs to the api's observability work.
 */
@Injectable()
export class LiveFeed implements OnApplicationShutdown {
  private readonly listeners = new Set<(c: Checkpoint) => void>();
  private timer: NodeJS.Timeout | null = null;
  private last: Checkpoint | null = null;
  private busy = false;

  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(RAW_EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** Listens until the returned function is called; the current checkpoint is sent at once. */
  async listen(listener: (c: Checkpoint) => void): Promise<() => void> {
    this.listeners.add(listener);
    if (!this.timer) this.timer = setInterval(() => void this.poll(), POLL_MS);
    listener(this.last ?? (await this.current()));
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
        this.last = null;
      }
    };
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = await this.current();
      if (!this.last || now.position !== this.last.position || now.behindEvents !== this.last.behindEvents) {
        this.last = now;
        for (const listener of this.listeners) listener(now);
      }
    } catch {
      // A store that is down for a moment: the next look tells the pages.
    } finally {
      this.busy = false;
    }
  }

  private async current(): Promise<Checkpoint> {
    const position = leastPosition(await this.runner.status());
    const after = await this.store.readAll({ after: position === null ? null : parsePosition(position), limit: BEHIND_CAP, filter: { categories: PROJECTED } });
    return { position: position ?? '0/0', behindEvents: after.events.length, at: new Date().toISOString() };
  }
}

@ApiTags('dashboards')
@ApiBearerAuth()
@Controller('api')
export class LiveController {
  constructor(private readonly feed: LiveFeed) {}

  @Access(STAFF)
  @Get('live')
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: "Server-sent events: the read models' checkpoint, at connect and whenever it moves",
    description: '`event: checkpoint` with `data: {"position":"<string>","behindEvents":<int>,"at":"<ISO instant>"}`, and a keep-alive comment every 15 s. Send the usual `Authorization: Bearer …` header (read it with fetch, not EventSource).',
  })
  @ApiOkResponse({ description: 'text/event-stream' })
  async live(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    const stop = await this.feed.listen((c) => res.write(`event: checkpoint\ndata: ${JSON.stringify(c)}\n\n`));
    req.on('close', () => {
      clearInterval(keepAlive);
      stop();
    });
  }
}
