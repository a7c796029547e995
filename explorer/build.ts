/**
 * Builds the twin explorer page into explorer/dist/ (gitignored): one script and one style sheet
 * bundled by esbuild from explorer/src and node_modules (cytoscape, uPlot,
 * graphql-ws's client, the Inter font files), plus index.html. Nothing is loaded from elsewhere
 * at run time. About a second on this project's 2-core machine.
 *
 * `npm start` runs it first (prestart), `npm run build` with the rest, the e2e tests in their
 * global setup; `npm run build:explorer` on its own (add `-- --watch` to rebuild on changes).
 */
import { copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

export const EXPLORER_ROOT = __dirname;
export const EXPLORER_DIST = path.join(__dirname, 'dist');

function options(outdir: string): esbuild.BuildOptions {
  return {
    entryPoints: { explorer: path.join(EXPLORER_ROOT, 'src/main.ts') },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: true,
    // Fonts referenced by the style sheets are copied next to it and served from /explorer/files/.
    loader: { '.woff2': 'file', '.woff': 'file' },
    assetNames: 'files/[name]-[hash]',
    legalComments: 'linked',
    logLevel: 'warning',
  };
}

/**
 * One build into `outdir` (default explorer/dist). Written to a folder of its own first and then
 * moved in place, so a server never serves half a build and two builds at once do not mix.
 */
export async function buildExplorer(outdir = EXPLORER_DIST): Promise<void> {
  const staging = `${outdir}.tmp-${process.pid}-${Date.now()}`;
  try {
    mkdirSync(staging, { recursive: true });
    await esbuild.build(options(staging));
    copyFileSync(path.join(EXPLORER_ROOT, 'src/index.html'), path.join(staging, 'index.html'));
    rmSync(outdir, { recursive: true, force: true });
    renameSync(staging, outdir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function cli(): Promise<void> {
  const started = Date.now();
  if (process.argv.includes('--watch')) {
    mkdirSync(EXPLORER_DIST, { recursive: true });
    copyFileSync(path.join(EXPLORER_ROOT, 'src/index.html'), path.join(EXPLORER_DIST, 'index.html'));
    const ctx = await esbuild.context(options(EXPLORER_DIST));
    await ctx.watch();
    process.stdout.write(`explorer: watching explorer/src, writing ${path.relative(process.cwd(), EXPLORER_DIST)}/ (reload the page after a change)\n`);
    return;
  }
  await buildExplorer();
  process.stdout.write(`explorer: built ${path.relative(process.cwd(), EXPLORER_DIST) || EXPLORER_DIST}/ in ${Date.now() - started} ms\n`);
}

if (require.main === module) {
  cli().catch((err: unknown) => {
    process.stderr.write(`explorer build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
