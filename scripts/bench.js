#!/usr/bin/env node
/**
 * `npm run bench` starts here: it runs dist/bench/run.js in a node whose V8 old space is the
 * server's own cap (192 MB, as `npm start` and the image) plus room for the benchmark's fixtures,
 * which live in the same process and grow with BENCH_SEED_SCALE (~27 MB at scale 1, inside the
 * 192; ~74 MB at scale 10). At 10 with 192 MB flat the ceiling row's garbage at ~20k requests/s
 * on top of ~115 MB of live heap ran it out of memory in two runs of four.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const SERVER_HEAP_MB = 192;
const FIXTURES_MB_PER_SCALE = 8;

const scale = Number(process.env.BENCH_SEED_SCALE);
const extra = Number.isFinite(scale) && scale > 1 ? Math.ceil(FIXTURES_MB_PER_SCALE * (scale - 1)) : 0;
const run = spawnSync(
  process.execPath,
  ['--expose-gc', `--max-old-space-size=${SERVER_HEAP_MB + extra}`, join(__dirname, '..', 'dist', 'bench', 'run.js'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
if (run.error) throw run.error;
process.exitCode = run.status ?? 1;
