import { createTestApp } from '@/test/kit';
import { notesRouteCases } from './notes-route.cases';

// The kit's default database: one in-memory PGlite for the file.
notesRouteCases(() => createTestApp());
