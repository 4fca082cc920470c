/**
 * Request and response values passed between the server and the handlers, and the two error shapes of the
 * real services: OAuth errors at the token endpoint, `ApiErrorResponse` in the self-service API.
 * Handlers return responses instead of writing them, so a fault can drop a response after the commit.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { ApiErrorResponse, ApiFieldError } from "./wire";

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Values of `{name}` segments of the matched route. */
  params: Record<string, string>;
  correlationId: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless it is a string. */
  body?: unknown;
  contentType?: string;
}

/** Extra facts a handler reports for the request log. */
export interface LogFacts {
  orgno?: string;
  clientId?: string;
}

export function json(body: unknown, status = 200): SimResponse {
  return { status, body };
}

export type ApiErrorCode =
  | "invalid_request"
  | "invalid_token"
  | "insufficient_scope"
  | "access_denied"
  | "not_found"
  | "conflict"
  | "server_error"
  | "temporarily_unavailable"
  | "too_many_requests";

/** An error of the self-service API; `fieldErrors` become `errors[]`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly fieldErrors: ApiFieldError[] = [],
  ) {
    super(message);
  }

  static badRequest(message: string, fieldErrors: ApiFieldError[] = []): ApiError {
    return new ApiError(400, "invalid_request", message, fieldErrors);
  }

  static field(objectName: string, field: string, message: string): ApiError {
    const error = fieldError(objectName, field, message);
    return ApiError.badRequest(error.errorMessage!, [error]);
  }

  static notFound(message: string): ApiError {
    return new ApiError(404, "not_found", message);
  }

  static forbidden(message: string): ApiError {
    return new ApiError(403, "access_denied", message);
  }

  static conflict(message: string): ApiError {
    return new ApiError(409, "conflict", message);
  }
}

export function fieldError(objectName: string, field: string, message: string): ApiFieldError {
  return { errorMessage: `${field} ${message}`, isFieldError: true, objectName, fieldIdentifier: field };
}

export function apiErrorBody(
  status: number,
  code: string,
  description: string,
  correlationId: string,
  timestamp: string,
  errors: ApiFieldError[] = [],
): ApiErrorResponse {
  return { status, timestamp, correlation_id: correlationId, errors, error: code, error_description: description };
}

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_grant"
  | "invalid_client"
  | "invalid_scope"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "server_error"
  | "temporarily_unavailable"
  | "forbidden";

/** Maskinporten's error codes the reference names (`…/errors/MP-nnn` in `error_uri`). */
export type MpCode = "MP-110" | "MP-120" | "MP-121" | "MP-250";

/** An OAuth error of the token endpoint (always status 400 unless said otherwise). */
export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    message: string,
    readonly mpCode?: MpCode,
    readonly status = 400,
  ) {
    super(message);
  }
}
