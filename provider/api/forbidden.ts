/**
 * What a 403 of the self-service API means. The API uses 403 for two unrelated things: the admin token lacks an
 * admin scope (`idporten:*`), or the object (a client, a scope, a prefix) belongs to another organisation. The
 * server's words decide which, read narrowly: a text about a scope that belongs to someone else is not a missing
 * admin scope, and an organisation number only names the owner where the text says it owns (the caller's own
 * number, "not to yours (312000008)", is never taken for the owner's).
 */
export interface ForbiddenContext {
  /** What was addressed, e.g. `client "abc"`. */
  what: string;
  /** The admin scope the operation needs, e.g. "idporten:dcr.write". */
  requiredScope?: string;
  /** The server's error texts joined, to read the cause from. */
  searchable: string;
  /** " Digdir said: …." or "". */
  said: string;
  /** Where to ask Digdir for admin scopes and prefixes. */
  servicedesk: string;
}

const ORGNO = String.raw`(\d{9})`;
/** "belongs to organisation 311000004", "owned by 311000004", "owner_orgno: 311000004". */
const OWNER = new RegExp(
  String.raw`(?:belongs to|owned by|owner(?:_orgno)?(?:\s+is)?:?)\s+(?:the\s+)?(?:organi[sz]ation\s+)?${ORGNO}`,
  "i",
);
/** The caller's own number, as in "not to yours (312000008)" or "your organisation (312000008)". */
const CALLER = new RegExp(String.raw`your(?:s|\s+organi[sz]ation)?\s*\(?\s*(?:orgno\s+)?${ORGNO}`, "i");
const ADMIN_SCOPE = /idporten:[a-z][a-z0-9._-]*/i;
const SCOPE_MISSING =
  /insufficient[_ ]scope|missing (?:required )?scope|lacks? (?:the )?(?:required )?scope|scope (?:is )?(?:missing|required)/i;
const PREFIX_NOT_OURS = /prefix\b[^.;]*\b(?:not assigned|not (?:yours|your|owned)|does not belong|belongs to)/i;

export function explainForbidden(context: ForbiddenContext): string {
  const { what, requiredScope, searchable, said, servicedesk } = context;
  const askForScope = `ask Digdir (${servicedesk}) to add it to your self-service client, and list it in maskinporten:adminScopes (or the profile's adminScopes) so the provider asks for it`;
  const owner = ownerOf(searchable);

  const adminScope = ADMIN_SCOPE.exec(searchable)?.[0] ?? (SCOPE_MISSING.test(searchable) ? requiredScope : undefined);
  if (adminScope && owner === undefined) return `the admin client lacks scope ${adminScope}: ${askForScope}.${said}`;
  if (PREFIX_NOT_OURS.test(searchable)) {
    const whose =
      owner === undefined
        ? "is not assigned to the admin client's organisation"
        : `belongs to organisation ${owner}, not to the admin client's organisation`;
    return (
      `the scope's prefix ${whose}. Use a prefix Digdir assigned to your organisation (GET /prefix lists them), ask Digdir ` +
      `(${servicedesk}) for one, or act with the admin client (profile) of the organisation that owns it.${said}`
    );
  }
  if (owner !== undefined) {
    const supplier = /^client\b/.test(what) ? ", or, as its supplier, with a client that has idporten:dcr.supplier" : "";
    return `${what} belongs to organisation ${owner}, not to the admin client's organisation. Manage it with that organisation's admin client (a profile with its credential)${supplier}.${said}`;
  }
  if (requiredScope) {
    return `the admin client lacks scope ${requiredScope}, or ${what} belongs to another organisation. If it is the scope: ${askForScope}.${said}`;
  }
  return (
    `the admin client's token lacks the admin scope this operation needs, or ${what} belongs to another ` +
    `organisation. Check the scopes of your self-service client with Digdir (${servicedesk}).${said}`
  );
}

/** The organisation the text says owns the object, unless that is the caller's own number. */
function ownerOf(text: string): string | undefined {
  const owner = OWNER.exec(text)?.[1];
  const caller = CALLER.exec(text)?.[1];
  return owner !== undefined && owner !== caller ? owner : undefined;
}
