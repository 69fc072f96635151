/**
 * The Token Info budgets are stated in prose in three places (decisions 019 and 034, the
 * security table); decision 019 once said 30 then 600 a minute for a code that did 20 then 300.
 * The figures here come from the constants, so changing one without the docs fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  TOKEN_INFO_OVERALL_BURST,
  TOKEN_INFO_OVERALL_PER_MINUTE,
  TOKEN_INFO_PER_CLIENT_BURST,
  TOKEN_INFO_PER_CLIENT_PER_MINUTE,
  TOKEN_INFO_RESERVED_SHARE,
  TOKEN_INFO_UNRECOGNISED_BURST,
  TOKEN_INFO_UNRECOGNISED_PER_MINUTE,
} from 'wix-app-backend/auth/token-info-guard';
import { ROOT } from './project-files';

/** The text with Markdown's line breaks and table padding folded into single spaces. */
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/\s+/g, ' ');
const decision019 = read('docs/decisions/019-bodies-skip-the-middleware.md');
const decision034 = read('docs/decisions/034-token-standing.md');
const security = read('docs/security.md');

const overall = `${TOKEN_INFO_OVERALL_BURST}, then ${TOKEN_INFO_OVERALL_PER_MINUTE} a minute`;
const perClient = `${TOKEN_INFO_PER_CLIENT_BURST}, then ${TOKEN_INFO_PER_CLIENT_PER_MINUTE} a minute`;
const unrecognised = `${TOKEN_INFO_UNRECOGNISED_BURST}, then ${TOKEN_INFO_UNRECOGNISED_PER_MINUTE} a minute`;
const kept = (share: number) => Math.floor(TOKEN_INFO_OVERALL_BURST * share);

describe('the Token Info budgets the docs state', () => {
  it('decision 019: the per-client and the process budgets', () => {
    expect(decision019).toContain(`per-client budget (${perClient})`);
    expect(decision019).toContain(`process-wide one (${overall})`);
  });

  it('decision 034: the process ceiling, the budget of unrecognised tokens, what each standing leaves', () => {
    expect(decision034).toContain(`a burst of ${overall}`);
    expect(decision034).toContain(`a burst of ${unrecognised}`);
    expect(TOKEN_INFO_RESERVED_SHARE.unrecognised).toBe(1 / 2);
    expect(decision034).toContain(`below half its burst (${kept(1 / 2)})`);
    expect(TOKEN_INFO_RESERVED_SHARE.plausible).toBe(1 / 4);
    expect(decision034).toContain(`below a quarter (${kept(1 / 4)})`);
    expect(decision034).toContain(`per-client budget (${perClient})`);
  });

  it('the security table: the budget of unrecognised tokens and the process ceiling', () => {
    expect(security).toContain(`(${unrecognised})`);
    expect(security).toContain(`(${overall})`);
  });
});
