// The web app's build (ARCHITECTURE.md "The web app"): TypeScript + React, bundled by Vite into
// dist/web, which the api serves at `/`. scripts/build.mjs runs it (outDir given there).
import { defineConfig } from 'vite';

/**
 * govuk-frontend's compiled CSS names the GDS Transport typeface, which is licensed to GOV.UK
 * services only: a council's own service uses Arial (the Design System's fallback). Its
 * @font-face rules and the font name are taken out, so the browser never asks for those files.
 */
function withoutGdsTransport() {
  return {
    name: 'without-gds-transport',
    transform(code, id) {
      if (!id.includes('govuk-frontend') || !id.endsWith('.css')) return null;
      return { code: code.replace(/@font-face\{[^}]*\}/g, '').replace(/"GDS Transport",\s*/g, ''), map: null };
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [withoutGdsTransport()],
  oxc: { jsx: { runtime: 'automatic' } },
  build: { emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1000 },
  logLevel: 'warn',
});
