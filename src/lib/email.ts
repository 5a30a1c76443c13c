import { MAX_IDENTIFIER_LENGTH } from "../domain/limits";

// Deliberately permissive (RFC 5322 allows far more than any form should): one @, a dotted domain,
// no spaces or control characters.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/;

export const isValidEmail = (value: string) => value.length <= MAX_IDENTIFIER_LENGTH && EMAIL.test(value);
