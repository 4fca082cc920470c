/**
 * A create whose outcome could not be found out (`CreateOutcomeUnknownError`: the answer was lost and the
 * lookup failed too). Failing plainly would make the engine forget the object, and the next `up` would create
 * a second one under a new client_id, or find the scope made and refuse to take it over. Instead the engine
 * gets an initialisation failure with the identity that was sent, marked unconfirmed: the stack keeps it, and
 * the next `up` (an update, which the engine runs for a resource with initialisation errors) looks it up and
 * creates it only if it is not there.
 */
import { initFailureProperties } from "./outputs";
import { ResourceInitError } from "../../api/errors";

const UNCONFIRMED = "createUnconfirmed";

/** `outputs` are what the object would be, made from the request that was sent. */
export function unconfirmedCreate(
  id: string,
  inputs: Record<string, unknown>,
  outputs: Record<string, unknown>,
  cause: unknown,
): ResourceInitError {
  return new ResourceInitError(
    id,
    initFailureProperties(inputs, { ...outputs, [UNCONFIRMED]: true }),
    cause,
    "may have been created and is kept in the stack, so that the next `pulumi up` finds out",
  );
}

/** True for the state of a resource whose create was left unconfirmed. */
export function wasUnconfirmed(olds: Record<string, unknown>): boolean {
  return olds[UNCONFIRMED] === true;
}
