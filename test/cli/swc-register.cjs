/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload hook: require is the point */
/**
 * `node -r ./test/cli/swc-register.cjs src/cli/main.ts …` runs the CLI and the server from their
 * TypeScript sources, so the CLI and start-up tests work in a fresh clone before any build. Each
 * file is compiled in memory by @swc/core (the compiler Jest already uses) as CommonJS with the
 * decorator metadata Nest needs.
 */
'use strict';
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

const swcOptions = {
  swcrc: false,
  sourceMaps: 'inline',
  module: { type: 'commonjs' },
  jsc: {
    target: 'es2022',
    keepClassNames: true,
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
};

require.extensions['.ts'] = (module, filename) => {
  const source = readFileSync(filename, 'utf8');
  module._compile(transformSync(source, { ...swcOptions, filename }).code, filename);
};
process.setSourceMapsEnabled(true);
