// Unit specs live beside the code (src/**/*.spec.ts); e2e specs in test/ run the real app against
// real PostgreSQL started once in the global setup. See test/support/swc-transform.js for why
// some node_modules are transformed.
const transform = { '^.+\\.(t|j|mj)s$': '<rootDir>/test/support/swc-transform.js' };
const esmPackages = [
  '@nestjs', 'file-type', 'strtok3', 'token-types', 'uint8array-extras', '@tokenizer', '@borewit',
  'cookie', 'set-cookie-parser', 'toad-cache', 'content-disposition', '@standard-schema', 'libphonenumber-js',
];
const transformIgnorePatterns = [`/node_modules/(?!(${esmPackages.join('|')})/)`];
const common = { testEnvironment: 'node', transform, transformIgnorePatterns, moduleFileExtensions: ['ts', 'js', 'mjs', 'json'] };

module.exports = {
  // A global option: jest ignores it inside a project entry.
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
