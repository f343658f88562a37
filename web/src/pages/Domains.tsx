import { ApiProblem, must, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { useTenant } from '../context';
import { useLoad } from '../ui/load';
import { ActionButton, CopyButton, DataTable, ErrorBox, formatDate, Loading } from '../ui/parts';
import { PlanGate } from '../ui/plan-gate';
import { AddDomainForm } from '../ui/add-domain-form';

type Domain = Schemas['CustomDomain'];

/** Each state in words, and the pill's colour. */
const STATES: Record<Domain['state'], { label: string; tone: string }> = {
  claimed: { label: 'Added', tone: 'invited' },
  verifying: { label: 'Verifying', tone: 'invited' },
  verified: { label: 'Verified', tone: 'invited' },
  provisioning: { label: 'Provisioning', tone: 'invited' },
  active: { label: 'Active', tone: 'active' },
  at_risk: { label: 'At risk', tone: 'suspended' },
  suspended: { label: 'Suspended', tone: 'disabled' },
  releasing: { label: 'Releasing', tone: 'disabled' },
};

/** A DNS record to add, each part with its own copy button. */
function DnsRecord({
  type,
  name,
  value,
  ok,
}: {
  type: string;
  name: string;
  value: string;
  ok: boolean | null;
}) {
  return (
    <tr>
      <th scope="row">{type}</th>
      <td className="break">
        <code>{name}</code> <CopyButton text={name} name={`Copy the ${type} record’s name`} />
      </td>
      <td className="break">
        <code>{value}</code> <CopyButton text={value} name={`Copy the ${type} record’s value`} />
      </td>
      <td>{ok === null ? 'Not checked yet' : ok ? 'Found' : 'Not found'}</td>
    </tr>
  );
}

/** One domain: its state, the records to add, what the last check found, check now, remove. */
function DomainCard({ domain, onChanged }: { domain: Domain; onChanged(): void }) {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const path = { tenantId, domain: domain.domain };
  const { findings } = domain;
  const state = STATES[domain.state];
  const headingId = `domain-${domain.domain.replace(/[^a-z0-9-]/g, '-')}`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {domain.displayName} <span className={`pill pill-${state.tone}`}>{state.label}</span>
      </h3>
      {domain.displayName !== domain.domain && (
        <p className="muted">
          In DNS: <code>{domain.domain}</code>
        </p>
      )}
      <h4>Records to add at your DNS provider</h4>
      <DataTable
        caption={`DNS records for ${domain.displayName}`}
        columns={['Type', 'Name', 'Value', 'Last check']}
      >
        <DnsRecord
          type="TXT"
          name={domain.verification.name}
          value={domain.verification.value}
          ok={findings ? findings.txt.ok : null}
        />
        {domain.routing.value && (
          <DnsRecord
            type="CNAME"
            name={domain.routing.name}
            value={domain.routing.value}
            ok={findings ? findings.cname.ok : null}
          />
        )}
      </DataTable>
      {findings ? (
        <>
          <h4>What the last check found ({formatDate(findings.checkedAt)})</h4>
          <ul>
            <li>
              TXT at <code>{findings.txt.name}</code>:{' '}
              {findings.txt.error ??
                (findings.txt.found.length
                  ? findings.txt.found.map((value) => `“${value}”`).join(', ')
                  : 'none')}
            </li>
            <li>
              CNAME at <code>{domain.domain}</code>:{' '}
              {findings.cname.error ??
                (findings.cname.found.length ? findings.cname.found.join(', ') : 'none')}
            </li>
            <li>
              CAA:{' '}
              {findings.caa.error ??
                (findings.caa.at
                  ? `at ${findings.caa.at}, ${findings.caa.issuers.join(', ') || 'no issuer named'} ${findings.caa.ok ? '(allows the certificate)' : '(does not allow the certificate)'}`
                  : 'none (any authority may issue)')}
            </li>
          </ul>
          <h4>What to do</h4>
          <ul data-testid="domain-actions">
            {findings.actions.map((action) => (
              <li key={action}>{action}</li>
            ))}
          </ul>
        </>
      ) : (
        <p>
          Add the TXT record above (and the CNAME to route the domain here), then check. DNS changes can take
          a few minutes to show.
        </p>
      )}
      <div className="row-actions">
        <ActionButton
          action={async () => {
            await must(
              api.POST('/v1/tenants/{tenantId}/domains/{domain}/check', { params: { path }, body: {} }),
            );
            onChanged();
          }}
        >
          Check now
        </ActionButton>
        <ActionButton
          className="danger"
          confirm={`Remove ${domain.displayName}? It stops naming this tenant at once.`}
          action={async () => {
            await must(api.DELETE('/v1/tenants/{tenantId}/domains/{domain}', { params: { path } }));
            onChanged();
          }}
        >
          Remove
        </ActionButton>
      </div>
    </section>
  );
}

/** The tenant's own domains: add one, see the records to add and what each check found. */
export function Domains() {
  const { api } = useSession();
  const { tenantId } = useTenant();
  const list = useLoad(
    () => must(api.GET('/v1/tenants/{tenantId}/domains', { params: { path: { tenantId } } })),
    [api, tenantId],
  );
  if (list.error instanceof ApiProblem && list.error.code === 'feature_not_in_plan') {
    return (
      <>
        <h1>Domains</h1>
        <PlanGate
          feature="customDomains"
          pitch="your tenant answers at domains of your own (app.example.com), verified by a DNS record and served over TLS."
        />
      </>
    );
  }
  return (
    <>
      <h1>Domains</h1>
      <p className="muted">
        Your tenant answers at domains of your own. A TXT record proves the domain is yours; a CNAME routes it
        here. Domains not yet active are checked every hour, active ones every day: one whose TXT record is
        gone is at risk, suspended after 3 days and released after 14.
      </p>
      <section aria-labelledby="add-domain-heading">
        <h2 id="add-domain-heading">Add a domain</h2>
        <AddDomainForm
          label="Domain"
          hint="A host you own, such as app.example.com (not a wildcard, not an address)."
          placeholder="app.example.com"
          add={(domain) =>
            must(
              api.POST('/v1/tenants/{tenantId}/domains', {
                params: { path: { tenantId } },
                body: { domain },
              }),
            )
          }
          onAdded={list.reload}
        />
      </section>
      <h2>Your domains</h2>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      {list.data && list.data.items.length === 0 && <p className="muted">No domain yet.</p>}
      {list.data?.items.map((domain) => (
        <DomainCard key={domain.domain} domain={domain} onChanged={list.reload} />
      ))}
    </>
  );
}
