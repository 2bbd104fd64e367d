// Jest (before Node 24.9) cannot require() ES modules, and NestJS 12 ships only ESM. This
// transformer compiles our TypeScript and those ESM packages to CommonJS with SWC; the two
// `import.meta` forms the packages use become their CommonJS equivalents first.
const { createTransformer } = require('@swc/jest');

const swc = createTransformer({
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
  },
  module: { type: 'commonjs', ignoreDynamic: false },
  sourceMaps: 'inline',
});

function rewriteImportMeta(src) {
  if (!src.includes('import.meta')) return src;
  return src
    .replace(/const require = createRequire\(import\.meta\.url\);?/g, '')
    .replace(/createRequire\(import\.meta\.url\)/g, 'require')
    .replace(/import\.meta\.resolve\(/g, 'require.resolve(')
    .replace(/import\.meta\.url/g, "require('node:url').pathToFileURL(__filename).href")
    .replace(/import\.meta\.dirname/g, '__dirname')
    .replace(/import\.meta\.filename/g, '__filename');
}

module.exports = {
  canInstrument: false,
  process(src, filename, options) {
    return swc.process(rewriteImportMeta(src), filename, options);
  },
  getCacheKey(src, filename, options) {
    return 'fixbid-v2' + swc.getCacheKey(rewriteImportMeta(src), filename, options);
  },
};
