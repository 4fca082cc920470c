/**
 * The API client's last line against ids that address another path: `/clients/..` is `/` to a URL parser. `check`
 * refuses such ids by field; this proves that an id reaching the client some other way (from state, from code
 * calling the API directly) sends nothing.
 */
import { MaskinportenError } from "../../../provider/api/errors";
import { pathSegment, pathSegmentProblem } from "../../../provider/api/path-segment";
import { connectAs } from "../../helpers/api";
import { useSimulator } from "../../simulator/helpers";

const sim = useSimulator();

describe("pathSegment", () => {
  it.each([".", "..", ""])("refuses %j", (id) => {
    expect(() => pathSegment(id)).toThrow(
      expect.objectContaining({ code: "INVALID_PATH_SEGMENT", message: expect.stringContaining("another path") }),
    );
  });

  it("encodes what it lets through, so a slash or a question mark stays inside the segment", () => {
    expect(pathSegment("a/b?c#d")).toBe("a%2Fb%3Fc%23d");
    expect(pathSegment("0a1b2c3d-4e5f-6789-abcd-ef0123456789")).toBe("0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  });

  it.each(["a/b", "a?b", "a#b", "a%2F", "a b", "a\nb", "a\\b"])("names the problem of %j for check's messages", (id) => {
    expect(pathSegmentProblem(id)).toMatch(/^contains ".+", which does not belong in an id/);
  });
});

describe("the API client", () => {
  it.each([".", ".."])("sends no request for client %j", async (id) => {
    const conn = connectAs(sim(), sim().orgs[1]!);
    const before = await sim().control.counters();
    const err = await conn.api.getJwks(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaskinportenError);
    expect((err as MaskinportenError).code).toBe("INVALID_PATH_SEGMENT");
    const after = await sim().control.counters();
    expect({ reads: after.apiReads, writes: after.apiWrites }).toEqual({ reads: before.apiReads, writes: before.apiWrites });
    await conn.close();
  });
});
