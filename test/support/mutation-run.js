// Loaded by jest.unit.config.js, the config `npm run mutation` hands Stryker, and by nothing
// else: specs that are slow by design (money.spec.ts's exhaustive loops) sample in a mutation run.
process.env.FIXBID_MUTATION_RUN = '1';
