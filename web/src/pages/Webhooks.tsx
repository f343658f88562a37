import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiProblem, must, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { useAction, useCursorPages, useLoad } from '../ui/load';
import {
  ActionButton,
  DataTable,
  EditSection,
  ErrorBox,
  Field,
  formatDate,
  formatNumber,
  Loading,
  numberColumns,
  Pager,
  SecretOnce,
  SubmitButton,
} from '../ui/parts';
import {
  EVENT_TYPE_DESCRIPTIONS,
  EVENT_TYPE_NAMES,
  type EventTypeName,
} from '../../../shared/model/event-types';
import { PlanGate } from '../ui/plan-gate';

type Endpoint = Schemas['WebhookEndpoint'];
type Delivery = Schemas['WebhookDelivery'];

/** The events an endpoint asked for, in words. */
function eventsInWords(events: readonly string[]): string {
  return events.includes('*') ? 'All events' : events.join(', ');
}

/** The events an endpoint receives, as checkboxes: all of them, or the types chosen. */
function EventChoice({ chosen }: { chosen?: readonly string[] }) {
  const [all, setAll] = useState(chosen ? chosen.includes('*') : false);
  return (
    <fieldset>
      <legend>Events</legend>
      <label>
        <input type="checkbox" name="all" checked={all} onChange={(event) => setAll(event.target.checked)} />{' '}
        All events, including those added later
      </label>
      {!all && (
        <div className="event-choices">
          {EVENT_TYPE_NAMES.map((type) => (
            <label key={type}>
              <input type="checkbox" name="events" value={type} defaultChecked={chosen?.includes(type)} />{' '}
              <code>{type}</code>
              <span className="muted"> — {EVENT_TYPE_DESCRIPTIONS[type]}</span>
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}

/** The endpoint's fields from a form: the URL, the description and the events. */
function endpointFields(form: HTMLFormElement): { url: string; description: string; events: string[] } {
  const data = new FormData(form);
  const events = data.get('all') ? ['*'] : data.getAll('events').map(String);
  if (events.length === 0) throw new Error('Choose at least one event, or all of them.');
  return {
    url: String(data.get('url') ?? '').trim(),
    description: String(data.get('description') ?? '').trim(),
    events,
  };
}

function EndpointForm({
  endpoint,
  busy,
  submitLabel,
  onSubmit,
}: {
  endpoint?: Endpoint;
  busy: boolean;
  submitLabel: string;
  onSubmit(form: HTMLFormElement): void;
}) {
  return (
    <form
      className="inline-form"
      onSubmit={(event: FormEvent<HTMLFormElement>) => {
        event.preventDefault();
        onSubmit(event.currentTarget);
      }}
    >
      <Field label="URL" hint="An https address on the internet that answers a POST with a 2xx within 10 s.">
        {(id, hint) => (
          <input
            id={id}
            name="url"
            type="url"
            required
            maxLength={2048}
            placeholder="https://hooks.example.com/tenantry"
            aria-describedby={hint}
            defaultValue={endpoint?.url ?? ''}
          />
        )}
      </Field>
      <Field label="Description (optional)">
        {(id) => (
          <input id={id} name="description" maxLength={200} defaultValue={endpoint?.description ?? ''} />
        )}
      </Field>
      <EventChoice chosen={endpoint?.events} />
      <SubmitButton busy={busy}>{submitLabel}</SubmitButton>
    </form>
  );
}

/** The tenant's webhook endpoints: add one (its signing secret shown once), open one. */
export function Webhooks() {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const { busy, error, run } = useAction();
  const [created, setCreated] = useState<Schemas['CreatedWebhookEndpoint']>();
  const list = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/webhooks', { params: { path: { tenantId } } })),
    [api, tenantId],
  );
  if (list.error instanceof ApiProblem && list.error.code === 'feature_not_in_plan') {
    return (
      <>
        <h1>Webhooks</h1>
        <PlanGate
          feature="webhooks"
          pitch="your endpoints receive your tenant’s events (quotas nearly used, a payment failed, an export ready…) as signed HTTPS requests."
        />
      </>
    );
  }
  return (
    <>
      <h1>Webhooks</h1>
      <p className="muted">
        Your endpoints receive the tenant’s events as HTTPS POSTs signed with the endpoint’s secret (the
        Standard Webhooks scheme). An attempt without a 2xx answer is retried five times over about 45
        minutes; an endpoint that fails 15 times in a row is disabled and the owners are emailed.
      </p>
      {created ? (
        <SecretOnce
          heading={<>The signing secret of {created.url}</>}
          secret={created.secret}
          testId="webhook-secret"
          copyLabel="Copy the secret"
          onStored={() => setCreated(undefined)}
        >
          Your endpoint checks each request’s signature with it.
        </SecretOnce>
      ) : (
        <section aria-labelledby="add-endpoint-heading">
          <h2 id="add-endpoint-heading">Add an endpoint</h2>
          <EndpointForm
            busy={busy}
            submitLabel="Add endpoint"
            onSubmit={(form) =>
              void run(async () => {
                const { url, description, events } = endpointFields(form);
                const endpoint = await must(
                  api.POST('/v1/tenants/{tenantId}/webhooks', {
                    params: { path: { tenantId } },
                    body: { url, events: events as never, ...(description ? { description } : {}) },
                  }),
                );
                setCreated(endpoint);
                list.reload();
              })
            }
          />
          <ErrorBox error={error} />
        </section>
      )}
      <h2>Endpoints</h2>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      {list.data && list.data.items.length === 0 && <p className="muted">No endpoint yet.</p>}
      {list.data && list.data.items.length > 0 && (
        <DataTable
          caption="Webhook endpoints"
          columns={['URL', 'Events', 'Status', ...numberColumns('Failures in a row')]}
        >
          {list.data.items.map((endpoint) => (
            <tr key={endpoint.id}>
              <th scope="row" className="break">
                <Link to={`/t/${tenantId}/webhooks/${endpoint.id}`}>{endpoint.url}</Link>
                {endpoint.description && <div className="muted">{endpoint.description}</div>}
              </th>
              <td>{eventsInWords(endpoint.events)}</td>
              <td>
                <span className={`pill pill-${endpoint.status}`}>
                  {endpoint.status === 'active' ? 'Active' : 'Disabled'}
                </span>
              </td>
              <td className="number">{formatNumber(endpoint.consecutiveFailures)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

/** How an attempt went, in words. */
function outcome(delivery: Delivery): string {
  if (delivery.ok) return `Delivered (${delivery.statusCode ?? 'no status'})`;
  if (delivery.statusCode !== null) return `Failed: answered ${delivery.statusCode}`;
  return `Failed: ${delivery.error ?? 'no answer'}`;
}

const TRIGGER_WORDS: Record<Delivery['trigger'], string> = {
  event: '',
  test: 'test',
  retry: 'sent again',
};

/** An endpoint: its fields (edit, enable, disable, delete), a test event, its delivery log. */
export function WebhookPage() {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const { endpointId = '' } = useParams();
  const navigate = useNavigate();
  const path = { tenantId, endpointId };
  const endpoint = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/webhooks/{endpointId}', { params: { path } })),
    [api, tenantId, endpointId],
  );
  const [editing, setEditing] = useState(false);
  const edit = useAction();
  const test = useAction();
  const [sent, setSent] = useState<string>();
  const log = useCursorPages(
    (cursor) =>
      must(
        api.GET('/v1/tenants/{tenantId}/webhooks/{endpointId}/deliveries', {
          params: { path, query: cursor ? { cursor } : {} },
        }),
      ),
    [api, tenantId, endpointId],
  );
  // A test or a retry is queued: its attempt reaches the log a moment later (many seconds on a busy
  // system, or against an endpoint slow to answer), so the log is read again, less often as it waits.
  const timers = useRef<number[]>([]);
  useEffect(() => () => timers.current.forEach((timer) => window.clearTimeout(timer)), []);
  const readLogSoon = () => {
    for (const ms of [700, 2_000, 5_000, 10_000, 20_000, 30_000]) {
      timers.current.push(window.setTimeout(() => log.reload(), ms));
    }
  };
  if (endpoint.error) return <ErrorBox error={endpoint.error} />;
  if (!endpoint.data) return <Loading />;
  const current = endpoint.data;
  const active = current.status === 'active';
  const setEnabled = async (enabled: boolean) => {
    await must(
      api.PATCH('/v1/tenants/{tenantId}/webhooks/{endpointId}', { params: { path }, body: { enabled } }),
    );
    endpoint.reload();
  };
  const firstAsked = current.events.find((type): type is EventTypeName => type !== '*');
  return (
    <>
      <p>
        <Link to={`/t/${tenantId}/webhooks`}>All endpoints</Link>
      </p>
      <h1 className="break">{current.url}</h1>
      {!active && (
        <div className="banner banner-suspended" role="status">
          <strong>Disabled.</strong> {current.disabledReason ?? ''} No events are sent to it until it is
          enabled again.
        </div>
      )}
      {editing ? (
        <EditSection title="Edit the endpoint" error={edit.error} onCancel={() => setEditing(false)}>
          <EndpointForm
            endpoint={current}
            busy={edit.busy}
            submitLabel="Save"
            onSubmit={(form) =>
              void edit.run(async () => {
                const { url, description, events } = endpointFields(form);
                await must(
                  api.PATCH('/v1/tenants/{tenantId}/webhooks/{endpointId}', {
                    params: { path },
                    body: { url, events: events as never, description },
                  }),
                );
                setEditing(false);
                endpoint.reload();
              })
            }
          />
        </EditSection>
      ) : (
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <span className={`pill pill-${current.status}`}>{active ? 'Active' : 'Disabled'}</span>
          </dd>
          <dt>Events</dt>
          <dd>{eventsInWords(current.events)}</dd>
          <dt>Description</dt>
          <dd>{current.description ?? '—'}</dd>
          <dt>Failures in a row</dt>
          <dd>{formatNumber(current.consecutiveFailures)}</dd>
          <dt>Added</dt>
          <dd>{formatDate(current.createdAt)}</dd>
        </dl>
      )}
      {!editing && (
        <p className="actions">
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>{' '}
          {active ? (
            <ActionButton
              confirm="Stop sending events to this endpoint until it is enabled again?"
              action={() => setEnabled(false)}
            >
              Disable
            </ActionButton>
          ) : (
            <ActionButton className="primary" action={() => setEnabled(true)}>
              Enable again
            </ActionButton>
          )}{' '}
          <ActionButton
            className="danger"
            confirm="Remove this endpoint? Attempts already queued stop; its secret cannot be recovered."
            action={async () => {
              await must(api.DELETE('/v1/tenants/{tenantId}/webhooks/{endpointId}', { params: { path } }));
              navigate(`/t/${tenantId}/webhooks`);
            }}
          >
            Remove endpoint
          </ActionButton>
        </p>
      )}

      <section aria-labelledby="test-heading">
        <h2 id="test-heading">Send a test event</h2>
        <form
          className="inline-form"
          onSubmit={(event: FormEvent<HTMLFormElement>) => {
            event.preventDefault();
            const type = String(new FormData(event.currentTarget).get('type')) as EventTypeName;
            void test.run(async () => {
              const queued = await must(
                api.POST('/v1/tenants/{tenantId}/webhooks/{endpointId}/test', {
                  params: { path },
                  body: { type },
                }),
              );
              setSent(
                `A test “${queued.type}” event (${queued.eventId}) is on its way; its attempt appears below.`,
              );
              readLogSoon();
            });
          }}
        >
          <Field label="Event type" hint="An example of the event, marked as a test in its body; sent once.">
            {(id, hint) => (
              <select
                id={id}
                name="type"
                defaultValue={firstAsked ?? EVENT_TYPE_NAMES[0]}
                aria-describedby={hint}
              >
                {EVENT_TYPE_NAMES.map((type) => (
                  <option key={type} value={type}>
                    {type}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <SubmitButton busy={test.busy} busyText="Sending…" className="">
            Send test event
          </SubmitButton>
          <ErrorBox error={test.error} />
        </form>
        {sent && (
          <p className="notice" role="status">
            {sent}
          </p>
        )}
      </section>

      <section aria-labelledby="log-heading">
        <h2 id="log-heading">Delivery log</h2>
        <p className="muted">
          Every attempt of the last 30 days, newest first.{' '}
          <button type="button" onClick={() => log.reload()}>
            Refresh
          </button>
        </p>
        <ErrorBox error={log.error} />
        {log.loading && <Loading />}
        {log.data && log.data.items.length === 0 && <p className="muted">No attempt yet.</p>}
        {log.data && log.data.items.length > 0 && (
          <DataTable
            caption="Delivery attempts"
            columns={[
              'When',
              'Event',
              ...numberColumns('Attempt'),
              'Result',
              ...numberColumns('Took'),
              'Answer',
              { label: 'Actions', hidden: true },
            ]}
          >
            {log.data.items.map((delivery) => (
              <tr key={delivery.id} data-delivery={delivery.id}>
                <td>{formatDate(delivery.at)}</td>
                <td>
                  <code>{delivery.eventType}</code>
                  {TRIGGER_WORDS[delivery.trigger] && (
                    <span className="pill tag">{TRIGGER_WORDS[delivery.trigger]}</span>
                  )}
                  <div className="muted small">{delivery.eventId}</div>
                </td>
                <td className="number">{delivery.attempt}</td>
                <td>
                  <span className={`pill ${delivery.ok ? 'pill-active' : 'pill-disabled'}`}>
                    {outcome(delivery)}
                  </span>
                  {delivery.nextAttemptAt && (
                    <div className="muted">Next attempt {formatDate(delivery.nextAttemptAt)}</div>
                  )}
                </td>
                <td className="number">{formatNumber(delivery.durationMs)} ms</td>
                <td>
                  {delivery.response ? (
                    <code className="json clip">{delivery.response}</code>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  {delivery.retryable && active && (
                    <ActionButton
                      action={async () => {
                        await must(
                          api.POST(
                            '/v1/tenants/{tenantId}/webhooks/{endpointId}/deliveries/{deliveryId}/retry',
                            { params: { path: { ...path, deliveryId: delivery.id } } },
                          ),
                        );
                        readLogSoon();
                      }}
                    >
                      Send again
                    </ActionButton>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        <Pager list={log} label="Delivery attempts" />
      </section>
    </>
  );
}
