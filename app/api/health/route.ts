import { health } from 'wix-app-backend/routes';
import { publicRoute } from '@/lib/wix-app';

export const dynamic = 'force-dynamic';

/** Public: which database engine serves the app; 503 problem when it cannot be reached. */
export const GET = publicRoute(health);
