/** Private key material in inputs that take no key: found in every form a key travels in, and nothing else. */
import { generateKeyPairSync } from "node:crypto";
import { privateMaterialFailures } from "../../provider/resources/shared/private-material";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const privateJwk = privateKey.export({ format: "jwk" }) as Record<string, string>;
const publicJwk = publicKey.export({ format: "jwk" }) as Record<string, string>;
const pem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("privateMaterialFailures", () => {
  it.each([
    ["a PEM private key", pem],
    ["a private JWK object", privateJwk],
    ["a private JWK as JSON text", JSON.stringify(privateJwk)],
    ["a private JWK inside other text", `the key: ${JSON.stringify(privateJwk)}`],
    ["a private JWK as escaped JSON", JSON.stringify(JSON.stringify(privateJwk))],
    ["a base64 private JWK", base64(JSON.stringify(privateJwk))],
    ["a base64url private JWK", Buffer.from(JSON.stringify(privateJwk)).toString("base64url")],
    ["a base64 PEM", base64(pem)],
    ["a private JWKS", { keys: [privateJwk] }],
    ["a private JWK in a list", ["a", privateJwk]],
  ])("refuses %s, naming the field and the fix without the value", (_what, value) => {
    const failures = privateMaterialFailures({ description: value, clientName: "fine" });
    expect(failures).toEqual([
      { property: "description", reason: expect.stringMatching(/^holds a private key .*remove it from the program/) },
    ]);
    expect(failures[0]!.reason).not.toContain(privateJwk["d"]!.slice(0, 16));
  });

  it.each([
    ["a public JWK", publicJwk],
    ["a base64 public JWK", base64(JSON.stringify(publicJwk))],
    ["a PEM public key", publicKey.export({ format: "pem", type: "spki" }) as string],
    ["ordinary text", "Reads instances from Altinn; the key rotates every 90 days"],
    ["a UUID", "0a1b2c3d-4e5f-6789-abcd-ef0123456789"],
  ])("lets %s through", (_what, value) => {
    expect(privateMaterialFailures({ description: value })).toEqual([]);
  });

  it("leaves publicKey to the key reader, which refuses private keys with a message of its own", () => {
    expect(privateMaterialFailures({ publicKey: privateJwk })).toEqual([]);
  });
});
