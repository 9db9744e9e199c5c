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
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('govuk-frontend') || !/\.css($|\?)/.test(id)) return null;
      // The crown of the GOV.UK header is not ours to use either.
      const css = code
        .replace(/@font-face\{[^}]*\}/g, '')
        .replace(/"?GDS Transport"?,\s*/g, '')
        .replace(/url\(\/assets\/images\/govuk-crest\.svg\)/g, 'none');
      return { code: css, map: null };
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [withoutGdsTransport()],
  oxc: { jsx: { runtime: 'automatic' } },
  // govuk-frontend keeps an old Internet Explorer hack (`@media screen\\0`) that modern CSS tools
  // refuse: browsers ignore it, and so does the minifier with error recovery.
  css: { lightningcss: { errorRecovery: true } },
  build: { emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1000 },
  logLevel: 'error',
});
