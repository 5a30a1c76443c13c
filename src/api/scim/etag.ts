import { ScimError } from "./errors";

// RFC 7644 §3.14: a resource's version is a weak entity tag, W/"<version>", in `meta.version` and
// the ETag header. If-Match guards PUT, PATCH and DELETE (412 when it names another version);
// If-None-Match on GET answers 304 when it names the current one.

export const versionTag = (version: number) => `W/"${version}"`;

/** The opaque values of an If-Match / If-None-Match list; "*" alone is null (any version). */
function tags(header: string): string[] | null {
	if (header.trim() === "*") return null;
	return header
		.split(",")
		.map((t) => t.trim().replace(/^W\//i, ""))
		.filter((t) => t !== "")
		.map((t) => (t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1) : t));
}

/**
 * The versions an If-Match header allows: undefined without the header or for "*", else the
 * versions named (a tag that is no version of ours allows nothing, so the write answers 412).
 */
export function ifMatchVersions(header: string | undefined): number[] | undefined {
	if (header === undefined || header.trim() === "") return undefined;
	const list = tags(header);
	if (list === null) return undefined;
	const versions = list.filter((t) => /^\d+$/.test(t)).map(Number);
	if (versions.length === 0 && list.length === 0)
		throw new ScimError(400, "If-Match: not an entity tag list", "invalidValue");
	return versions.length ? versions : [-1];
}

/** Whether If-None-Match names the current version (or is "*"): the GET answers 304. */
export function ifNoneMatchHits(header: string | undefined, version: number): boolean {
	if (header === undefined || header.trim() === "") return false;
	const list = tags(header);
	return list === null || list.includes(String(version));
}
