import { devInstance } from 'wix-app-backend/dev/routes';
import { publicRoute } from '@/lib/wix-app';

export const GET = publicRoute(devInstance);
