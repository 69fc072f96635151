import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '.next/**',
      '.next-bench/**',
      '.next-bench-noop/**',
      '.next-bench-notrace/**',
      '.next-coldstart/**',
      '.vercel/**',
      'node_modules/**',
      'next-env.d.ts',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Configuration is parsed once in the package's config/env.ts; everything else receives it.
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through wix-app-backend/config/env.',
        },
      ],
    },
  },
  {
    files: [
      'packages/wix-app-backend/src/config/env.ts',
      'scripts/**',
      'test/**',
      'packages/*/test/**',
      // The test kit and its helpers run in test processes (TEST_DATABASE_URL, the PATH to
      // PostgreSQL's binaries), never in the app.
      'packages/*/src/testing/**',
      '*.config.*',
      'instrumentation.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
