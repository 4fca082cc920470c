/** A RotatingClientKey's keys → the client's key set as the API takes it. Pure. */
import type { Jwk } from "../../api/wire";
import { withoutKey } from "../../key-lifecycle/key-set";
import type { KeyState } from "./flatten";

/** The client's keys without `key` (a key under its kid with other material is not this resource's and stays). */
export function without(keys: Jwk[], key: KeyState): Jwk[] {
  return withoutKey(keys, key.kid, key.thumbprint);
}
