import { devServicePlugin } from 'wix-app-backend/dev/routes';
import { publicRoute } from '@/lib/wix-app';

export const POST = publicRoute(devServicePlugin);
