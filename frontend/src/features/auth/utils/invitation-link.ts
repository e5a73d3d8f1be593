export type InvitationParams = {
  uid: string;
  token: string;
  /** The link put them in the query string (links sent before they moved to the fragment). */
  fromQuery: boolean;
};

/**
 * The uid and token of an invitation link.
 *
 * Links carry them in the fragment (`/accept-invite#uid=…&token=…`): browsers never send a
 * fragment to the server, so the token stays out of access logs and `Referer` headers. Links
 * sent before that carried them in the query string; those still work (they are valid for 7
 * days and the token was already sent once), and the page moves them to the fragment.
 */
export function readInvitation(hash: string, search: string): InvitationParams {
  const fragment = new URLSearchParams(hash.startsWith("#") ? hash.slice(1) : hash);
  const uid = fragment.get("uid") ?? "";
  const token = fragment.get("token") ?? "";
  if (uid && token) return { uid, token, fromQuery: false };
  const query = new URLSearchParams(search);
  const legacyUid = query.get("uid") ?? "";
  const legacyToken = query.get("token") ?? "";
  if (legacyUid && legacyToken) return { uid: legacyUid, token: legacyToken, fromQuery: true };
  return { uid, token, fromQuery: false };
}

/** The fragment of an invitation link, without the leading `#`. */
export function invitationFragment(uid: string, token: string): string {
  return new URLSearchParams({ uid, token }).toString();
}
