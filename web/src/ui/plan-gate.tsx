import { Link } from 'react-router';
import { useTenant } from '../context';
import { FEATURE_NAMES, PLAN_IDS, PLANS, type FeatureFlag } from '../../../shared/model/plans';

/** Why a feature's page is empty: the plan, the plans that have it, and the way to one of them. */
export function PlanGate({ feature, pitch }: { feature: FeatureFlag; pitch: string }) {
  const { tenantId, tenant, can } = useTenant();
  const plans = PLAN_IDS.filter((plan) => PLANS[plan].features.includes(feature)).map(
    (plan) => PLANS[plan].name,
  );
  const name = FEATURE_NAMES[feature].replace(/ \(.*\)$/, '');
  return (
    <section className="banner banner-info" aria-labelledby="plan-gate-heading">
      <h2 id="plan-gate-heading">{name} are not in your plan</h2>
      <p>
        Your tenant is on the {PLANS[tenant.plan as keyof typeof PLANS]?.name ?? tenant.plan} plan. {name}{' '}
        come with the {new Intl.ListFormat('en', { type: 'conjunction' }).format(plans)} plans: {pitch}
      </p>
      {can('billing:manage') ? (
        <p>
          <Link to={`/t/${tenantId}/billing`}>Change the plan in Billing</Link>
        </p>
      ) : (
        <p>An owner of the tenant can change its plan.</p>
      )}
    </section>
  );
}
