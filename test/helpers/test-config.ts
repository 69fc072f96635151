/** Configuration and context for tests: the same parser the app uses, with test values. */
import { parseConfig, type AppConfig } from '@/lib/config/env';
import { createAppContext, type AppContext } from '@/lib/server/app-context';

import { TEST_APP_ID, TEST_APP_SECRET } from './test-credentials';

export { OTHER_APP_ID, TEST_APP_ID, TEST_APP_SECRET } from './test-credentials';

/** A valid `AppConfig` (NODE_ENV=test) with overrides applied as environment variables would be. */
export function testConfig(env: Record<string, string | undefined> = {}): AppConfig {
  const result = parseConfig({
    NODE_ENV: 'test',
    WIX_APP_ID: TEST_APP_ID,
    WIX_APP_SECRET: TEST_APP_SECRET,
    LOG_LEVEL: 'silent',
    ...env,
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.value;
}

export function testContext(
  env: Record<string, string | undefined> = {},
  now?: () => number,
): AppContext {
  return createAppContext(testConfig(env), { now });
}
