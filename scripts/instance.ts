/**
 * Prints a signed app instance for curl, signed with the configured app secret (or the
 * development one). Usage:
 *   npm run -s instance -- [--instance-id ID] [--uid ID] [--age SECONDS] [--owner]
 *   curl -H "Authorization: $(npm run -s instance -- --owner)" http://localhost:3000/api/me
 */
import { parseArgs } from 'node:util';
import { loadEnvConfig } from '@next/env';
import { signInstance } from '../lib/auth/sign-instance';
import { ConfigError, getConfig } from '../lib/config/env';
import { DEV_SAMPLE_SITES } from '../lib/config/dev-credentials';

// The same .env files `next dev` reads, so the script signs with the secret the server verifies.
loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });

const USAGE =
  'usage: npm run -s instance -- [--instance-id ID] [--uid ID] [--age SECONDS] [--owner]';

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'instance-id': { type: 'string', default: DEV_SAMPLE_SITES.a.instanceId },
        uid: { type: 'string', default: DEV_SAMPLE_SITES.a.uid },
        age: { type: 'string', default: '0' },
        owner: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  const age = Number(values.age);
  if (!Number.isFinite(age) || age < 0) {
    console.error(`--age must be a number of seconds ≥ 0\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = getConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : String(error));
    return 1;
  }
  void signInstance(
    {
      instanceId: values['instance-id'],
      appDefId: config.wixAppId,
      uid: values.uid,
      permissions: values.owner ? 'OWNER' : null,
      signDate: new Date(Date.now() - age * 1000).toISOString(),
    },
    config.wixAppSecret,
  ).then((instance) => {
    console.error(
      `instance ${values['instance-id']} for app ${config.wixAppId}${config.usingDevCredentials ? ' (development credentials)' : ''}`,
    );
    process.stdout.write(`${instance}\n`);
  });
  return 0;
}

process.exitCode = main();
