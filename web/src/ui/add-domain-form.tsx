import type { FormEvent } from 'react';
import { useAction } from './load';
import { ErrorBox, Field, SubmitButton } from './parts';

/** A one-field form that adds a domain (a custom domain, an SSO email domain), then says so or why not. */
export function AddDomainForm({
  label,
  hint,
  placeholder,
  add,
  onAdded,
}: {
  label: string;
  hint?: string;
  placeholder: string;
  add(domain: string): Promise<unknown>;
  onAdded(): void;
}) {
  const { busy, error, run } = useAction();
  return (
    <>
      <form
        className="inline-form"
        onSubmit={(event: FormEvent<HTMLFormElement>) => {
          event.preventDefault();
          const form = event.currentTarget;
          const domain = String(new FormData(form).get('domain') ?? '').trim();
          void run(async () => {
            await add(domain);
            form.reset();
            onAdded();
          });
        }}
      >
        <Field label={label} hint={hint}>
          {(id, hintId) => (
            <input
              id={id}
              name="domain"
              required
              maxLength={253}
              placeholder={placeholder}
              aria-describedby={hintId}
            />
          )}
        </Field>
        <SubmitButton busy={busy}>Add domain</SubmitButton>
      </form>
      <ErrorBox error={error} />
    </>
  );
}
