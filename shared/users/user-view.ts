import { getConfig } from '../config';
import type { MembershipItem } from '../data/entities/membership';

const { ttlDays } = getConfig().invitations;

/** When an invited membership's invitation expires (null once accepted). */
export function invitationExpiry(item: MembershipItem): Date | null {
  if (item.status !== 'invited') return null;
  return new Date(Date.parse(item.invitedAt ?? item.createdAt) + ttlDays * 86_400_000);
}

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: MembershipItem['role'];
  status: MembershipItem['status'];
  invitedBy: string | null;
  /** For an invitation: when it expires unless accepted or resent. */
  invitationExpiresAt: string | null;
  /** The person's last sign-in that reached the tenant, and how many there were. */
  lastSignInAt: string | null;
  signInCount: number;
  createdAt: string;
  updatedAt: string;
}

export function toUserView(item: MembershipItem): UserView {
  return {
    id: item.userId,
    email: item.email,
    name: item.name ?? null,
    role: item.role,
    status: item.status,
    invitedBy: item.invitedBy ?? null,
    invitationExpiresAt: invitationExpiry(item)?.toISOString() ?? null,
    lastSignInAt: item.lastSignInAt ?? null,
    signInCount: item.signInCount ?? 0,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}
