/** Jest runs every level of test: unit specs beside pure code, int-specs beside adapters,
 * e2e through HTTP and browser tests in Chromium. SWC keeps the run fast. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
  },
];
/** Dependencies published only as ES modules, which Node 20 requires natively but Jest's own
 * module loader cannot (before Node 24.9): compiled to CommonJS for the tests alone. */
const ESM_ONLY = ['content-disposition'];
const swcEsm = ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' } }];
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/events', '<rootDir>/projections', '<rootDir>/src', '<rootDir>/test'],
  testRegex: '.*\\.(spec|int-spec|e2e-spec|browser-spec)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': swc,
    [`/node_modules/(?:.+/)?(?:${ESM_ONLY.join('|')})/.+\\.js$`]: swcEsm,
  },
  transformIgnorePatterns: [`/node_modules/(?!(?:.+/)?(?:${ESM_ONLY.join('|')})/)`],
  testTimeout: 30000,
};
