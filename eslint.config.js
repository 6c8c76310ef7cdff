import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';

/**
 * The rooms of src/, lowest first, and the rooms each may import from: arrows point down, so a reader
 * finds every concept by its folder and no lower room ever learns of a higher one. `pure` rooms do
 * no I/O at all. cli/ (the composition root) and demo/ may import any room.
 */
const rooms = {
  model: { imports: [], pure: true },
  detect: { imports: ['model'], pure: true },
  catalog: { imports: ['model'], pure: true },
  profile: { imports: ['model'] },
  secret: { imports: ['model'] },
  policy: { imports: ['model', 'detect', 'catalog'], pure: true },
  report: { imports: ['model', 'detect', 'catalog', 'profile', 'policy'], pure: true },
  prom: { imports: ['model', 'detect', 'catalog', 'secret'] },
  kube: { imports: ['model', 'detect', 'catalog', 'profile', 'report'] },
  forge: { imports: ['model', 'catalog', 'policy', 'report', 'secret'] },
  notify: { imports: ['model', 'catalog', 'policy', 'report', 'secret'] },
  config: { imports: ['model', 'detect', 'catalog', 'policy', 'prom', 'forge'] },
  run: {
    imports: ['model', 'detect', 'catalog', 'profile', 'policy', 'report', 'prom', 'kube', 'forge', 'notify', 'config'],
  },
};
const allRooms = [...Object.keys(rooms), 'cli', 'demo'];
const ioModules = [
  'node:*',
  'fs',
  'http',
  'https',
  'net',
  'child_process',
  'axios',
  '@kubernetes/*',
  'pino',
  '@octokit/*',
  '@slack/*',
];

/** What a pure room may not touch either: the process, the network, the console, timers. */
const ioGlobals = ['process', 'fetch', 'console', 'setTimeout', 'clearTimeout', 'setImmediate', 'setInterval'];

function roomRules() {
  return Object.entries(rooms).map(([room, { imports, pure }]) => {
    const forbidden = allRooms.filter((other) => other !== room && !imports.includes(other));
    const patterns = [
      {
        regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
        message: `${room}/ may import only from ${imports.join(', ') || 'no other room'} (rooms in eslint.config.js).`,
      },
    ];
    if (pure) patterns.push({ group: ioModules, message: `${room}/ is pure: no I/O.` });
    const purity = `${room}/ is pure: no I/O, no clock, no randomness; the caller passes them in.`;
    return {
      files: [`src/${room}/**/*.ts`],
      ignores: ['**/*.test.ts'],
      rules: {
        'no-restricted-imports': ['error', { patterns }],
        ...(pure
          ? {
              'no-restricted-globals': ['error', ...ioGlobals.map((name) => ({ name, message: purity }))],
              'no-restricted-properties': [
                'error',
                { object: 'Date', property: 'now', message: purity },
                { object: 'Math', property: 'random', message: purity },
                { object: 'performance', property: 'now', message: purity },
              ],
              'no-restricted-syntax': [
                'error',
                { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: purity },
              ],
            }
          : {}),
      },
    };
  });
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.leakguard-e2e/', 'chart/', '.*/', '.*.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        AbortSignal: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      // TypeScript checks names itself; no-undef only misfires on Node and DOM globals.
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Pod tags, Prometheus answers, GitOps files and config reach these patterns: none may backtrack
    // super-linearly (one crafted image tag once kept a run busy for 90 s).
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    plugins: { regexp },
    rules: { 'regexp/no-super-linear-backtracking': 'error', 'regexp/no-super-linear-move': 'error' },
  },
  ...roomRules(),
);
