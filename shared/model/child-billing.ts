import { PLAN_IDS, PLANS, type PlanId } from './plans';

/** Who pays for a partner's child: the partner (a line per child on its invoice) or the child itself. */
export const PAYERS = ['partner', 'child'] as const;
export type Payer = (typeof PAYERS)[number];

/** The plans a partner may pay for a child on: those with a list price (not Enterprise's contract). */
export const PARTNER_PAYABLE_PLANS = PLAN_IDS.filter((plan) => PLANS[plan].monthlyPrice !== null) as PlanId[];
