// Mutation testing of the domain rules (issue 9 item 12): `npm run mutation`, or one file with
// `npm run mutation -- --mutate src/payments/domain/money.ts`. Never in CI: it takes minutes.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['src/*/domain/**/*.ts', '!src/**/*.spec.ts'],
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // The unit project alone: the e2e one needs PostgreSQL and is not what this measures.
    configFile: 'jest.unit.config.js',
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
