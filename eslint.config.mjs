// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** The pure core may import only itself (and, for projections, events/) plus a few pure libraries. */
const impureModules = [
  { group: ['@nestjs/*', '@nestjs/**'], message: 'The pure core never imports Nest.' },
  {
    group: ['better-sqlite3', '@kurrent/*', '@eventstore/*'],
    message: 'The pure core never imports a store.',
  },
  {
    group: ['**/src/**', '../src', '../../src'],
    message: 'Imports flow inward: src -> projections -> events.',
  },
  {
    group: [
      'fs',
      'node:fs',
      'fs/*',
      'node:fs/*',
      'child_process',
      'node:child_process',
      'http',
      'node:http',
      'net',
      'node:net',
    ],
    message: 'The pure core does no I/O.',
  },
];

/** Rules for a folder of the pure core: only the allowed imports, no process, no clock. */
function pureCore(files, patterns) {
  return {
    files,
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns }],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process.env or clock in the pure core.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'No clock in the pure core: pass the time in.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'No clock in the pure core: pass the time in.',
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'test-output/**',
      'src/web/dist/**',
      '*.js',
      '*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  pureCore(
    ['events/**/*.ts'],
    [
      ...impureModules,
      { group: ['**/projections/**', '../projections'], message: 'events/ imports nothing of the project.' },
    ],
  ),
  pureCore(['projections/**/*.ts'], impureModules),
  prettier,
);
