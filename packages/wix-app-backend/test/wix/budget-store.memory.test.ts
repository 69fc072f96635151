import { createMemoryBudgetStore } from '../../src/wix/budget-store';
import { budgetStoreContract } from './budget-store.contract';

const store = createMemoryBudgetStore();
budgetStoreContract('in memory (one process: PGlite)', () => store);
