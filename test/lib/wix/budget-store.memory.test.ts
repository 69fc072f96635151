import { createMemoryBudgetStore } from '@/lib/wix/budget-store';
import { budgetStoreContract } from './budget-store.contract';

const store = createMemoryBudgetStore();
budgetStoreContract('in memory (one process: PGlite)', () => store);
