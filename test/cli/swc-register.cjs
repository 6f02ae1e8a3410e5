/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload hook: require is the point */
/**
 * `node -r ./test/cli/swc-register.cjs src/cli/main.ts …` runs the CLI and the server from their
 * TypeScript sources, so the CLI and start-up tests work in a fresh clone before any build. Each
 * file is compiled in memory by @swc/core (the compiler Jest already uses) as CommonJS with the
 * decorator metadata Nest needs.
 */
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
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

// Compiled files are kept in the system's temp folder, keyed by path, size and mtime, so the many
// short CLI runs of the test suite compile each source once.
const cacheDir = join(tmpdir(), 'relations-swc-cache');
mkdirSync(cacheDir, { recursive: true });

require.extensions['.ts'] = (module, filename) => {
  const { mtimeMs, size } = statSync(filename);
  const key = createHash('sha1').update(`${filename}\0${mtimeMs}\0${size}`).digest('hex');
  const cached = join(cacheDir, `${key}.js`);
  let code;
  try {
    code = readFileSync(cached, 'utf8');
  } catch {
    code = transformSync(readFileSync(filename, 'utf8'), { ...swcOptions, filename }).code;
    const temporary = `${cached}.${process.pid}`;
    writeFileSync(temporary, code);
    renameSync(temporary, cached);
  }
  module._compile(code, filename);
};
process.setSourceMapsEnabled(true);
