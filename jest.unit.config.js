// The unit project of jest.config.js on its own, for `npm run mutation` (Stryker hands jest one
// config, and with both projects in it every mutant would also start the e2e PostgreSQL).
const { projects, ...global } = require('./jest.config.js');
const { displayName: _name, ...unit } = projects.find((project) => project.displayName === 'unit');

module.exports = { ...global, ...unit, setupFiles: ['<rootDir>/test/support/mutation-run.js'] };
