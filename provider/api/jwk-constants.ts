/**
 * The JWK facts Maskinporten fixes, without zod: public types (the SDK's key helpers) depend on them, and a
 * type import of the wire schemas would pull zod's declarations into every user's compilation.
 */
export const JWK_ALGORITHMS = ["RS256", "RS384", "RS512"] as const;
export type JwkAlgorithm = (typeof JWK_ALGORITHMS)[number];
/** Members that make a JWK private; none may be sent to or stored by Maskinporten. */
export const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi"] as const;
