/** The inputs of a `RotatingClientKey`: what `check` validates offline and normalizes. */
import { z } from "zod";
import { clientIdField, profileField } from "../shared/rules";
import { ownerMarkerField } from "../shared/resource-marker";
import { builtOnce } from "../shared/built-once";
import { daysField, generateField, kidConventionField, MAX_ROTATION_DAYS, verifyField } from "../../key-lifecycle/settings";

export const DEFAULT_GRACE_PERIOD_DAYS = 7;
/** A key lives a year: the previous key must still be valid until its grace period ends. */
const KEY_LIFETIME_DAYS = 365;

function inputShape() {
  return {
    clientId: clientIdField("the client_id of the client (e.g. client.clientId)"),
    generate: generateField().default({ algorithm: "RS256", modulusLength: 3072 }),
    kidConvention: kidConventionField().optional(),
    rotateAfterDays: daysField(1, MAX_ROTATION_DAYS, "Maskinporten keys live at most one year"),
    gracePeriodDays: daysField(0, MAX_ROTATION_DAYS - 1, "the grace period must end before the next rotation").default(
      DEFAULT_GRACE_PERIOD_DAYS,
    ),
    verify: verifyField().optional(),
    profile: profileField(),
    __ownerMarker: ownerMarkerField("RotatingClientKey"),
  };
}

type Shape = { rotateAfterDays: number; gracePeriodDays: number };

/** The previous key is kept for the grace period: it must end before the next rotation, and before the key expires. */
function graceRules(inputs: Shape, ctx: z.RefinementCtx): void {
  if (inputs.gracePeriodDays >= inputs.rotateAfterDays) {
    ctx.addIssue({
      code: "custom",
      path: ["gracePeriodDays"],
      message: `must be shorter than rotateAfterDays (${inputs.rotateAfterDays}): the previous key is removed before the next rotation, so a client holds at most two of these keys`,
    });
  } else if (inputs.rotateAfterDays + inputs.gracePeriodDays > KEY_LIFETIME_DAYS) {
    ctx.addIssue({
      code: "custom",
      path: ["gracePeriodDays"],
      message: `with rotateAfterDays ${inputs.rotateAfterDays} must be at most ${KEY_LIFETIME_DAYS - inputs.rotateAfterDays}: a previous key is kept until its grace period ends, and Maskinporten keys live one year`,
    });
  }
}

const unknownKey = {
  error: (issue: { code: string; keys?: string[] }) =>
    issue.code === "unrecognized_keys"
      ? `${(issue.keys ?? []).join(", ")}: not an input of RotatingClientKey; check the spelling`
      : undefined,
};

export const rotatingClientKeySchema = builtOnce(() => z.strictObject(inputShape(), unknownKey).superRefine(graceRules));

export type RotatingClientKeyInputs = z.output<ReturnType<typeof rotatingClientKeySchema>>;
