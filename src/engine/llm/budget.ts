// A per-run token budget. A request reserves its estimated cost before it is sent (prompt estimate +
// the completion tokens it is allowed), so concurrent requests cannot together overshoot; when the
// reply comes, the reservation is replaced by the tokens the endpoint reports.
import { BudgetExceededError } from './errors';

export class TokenBudget {
  private usedTokens = 0;
  private reservedTokens = 0;

  /** `limit` 0 means no limit (usage is still counted). */
  constructor(readonly limit: number) {}

  get used(): number {
    return this.usedTokens;
  }

  get remaining(): number {
    return this.limit === 0 ? Number.POSITIVE_INFINITY : Math.max(0, this.limit - this.usedTokens - this.reservedTokens);
  }

  get exhausted(): boolean {
    return this.limit > 0 && this.usedTokens >= this.limit;
  }

  /** Reserves `estimate` tokens or throws BudgetExceededError without sending anything. */
  reserve(estimate: number): { commit(actual: number): void; cancel(): void } {
    if (this.limit > 0 && this.usedTokens + this.reservedTokens + estimate > this.limit) {
      throw new BudgetExceededError(this.usedTokens, this.limit, estimate);
    }
    this.reservedTokens += estimate;
    let open = true;
    const close = () => {
      if (!open) return false;
      open = false;
      this.reservedTokens -= estimate;
      return true;
    };
    return {
      commit: (actual: number) => {
        if (close()) this.usedTokens += actual;
      },
      cancel: () => {
        close();
      },
    };
  }

  /** Tokens spent outside a reservation (e.g. a failed attempt the endpoint still billed). */
  add(tokens: number): void {
    this.usedTokens += tokens;
  }
}
