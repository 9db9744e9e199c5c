import { bearer, refresh } from './api';

export interface Checkpoint {
  position: string;
  behindEvents: number;
  at: string;
}

/**
 * Follows `GET /api/live` (server-sent events) with fetch, which can send the bearer header where
 * EventSource cannot. Reconnects after a drop (with a fresh token when the old one ran out).
 * Returns a function that stops it.
 */
export function followCheckpoints(onCheckpoint: (c: Checkpoint) => void, onState: (connected: boolean) => void): () => void {
  const controller = new AbortController();
  let stopped = false;
  const run = async (): Promise<void> => {
    while (!stopped) {
      try {
        const res = await fetch('/api/live', { headers: { Authorization: `Bearer ${bearer() ?? ''}`, Accept: 'text/event-stream' }, signal: controller.signal });
        if (res.status === 401) {
          if ((await refresh()) === null) return;
          continue;
        }
        if (!res.ok || !res.body) throw new Error(`live feed: ${res.status}`);
        onState(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const lines = block.split('\n');
            const event = lines
              .find((l) => l.startsWith('event:'))
              ?.slice(6)
              .trim();
            const data = lines
              .filter((l) => l.startsWith('data:'))
              .map((l) => l.slice(5).trim())
              .join('\n');
            if (event === 'checkpoint' && data) onCheckpoint(JSON.parse(data) as Checkpoint);
          }
        }
      } catch {
        if (stopped) return;
      }
      onState(false);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  };
  void run();
  return () => {
    stopped = true;
    controller.abort();
  };
}
