import { z } from 'zod';
import { idSchema } from '../../shared/ids';
import { ROLES } from '../../shared/tenancy/roles';
import { cursorParam, limitParam } from '../../shared/http/validation';

export const usersPath = z.object({ tenantId: idSchema('tenant') });
export const userPath = z.object({ tenantId: idSchema('tenant'), userId: idSchema('user') });

export const inviteBody = z.strictObject({
  email: z
    .email()
    .max(254)
    .transform((value) => value.toLowerCase()),
  role: z.enum(ROLES),
  name: z.string().trim().min(1).max(100).optional(),
});

export const changeRoleBody = z.strictObject({ role: z.enum(ROLES) });

export const listUsersQuery = z.strictObject({
  role: z.enum(ROLES).optional(),
  limit: limitParam,
  cursor: cursorParam,
});
