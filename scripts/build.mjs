// Compiles apps/ and libs/ to dist/ with swc (CommonJS, decorator metadata, path aliases rewritten),
// and the web app (apps/web, TypeScript + React) with Vite into dist/web, which the api serves at /.
// Type checking is `npm run typecheck` (tsc --noEmit); this keeps `npm start` fast.
import { transformFile } from '@swc/core';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { mkdir, readdir, writeFile, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Compiled into a directory of this build's own, then swapped in for dist/ with renames: a process
// running from dist/ meanwhile (a test spawning the cli while another test runs `npm start`'s
// build) never finds it emptied or half written.
const dist = join(root, 'dist');
const out = join(root, `.dist-build-${process.pid}`);
const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // The web app is bundled by Vite below, not compiled file by file for Node.
    if (entry.isDirectory() && path === join(root, 'apps', 'web')) continue;
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

const options = {
  swcrc: false,
  sourceMaps: true,
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
    baseUrl: root,
    paths: tsconfig.compilerOptions.paths,
  },
  module: { type: 'commonjs', strictMode: true },
};

await rm(out, { recursive: true, force: true });
let count = 0;
const jobs = [];
for (const top of ['apps', 'libs']) {
  for await (const file of sources(join(root, top))) {
    jobs.push(
      (async () => {
        const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
        const { code, map } = await transformFile(file, { ...options, filename: file, outputPath: target });
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
        if (map) await writeFile(`${target}.map`, map);
        count += 1;
      })(),
    );
  }
}
await Promise.all(jobs);
await buildWeb(join(out, 'web'));

const old = join(root, `.dist-old-${process.pid}`);
try {
  renameSync(dist, old);
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
try {
  renameSync(out, dist);
} catch (error) {
  // Another build swapped its dist/ in meanwhile, from the same sources: keep it.
  if (!['ENOTEMPTY', 'EEXIST'].includes(error.code)) throw error;
  await rm(out, { recursive: true, force: true });
}
await rm(old, { recursive: true, force: true });
console.log(`build: ${count} files compiled to dist/`);

/**
 * The web app, built by Vite unless dist/web was built from the same sources (its hash of
 * apps/web and the lock file matches): then it is copied, and a restart stays quick.
 */
async function buildWeb(target) {
  const hash = createHash('sha256');
  const files = [];
  const walk = async (dir) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.push(path);
    }
  };
  await walk(join(root, 'apps', 'web'));
  for (const file of [...files.sort(), join(root, 'package-lock.json')]) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  const digest = hash.digest('hex');
  const previous = join(dist, 'web');
  const stamp = '.source-hash';
  if (existsSync(join(previous, stamp)) && readFileSync(join(previous, stamp), 'utf8') === digest) {
    cpSync(previous, target, { recursive: true });
    console.log('build: web app unchanged, kept dist/web');
    return;
  }
  const { build } = await import('vite');
  await build({ configFile: join(root, 'apps', 'web', 'vite.config.mjs'), build: { outDir: target, emptyOutDir: true } });
  await writeFile(join(target, stamp), digest);
  console.log('build: web app built into dist/web');
}
