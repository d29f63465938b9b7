/**
 * Adds a variable, or replaces one picked in the list. The name is checked here
 * as the relay checks it, so a bad one never leaves the page; the value is a
 * password field and is dropped from state as soon as the relay has it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { EyeIcon } from '../ui/icons.js';
import { envNameProblem, envValueProblem } from './envVars.js';

export function EnvForm(props: {
  existing: string[];
  /** The listed variable whose value is being replaced, or null to add one. */
  replacing: string | null;
  onCancelReplace: () => void;
  /** Resolves with the relay's reason when it refused, null once saved. */
  onSave: (name: string, value: string) => Promise<string | null>;
}) {
  const { replacing } = props;
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [shown, setShown] = useState(false);
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [refused, setRefused] = useState('');
  const nameInput = useRef<HTMLInputElement>(null);
  const valueInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setName(replacing ?? '');
    setValue('');
    setTried(false);
    setRefused('');
    (replacing ? valueInput : nameInput).current?.focus();
  }, [replacing]);

  const finalName = replacing ?? name.trim();
  const nameProblem = tried || name !== '' ? envNameProblem(finalName) : null;
  const valueProblem = envValueProblem(value);
  const replacesExisting = !replacing && !nameProblem && props.existing.includes(finalName);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (saving) return;
    setTried(true);
    setRefused('');
    if (envNameProblem(finalName)) return nameInput.current?.focus();
    if (valueProblem) return valueInput.current?.focus();
    setSaving(true);
    const reason = await props.onSave(finalName, value);
    setSaving(false);
    if (reason) {
      setRefused(reason);
      return;
    }
    setName('');
    setValue('');
    setShown(false);
    setTried(false);
    nameInput.current?.focus();
  };

  const valueAttrs = {
    ref: valueInput,
    name: 'env-value',
    value,
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: false,
    'aria-invalid': valueProblem ? true : undefined,
    'aria-describedby': valueProblem ? 'env-value-note' : undefined,
    onInput: (e: Event) => setValue((e.currentTarget as HTMLInputElement).value),
  } as const;

  return (
    <form class="env-form" onSubmit={submit} noValidate data-testid="env-form">
      <div class="env-form-head">
        <strong>{replacing ? `Replace the value of ${replacing}` : 'Add a variable'}</strong>
        {replacing && (
          <button type="button" class="button small" onClick={props.onCancelReplace}>
            Cancel
          </button>
        )}
      </div>
      <div class="env-fields">
        <label class="field env-name-field">
          <span>Name</span>
          <input
            ref={nameInput}
            type="text"
            name="env-name"
            value={replacing ?? name}
            readOnly={replacing !== null}
            placeholder="API_KEY"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            maxLength={256}
            aria-invalid={nameProblem ? true : undefined}
            aria-describedby="env-name-note"
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label class="field env-value-field">
          <span>Value</span>
          <span class="env-secret">
            {/* Two branches, not one type={…}: Preact types a password input apart. Same node either way. */}
            {shown ? <input type="text" {...valueAttrs} /> : <input type="password" {...valueAttrs} />}
            <button
              type="button"
              class="icon-button"
              aria-label={shown ? 'Hide the value' : 'Show the value'}
              title={shown ? 'Hide the value' : 'Show the value'}
              aria-pressed={shown}
              onClick={() => setShown(!shown)}
            >
              <EyeIcon size={15} />
            </button>
          </span>
        </label>
      </div>
      <p
        id="env-name-note"
        class={nameProblem ? 'error env-note' : 'muted env-note'}
        data-testid="env-name-note"
      >
        {nameProblem ?? nameHint(replacing, replacesExisting ? finalName : null)}
      </p>
      {valueProblem && (
        <p id="env-value-note" class="error env-note">
          {valueProblem}
        </p>
      )}
      {refused && (
        <p class="error env-note" role="alert" data-testid="env-refused">
          {refused}
        </p>
      )}
      <div class="env-actions">
        <button type="submit" class="button small primary" disabled={saving} data-testid="env-save">
          {saving ? 'Saving…' : replacing ? 'Replace' : 'Add'}
        </button>
      </div>
    </form>
  );
}

function nameHint(replacing: string | null, existing: string | null): string {
  if (replacing) return 'Type the new value: the old one is never shown.';
  if (existing) return `${existing} exists: saving replaces its value.`;
  return 'Letters, digits and _, not starting with a digit.';
}
