import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { TEST_APP_ID, TEST_APP_SECRET } from './test/helpers/test-credentials';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // The e2e and reliability suites need a build and real servers; they have their own configs.
    exclude: ['test/e2e/**', 'test/reliability/**', 'node_modules/**'],
    environment: 'node',
    setupFiles: ['test/setup.ts'],
    // Route handlers read configuration from the environment, like the real server.
    env: {
      WIX_APP_ID: TEST_APP_ID,
      WIX_APP_SECRET: TEST_APP_SECRET,
      LOG_LEVEL: 'silent',
      DATA_DIR: 'memory://',
      DATABASE_URL: '',
      // Nothing listens here: a test that reaches Wix without starting the emulator fails fast.
      WIX_API_BASE_URL: 'http://127.0.0.1:9',
    },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
