/**
 * A grant's address at the API (scope and consumer, all its requests need) and the resource id that
 * encodes it. Pure.
 *
 * The id is `<scope>/<consumer orgno>`. Scope names may hold "/" themselves, so the orgno is the nine digits
 * after the last "/".
 */
export interface GrantAddress {
  scope: string;
  consumerOrgno: string;
}

export function grantId(address: GrantAddress): string {
  return `${address.scope}/${address.consumerOrgno}`;
}

export function parseGrantId(id: string): GrantAddress | undefined {
  const match = /^(.+)\/(\d{9})$/.exec(id);
  if (!match) return undefined;
  return { scope: match[1]!, consumerOrgno: match[2]! };
}
