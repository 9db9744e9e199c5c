import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { comparePositions, formatPosition, type LogPosition } from '@ledger/event-store';
import { PROJECTION_RUNNER, type ProjectionCheckpoint, type ProjectionRunner } from '@ledger/projections';
import { CLOCK, type Clock } from '@ledger/application';

/** What `GET /api/live` sends as `event: checkpoint` (the web app's contract, issue 19.3). */
export interface CheckpointMessage {
  /** The slowest checkpoint of the projections with events to apply, else the furthest (`commit/prepare`); `"0/0"` before any event is applied. */
  position: string;
  /** Events in the log that the slowest projection has not applied yet (bounded count). */
  behindEvents: number;
  /** When this was read (ISO instant). */
  at: string;
}

/** How often the checkpoint table is read while anyone listens: at most 4 messages a second. */
export const LIVE_POLL_MS = 250;

interface Listener {
  send(message: CheckpointMessage): void;
  /** Ends the listener's stream (the app is shutting down). */
  end(): void;
}

/**
 * Follows the projections' checkpoints for the live feed. It reads the checkpoint table, not the
 * runner in this process, so a checkpoint moved by `apps/projector` in another process is seen as
 * soon as one moved by the api itself. One reader serves every listener, and reads only while
 * someone listens; a message is sent when a checkpoint moved since the last one.
 */
@Injectable()
export class LiveCheckpoints implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Live');
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | null = null;
  private lastKey: string | null = null;
  private polling = false;

  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The current message (for a new listener). */
  async current(): Promise<CheckpointMessage> {
    return this.message(await this.runner.checkpoints());
  }

  /** Calls `listener` whenever the checkpoints move; returns the function that stops it. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.timer === null) this.timer = setInterval(() => void this.poll(), LIVE_POLL_MS);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Open streams would keep the HTTP server from closing: end them first. */
  beforeApplicationShutdown(): void {
    for (const listener of [...this.listeners]) listener.end();
    this.listeners.clear();
    this.stop();
  }

  private stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.lastKey = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const checkpoints = await this.runner.checkpoints();
      const key = checkpoints.map((c) => `${c.name}@${c.version}:${c.position ? formatPosition(c.position) : '-'}`).join(',');
      if (key === this.lastKey) return;
      this.lastKey = key;
      const message = await this.message(checkpoints);
      for (const listener of [...this.listeners]) listener.send(message);
    } catch (error) {
      this.logger.warn(`checkpoints could not be read: ${error instanceof Error ? error.name : 'error'}`);
    } finally {
      this.polling = false;
    }
  }

  private async message(checkpoints: readonly ProjectionCheckpoint[]): Promise<CheckpointMessage> {
    const lags = await this.runner.lag(checkpoints);
    // The slowest projection with events of its own still to apply; when none has any, the
    // furthest checkpoint. A projection with nothing to apply (no claim recorded since its
    // checkpoint, say) does not hold the position back: its checkpoint moves only with its own events.
    const behind = lags.filter((l) => l.behindEvents > 0);
    let slowest: LogPosition | null | undefined;
    for (const c of behind) {
      if (slowest === undefined || c.position === null || (slowest !== null && comparePositions(c.position, slowest) < 0)) slowest = c.position;
    }
    if (behind.length === 0) {
      for (const c of checkpoints) if (c.position !== null && (!slowest || comparePositions(c.position, slowest) > 0)) slowest = c.position;
    }
    return {
      position: slowest ? formatPosition(slowest) : '0/0',
      behindEvents: lags.reduce((max, l) => Math.max(max, l.behindEvents), 0),
      at: this.clock.now().toISOString(),
    };
  }
}
