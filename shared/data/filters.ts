/** Joins the conditions that apply (empty ones are left out) with AND: an ElectroDB `where` or a raw ConditionExpression. */
export function allConditions(conditions: string[]): string {
  return conditions.filter(Boolean).join(' AND ');
}
