import { PLANS } from '../../../shared/model/plans';
import { useEffect, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { must, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { useMe, useTenant } from '../context';
import { useAction, useCursorPages } from '../ui/load';
import { ActionButton, ErrorBox, Field, formatDate, Loading, Pager, SubmitButton } from '../ui/parts';

type Export = Schemas['Export'];
const EXPORT_STEPS: Record<Export['status'], number> = { pending: 1, running: 2, completed: 3, failed: 3 };

/** Data export (with its progress and download) and deletion of the tenant (and its restoration). */
export function Data() {
  const { tenant, can } = useTenant();
  return (
    <>
      <h1>Data</h1>
      <Exports />
      {can('tenant:delete') && (tenant.status === 'deleted' ? <Restore /> : <DeleteTenant />)}
    </>
  );
}

function Exports() {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const list = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/exports', {
          params: { path: { tenantId }, query: cursor ? { cursor } : {} },
        }),
      ),
    [api, tenantId],
  );
  const unfinished = list.data?.items.some((item) => item.status === 'pending' || item.status === 'running');
  // Long work shows its progress: the list is read again every 2 s while an export is under way.
  useEffect(() => {
    if (!unfinished) return;
    const timer = setInterval(list.reload, 2000);
    return () => clearInterval(timer);
  }, [unfinished, list.reload]);

  const download = async (item: Export) => {
    // Each read gives a fresh link that works for a few minutes.
    const fresh = await must(
      api.GET('/v1/tenants/{tenantId}/exports/{exportId}', {
        params: { path: { tenantId, exportId: item.id } },
      }),
    );
    if (fresh.downloadUrl) window.location.assign(fresh.downloadUrl);
  };

  return (
    <section aria-labelledby="exports-heading">
      <h2 id="exports-heading">Export</h2>
      <p>
        An export is every item of the tenant as gzipped NDJSON. It is emailed to you when ready, and kept for
        a few days.
      </p>
      <ActionButton
        className="primary"
        disabled={unfinished}
        action={async () => {
          await must(api.POST('/v1/tenants/{tenantId}/exports', { params: { path: { tenantId } } }));
          list.reload();
        }}
      >
        Export all data
      </ActionButton>
      <ErrorBox error={list.error} />
      {list.loading && !list.data && <Loading />}
      <ul className="exports">
        {list.data?.items.map((item) => (
          <li key={item.id} data-status={item.status}>
            <div>
              <strong>{formatDate(item.requestedAt)}</strong> — {item.status}
              {item.itemCount !== null && `, ${item.itemCount} items`}
              {item.bytes !== null && `, ${Math.ceil(item.bytes / 1024)} KB`}
            </div>
            {(item.status === 'pending' || item.status === 'running') && (
              <progress max={3} value={EXPORT_STEPS[item.status]} aria-label={`Export ${item.status}`} />
            )}
            {item.status === 'failed' && <p className="error">{item.error}</p>}
            {item.status === 'completed' && (
              <ActionButton action={() => download(item)}>
                Download<span className="visually-hidden"> the export of {formatDate(item.requestedAt)}</span>
              </ActionButton>
            )}
          </li>
        ))}
      </ul>
      <Pager list={list} label="Exports" />
    </section>
  );
}

function DeleteTenant() {
  const { api } = useSession();
  const { tenant, tenantId, reloadTenant } = useTenant();
  const { reloadMe } = useMe();
  const { busy, error, run } = useAction();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const confirm = String(new FormData(event.currentTarget).get('confirm') ?? '');
    await run(async () => {
      await must(api.DELETE('/v1/tenants/{tenantId}', { params: { path: { tenantId } }, body: { confirm } }));
      reloadTenant();
      reloadMe();
    });
  };
  return (
    <section aria-labelledby="delete-heading" className="danger-zone">
      <h2 id="delete-heading">Delete the tenant</h2>
      <p>
        The tenant stops at once: its API keys are refused. It can be restored for a while (the date is shown
        once it is deleted), then everything is erased. Export first if you want a copy.
      </p>
      {tenant.plan !== 'free' && (
        <p data-testid="deletion-subscription">
          If you pay for the {PLANS[tenant.plan].name} plan, its subscription is cancelled at once. Restored,
          the tenant comes back with the Free plan’s limits and {PLANS[tenant.plan].name} is offered to buy
          again; until then what it has past those limits keeps working, and nothing new past them is allowed.
        </p>
      )}
      <form onSubmit={submit}>
        <Field label={`Type the tenant’s slug (${tenant.slug}) to confirm`}>
          {(id) => <input id={id} name="confirm" required autoComplete="off" />}
        </Field>
        <SubmitButton busy={busy} className="danger" busyText="Deleting…">
          Delete this tenant
        </SubmitButton>
        <ErrorBox error={error} />
      </form>
    </section>
  );
}

function Restore() {
  const { api } = useSession();
  const { tenant, tenantId, reloadTenant } = useTenant();
  const { reloadMe } = useMe();
  const navigate = useNavigate();
  return (
    <section aria-labelledby="restore-heading">
      <h2 id="restore-heading">Restore the tenant</h2>
      <p>
        Deleted {formatDate(tenant.deletedAt)}; it is erased after {formatDate(tenant.purgeAfter)}.
      </p>
      <ActionButton
        className="primary"
        action={async () => {
          await must(api.POST('/v1/tenants/{tenantId}/restore', { params: { path: { tenantId } } }));
          reloadTenant();
          reloadMe();
          navigate(`/t/${tenantId}`);
        }}
      >
        Restore this tenant
      </ActionButton>
    </section>
  );
}
