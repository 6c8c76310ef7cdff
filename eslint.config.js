import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.leakguard-e2e/', 'chart/', '.*/', '.*.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', AbortSignal: 'readonly', AbortController: 'readonly', fetch: 'readonly' },
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
  {
    // The pure core must not reach for I/O.
    files: ['src/detect/**/*.ts', 'src/policy/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'http', 'https', 'net', 'child_process'], message: 'detect/ and policy/ are pure: no I/O.' },
            { group: ['axios', '@kubernetes/*', 'pino', '**/prom/**', '**/kube/**', '**/forge/**', '**/notify/**'], message: 'detect/ and policy/ are pure: no I/O.' },
          ],
        },
      ],
    },
  },
);
