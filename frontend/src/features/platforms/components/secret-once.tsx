import { useId, useState } from "react";

type SecretOnceProps = {
  label: string;
  value: string;
  testId: string;
  onDismiss: () => void;
};

/** A secret the server sends only once: copyable, with a plain warning that it will not return. */
export function SecretOnce({ label, value, testId, onDismiss }: SecretOnceProps) {
  const id = useId();
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <div className="secret-once stack" role="region" aria-label={label} data-testid={`${testId}-box`}>
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input id={id} readOnly value={value} onFocus={(event) => event.target.select()} data-testid={testId} />
      </div>
      <p className="alert alert-warning" data-testid={`${testId}-warning`}>
        Copy it now: you will not see it again. Only its first characters are kept on display.
      </p>
      <div className="button-group">
        <button type="button" className="btn btn-primary" onClick={() => void copy()} data-testid={`${testId}-copy`}>
          Copy
        </button>
        <button type="button" className="btn" onClick={onDismiss} data-testid={`${testId}-dismiss`}>
          I have stored it
        </button>
        <span role="status">
          {copied === "yes" ? "Copied." : null}
          {copied === "failed" ? "Could not copy; select the text and copy it by hand." : null}
        </span>
      </div>
    </div>
  );
}
