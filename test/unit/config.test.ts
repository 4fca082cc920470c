import { envName, readSettings, selectProfile, settingSource, unwrapSecrets } from "../../provider/config";
import { ConfigError } from "../../provider/api/errors";

const stack = (values: Record<string, unknown>) => (key: string) => values[key];

describe("provider settings", () => {
  it("reads stack config first, then MASKINPORTEN_* variables", () => {
    const source = settingSource(stack({ "maskinporten:environment": "test" }), {
      MASKINPORTEN_ENVIRONMENT: "prod",
      MASKINPORTEN_CLIENT_ID: "from-env",
      MASKINPORTEN_PRIVATE_KEY: "pem",
      MASKINPORTEN_KID: "k",
    });
    const settings = readSettings(source);
    expect(settings.endpoints.name).toBe("test");
    expect(settings.defaultProfile?.credential).toEqual({ clientId: "from-env", privateKey: "pem", kid: "k" });
  });

  it("maps names to environment variables", () => {
    expect(envName("privateKey")).toBe("MASKINPORTEN_PRIVATE_KEY");
    expect(envName("apiBaseUrl")).toBe("MASKINPORTEN_API_BASE_URL");
    expect(envName("p12Password")).toBe("MASKINPORTEN_P12_PASSWORD");
  });

  it("reads named profiles from JSON text or an object, with secret leaves unwrapped", () => {
    const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s3cret" };
    for (const profiles of [
      JSON.stringify({ owner: { clientId: "a", privateKey: secret } }),
      { owner: { clientId: "a", privateKey: secret } },
    ]) {
      const settings = readSettings(settingSource(stack({ "maskinporten:environment": "test", "maskinporten:profiles": profiles }), {}));
      expect(selectProfile(settings, "owner")).toMatchObject({
        credential: { clientId: "a", privateKey: "s3cret" },
        fieldPrefix: "maskinporten:profiles.owner.",
      });
    }
    expect(unwrapSecrets([secret])).toEqual(["s3cret"]);
  });

  it("names the key and the fix when nothing is configured", () => {
    const settings = readSettings(settingSource(stack({ "maskinporten:environment": "test" }), {}));
    expect(() => selectProfile(settings, undefined)).toThrow(/maskinporten:clientId.*pulumi config set --secret/);
    expect(() => selectProfile(settings, "owner")).toThrow(/no profile "owner" in maskinporten:profiles/);
  });

  it.each([
    [{ "maskinporten:environment": "staging" }, /maskinporten:environment/],
    [{}, /maskinporten:issuer.*not set/],
    [{ "maskinporten:issuer": "http://maskinporten.example/", "maskinporten:apiBaseUrl": "https://x/api/v1" }, /maskinporten:issuer/],
    [{ "maskinporten:environment": "test", "maskinporten:maxConcurrency": "0" }, /maskinporten:maxConcurrency/],
    [{ "maskinporten:environment": "test", "maskinporten:profiles": "{not json" }, /maskinporten:profiles/],
    [
      { "maskinporten:environment": "test", "maskinporten:profiles": { owner: { clientSecret: "x" } } },
      /maskinporten:profiles.owner.clientSecret/,
    ],
  ])("rejects %p", (values, message) => {
    expect(() => readSettings(settingSource(stack(values), {}))).toThrow(ConfigError);
    expect(() => readSettings(settingSource(stack(values), {}))).toThrow(message);
  });

  it("reads request limits", () => {
    const settings = readSettings(
      settingSource(
        stack({ "maskinporten:environment": "test", "maskinporten:maxConcurrency": "4", "maskinporten:requestTimeoutSeconds": 20 }),
        { MASKINPORTEN_REQUESTS_PER_SECOND: "10" },
      ),
    );
    expect(settings.limits).toEqual({ maxConcurrency: 4, requestsPerSecond: 10, deadlineMs: 20000 });
  });
});
