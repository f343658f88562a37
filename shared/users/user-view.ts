import type { MembershipItem } from '../data/entities/membership';

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: MembershipItem['role'];
  status: MembershipItem['status'];
  invitedBy: string | null;
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
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}
