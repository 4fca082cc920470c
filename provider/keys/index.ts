export { KeyError, type KeyErrorCode } from "../api/errors";
export { jwkThumbprint, toPublicJwk, type PublicJwk, type PublicKeyOptions, type PublicKeyResult } from "./public-key";
export { loadPrivateKey, type LoadedPrivateKey, type PrivateKeyOptions } from "./private-key";
export {
  loadBusinessCertificate,
  type BusinessCertificate,
  type BusinessCertificateInput,
  type BusinessCertificateOptions,
} from "./certificate";
export {
  altinnKid,
  DEFAULT_MODULUS_LENGTH,
  generateKeyPair,
  MODULUS_LENGTHS,
  type GeneratedKey,
  type GenerateKeyOptions,
  type ModulusLength,
  type PrivateJwk,
} from "./generate";
