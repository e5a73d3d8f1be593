import { useState } from "react";
import { Link } from "react-router";

import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";
import { formatCount, formatDateTime } from "@/lib/format";

import { useCreatePlatform, usePlatforms } from "../api/platforms";

/** Register a platform by name; it then gets API keys and webhook endpoints on its own page. */
function CreatePlatformForm({ onCreated }: { onCreated: (platformId: number) => void }) {
  const [name, setName] = useState("");
  const create = useCreatePlatform();
  return (
    <form
      className="stack card"
      aria-label="New platform"
      onSubmit={(event) => {
        event.preventDefault();
        const trimmed = name.trim();
        if (!trimmed) return;
        create.mutate(
          { name: trimmed },
          {
            onSuccess: (platform) => {
              setName("");
              onCreated(platform.id);
            },
          },
        );
      }}
    >
      <h2>New platform</h2>
      <div className="field">
        <label htmlFor="platform-name">Name</label>
        <input
          id="platform-name"
          value={name}
          maxLength={200}
          required
          onChange={(event) => setName(event.target.value)}
          data-testid="platform-name"
        />
      </div>
      <ErrorMessage error={create.error} title="Could not create the platform" />
      <div className="button-group">
        <button type="submit" className="btn btn-primary" disabled={create.isPending} data-testid="platform-create">
          Create platform
        </button>
      </div>
    </form>
  );
}

type PlatformListProps = {
  platformHref: (platformId: number) => string;
  onCreated: (platformId: number) => void;
};

/** The platforms that send content to Tandem (site staff only), and a form to add one. */
export function PlatformList({ platformHref, onCreated }: PlatformListProps) {
  const platforms = usePlatforms();
  return (
    <div className="stack">
      {platforms.isPending ? <Loading label="Loading the platforms…" /> : null}
      <ErrorMessage error={platforms.error} title="Could not load the platforms" />
      {platforms.data && platforms.data.results.length === 0 ? (
        <p className="hint" data-testid="platforms-empty">
          No platforms yet. Create one, then give it an API key.
        </p>
      ) : null}
      {platforms.data && platforms.data.results.length > 0 ? (
        <table className="table table-compact" data-testid="platform-list">
          <thead>
            <tr>
              <th scope="col">Platform</th>
              <th scope="col" className="numeric">
                Active keys
              </th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {platforms.data.results.map((platform) => (
              <tr key={platform.id} data-testid="platform-row">
                <th scope="row">
                  <Link to={platformHref(platform.id)} data-testid="platform-link">
                    {platform.name}
                  </Link>
                </th>
                <td className="numeric">{formatCount(platform.active_key_count)}</td>
                <td>{formatDateTime(platform.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <CreatePlatformForm onCreated={onCreated} />
    </div>
  );
}
