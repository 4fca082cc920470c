/**
 * The forms of a generated key that the program derives from the JWKs in the state (see
 * `provider/key-lifecycle/key-forms.ts`): computed where they are used instead of stored once more per
 * resource. What derives from the private key is secret, as the stored private key is.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  base64Of,
  derivedKeyForms,
  privateKeyPemOf,
  publicKeyPemOf,
  type DerivedKeyForms,
  type KeyForms,
} from "../../provider/key-lifecycle/key-forms";

export interface DerivedKeyOutputs {
  privateKeyBase64: pulumi.Output<string | undefined>;
  privateKeyPem: pulumi.Output<string | undefined>;
  publicKeyPem: pulumi.Output<string | undefined>;
}

/** A `ClientKey`'s derived outputs: undefined for a key the program gave. */
export function derivedKeyOutputs(
  privateKeyJwk: pulumi.Output<string | undefined>,
  publicKeyJwk: pulumi.Output<Record<string, unknown> | undefined>,
): DerivedKeyOutputs {
  const fromPrivate = (derive: (jwk: string) => string) =>
    pulumi.secret(privateKeyJwk.apply((jwk) => (jwk === undefined ? undefined : derive(jwk))));
  return {
    privateKeyBase64: fromPrivate(base64Of),
    privateKeyPem: fromPrivate(privateKeyPemOf),
    publicKeyPem: publicKeyJwk.apply((jwk) => (jwk === undefined ? undefined : publicKeyPemOf(jwk))),
  };
}

/** A key as a `RotatingClientKey` stores it: its JWKs, with its kid and times. */
type StoredKey = Pick<KeyForms, "privateKeyJwk"> & { publicKeyJwk: object };

/** A stored key of a `RotatingClientKey` with its derived forms. */
export function withDerivedForms<K extends StoredKey>(key: K): K & DerivedKeyForms {
  return { ...key, ...derivedKeyForms(key.privateKeyJwk, key.publicKeyJwk as Record<string, unknown>) };
}

/** `pulumi.secret` without its unwrapped type, which loses the declared shape of plain objects. */
export function secretOutput<T>(output: pulumi.Output<T>): pulumi.Output<T> {
  return pulumi.secret(output) as unknown as pulumi.Output<T>;
}
