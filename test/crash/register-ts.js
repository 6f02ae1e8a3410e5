/**
 * Lets a child process `require` the TypeScript sources directly (`node -r ./register-ts.js x.ts`),
 * compiled in memory by @swc/core, so the crash and locking tests need no prior build.
 */
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload, run before any compiler */
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
