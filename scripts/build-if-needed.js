#!/usr/bin/env node
// `npm start` on a fresh clone must work without a separate build step: compile when dist/
// is missing or older than any source file, otherwise start at once.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'dist', '.build-stamp');

function newestMtime(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

const sources = Math.max(
  newestMtime(path.join(root, 'src')),
  newestMtime(path.join(root, 'migrations')),
  newestMtime(path.join(root, 'bench')),
  newestMtime(path.join(root, 'chaos')),
  newestMtime(path.join(root, 'client')),
  newestMtime(path.join(root, 'examples')),
  fs.statSync(path.join(root, 'tsconfig.json')).mtimeMs,
);
const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
if (process.argv.includes('--force') || built < sources) {
  process.stderr.write('fixbid: compiling TypeScript (dist/ is missing or stale)...\n');
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  fs.writeFileSync(marker, new Date().toISOString());
}
