import { inspect } from "node:util";
import { MaskinportenError } from "../../provider/api/errors";

export interface ExpectedRejection {
  code: string;
  /** Must appear in the message. */
  field: string;
  /** Secret strings (key material, passwords, the input): no 16-character slice of them may appear. */
  secrets?: readonly string[];
}

/**
 * Awaits a rejection and checks it: the code, the field named in the message, and that neither the message
 * nor anything an `inspect` of the error prints (stack, cause, own properties) holds a slice of a secret.
 */
export async function expectRejection(action: Promise<unknown> | (() => unknown), expected: ExpectedRejection): Promise<MaskinportenError> {
  let error: unknown;
  try {
    await (typeof action === "function" ? action() : action);
  } catch (caught) {
    error = caught;
  }
  if (!(error instanceof MaskinportenError)) {
    throw new Error(`expected a MaskinportenError with code ${expected.code}, got ${error === undefined ? "no error" : inspect(error)}`);
  }
  expect({ code: error.code, message: error.message }).toEqual({ code: expected.code, message: expect.stringContaining(expected.field) });
  const printed = `${error.message}\n${inspect(error, { depth: 5 })}\n${JSON.stringify(error)}`;
  for (const secret of expected.secrets ?? []) {
    const leaked = secretSlices(secret).find((slice) => printed.includes(slice));
    if (leaked !== undefined) throw new Error(`error ${error.code} leaks secret material "${leaked}": ${error.message}`);
  }
  return error;
}

/** 16-character windows, every 8 characters, of a secret; ones made only of PEM armour are skipped. */
export function secretSlices(secret: string): string[] {
  const slices: string[] = [];
  for (let i = 0; i + 16 <= secret.length; i += 8) {
    const slice = secret.slice(i, i + 16);
    if (!slice.includes("-----")) slices.push(slice);
  }
  if (secret.length < 16 && secret.length > 0) slices.push(secret);
  return slices;
}
