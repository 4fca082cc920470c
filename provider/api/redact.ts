/**
 * Scrubs credentials from text before it goes into an error message or a log line.
 *
 * Servers sometimes echo their input (a JWT grant, a JWK with private members, a form body) in error
 * descriptions, so every piece of server-provided text passes through here. Over-redacting is fine;
 * leaking is not.
 */

export const REDACTED = "[REDACTED]";

/** Members of a JWK that are secret (RSA/EC private parts, symmetric `k`). */
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth", "r", "t"];
/** JSON members and form fields whose value is a credential whatever its shape. */
const SECRET_FIELDS = [
  "access_token",
  "refresh_token",
  "id_token",
  "assertion",
  "client_assertion",
  "client_secret",
  "password",
  "passphrase",
  "private_key",
  "privateKey",
  "subject_token",
];

function patterns(): [RegExp, string][] {
  const fields = SECRET_FIELDS.join("|");
  const members = [...PRIVATE_JWK_MEMBERS, ...SECRET_FIELDS].join("|");
  return [
    // PEM blocks, also when JSON-escaped (\n) or cut off before the END line.
    [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, "[REDACTED PEM]"],
    // Compact JWS/JWE: the header is base64url JSON, so it starts with "eyJ"; 3 or 5 segments.
    [/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?/g, "[REDACTED JWT]"],
    // Any other three long base64url segments joined by dots (a JWT whose header is not "eyJ...").
    [/[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, "[REDACTED JWT]"],
    [/\b(Bearer|DPoP)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
    // JSON members: "d":"...", also escaped inside another JSON string (\"d\":\"...\") and 'd': '...'.
    [new RegExp(`("(?:${members})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, "g"), `$1"${REDACTED}"`],
    [new RegExp(`(\\\\"(?:${members})\\\\"\\s*:\\s*)\\\\"(?:(?!\\\\").)*\\\\"`, "g"), `$1\\"${REDACTED}\\"`],
    [new RegExp(`('(?:${members})'\\s*:\\s*)'(?:[^'\\\\]|\\\\.)*'`, "g"), `$1'${REDACTED}'`],
    // Form or query values: assertion=..., client_assertion=..., password=...
    [new RegExp(`((?:^|[?&\\s"'(,;])(?:${fields})=)(?!\\[REDACTED)[^&\\s"')<>,;]+`, "gi"), `$1${REDACTED}`],
    // Long base64 runs: keys exported as base64 (e.g. a JWK or PKCS#12 file), certificates, opaque tokens.
    [/[A-Za-z0-9+/_-]{120,}={0,2}/g, REDACTED],
  ];
}

let memo: [RegExp, string][] | undefined;

/**
 * Returns `text` with JWTs, bearer tokens, PEM blocks, private JWK members, secret JSON members and form
 * values (`assertion=`, `client_assertion=`, `password=`, ...) and long base64 runs replaced. `secrets` are
 * exact values known to be secret (e.g. the token the request carried) and are removed wherever they occur.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of (memo ??= patterns())) {
    pattern.lastIndex = 0;
    out = out.replace(pattern, replacement);
  }
  return out;
}

/** `redact` for a value of unknown type: strings as they are, everything else as JSON. Clipped to `max`. */
export function redactValue(value: unknown, max = 500, secrets: readonly string[] = []): string {
  let text: string;
  if (typeof value === "string") text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  // Redact before clipping, so a secret cut in half by the clip is still recognised.
  const clean = redact(text, secrets);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
