// ETags of users: W/"<version>". Weak because meta.security (last sign-in, lock) can change
// without a write; If-Match compares the version (weak comparison, see docs/rest-v4.md).

export const etagOf = (version: number) => `W/"${version}"`;

/** Entity tags of an If-Match / If-None-Match list: "*", or the versions named (others ignored). */
export function parseEtagList(header: string | undefined): "*" | number[] | undefined {
	if (header === undefined) return undefined;
	if (header.trim() === "*") return "*";
	const versions: number[] = [];
	for (const tag of header.split(",")) {
		const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(tag);
		if (match) versions.push(Number(match[1]));
	}
	return versions;
}

/** If-Match as the versions a write may apply to; undefined: unconditional (absent or "*"). */
export function ifMatchVersions(header: string | undefined): number[] | undefined {
	const tags = parseEtagList(header);
	return tags === "*" ? undefined : tags;
}

/** If-None-Match on a read: true when the client's copy is current (answer 304). */
export function notModified(header: string | undefined, version: number): boolean {
	const tags = parseEtagList(header);
	return tags === "*" || (tags?.includes(version) ?? false);
}
