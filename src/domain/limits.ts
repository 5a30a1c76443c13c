// Input limits, one set for every dialect (docs/security.md states them).

/** Request bodies, checked on Content-Length and on the stream before parsing (413). */
export const MAX_BODY_BYTES = 1_048_576;
/** Free text and patterns in searches (search `text`, v4 `filter[name]`, role name patterns). */
export const MAX_SEARCH_TEXT = 256;
/** Names: user names and name parts, tenant, role, permission, key and application names. */
export const MAX_NAME_LENGTH = 256;
/** Descriptions of roles, permissions, keys and applications. */
export const MAX_DESCRIPTION_LENGTH = 1024;
/** Login ids and emails (RFC 5321's address limit). */
export const MAX_IDENTIFIER_LENGTH = 320;
/** External ids (v4 `external_id`, legacy `cid`). */
export const MAX_EXTERNAL_ID_LENGTH = 256;
/** URLs such as a user's picture. */
export const MAX_URL_LENGTH = 2048;
/** Any one custom attribute value, serialized. */
export const MAX_ATTRIBUTE_VALUE_BYTES = 4096;
/** All custom attributes of one user or tenant, serialized. */
export const MAX_ATTRIBUTES_BYTES = 16_384;
/** Custom claims of a token, serialized (end-user or management given). */
export const MAX_CUSTOM_CLAIMS_BYTES = 4096;
/** Nesting depth of any JSON value the domain stores. */
export const MAX_JSON_DEPTH = 8;
/** Entries of a list field (login ids, roles, tenants, permitted IPs, user flags…). */
export const MAX_LIST_ENTRIES = 100;
