import { errorMessage } from "@/lib/api-client";

type ErrorMessageProps = {
  error: unknown;
  /** Said before the server's message, e.g. "Could not load the items". */
  title?: string;
};

/** Shows the API's `message` for a failure; renders nothing when there is no error. */
export function ErrorMessage({ error, title }: ErrorMessageProps) {
  if (error === null || error === undefined) return null;
  return (
    <div role="alert" className="alert alert-error" data-testid="error-message">
      {title ? <strong>{title}: </strong> : null}
      {/* The server's message may quote what was sent: its direction stays inside. */}
      <bdi>{errorMessage(error)}</bdi>
    </div>
  );
}
