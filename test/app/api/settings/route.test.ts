import { createTestApp } from '@/test/kit';
import { settingsRouteCases } from './settings-route.cases';

// The kit's default database: one in-memory PGlite for the file.
settingsRouteCases('pglite', () => createTestApp());
