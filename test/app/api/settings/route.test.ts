import * as health from '@/app/api/health/route';
import * as me from '@/app/api/me/route';
import * as settings from '@/app/api/settings/route';
import * as database from '@/lib/server/database';
import * as requireInstance from '@/lib/server/require-instance';
import { settingsRouteCases } from './settings-route.cases';

// vitest.config.ts sets DATA_DIR=memory:// and no DATABASE_URL: one in-memory PGlite per file.
settingsRouteCases('pglite', async () => ({ settings, me, health, database, requireInstance }));
