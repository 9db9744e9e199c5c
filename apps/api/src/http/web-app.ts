import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathOf } from './http';

/** Paths that belong to the api, never to the web app's pages. */
const API_PATHS = /^\/(api|health|metrics)(\/|$)/;

/**
 * The web app's files: dist/web beside the compiled api (npm start), or the repository's dist/web
 * when the api runs from its sources (tests).
 */
export function webAppDir(): string | null {
  const candidates = [join(__dirname, '..', '..', '..', '..', 'web'), join(__dirname, '..', '..', '..', '..', 'dist', 'web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/**
 * Serves the web app at `/` (ARCHITECTURE.md "The web app"): its built files, and index.html for
 * any other page path (the app routes in the browser). `/api`, `/health` and `/metrics` are left to
 * the api, so an unknown API path is still a JSON 404. Registered before the api's routes.
 */
export function serveWebApp(app: NestFastifyApplication, dir = webAppDir()): void {
  if (dir === null) {
    app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
      if (req.method !== 'GET' || pathOf(req) !== '/') return next();
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('The web app is not built: run `npm run build` (npm start builds it too). The API is at /api/docs.\n');
    });
    return;
  }
  // Hashed file names: cached for a year. index.html: always asked again, so a new build shows at once.
  app.useStaticAssets({ root: join(dir, 'assets'), prefix: '/assets/', immutable: true, maxAge: '365d', index: false, wildcard: true });
  const index = join(dir, 'index.html');
  app.use((req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
    const path = pathOf(req);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATHS.test(path) || /\.[a-z0-9]+$/i.test(path)) return next();
    // Read on each request, as a new build replaces it.
    readFile(index).then((html) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Content-Length', html.length);
      res.end(req.method === 'HEAD' ? undefined : html);
    }, next);
  });
}
