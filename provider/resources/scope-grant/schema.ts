/** The inputs of a `ScopeGrant`: checked offline, so a bad organisation number never reaches the API. */
import { z } from "zod";
import { orgnoProblem, scopeNameProblem } from "../../api/validation";
import { profileField, unknownInput } from "../shared/rules";
import { ruled } from "../shared/ruled";
import { builtOnce } from "../shared/built-once";

export const scopeGrantSchema = builtOnce(() =>
  z.strictObject(
    {
      scope: ruled<string>(scopeNameProblem),
      consumerOrgno: ruled<string>(orgnoProblem),
      profile: profileField(),
    },
    unknownInput("ScopeGrant"),
  ),
);

export type ScopeGrantInputs = z.output<ReturnType<typeof scopeGrantSchema>>;
