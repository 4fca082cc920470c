/**
 * The provider's engine watch: which processes have an engine to watch, how a gone engine is recognised, and
 * that the HTTP transport sends no write once it is gone (reads still go). The real `kill -9` of the engine is
 * in test/e2e/engine-gone.test.ts.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { HttpTransport } from "../../provider/api/http";
import { engineAddressOf, engineReachable, EngineGoneError, watchEngine } from "../../provider/engine-liveness";

/** A TCP listener where the engine's gRPC server would be; `close()` is the engine dying. */
async function listener(): Promise<{ address: string; close: () => Promise<void> }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { address: `127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("which process has an engine to watch", () => {
  it("the dynamic provider host started by the engine, with or without logging flags before the address", () => {
    const script = "/home/u/app/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js";
    expect(engineAddressOf(["/usr/bin/node", script, "127.0.0.1:40123"])).toBe("127.0.0.1:40123");
    expect(engineAddressOf(["/usr/bin/node", script, "--logtostderr", "-v=9", "127.0.0.1:40123"])).toBe("127.0.0.1:40123");
    expect(engineAddressOf(["node", "C:\\app\\node_modules\\@pulumi\\pulumi\\cmd\\dynamic-provider", "[::1]:5000"])).toBe("[::1]:5000");
  });

  it("nothing else: tests, scripts, the maskinporten command, a program", () => {
    expect(engineAddressOf(["node", "/repo/node_modules/jest/bin/jest.js", "127.0.0.1:4000"])).toBeUndefined();
    expect(engineAddressOf(["node", "/repo/bin/maskinporten.js", "simulator"])).toBeUndefined();
    expect(engineAddressOf(["node", "/app/node_modules/@pulumi/pulumi/cmd/run", "--monitor", "127.0.0.1:1"])).toBeUndefined();
    expect(engineAddressOf(["node", "/app/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"])).toBeUndefined();
  });
});

describe("a gone engine", () => {
  it("is reachable while it listens and not once it is closed", async () => {
    const engine = await listener();
    expect(await engineReachable(engine.address)).toBe(true);
    await engine.close();
    expect(await engineReachable(engine.address)).toBe(false);
  });

  it("the background check reports it once, within the period, without a write", async () => {
    const engine = await listener();
    const gone: string[] = [];
    watchEngine(engine.address, (what) => gone.push(what), 50);
    await new Promise((r) => setTimeout(r, 150));
    expect(gone).toEqual([]);
    await engine.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(gone).toEqual(["while idle"]);
  });
});

describe("the transport with the engine watch", () => {
  let api: Server;
  let apiUrl: string;
  const received: string[] = [];

  beforeAll(async () => {
    api = createHttpServer((req: IncomingMessage, res) => {
      received.push(`${req.method} ${req.url}`);
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

  it("writes while the engine lives; once it is gone, no write is sent and onGone names it; reads still go", async () => {
    const engine = await listener();
    const gone: string[] = [];
    const watch = watchEngine(engine.address, (what) => gone.push(what), 60_000);
    const transport = new HttpTransport({ beforeWrite: watch.beforeWrite });
    try {
      received.length = 0;
      const write = (n: number) =>
        transport.request({ operation: `create ${n}`, method: "POST", url: `${apiUrl}/clients`, json: { n }, retry: "never" });
      await write(1);
      await engine.close();
      await expect(write(2)).rejects.toThrow(EngineGoneError);
      await expect(
        transport.request({ operation: "delete", method: "DELETE", url: `${apiUrl}/clients/x`, retry: "idempotent" }),
      ).rejects.toThrow(/the Pulumi engine at 127\.0\.0\.1:\d+ that started this provider is gone; not sending DELETE \(delete\)/);
      await transport.request({ operation: "read", method: "GET", url: `${apiUrl}/clients`, retry: "idempotent" });
      expect(received).toEqual(["POST /clients", "GET /clients"]);
      expect(gone).toEqual(["before POST (create 2)"]);
    } finally {
      await transport.close();
    }
  });
});
