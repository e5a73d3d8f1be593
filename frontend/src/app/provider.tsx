import { type QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";

import { meQueryKey } from "@/features/auth/api/get-me";
import { createQueryClient } from "@/lib/query-client";

function makeClient(): QueryClient {
  const client: QueryClient = createQueryClient({
    // A 403 can mean the session ended (it expired, or the user logged out in another tab).
    // Re-checking who is signed in sends them to the login page if so; a mere role refusal
    // leaves the session as it is.
    onUnauthorized: () => void client.invalidateQueries({ queryKey: meQueryKey }),
  });
  return client;
}

export function AppProvider({ children, queryClient }: { children: ReactNode; queryClient?: QueryClient }) {
  const [client] = useState(() => queryClient ?? makeClient());
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
