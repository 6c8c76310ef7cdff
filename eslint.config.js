import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
