export const MEMBERSHIP_STATUSES = ['invited', 'active', 'disabled'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];
