/** What every self-service handler gets, and the helpers they share. */
import type { z } from "zod";
import type { Clock } from "../clock";
import { ApiError, fieldError, type SimRequest, type SimResponse } from "../http";
import type { Problem } from "../rules";
import type { Store } from "../state";
import { writeAnswer, type SimulatorSwitches, type WriteAnswer } from "../variant";
import { ADMIN_SCOPES, type ApiFieldError } from "../wire";

export interface Caller {
  orgno: string;
  /** The admin client that called; absent for portal edits. */
  clientId?: string;
  scopes: ReadonlySet<string>;
  portal: boolean;
}

export interface ApiContext {
  req: SimRequest;
  caller: Caller;
  store: Store;
  clock: Clock;
  /** `…/api/v1` of this simulator, for URLs in answers (`jwks_uri`). */
  apiBaseUrl: string;
  /** The switches this request is answered under. */
  switches: SimulatorSwitches;
}

export type ApiHandler = (ctx: ApiContext) => SimResponse | Promise<SimResponse>;

export function isSupplier(caller: Caller): boolean {
  return caller.scopes.has(ADMIN_SCOPES.dcrSupplier);
}

export function describeOrg(store: Store, orgno: string): string {
  const name = store.orgName(orgno);
  return name ? `${orgno} (${name})` : orgno;
}

/** The JSON body: 415 unless sent as JSON, 400 when it does not parse. An empty body counts as `{}`. */
export function jsonBody(req: SimRequest): unknown {
  if (req.body.length === 0) return {};
  const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
  if (!/^application\/([a-z.+-]*\+)?json\b/.test(contentType)) {
    throw new ApiError(
      415,
      "invalid_request",
      `send the body as JSON (Content-Type: application/json), got ${JSON.stringify(contentType || "no Content-Type")}`,
    );
  }
  try {
    return JSON.parse(req.body.toString("utf8"));
  } catch {
    throw ApiError.badRequest("the request body is not valid JSON");
  }
}

/** Parses the body with a wire schema; zod issues become field errors. */
export function parseBody<S extends z.ZodType>(req: SimRequest, schema: S, objectName: string): z.infer<S> {
  const body = jsonBody(req);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw ApiError.badRequest(`the request body must be a JSON object (${objectName})`);
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const errors = result.error.issues.map((issue) => fieldError(objectName, issue.path.join(".") || "(body)", issue.message));
    throw ApiError.badRequest(summary(errors), errors);
  }
  return result.data;
}

export function problemsToFieldErrors(objectName: string, problems: readonly Problem[]): ApiFieldError[] {
  return problems.map((p) => fieldError(objectName, p.field, p.message));
}

/** Throws 400 with all collected field errors, if any. */
export function rejectIfAny(errors: ApiFieldError[]): void {
  if (errors.length > 0) throw ApiError.badRequest(summary(errors), errors);
}

function summary(errors: readonly ApiFieldError[]): string {
  return errors.map((e) => e.errorMessage).join("; ");
}

/** A required query parameter, or 400. */
export function queryParam(req: SimRequest, name: string, objectName: string): string {
  const value = req.query.get(name);
  if (value === null || value === "") {
    throw ApiError.field(objectName, name, `is required as a query parameter, e.g. ?${name}=...`);
  }
  return value;
}

/** `?inactive=true` includes deactivated objects. */
export function includeInactive(req: SimRequest): boolean {
  return req.query.get("inactive")?.toLowerCase() === "true";
}

/** Copies `obj` without its undefined members (so responses do not carry `"x": undefined`). */
export function compact<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

export function byCreated<T extends { created: string }>(a: T, b: T): number {
  return a.created < b.created ? -1 : a.created > b.created ? 1 : 0;
}

/** The answer to a write, shaped by one of the write-answer switches (status, and a body or none). */
export function written(answer: WriteAnswer, body: unknown): SimResponse {
  const shape = writeAnswer(answer);
  return shape.body ? { status: shape.status, body } : { status: shape.status };
}
