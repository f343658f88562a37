import { must } from '../api/client';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { useCursorPages } from '../ui/load';
import { ActionButton, DataTable, ErrorBox, formatDate, Loading, Pager } from '../ui/parts';

/**
 * The partners above this tenant and the access they asked for or hold: an owner approves a request
 * (from now, for its days, under its role at most), declines it, or revokes access in force.
 */
export function PartnerAccess() {
  const { api } = useSession();
  const { tenantId, tenant, can } = useTenant();
  const list = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/delegations', {
          params: { path: { tenantId }, query: { side: 'granted', ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [api, tenantId],
  );
  const approve = can('delegations:approve');
  const manage = can('delegations:manage');
  return (
    <>
      <h1>Partner access</h1>
      <p className="muted">
        A partner above {tenant.name} (the company that runs it for you) may ask that its people act in it.
        Nothing is open to them until an owner approves, only under the role and for the days approved, and
        you can revoke it at any time. What they change is in the audit log, as theirs, acting for the
        partner.
      </p>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      {list.data && list.data.items.length === 0 && <p className="muted">No partner has asked for access.</p>}
      {list.data && list.data.items.length > 0 && (
        <DataTable
          caption="Partners’ access"
          columns={['Partner', 'Role at most', 'Days', 'Reason', 'Status', 'Actions']}
        >
          {list.data.items.map((delegation) => (
            <tr key={delegation.id} data-delegation={delegation.id} data-status={delegation.status}>
              <th scope="row">
                {delegation.partner.name}
                <span className="muted">
                  {' '}
                  · asked by {delegation.requestedBy.email ?? delegation.requestedBy.id}
                </span>
              </th>
              <td>{delegation.role}</td>
              <td className="number">{delegation.durationDays}</td>
              <td>{delegation.reason ?? ''}</td>
              <td>
                {delegation.status === 'active'
                  ? `in force until ${formatDate(delegation.expiresAt)}`
                  : delegation.status}
              </td>
              <td>
                {approve && delegation.status === 'pending' && (
                  <ActionButton
                    className="primary"
                    confirm={`Let ${delegation.partner.name}’s people act in ${tenant.name} as ${delegation.role} at most, for ${delegation.durationDays} days?`}
                    action={async () => {
                      await must(
                        api.POST('/v1/tenants/{tenantId}/delegations/{counterpartId}/approve', {
                          params: { path: { tenantId, counterpartId: delegation.partner.id } },
                          body: { delegationId: delegation.id },
                        }),
                      );
                      list.reload();
                    }}
                  >
                    Approve
                  </ActionButton>
                )}{' '}
                {manage && (delegation.status === 'pending' || delegation.status === 'active') && (
                  <ActionButton
                    className="danger"
                    confirm={
                      delegation.status === 'pending'
                        ? `Decline ${delegation.partner.name}’s request?`
                        : `Revoke ${delegation.partner.name}’s access? Its people can no longer act here.`
                    }
                    action={async () => {
                      await must(
                        api.DELETE('/v1/tenants/{tenantId}/delegations/{counterpartId}', {
                          params: { path: { tenantId, counterpartId: delegation.partner.id } },
                        }),
                      );
                      list.reload();
                    }}
                  >
                    {delegation.status === 'pending' ? 'Decline' : 'Revoke'}
                  </ActionButton>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager list={list} label="Partners’ access" />
    </>
  );
}
