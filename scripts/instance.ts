/**
 * Prints a signed app instance for curl, signed with the configured app secret (or the
 * development one). Usage:
 *   npm run -s instance -- [--instance-id ID] [--uid ID] [--age SECONDS] [--owner]
 *   curl -H "Authorization: $(npm run -s instance -- --owner)" http://localhost:3000/api/me
 */
import { signInstance } from 'wix-app-backend/auth/sign-instance';
import { DEV_SAMPLE_SITES } from 'wix-app-backend/dev/sample-sites';
import { configOrReport, loadProjectEnv, parseFlags, run } from './lib/cli';

const USAGE =
  'usage: npm run -s instance -- [--instance-id ID] [--uid ID] [--age SECONDS] [--owner]';

loadProjectEnv();

run(async () => {
  const flags = parseFlags(
    {
      'instance-id': { type: 'string', default: DEV_SAMPLE_SITES.a.instanceId },
      uid: { type: 'string', default: DEV_SAMPLE_SITES.a.uid },
      age: { type: 'string', default: '0' },
      owner: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (typeof flags === 'number') return flags;
  const age = Number(flags.age);
  if (!Number.isFinite(age) || age < 0) {
    console.error(`--age must be a number of seconds ≥ 0\n${USAGE}`);
    return 2;
  }
  const config = configOrReport();
  if (!config) return 1;
  const instanceId = String(flags['instance-id']);
  const instance = await signInstance(
    {
      instanceId,
      appDefId: config.wixAppId,
      uid: String(flags.uid),
      permissions: flags.owner ? 'OWNER' : null,
      signDate: new Date(Date.now() - age * 1000).toISOString(),
    },
    config.wixAppSecret,
  );
  console.error(
    `instance ${instanceId} for app ${config.wixAppId}${config.usingDevCredentials ? ' (development credentials)' : ''}`,
  );
  process.stdout.write(`${instance}\n`);
  return 0;
});
