/** What the engine can carry: the dynamic provider host encodes outputs as protobuf Structs. */
// google-protobuf ships no types; it is what @pulumi/pulumi's dynamic provider host uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(value: object): unknown } };

/** True when the engine can encode the value (it refuses undefined members, among others). */
export function encodable(value: unknown): boolean {
  Struct.fromJavaScript(value as object);
  return true;
}
