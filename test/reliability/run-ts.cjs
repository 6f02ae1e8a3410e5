/* global require, module, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS require hook: it runs before any TypeScript can */
/**
 * Lets `node -r ./test/reliability/run-ts.cjs file.ts` run the long fuzz campaign and the soak
 * straight from the TypeScript sources in a fresh clone: the build (tsconfig.build.json) leaves
 * test/ out, and no ts-node is installed, so each .ts file is compiled in memory with @swc/core
 * (already a dev dependency, the same compiler Jest uses) with the project's .swcrc options.
 */
'use strict';
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
  swcrc: false,
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};

process.setSourceMapsEnabled(true);
module.exports = {};
