import fc from 'fast-check';
import {
  chargebackFromReleasedLines,
  fundingLines,
  partnerPayoutLines,
  payoutLines,
  postingProblem,
  receivableSettledLines,
  refundLines,
  releaseLines,
  reversalLines,
} from './ledger-postings';
import { splitFee, splitPartnerShare } from './money';

const sum = (lines: Array<{ amount: number }>) => lines.reduce((s, l) => s + l.amount, 0);

describe('ledger postings (M1)', () => {
  it('M9 every posting of the money flow balances, for every amount, fee rate and partner share', () => {
    fc.assert(
      fc.property(fc.integer({ min: 500, max: 1_000_000 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), (amount, bps, shareBps) => {
        const { platformFee, expertPayout } = splitFee(amount, bps);
        const { partnerShare, platformNet } = splitPartnerShare(platformFee, shareBps);
        const postings = [fundingLines(amount), releaseLines(amount, platformNet, expertPayout, partnerShare), refundLines(amount)];
        if (expertPayout > 0) postings.push(payoutLines(expertPayout));
        if (partnerShare > 0) postings.push(partnerPayoutLines(partnerShare));
        return postings.every((lines) => postingProblem(lines) === null && sum(lines) === 0);
      }),
    );
  });

  it('M9 a whole flow with a 20 % partner share leaves escrow_held, expert_payable and partner_payable at zero', () => {
    const { platformFee, expertPayout } = splitFee(10_000, 1500);
    const { partnerShare, platformNet } = splitPartnerShare(platformFee, 2000);
    const all = [...fundingLines(10_000), ...releaseLines(10_000, platformNet, expertPayout, partnerShare), ...payoutLines(expertPayout), ...partnerPayoutLines(partnerShare)];
    const balance = (account: string) => sum(all.filter((l) => l.account === account));
    expect(['escrow_held', 'expert_payable', 'partner_payable', 'platform_revenue', 'paid_out'].map(balance)).toEqual([0, 0, 0, 1200, 8800]);
  });

  it('a whole flow leaves escrow_held and expert_payable at zero', () => {
    const { platformFee, expertPayout } = splitFee(10_000, 1500);
    const all = [...fundingLines(10_000), ...releaseLines(10_000, platformFee, expertPayout), ...payoutLines(expertPayout)];
    const balance = (account: string) => sum(all.filter((l) => l.account === account));
    expect([balance('escrow_held'), balance('expert_payable'), balance('platform_revenue'), balance('paid_out')]).toEqual([0, 0, 1500, 8500]);
  });

  it('M6 after a lost chargeback the payees owe their parts back: reversals and repayment clear the expert\'s debt, a write-off moves the partner\'s to the platform', () => {
    const paidOut = [...fundingLines(10_000), ...releaseLines(10_000, 1200, 8500, 300), ...payoutLines(8500), ...partnerPayoutLines(300)];
    const lost = chargebackFromReleasedLines({ expert: 8500, partner: 300, platform: 1200, expertPaid: true, partnerPaid: true });
    const settled = [...reversalLines('expert', 5000), ...receivableSettledLines('expert', 3500, 'recovered'), ...reversalLines('partner', 100), ...receivableSettledLines('partner', 200, 'write_off')];
    const balance = (lines: Array<{ account: string; amount: number }>, account: string) => sum(lines.filter((l) => l.account === account));
    const accounts = ['expert_receivable', 'partner_receivable', 'paid_out', 'platform_revenue', 'chargeback_loss'];
    // Owed back once the bank took it all: the platform gave up its fee.
    expect(accounts.map((a) => balance([...paidOut, ...lost], a))).toEqual([-8500, -300, 8800, 0, 10_000]);
    // Money back from the connected accounts and repaid outside Stripe leaves paid_out; the partner's rest is absorbed.
    expect(accounts.map((a) => balance([...paidOut, ...lost, ...settled], a))).toEqual([0, 0, 200, -200, 10_000]);
    for (const lines of [lost, reversalLines('partner', 1), receivableSettledLines('expert', 1, 'write_off'), receivableSettledLines('partner', 1, 'recovered')]) expect(postingProblem(lines)).toBeNull();
  });

  it('zero lines are dropped from a release (a 100 % fee pays the expert nothing)', () => {
    expect(releaseLines(1000, 1000, 0).map((l) => l.account)).toEqual(['escrow_held', 'platform_revenue']);
  });

  it.each([
    [[{ account: 'escrow_held', amount: 100 }], /at least two/],
    [[{ account: 'escrow_held', amount: 100 }, { account: 'customer_funds', amount: -99 }], /sum to 1/],
    [[{ account: 'escrow_held', amount: 0 }, { account: 'customer_funds', amount: 0 }], /amount 0/],
    [[{ account: 'escrow_held', amount: 0.5 }, { account: 'customer_funds', amount: -0.5 }], /amount 0.5/],
    [[{ account: 'nowhere', amount: 1 }, { account: 'customer_funds', amount: -1 }], /unknown account/],
  ])('refuses %j', (lines, why) => {
    expect(postingProblem(lines as never)).toMatch(why);
  });
});
