// Mutation testing of the domain rules (issue 9 item 12): `npm run mutation`, or one file with
// `npm run mutation -- --mutate src/payments/domain/money.ts`. Never in CI: it takes minutes.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The unit project of jest.config.js alone (the e2e project needs PostgreSQL and is not run).
const { displayName: _unit, ...unitProject } = require('./jest.config.js').projects.find((p) => p.displayName === 'unit');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['src/*/domain/**/*.ts', '!src/**/*.spec.ts'],
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    config: { ...unitProject, projects: undefined },
    enableFindRelatedTests: true,
  },
  coverageAnalysis: 'perTest',
  // Two CPUs here, shared: more runners only queue.
  concurrency: 2,
  reporters: ['clear-text', 'html', 'json', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  ignorePatterns: ['dist', 'dist-*', '.data', 'reports', 'coverage', 'bench', 'client', 'examples', 'migrations'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
