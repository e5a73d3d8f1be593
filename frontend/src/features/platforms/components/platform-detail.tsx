import { ErrorMessage } from "@/components/ui/error-message";
import { Loading } from "@/components/ui/loading";

import { usePlatforms } from "../api/platforms";
import { ApiKeysPanel } from "./api-keys-panel";
import { PolicyGrantsPanel } from "./policy-grants-panel";
import { WebhooksPanel } from "./webhooks-panel";

/** One platform: its API keys, the policies it may use, and its webhook endpoints with their
 * delivery logs. */
export function PlatformDetail({ platformId }: { platformId: number }) {
  // There is no single-platform endpoint; the list is short and already cached by the list page.
  const platforms = usePlatforms();
  if (platforms.isPending) return <Loading label="Loading the platform…" />;
  if (platforms.isError) return <ErrorMessage error={platforms.error} title="Could not load the platform" />;
  const platform = platforms.data.results.find((candidate) => candidate.id === platformId);
  if (!platform) return <ErrorMessage error={new Error("There is no such platform.")} />;
  return (
    <div className="stack">
      <h2 data-testid="platform-title">{platform.name}</h2>
      <ApiKeysPanel platformId={platform.id} />
      <PolicyGrantsPanel platformId={platform.id} />
      <WebhooksPanel platformId={platform.id} />
    </div>
  );
}
