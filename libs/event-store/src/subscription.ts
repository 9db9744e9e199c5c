import type { EventStore, LogPosition, SubscribeOptions, Subscription } from './event-store.port';

export interface FollowHooks {
  /** Resolves when more events after `position` may be visible (a notification, a timer, or close). */
  waitForMore(position: LogPosition | null): Promise<void>;
  isClosed(): boolean;
  /** Ends any pending wait early (called on stop). */
  interrupt(): void;
}

/**
 * A catch-up-then-follow subscription built on `readAll`: reads batches after the checkpoint,
 * hands each to the handler (awaited, so a slow handler slows reading), and when the log's safe
 * end is reached waits for a wake-up before reading again.
 */
export function followLog(store: Pick<EventStore, 'readAll'>, options: SubscribeOptions, hooks: FollowHooks): Subscription {
  let stopped = false;
  let position: LogPosition | null = options.from ?? null;
  let caughtUpReported = false;
  const batchSize = options.batchSize ?? 500;
  let signalStop: () => void = () => undefined;
  const stopSignal = new Promise<void>((resolve) => {
    signalStop = resolve;
  });

  const run = async (): Promise<void> => {
    while (!stopped && !hooks.isClosed()) {
      const read = await store.readAll({ after: position, limit: batchSize, filter: options.filter });
      if (stopped) return;
      if (read.events.length > 0 && read.next) await options.handler(read.events, read.next);
      position = read.next ?? position;
      if (read.endOfLog) {
        if (!caughtUpReported) {
          caughtUpReported = true;
          options.onCaughtUp?.(position);
        }
        await Promise.race([hooks.waitForMore(position), stopSignal]);
      }
    }
  };

  const done = run();
  // Callers observe `done`; this keeps an unobserved failure from crashing the process.
  done.catch(() => undefined);
  return {
    done,
    async stop() {
      stopped = true;
      signalStop();
      hooks.interrupt();
      await done.catch(() => undefined);
    },
  };
}
