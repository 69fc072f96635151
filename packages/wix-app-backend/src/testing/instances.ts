/** Builds valid signed instances (and deliberately broken ones) for tests. */
import { signInstance, type InstancePayloadInput } from '../auth/sign-instance';
import { TEST_APP_ID, TEST_APP_SECRET } from './test-credentials';

export const INSTANCE_A = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa';
export const INSTANCE_B = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb';

/** A signed instance for the test app, owner by default, signed now unless `signDate` is given. */
export function testInstance(
  overrides: Partial<InstancePayloadInput> = {},
  secret: string = TEST_APP_SECRET,
): Promise<string> {
  return signInstance(
    {
      instanceId: INSTANCE_A,
      appDefId: TEST_APP_ID,
      uid: 'user-1',
      permissions: 'OWNER',
      ...overrides,
    },
    secret,
  );
}
