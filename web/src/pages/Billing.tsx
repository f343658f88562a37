import { useSearchParams } from 'react-router';
import { FEATURE_NAMES, PLANS, type FeatureFlag, type PlanId } from '../../../shared/model/plans';
import { must } from '../api/client';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { useLoad } from '../ui/load';
import {
  ActionButton,
  DataTable,
  ErrorBox,
  formatDate,
  formatMoney,
  formatNumber,
  Loading,
} from '../ui/parts';
import { RESOURCE_NAMES } from '../ui/charts';

/** The plan and subscription, this month's usage and projected overage, upgrade through Checkout, invoices. */
export function Billing() {
  const { api } = useSession();
  const { tenantId, tenant } = useTenant();
  const [search] = useSearchParams();
  const billing = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/billing', { params: { path: { tenantId } } })),
    [api, tenantId],
  );
  const plans = useLoad(() => must(api.GET('/v1/plans')), [api]);
  const here = `${window.location.origin}/t/${tenantId}/billing`;
  const checkout = search.get('checkout');
  const currentPrice =
    plans.data?.items.find((plan) => plan.id === billing.data?.plan)?.monthlyPrice?.amount ?? 0;

  const startCheckout = async (plan: PlanId) => {
    const session = await must(
      api.POST('/v1/tenants/{tenantId}/billing/checkout', {
        params: { path: { tenantId } },
        body: { plan, successUrl: `${here}?checkout=success`, cancelUrl: `${here}?checkout=cancelled` },
      }),
    );
    window.location.assign(session.url);
  };
  const openPortal = async () => {
    const portal = await must(
      api.POST('/v1/tenants/{tenantId}/billing/portal', {
        params: { path: { tenantId } },
        body: { returnUrl: here },
      }),
    );
    window.location.assign(portal.url);
  };

  return (
    <>
      <h1>Billing</h1>
      {checkout === 'success' && (
        <p className="notice" role="status">
          Payment received. The new plan applies as soon as Stripe confirms the subscription (seconds).{' '}
          <button type="button" className="link" onClick={billing.reload}>
            Refresh
          </button>
        </p>
      )}
      {checkout === 'cancelled' && (
        <p className="notice" role="status">
          Checkout was cancelled; nothing changed.
        </p>
      )}
      {tenant.resumablePlan && (
        <div className="banner banner-info" role="status" data-testid="resumable-plan">
          <strong>Before it was deleted, this tenant was on {PLANS[tenant.resumablePlan].name}.</strong> The
          deletion cancelled that subscription, so the tenant has the Free plan’s limits now; buy{' '}
          {PLANS[tenant.resumablePlan].name} again below to get its limits back.
        </div>
      )}
      <ErrorBox error={billing.error} />
      {billing.loading && !billing.data && <Loading />}
      {billing.data && (
        <>
          <section className="cards" aria-label="Subscription">
            <div className="card">
              <h2>Plan</h2>
              <p className="big capitalize" data-testid="billing-plan">
                {billing.data.plan}
              </p>
            </div>
            <div className="card">
              <h2>Subscription</h2>
              <p className="big capitalize">{billing.data.status}</p>
              {billing.data.currentPeriodEnd && (
                <p className="muted">Renews {formatDate(billing.data.currentPeriodEnd)}</p>
              )}
              {billing.data.pastDueSince && (
                <p className="error">Payment overdue since {formatDate(billing.data.pastDueSince)}</p>
              )}
            </div>
            <div className="card">
              <h2>Projected overage</h2>
              <p className="big">
                {billing.data.projection.basis === 'pace'
                  ? formatMoney(billing.data.projectedOverageTotal)
                  : '—'}
              </p>
              <p className="muted" data-testid="projection">
                This month ({billing.data.period}). {billing.data.projection.explanation}
              </p>
            </div>
          </section>
          {billing.data.paidByPartner && (
            <p className="notice" data-testid="paid-by-partner">
              Your partner pays for this tenant: its plan and any overage are on your partner’s invoice, and
              your partner changes the plan.
            </p>
          )}
          {billing.data.subscriptionId && (
            <p>
              <ActionButton action={openPortal}>Manage payment details (Stripe)</ActionButton>
            </p>
          )}
          {billing.data.paidForChildren.length > 0 && (
            <>
              <h2>Customers you pay for</h2>
              <p className="muted">
                After each month closes, each customer’s plan and any overage are lines of your next invoice.
              </p>
              <DataTable caption="Customers you pay for" columns={['Customer', 'Plan', 'Each month']}>
                {billing.data.paidForChildren.map((child) => (
                  <tr key={child.childId}>
                    <th scope="row">{child.name}</th>
                    <td className="capitalize">{child.plan}</td>
                    <td>{formatMoney(child.monthlyPrice)}</td>
                  </tr>
                ))}
              </DataTable>
            </>
          )}
          <h2>Usage this month</h2>
          <DataTable columns={['Resource', 'Used', 'Included', 'Projected', 'Projected overage']}>
            {billing.data.usage.map((line) => (
              <tr key={line.resource}>
                <th scope="row">{RESOURCE_NAMES[line.resource] ?? line.resource}</th>
                <td>{formatNumber(line.used)}</td>
                <td>{formatNumber(line.limit)}</td>
                <td>{line.projected === null ? '—' : formatNumber(line.projected)}</td>
                <td>{formatMoney(line.projectedOverageCost)}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
      <h2>Plans</h2>
      <ErrorBox error={plans.error} />
      <div className="plans">
        {plans.data?.items.map((plan) => (
          <div key={plan.id} className={`card plan${plan.id === billing.data?.plan ? ' current' : ''}`}>
            <h3>{plan.name}</h3>
            <p className="big">
              {plan.monthlyPrice ? `${formatMoney(plan.monthlyPrice)} / month` : 'By contract'}
            </p>
            <ul>
              <li>{formatNumber(plan.limits.users)} users</li>
              <li>{formatNumber(plan.limits.agents)} agents</li>
              <li>{formatNumber(plan.limits.runs)} runs a month</li>
              <li>{formatNumber(plan.limits.tokens)} tokens a month</li>
              {plan.features.map((feature) => (
                <li key={feature}>{FEATURE_NAMES[feature as FeatureFlag] ?? feature}</li>
              ))}
            </ul>
            {plan.id === billing.data?.plan ? (
              <p>
                <strong>Your plan</strong>
              </p>
            ) : billing.data?.paidByPartner ? (
              <p className="muted">Your partner chooses your plan.</p>
            ) : !plan.selfServe || !plan.monthlyPrice ? (
              <p className="muted">Contact sales</p>
            ) : plan.monthlyPrice.amount > currentPrice ? (
              <ActionButton className="primary" action={() => startCheckout(plan.id)}>
                Upgrade to {plan.name}
              </ActionButton>
            ) : (
              <p className="muted">
                {billing.data?.subscriptionId
                  ? 'Change or cancel through “Manage payment details”.'
                  : 'Included without a subscription.'}
              </p>
            )}
          </div>
        ))}
      </div>
      <h2>Invoices</h2>
      {billing.data?.invoices === null && (
        <p className="muted">Invoices could not be read from Stripe just now.</p>
      )}
      {billing.data?.invoices && billing.data.invoices.length === 0 && <p>No invoices yet.</p>}
      {billing.data?.invoices && billing.data.invoices.length > 0 && (
        <DataTable columns={['Number', 'Date', 'Status', 'Amount', 'Invoice']}>
          {billing.data.invoices.map((invoice) => (
            <tr key={invoice.id}>
              <td>{invoice.number ?? invoice.id}</td>
              <td>{formatDate(invoice.createdAt)}</td>
              <td>{invoice.status ?? '—'}</td>
              <td>{formatMoney({ amount: invoice.amountDue, currency: invoice.currency })}</td>
              <td>{invoice.hostedInvoiceUrl ? <a href={invoice.hostedInvoiceUrl}>View</a> : '—'}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}
