// Mutation testing of the money and state rules (issue 9 item 12): `npm run mutation` runs the
// twelve files below; one file (any domain file, these or others) with
// `npm run mutation -- --mutate src/payments/domain/money.ts`. Never in CI: it takes minutes.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'src/payments/domain/money.ts',
    'src/payments/domain/escrow-rules.ts',
    'src/payments/domain/escrow-state.ts',
    'src/payments/domain/ledger-postings.ts',
    'src/payments/domain/reconciliation.ts',
    'src/payments/domain/chargeback.ts',
    'src/payments/domain/stripe-keys.ts',
    'src/requests/domain/request-state.ts',
    'src/bids/domain/bid-state.ts',
    'src/disputes/domain/dispute-rules.ts',
    'src/auth/domain/login-protection.ts',
    'src/auth/domain/refresh-rotation.ts',
  ],
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // The unit project alone: the e2e one needs PostgreSQL and is not what this measures.
    configFile: 'jest.unit.config.js',
    enableFindRelatedTests: true,
  },
  coverageAnalysis: 'perTest',
  // Two CPUs here, shared with the other engineers' runs: one runner (the README's times are at 1).
  concurrency: 1,
  reporters: ['clear-text', 'html', 'json', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  ignorePatterns: ['dist', 'dist-*', '.data', 'reports', 'coverage', 'bench', 'client', 'examples', 'migrations'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
