/** Joins the filter conditions that apply (empty ones are left out) into one ElectroDB `where`. */
export function allConditions(conditions: string[]): string {
  return conditions.filter(Boolean).join(' AND ');
}
