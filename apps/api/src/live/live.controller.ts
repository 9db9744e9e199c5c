import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from '../http/http';
import { Access, STAFF } from '../auth/access';
import { type CheckpointMessage, LiveCheckpoints } from './live-checkpoints';

/** A comment line every 15 s keeps proxies and the browser from closing an idle stream. */
export const KEEP_ALIVE_MS = 15_000;

/**
 * The live feed (issue 19.3): server-sent events telling an open page that the read models moved,
 * so it fetches its figures again, and how far behind the log they are. Carries positions and
 * counts only, never a figure or anyone's data, so any signed-in member of staff may follow it.
 */
@ApiTags('live')
@Controller('api/live')
export class LiveController {
  constructor(private readonly checkpoints: LiveCheckpoints) {}

  @Access(STAFF)
  @Get()
  @ApiOperation({
    summary: 'Projection checkpoints as server-sent events',
    description:
      '`text/event-stream`: `event: checkpoint` with `data: {"position":"<commit/prepare>","behindEvents":<int>,"at":"<ISO instant>"}` on connecting and whenever the projections move (at most 4 a second), and a `: keep-alive` comment every 15 s. Send the usual `Authorization: Bearer …` header (read it with fetch() streaming; EventSource cannot send headers).',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'The stream of checkpoint events',
    content: { 'text/event-stream': { schema: { type: 'string', example: 'event: checkpoint\ndata: {"position":"812/4077","behindEvents":0,"at":"2026-12-05T09:00:00.000Z"}\n\n' } } },
  })
  async follow(@Req() req: Request, @Res() res: Response): Promise<void> {
    const first = await this.checkpoints.current();
    // The stream is written on Node's response: Fastify lets go of the reply, whose headers so far
    // (the security headers) go out with the stream's own.
    res.hijack();
    const out = res.raw;
    if (req.raw.destroyed || out.writableEnded) return;
    out.writeHead(200, {
      ...(res.getHeaders() as Record<string, string | string[]>),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Reverse proxies (nginx) would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    out.flushHeaders();
    let last = '';
    const send = (message: CheckpointMessage) => {
      const key = `${message.position} ${message.behindEvents}`;
      if (key === last) return;
      last = key;
      out.write(`event: checkpoint\ndata: ${JSON.stringify(message)}\n\n`);
    };
    send(first);
    const keepAlive = setInterval(() => out.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    const end = () => {
      clearInterval(keepAlive);
      stop();
      if (!out.writableEnded) out.end();
    };
    const stop = this.checkpoints.listen({ send, end });
    req.raw.on('close', end);
  }
}
