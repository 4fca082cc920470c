/**
 * Maskinporten's time, from the `Date` header: the simulator sends its own (moved) clock, the transport
 * keeps one offset per server, grants are made on it (a machine or test whose clock differs by days still
 * gets tokens), and `maskinportenTime` asks only when what it knows is old.
 */
import { HttpTransport } from "../../provider/api/http";
import { maskinportenTime, ServerClock } from "../../provider/api/server-time";
import { TokenSource, metadataSource } from "../../provider/api/token";
import { loadCredential } from "../../provider/api/credentials";
import type { SimulatorOrg } from "../../simulator";
import { adminCredential, connectAs, FAST_RETRIES } from "../helpers/api";
import { useSimulator } from "../simulator/helpers";

const DAY_MS = 24 * 60 * 60 * 1000;
const sim = useSimulator();
const consumer = (): SimulatorOrg => sim().orgs[1]!;

afterEach(async () => {
  await sim().control.setClockOffset(0);
});

describe("ServerClock", () => {
  let local = 1_000_000;
  const clock = () => new ServerClock(() => local);

  it("is the local clock until a server told its time, and then that server's, per origin", () => {
    const c = clock();
    expect(c.now("https://a.example")).toBe(local);
    c.observe("https://a.example", { date: new Date(local + 3_600_000).toUTCString() });
    expect(c.now("https://a.example")).toBe(local + 3_600_000);
    expect(c.now("https://b.example")).toBe(local);
    expect(c.now()).toBe(local);
    local += 5_000;
    expect(c.now("https://a.example")).toBe(local + 3_600_000);
    expect(c.ageOf("https://a.example")).toBe(5_000);
    expect(c.ageOf("https://b.example")).toBeUndefined();
  });

  it("ignores a cached response (Age) and a Date that does not parse", () => {
    const c = clock();
    c.observe("https://a.example", { date: new Date(local - DAY_MS).toUTCString(), age: "86400" });
    c.observe("https://a.example", { date: "yesterday-ish" });
    expect(c.now("https://a.example")).toBe(local);
    expect(c.ageOf("https://a.example")).toBeUndefined();
  });
});

describe("against the simulator", () => {
  it("the simulator's Date is its clock: the wall clock at offset 0, moved with setClockOffset", async () => {
    const transport = new HttpTransport(FAST_RETRIES);
    try {
      await maskinportenTime(transport, sim().issuer);
      expect(Math.abs(transport.serverTime(sim().issuer) - Date.now())).toBeLessThan(2_000);
      await sim().control.setClockOffset(30 * 24 * 3600);
      expect(Math.abs((await maskinportenTime(transport, sim().issuer, 0)) - (Date.now() + 30 * DAY_MS))).toBeLessThan(2_000);
    } finally {
      await transport.close();
    }
  });

  it("maskinportenTime asks once while what it knows is recent", async () => {
    const transport = new HttpTransport(FAST_RETRIES);
    try {
      await sim().control.resetRequests();
      await maskinportenTime(transport, sim().issuer);
      await maskinportenTime(transport, sim().issuer);
      expect((await sim().control.counters()).total).toBe(1);
    } finally {
      await transport.close();
    }
  });

  it("falls back to the local clock when Maskinporten cannot be reached", async () => {
    const transport = new HttpTransport({ ...FAST_RETRIES, maxAttempts: 1, deadlineMs: 1_000 });
    try {
      const at = await maskinportenTime(transport, "http://127.0.0.1:1/");
      expect(Math.abs(at - Date.now())).toBeLessThan(1_000);
    } finally {
      await transport.close();
    }
  });

  it("the API client gets its token with the simulator's clock a year ahead", async () => {
    await sim().control.setClockOffset(365 * 24 * 3600 - 3600);
    const connection = connectAs(sim(), consumer());
    try {
      await expect(connection.api.listClients()).resolves.toEqual(expect.any(Array));
    } finally {
      await connection.close();
    }
  });

  it("a grant refused because the server's clock moved since it last spoke is made again, once, on its new time", async () => {
    const transport = new HttpTransport(FAST_RETRIES);
    try {
      const metadata = metadataSource(transport, sim().issuer);
      const credential = await loadCredential(adminCredential(consumer()));
      const source = () =>
        new TokenSource({ transport, metadata, credential: () => Promise.resolve(credential), scopes: ["idporten:dcr.read"] });
      await source().token();
      await sim().control.advanceClock(2 * 24 * 3600);
      await sim().control.resetRequests();
      await expect(source().token()).resolves.toMatchObject({ scope: "idporten:dcr.read" });
      expect((await sim().control.counters()).byRoute["POST /token"]).toBe(2);
    } finally {
      await transport.close();
    }
  });
});
